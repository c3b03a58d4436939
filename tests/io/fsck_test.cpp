// fsck: each kind of damage made on purpose and found, repair that removes only leftovers
// and quarantines unnamed parts without touching a committed byte, and the run-wide check.

#include "crv/io/fsck.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/manifest.hpp"
#include "crv/io/paths.hpp"
#include "io/dataset_test_util.hpp"
#include "io/fault_injecting_file_system.hpp"
#include "io/part_damage.hpp"
#include "io/table_lock.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace crv::io {

// Names instead of bytes in failure messages; found by argument-dependent lookup.
static void PrintTo(FsckIssue issue, std::ostream* out) {
  *out << to_string(issue);
}
static void PrintTo(FsckRepair repair, std::ostream* out) {
  *out << to_string(repair);
}

namespace {

using namespace dataset_test;
using test_support::expect_error;
using testing::ElementsAre;
using testing::HasSubstr;
using testing::IsEmpty;
using testing::UnorderedElementsAre;

using IssueAt = std::pair<FsckIssue, std::filesystem::path>;

// The findings as (issue, path), in the order reported.
std::vector<IssueAt> issues(const TableFsckReport& report) {
  std::vector<IssueAt> found;
  for (const FsckFinding& finding : report.findings)
    found.emplace_back(finding.issue, finding.path);
  return found;
}

// The one part an append wrote into `bucket`.
std::filesystem::path part_in_bucket(const AppendSummary& summary, int64_t bucket) {
  std::vector<std::filesystem::path> parts;
  for (const PartSummary& part : summary.parts) {
    if (part.bucket_id == bucket) parts.emplace_back(part.path);
  }
  EXPECT_EQ(parts.size(), 1u) << "bucket " << bucket;
  return parts.empty() ? std::filesystem::path() : parts.front();
}

TreeSnapshot without(TreeSnapshot snapshot, const std::vector<std::string>& paths) {
  for (const std::string& path : paths) EXPECT_EQ(snapshot.erase(path), 1u) << path;
  return snapshot;
}

class FsckTest : public testing::Test {
 protected:
  // Makes the table one without a commit log (as older versions and the Python reference
  // write them), whose committed state is manifest.json.
  void drop_commit_log() { std::filesystem::remove_all(edges_dir(settings) / "_log"); }

  TableFsckReport check() { return fsck_table(settings, kRunId, kEdges, {}, fs); }
  TableFsckReport repair() { return fsck_table(settings, kRunId, kEdges, {.repair = true}, fs); }

  AppendSummary append(const std::vector<int64_t>& ticks) {
    Dataset dataset(settings, std::string(kRunId));
    return dataset.append(kEdges, edge_rows(ticks));
  }

  // A valid part of `ticks` that no manifest of this table names: written to another
  // dataset, then moved into this table's bucket folder.
  std::filesystem::path unnamed_part(const std::vector<int64_t>& ticks) {
    IoSettings other = settings;
    other.root_dir = scratch / "elsewhere";
    Dataset dataset(other, std::string(kRunId));
    const AppendSummary summary = dataset.append(kEdges, edge_rows(ticks));
    EXPECT_EQ(summary.parts.size(), 1u);
    const std::filesystem::path source = summary.parts.front().path;
    const std::filesystem::path folder =
        bucket_dir(settings, kRunId, kEdges, summary.parts.front().bucket_id);
    std::filesystem::create_directories(folder);
    std::filesystem::rename(source, folder / source.filename());
    return folder / source.filename();
  }

  std::filesystem::path quarantine_path(const std::filesystem::path& part, int64_t bucket) const {
    return edges_dir(settings) / "quarantine" / ("bucket=" + partition_key(bucket)) /
           part.filename();
  }

  std::string relative(const std::filesystem::path& path) const {
    return path.lexically_relative(settings.root_dir).string();
  }

  test_support::TempDir scratch;
  IoSettings settings = test_settings(scratch / "out");
  FaultInjectingFileSystem fs;
};

// --- a clean table ---------------------------------------------------------------------------

TEST_F(FsckTest, ACleanTableHasNoFindingsAndTheCheckWritesNothing) {
  const AppendSummary first = append(tick_range(0, 150));
  const AppendSummary second = append(tick_range(120, 140));
  const TreeSnapshot before = snapshot_tree(settings.root_dir);

  const TableFsckReport report = check();

  EXPECT_THAT(issues(report), IsEmpty());
  EXPECT_TRUE(report.consistent());
  EXPECT_EQ(report.table, kEdges);
  EXPECT_EQ(report.folder, edges_dir(settings));
  EXPECT_EQ(report.parts_checked, static_cast<int64_t>(first.parts.size() + second.parts.size()));
  EXPECT_THAT(report.quarantined_parts, IsEmpty());
  EXPECT_EQ(describe_differences(before, snapshot_tree(settings.root_dir)), "");
  for (const FsOperation write : {FsOperation::kCreateDirectories, FsOperation::kOpenForWrite,
                                  FsOperation::kRename, FsOperation::kRemove, FsOperation::kLock}) {
    EXPECT_EQ(fs.calls(write), 0) << to_string(write);
  }
}

TEST_F(FsckTest, ProgressCountsEveryNamedPartAgainstTheTableTotal) {
  const AppendSummary first = append(tick_range(0, 350));
  const AppendSummary second = append(tick_range(90, 20));
  const auto total = static_cast<int64_t>(first.parts.size() + second.parts.size());
  std::vector<int64_t> counts;
  const FsckOptions options{
      .on_part_checked = [&](std::string_view table, int64_t checked, int64_t parts_total) {
        EXPECT_EQ(table, kEdges);
        EXPECT_EQ(parts_total, total);
        counts.push_back(checked);
      }};

  fsck_table(settings, kRunId, kEdges, options, fs);

  std::vector<int64_t> expected;
  for (int64_t checked = 1; checked <= total; ++checked) expected.push_back(checked);
  EXPECT_EQ(counts, expected);
}

// --- each kind of damage ---------------------------------------------------------------------

TEST_F(FsckTest, ADeletedPartIsMissingAndItsPartitionComesUpShort) {
  append(tick_range(0, 100));
  const AppendSummary summary = append(tick_range(200, 60));
  const std::filesystem::path part = part_in_bucket(summary, 2);
  const auto bytes = static_cast<int64_t>(std::filesystem::file_size(part));
  std::filesystem::remove(part);

  const TableFsckReport report = check();

  const std::filesystem::path bucket = bucket_dir(settings, kRunId, kEdges, 2);
  EXPECT_THAT(issues(report), ElementsAre(IssueAt{FsckIssue::kPartMissing, part},
                                          IssueAt{FsckIssue::kPartitionTotalsMismatch, bucket}));
  EXPECT_EQ(report.findings[0].bucket_id, 2);
  EXPECT_THAT(report.findings[0].message, HasSubstr("no such file"));
  EXPECT_EQ(report.findings[1].rows, (FsckMismatch{60, 0}));
  EXPECT_EQ(report.findings[1].bytes, (FsckMismatch{bytes, 0}));
  EXPECT_FALSE(report.consistent());
}

TEST_F(FsckTest, ATruncatedPartHasTheWrongSizeAndAnUnreadableFooter) {
  const AppendSummary summary = append(tick_range(0, 150));
  const std::filesystem::path part = part_in_bucket(summary, 1);
  const auto bytes = static_cast<int64_t>(std::filesystem::file_size(part));
  std::filesystem::resize_file(part, static_cast<uintmax_t>(bytes - 10));

  const TableFsckReport report = check();

  const std::filesystem::path bucket = bucket_dir(settings, kRunId, kEdges, 1);
  EXPECT_THAT(issues(report), ElementsAre(IssueAt{FsckIssue::kPartSizeMismatch, part},
                                          IssueAt{FsckIssue::kPartUnreadable, part},
                                          IssueAt{FsckIssue::kPartitionTotalsMismatch, bucket}));
  EXPECT_EQ(report.findings[0].bytes, (FsckMismatch{bytes, bytes - 10}));
  EXPECT_THAT(report.findings[1].message, HasSubstr(part.string()));
  // Rows cannot be counted without the footer, so only the bytes are compared.
  EXPECT_EQ(report.findings[2].rows, std::nullopt);
  EXPECT_EQ(report.findings[2].bytes, (FsckMismatch{bytes, bytes - 10}));
}

TEST_F(FsckTest, APartWhoseFooterHoldsOtherRowsThanRecordedIsARowsMismatch) {
  const AppendSummary summary = append(tick_range(0, 130));
  drop_commit_log();  // manifest.json is the committed state
  const std::filesystem::path part = part_in_bucket(summary, 1);
  // A valid manifest that claims seven rows more for the part (and its partition).
  TableManifest manifest = *load_from_disk(edges_manifest(settings));
  PartitionMeta& partition = manifest.partitions.at(1);
  partition.parts.front().rows += 7;
  partition.row_count += 7;
  write_manifest(default_file_system(), edges_manifest(settings), manifest);

  const TableFsckReport report = check();

  const std::filesystem::path bucket = bucket_dir(settings, kRunId, kEdges, 1);
  EXPECT_THAT(issues(report), ElementsAre(IssueAt{FsckIssue::kPartRowsMismatch, part},
                                          IssueAt{FsckIssue::kPartitionTotalsMismatch, bucket}));
  EXPECT_EQ(report.findings[0].rows, (FsckMismatch{30 + 7, 30}));
  EXPECT_EQ(report.findings[0].bytes, std::nullopt);
  EXPECT_EQ(report.findings[1].rows, (FsckMismatch{30 + 7, 30}));
  EXPECT_EQ(report.findings[1].bytes, std::nullopt);
}

TEST_F(FsckTest, ADeepCheckFindsAFlippedPageByteThatThePlainCheckCannotSee) {
  append(tick_range(0, 100));
  const AppendSummary summary = append(tick_range(100, 80));
  const std::filesystem::path part = part_in_bucket(summary, 1);
  part_damage::flip_page_byte(part, "edge_weight");

  EXPECT_THAT(issues(check()), IsEmpty());
  const TableFsckReport report = fsck_table(settings, kRunId, kEdges, {.deep = true}, fs);

  EXPECT_THAT(issues(report), ElementsAre(IssueAt{FsckIssue::kPartCorrupt, part}));
  EXPECT_EQ(report.findings[0].bucket_id, 1);
  EXPECT_THAT(report.findings[0].message, HasSubstr("checksum mismatch"));
  EXPECT_THAT(report.findings[0].message, HasSubstr("byte offset"));
  EXPECT_EQ(report.parts_checked, 2);
  EXPECT_FALSE(report.consistent());
}

TEST_F(FsckTest, ADeepCheckFindsAStringThatIsNotUtf8AndNamesItsRow) {
  const AppendSummary summary = append(tick_range(100, 80));
  const std::filesystem::path part = part_in_bucket(summary, 1);
  part_damage::spoil_string(part, observer_for_tick(142));
  Dataset(settings, std::string(kRunId)).rebuild_manifest(kEdges);

  EXPECT_THAT(issues(check()), IsEmpty());
  const TableFsckReport report = fsck_table(settings, kRunId, kEdges, {.deep = true}, fs);

  EXPECT_THAT(issues(report), ElementsAre(IssueAt{FsckIssue::kPartCorrupt, part}));
  EXPECT_THAT(report.findings[0].message, HasSubstr("not valid UTF-8"));
  EXPECT_THAT(report.findings[0].message, HasSubstr("column 'observer_agent_id', row 42"));
}

TEST_F(FsckTest, ACorruptManifestIsAFindingAndItsPartsAreNotCalledUnnamed) {
  append(tick_range(0, 150));
  drop_commit_log();  // manifest.json is the committed state
  write_bytes(edges_manifest(settings), "{\"table\": \"identity_edges\", \"vers");

  const TableFsckReport report = check();

  EXPECT_THAT(issues(report),
              ElementsAre(IssueAt{FsckIssue::kManifestCorrupt, edges_manifest(settings)}));
  EXPECT_THAT(report.findings[0].message, HasSubstr("not valid JSON"));
  EXPECT_THAT(report.findings[0].message, HasSubstr("rebuild-manifest"));
  EXPECT_EQ(report.parts_checked, 0);
}

TEST_F(FsckTest, AManifestWhosePartitionTotalsDisagreeWithItsPartsIsCorrupt) {
  append(tick_range(0, 150));
  drop_commit_log();  // manifest.json is the committed state
  std::string json = read_bytes(edges_manifest(settings));
  const std::string recorded = "\"row_count\": 50,";
  ASSERT_NE(json.find(recorded), std::string::npos) << json;
  json.replace(json.find(recorded), recorded.size(), "\"row_count\": 51,");
  write_bytes(edges_manifest(settings), json);

  const TableFsckReport report = check();

  EXPECT_THAT(issues(report),
              ElementsAre(IssueAt{FsckIssue::kManifestCorrupt, edges_manifest(settings)}));
  EXPECT_THAT(report.findings[0].message, HasSubstr("partitions.000001.row_count"));
}

TEST_F(FsckTest, AMissingManifestIsAFindingWhenPartsAreOnDisk) {
  append(tick_range(0, 150));
  drop_commit_log();  // manifest.json is the committed state
  std::filesystem::remove(edges_manifest(settings));

  const TableFsckReport report = check();

  EXPECT_THAT(issues(report),
              ElementsAre(IssueAt{FsckIssue::kManifestMissing, edges_manifest(settings)}));
  EXPECT_THAT(report.findings[0].message, HasSubstr("2 *.parquet file(s)"));
  EXPECT_THAT(report.findings[0].message, HasSubstr("rebuild-manifest"));
}

TEST_F(FsckTest, TemporaryFilesAreFoundInBucketAndTableFolders) {
  append(tick_range(0, 10));
  const auto part_tmp =
      bucket_dir(settings, kRunId, kEdges, 0) / ("part-" + std::string(32, 'a') + ".parquet.tmp");
  const auto manifest_tmp = edges_dir(settings) / ("manifest.json.tmp-" + std::string(32, 'b'));
  write_bytes(part_tmp, "half a part");
  write_bytes(manifest_tmp, "{\"half\": ");

  const TableFsckReport report = check();

  EXPECT_THAT(issues(report), ElementsAre(IssueAt{FsckIssue::kTemporaryFile, manifest_tmp},
                                          IssueAt{FsckIssue::kTemporaryFile, part_tmp}));
  EXPECT_EQ(report.findings[0].bucket_id, std::nullopt);
  EXPECT_EQ(report.findings[1].bucket_id, 0);
}

TEST_F(FsckTest, APartNoManifestNamesIsUnnamed) {
  append(tick_range(0, 10));
  const std::filesystem::path stray = unnamed_part(tick_range(20, 5));
  const std::filesystem::path oddly_named = bucket_dir(settings, kRunId, kEdges, 0) / "x.parquet";
  write_bytes(oddly_named, "not even parquet");

  const TableFsckReport report = check();

  EXPECT_THAT(issues(report), UnorderedElementsAre(IssueAt{FsckIssue::kUnnamedPart, stray},
                                                   IssueAt{FsckIssue::kUnnamedPart, oddly_named}));
  EXPECT_EQ(report.parts_checked, 1);
}

TEST_F(FsckTest, PartsOfABatchedAppendAreUnnamedUntilTheBatchIsCommitted) {
  append(tick_range(0, 10));
  settings.write_manifest_every_n = 3;
  {
    Dataset dataset(settings, std::string(kRunId));
    const AppendSummary summary = dataset.append(kEdges, edge_rows(tick_range(0, 10)));
    EXPECT_THAT(issues(check()),
                ElementsAre(IssueAt{FsckIssue::kUnnamedPart, part_in_bucket(summary, 0)}));
  }
  EXPECT_THAT(issues(check()), IsEmpty());
}

TEST_F(FsckTest, AFailedAppendLeavesABucketFolderWithoutParts) {
  append(tick_range(0, 10));
  FaultInjectingFileSystem failing;
  failing.fail(FsOperation::kOpenForWrite, 1, EIO, "*/part-*.parquet.tmp");
  {
    Dataset dataset(settings, std::string(kRunId), failing);
    EXPECT_THROW(dataset.append(kEdges, edge_rows(tick_range(700, 3))), IoWriteError);
  }
  const std::filesystem::path left = bucket_dir(settings, kRunId, kEdges, 7);
  ASSERT_TRUE(std::filesystem::is_directory(left));

  const TableFsckReport report = check();

  EXPECT_THAT(issues(report), ElementsAre(IssueAt{FsckIssue::kBucketFolderWithoutParts, left}));
  EXPECT_EQ(report.findings[0].bucket_id, 7);
  EXPECT_THAT(report.findings[0].message, HasSubstr("empty"));
}

TEST_F(FsckTest, ATableFolderWithoutManifestOrPartsIsAnEmptyTable) {
  const std::filesystem::path bucket = bucket_dir(settings, kRunId, kEdges, 3);
  std::filesystem::create_directories(bucket);
  const auto part_tmp = bucket / ("part-" + std::string(32, 'c') + ".parquet.tmp");
  write_bytes(part_tmp, "half");

  const TableFsckReport checked = check();
  EXPECT_THAT(issues(checked), ElementsAre(IssueAt{FsckIssue::kTemporaryFile, part_tmp},
                                           IssueAt{FsckIssue::kBucketFolderWithoutParts, bucket}));

  const TableFsckReport repaired = repair();
  EXPECT_TRUE(repaired.consistent());
  EXPECT_FALSE(std::filesystem::exists(bucket));
  EXPECT_THAT(issues(check()), IsEmpty());
}

// --- repair ------------------------------------------------------------------------------------

TEST_F(FsckTest, RepairRemovesLeftoversQuarantinesUnnamedPartsAndKeepsEveryCommittedByte) {
  append(tick_range(0, 150));
  append(tick_range(130, 40));
  // Temporary parts named part-fff...: they sort after any other part of their folder.
  const std::string last_uid(32, 'f');
  const auto part_tmp =
      bucket_dir(settings, kRunId, kEdges, 1) / ("part-" + last_uid + ".parquet.tmp");
  const auto manifest_tmp = edges_dir(settings) / ("manifest.json.tmp-" + std::string(32, 'b'));
  write_bytes(part_tmp, "half a part");
  write_bytes(manifest_tmp, "{\"half\": ");
  const std::filesystem::path beside_committed = unnamed_part(tick_range(110, 5));
  const std::filesystem::path alone = unnamed_part(tick_range(520, 5));
  const auto alone_tmp = alone.parent_path() / ("part-" + last_uid + ".parquet.tmp");
  write_bytes(alone_tmp, "half");
  const std::filesystem::path empty = bucket_dir(settings, kRunId, kEdges, 9);
  std::filesystem::create_directories(empty);
  const TreeSnapshot before = snapshot_tree(settings.root_dir);

  const TableFsckReport report = repair();

  EXPECT_THAT(issues(report),
              ElementsAre(IssueAt{FsckIssue::kTemporaryFile, manifest_tmp},
                          IssueAt{FsckIssue::kUnnamedPart, beside_committed},
                          IssueAt{FsckIssue::kTemporaryFile, part_tmp},
                          IssueAt{FsckIssue::kUnnamedPart, alone},
                          IssueAt{FsckIssue::kTemporaryFile, alone_tmp},
                          IssueAt{FsckIssue::kBucketFolderWithoutParts, alone.parent_path()},
                          IssueAt{FsckIssue::kBucketFolderWithoutParts, empty}));
  EXPECT_TRUE(report.consistent());
  const std::vector<FsckRepair> expected_repairs = {FsckRepair::kRemoved, FsckRepair::kQuarantined,
                                                    FsckRepair::kRemoved, FsckRepair::kQuarantined,
                                                    FsckRepair::kRemoved, FsckRepair::kRemoved,
                                                    FsckRepair::kRemoved};
  std::vector<FsckRepair> repairs;
  for (const FsckFinding& finding : report.findings) repairs.push_back(finding.repair);
  EXPECT_EQ(repairs, expected_repairs);
  EXPECT_EQ(report.findings[1].moved_to, quarantine_path(beside_committed, 1));
  EXPECT_EQ(report.findings[3].moved_to, quarantine_path(alone, 5));
  EXPECT_THAT(report.quarantined_parts, UnorderedElementsAre(quarantine_path(beside_committed, 1),
                                                             quarantine_path(alone, 5)));

  // The disk is the snapshot minus the leftovers, with the unnamed parts moved unchanged.
  TreeSnapshot expected =
      without(before, {relative(part_tmp), relative(manifest_tmp), relative(alone_tmp),
                       relative(alone.parent_path()), relative(empty)});
  for (const auto& [part, bucket] : {std::pair{beside_committed, 1}, std::pair{alone, 5}}) {
    expected[relative(quarantine_path(part, bucket))] = before.at(relative(part));
    expected[relative(quarantine_path(part, bucket).parent_path())] = std::nullopt;
    expected.erase(relative(part));
  }
  expected[relative(edges_dir(settings) / "quarantine")] = std::nullopt;
  EXPECT_EQ(describe_differences(expected, snapshot_tree(settings.root_dir)), "");

  const TableFsckReport second = check();
  EXPECT_THAT(issues(second), IsEmpty());
  EXPECT_TRUE(second.consistent());
  EXPECT_EQ(second.quarantined_parts, report.quarantined_parts);
  EXPECT_EQ(Dataset(settings, std::string(kRunId)).read(kEdges).num_rows(), 150 + 40);
}

// A writer the lock does not hold off (on another host) commits while a repair checks the
// table: its new entry is no damage, and its part is not an unnamed one to move away.
TEST_F(FsckTest, AWriterCommittingDuringARepairLosesNothing) {
  settings.iceberg_metadata = false;
  FaultInjectingFileSystem other_host;
  other_host.ignore_locks();
  Dataset writer(settings, std::string(kRunId), other_host);
  writer.append(kEdges, edge_rows(tick_range(0, 10)));
  writer.append(kEdges, edge_rows(tick_range(10, 10)));  // manifest.json is behind: repairable
  bool locked = false;
  int looks = 0;
  fs.before(
      FsOperation::kLock, 1, [&] { locked = true; }, "*/.lock");
  for (int call = 1; call <= 20; ++call) {
    fs.before(
        FsOperation::kStat, call,
        [&] {
          // The repair's check has loaded the log and looks past its end.
          if (locked && ++looks == 2) writer.append(kEdges, edge_rows(tick_range(20, 10)));
        },
        "*_log/00000000000000000003.entry");
  }
  const TableFsckReport report = repair();
  ASSERT_GE(looks, 2);
  EXPECT_THAT(report.findings_of(FsckIssue::kLogEntryDamaged), IsEmpty());
  EXPECT_FALSE(report.consistent());
  for (const FsckFinding& finding : report.findings) {
    EXPECT_EQ(finding.repair, FsckRepair::kNone) << to_string(finding.issue);
    EXPECT_THAT(finding.repair_error, HasSubstr("another writer committed")) << finding.path;
  }
  EXPECT_EQ(report.quarantined_parts.size(), 0u);
  EXPECT_TRUE(std::filesystem::exists(edges_dir(settings) / "_log/00000000000000000003.entry"));
  EXPECT_EQ(int64_column(Dataset(settings, std::string(kRunId)).read(kEdges), "tick"),
            tick_range(0, 30));
  // Once the writer is done, a repair finds only manifest.json behind.
  writer.flush();
  EXPECT_TRUE(fsck_table(settings, kRunId, kEdges, {.repair = true}).consistent());
  expect_table_consistent(settings, kEdges);
}

// A compaction keeps the parts it replaced while the Iceberg update after it fails, since
// engines reading the Iceberg version still current would look for them.
TEST_F(FsckTest, APartTheCurrentIcebergVersionStillNamesIsKeptUntilAnUpdateDropsIt) {
  ASSERT_TRUE(settings.iceberg_metadata);
  for (int64_t first = 0; first < 40; first += 10) append(tick_range(first, 10));
  const std::set<std::filesystem::path> old_parts =
      named_part_paths(settings, kEdges, *load_from_disk(edges_manifest(settings)));
  FaultInjectingFileSystem no_iceberg;
  // Each rule fails the first call it counts: together, every call.
  for (int rule = 0; rule < 200; ++rule) {
    no_iceberg.fail(FsOperation::kOpenForWrite, 1, EIO, "*/metadata/*");
  }
  {
    Dataset dataset(settings, std::string(kRunId), no_iceberg);
    EXPECT_EQ(dataset.compact(kEdges).parts_removed, 0);
  }
  const TableFsckReport kept = repair();
  std::set<std::filesystem::path> kept_parts;
  for (const FsckFinding* finding : kept.findings_of(FsckIssue::kPartKeptForIceberg)) {
    kept_parts.insert(finding->path);
    EXPECT_THAT(finding->message, HasSubstr("crvio export iceberg"));
  }
  EXPECT_EQ(kept_parts, old_parts);
  EXPECT_THAT(kept.findings_of(FsckIssue::kUnnamedPart), IsEmpty());
  EXPECT_FALSE(kept.consistent());
  for (const std::filesystem::path& part : old_parts) EXPECT_TRUE(std::filesystem::exists(part));

  Dataset(settings, std::string(kRunId)).publish_iceberg(kEdges);
  const TableFsckReport moved = repair();
  EXPECT_EQ(moved.findings_of(FsckIssue::kUnnamedPart).size(), old_parts.size());
  EXPECT_THAT(moved.findings_of(FsckIssue::kPartKeptForIceberg), IsEmpty());
  EXPECT_TRUE(moved.consistent());
  std::filesystem::remove_all(edges_dir(settings) / kQuarantineFolderName);
  expect_table_consistent(settings, kEdges);
  EXPECT_EQ(int64_column(Dataset(settings, std::string(kRunId)).read(kEdges), "tick"),
            tick_range(0, 40));
}

TEST_F(FsckTest, AnUnnamedPartStaysWhileTheIcebergMetadataCannotBeRead) {
  append(tick_range(0, 10));
  const std::filesystem::path stray = unnamed_part(tick_range(20, 5));
  const std::filesystem::path metadata = edges_dir(settings) / "metadata";
  const int64_t current = std::stoll(read_bytes(metadata / "version-hint.text"));
  write_bytes(metadata / ("v" + std::to_string(current) + ".metadata.json"),
              "{\"format-version\": ");
  const TableFsckReport report = repair();
  EXPECT_THAT(issues(report), ElementsAre(IssueAt{FsckIssue::kPartKeptForIceberg, stray}));
  EXPECT_THAT(report.findings[0].message, HasSubstr("cannot be read"));
  EXPECT_TRUE(std::filesystem::exists(stray));
}

TEST_F(FsckTest, RepairNeverReplacesAFileInQuarantine) {
  append(tick_range(0, 10));
  const std::filesystem::path stray = unnamed_part(tick_range(20, 5));
  const std::filesystem::path occupied = quarantine_path(stray, 0);
  std::filesystem::create_directories(occupied.parent_path());
  write_bytes(occupied, "an earlier quarantined file of the same name");
  const TreeSnapshot before = snapshot_tree(settings.root_dir);

  const TableFsckReport report = repair();

  ASSERT_THAT(issues(report), ElementsAre(IssueAt{FsckIssue::kUnnamedPart, stray}));
  EXPECT_EQ(report.findings[0].repair, FsckRepair::kNone);
  EXPECT_THAT(report.findings[0].repair_error, HasSubstr("already holds"));
  EXPECT_FALSE(report.consistent());
  EXPECT_THAT(report.quarantined_parts, ElementsAre(occupied));
  EXPECT_EQ(describe_differences(before, snapshot_tree(settings.root_dir)), "");
}

TEST_F(FsckTest, RepairLeavesATableWithAMissingOrCorruptManifestAlone) {
  append(tick_range(0, 150));
  drop_commit_log();  // manifest.json is the committed state
  unnamed_part(tick_range(20, 5));
  write_bytes(
      bucket_dir(settings, kRunId, kEdges, 0) / ("part-" + std::string(32, 'e') + ".parquet.tmp"),
      "half");
  std::filesystem::create_directories(bucket_dir(settings, kRunId, kEdges, 4));

  for (const bool corrupt : {false, true}) {
    SCOPED_TRACE(corrupt ? "corrupt" : "missing");
    if (corrupt) {
      write_bytes(edges_manifest(settings), "[]");
    } else {
      std::filesystem::remove(edges_manifest(settings));
    }
    const TreeSnapshot before = snapshot_tree(settings.root_dir);

    const TableFsckReport report = repair();

    EXPECT_FALSE(report.consistent());
    EXPECT_EQ(report.findings.front().issue,
              corrupt ? FsckIssue::kManifestCorrupt : FsckIssue::kManifestMissing);
    for (const FsckFinding& finding : report.findings) {
      EXPECT_EQ(finding.repair, FsckRepair::kNone) << finding.path;
      EXPECT_NE(finding.issue, FsckIssue::kUnnamedPart) << finding.path;
    }
    EXPECT_EQ(describe_differences(before, snapshot_tree(settings.root_dir)), "");
  }
}

TEST_F(FsckTest, ARepairStepThatFailsIsRecordedAndTheOthersStillRun) {
  append(tick_range(0, 10));
  const auto manifest_tmp = edges_dir(settings) / ("manifest.json.tmp-" + std::string(32, 'b'));
  write_bytes(manifest_tmp, "{\"half\": ");
  const std::filesystem::path stray = unnamed_part(tick_range(40, 5));
  fs.fail(FsOperation::kRemove, 1, EACCES, "*/manifest.json.tmp-*");

  const TableFsckReport report = repair();

  ASSERT_THAT(issues(report), ElementsAre(IssueAt{FsckIssue::kTemporaryFile, manifest_tmp},
                                          IssueAt{FsckIssue::kUnnamedPart, stray}));
  EXPECT_EQ(report.findings[0].repair, FsckRepair::kNone);
  EXPECT_THAT(report.findings[0].repair_error, HasSubstr("Permission denied"));
  EXPECT_EQ(report.findings[1].repair, FsckRepair::kQuarantined);
  EXPECT_TRUE(std::filesystem::exists(manifest_tmp));
  EXPECT_FALSE(report.consistent());
}

// Taking the lock writes, which a read-only table refuses; with nothing to repair it
// must not be needed.
TEST_F(FsckTest, RepairWithNothingToRepairTakesNoLockAndWritesNothing) {
  append(tick_range(0, 150));
  for (const FsOperation write :
       {FsOperation::kCreateDirectories, FsOperation::kOpenForWrite, FsOperation::kLock}) {
    fs.fail(write, 1, EROFS);
  }

  const TableFsckReport report = repair();

  EXPECT_THAT(issues(report), IsEmpty());
  EXPECT_TRUE(report.consistent());
  for (const FsOperation write : {FsOperation::kCreateDirectories, FsOperation::kOpenForWrite,
                                  FsOperation::kRename, FsOperation::kRemove, FsOperation::kLock}) {
    EXPECT_EQ(fs.calls(write), 0) << to_string(write);
  }
}

TEST_F(FsckTest, RepairWaitsForTheTableLock) {
  append(tick_range(0, 10));
  const std::filesystem::path stray = unnamed_part(tick_range(20, 5));
  std::optional<TableLock> writer(std::in_place, default_file_system(), edges_dir(settings));
  std::atomic<bool> done = false;
  std::thread repairing([&] {
    repair();
    done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(done);
  EXPECT_TRUE(std::filesystem::exists(stray));
  writer.reset();
  repairing.join();
  EXPECT_TRUE(done);
  EXPECT_FALSE(std::filesystem::exists(stray));
  EXPECT_EQ(fs.calls(FsOperation::kLock), 1);
}

TEST_F(FsckTest, RebuildManifestDoesNotBringQuarantinedPartsBack) {
  append(tick_range(0, 150));
  const TableManifest committed = *load_from_disk(edges_manifest(settings));
  unnamed_part(tick_range(110, 5));
  ASSERT_TRUE(repair().consistent());
  std::filesystem::remove(edges_manifest(settings));

  Dataset dataset(settings, std::string(kRunId));
  const RebuildResult rebuilt = dataset.rebuild_manifest(kEdges);

  EXPECT_EQ(named_part_paths(settings, kEdges, rebuilt.manifest),
            named_part_paths(settings, kEdges, committed));
  EXPECT_EQ(manifest_rows(rebuilt.manifest), 150);
  EXPECT_EQ(dataset.read(kEdges).num_rows(), 150);
  EXPECT_THAT(issues(check()), IsEmpty());
}

// --- the report as JSON ----------------------------------------------------------------------

TEST_F(FsckTest, TheJsonGroupsFindingsByIssueWithExpectedAndFoundNumbers) {
  const AppendSummary summary = append(tick_range(0, 150));
  const std::filesystem::path part = part_in_bucket(summary, 0);
  const auto bytes = static_cast<int64_t>(std::filesystem::file_size(part));
  std::filesystem::resize_file(part, static_cast<uintmax_t>(bytes + 3));
  const auto part_tmp =
      bucket_dir(settings, kRunId, kEdges, 1) / ("part-" + std::string(32, 'a') + ".parquet.tmp");
  write_bytes(part_tmp, "half a part");

  const FsckReport report{.run_id = std::string(kRunId), .repair = false, .tables = {check()}};
  const auto json = nlohmann::json::parse(report.to_json());

  EXPECT_EQ(json["run_id"], kRunId);
  EXPECT_EQ(json["repair"], false);
  EXPECT_EQ(json["consistent"], false);
  const auto& table = json["tables"][std::string(kEdges)];
  EXPECT_EQ(table["folder"], edges_dir(settings).string());
  EXPECT_EQ(table["parts_checked"], 2);
  EXPECT_EQ(table["consistent"], false);
  std::vector<std::string> kinds;
  for (const auto& item : table["findings"].items()) kinds.push_back(item.key());
  EXPECT_THAT(kinds, ElementsAre("part_size_mismatch", "part_unreadable",
                                 "partition_totals_mismatch", "temporary_file"));
  const auto& size = table["findings"]["part_size_mismatch"][0];
  EXPECT_EQ(size["path"], part.string());
  EXPECT_EQ(size["bucket_id"], 0);
  EXPECT_EQ(size["bytes"], nlohmann::json({{"expected", bytes}, {"found", bytes + 3}}));
  EXPECT_EQ(size["repair"], "none");
  EXPECT_FALSE(size.contains("rows"));
  EXPECT_EQ(table["findings"]["temporary_file"][0]["path"], part_tmp.string());
  EXPECT_EQ(table["quarantined"], nlohmann::json::array());
}

// --- a whole run -------------------------------------------------------------------------------

TEST_F(FsckTest, TheRunCheckCoversEveryTableEvenPastACorruptManifest) {
  append(tick_range(0, 150));
  const AppendSummary holdings = [&] {
    Dataset dataset(settings, std::string(kRunId));
    return dataset.append(
        "holdings",
        frame::Frame({{"tick", frame::make_int64(tick_range(0, 5))},
                      {"agent_id", frame::make_utf8(std::vector<std::string>(5, std::string("a")))},
                      {"token_id", frame::make_utf8(std::vector<std::string>(5, std::string("t")))},
                      {"quantity", frame::make_int64(tick_range(1, 5))}}));
  }();
  ASSERT_EQ(holdings.parts.size(), 1u);
  const std::filesystem::path decisions_manifest = manifest_path(settings, kRunId, "decisions");
  std::filesystem::create_directories(decisions_manifest.parent_path());
  write_bytes(decisions_manifest, "not json");
  std::filesystem::remove(holdings.parts.front().path);
  std::filesystem::create_directories(tables_root(settings, kRunId) / "not_a_table");

  const FsckReport report = fsck_run(settings, kRunId, {}, fs);

  std::vector<std::string> tables;
  for (const TableFsckReport& table : report.tables) tables.push_back(table.table);
  EXPECT_THAT(tables, ElementsAre("identity_edges", "decisions", "holdings"));
  EXPECT_THAT(issues(report.tables[0]), IsEmpty());
  EXPECT_EQ(report.tables[0].parts_checked, 2);
  EXPECT_THAT(issues(report.tables[1]),
              ElementsAre(IssueAt{FsckIssue::kManifestCorrupt, decisions_manifest}));
  EXPECT_EQ(report.tables[2].findings.front().issue, FsckIssue::kPartMissing);
  EXPECT_FALSE(report.consistent());
  EXPECT_EQ(report.run_id, kRunId);
  const auto json = nlohmann::json::parse(report.to_json());
  EXPECT_EQ(json["tables"].size(), 3u);
}

TEST_F(FsckTest, ARunWithoutTablesIsConsistent) {
  std::filesystem::create_directories(run_root(settings, kRunId));
  const FsckReport report = fsck_run(settings, kRunId, {}, fs);
  EXPECT_THAT(report.tables, IsEmpty());
  EXPECT_TRUE(report.consistent());
}

// --- errors ------------------------------------------------------------------------------------

TEST_F(FsckTest, BadNamesAndMissingFoldersAreErrors) {
  const auto unknown =
      expect_error<GrammarError>([&] { fsck_table(settings, kRunId, "trades", {}, fs); });
  ASSERT_TRUE(unknown);
  EXPECT_THAT(unknown->message(), HasSubstr("trades"));
  EXPECT_TRUE(expect_error<GrammarError>([&] { fsck_run(settings, "..", {}, fs); }));
  EXPECT_TRUE(expect_error<GrammarError>([&] { fsck_table(settings, "a/b", kEdges, {}, fs); }));

  const auto no_run = expect_error<IoError>([&] { fsck_run(settings, kRunId, {}, fs); });
  ASSERT_TRUE(no_run);
  EXPECT_EQ(no_run->context().path, run_root(settings, kRunId).string());

  append(tick_range(0, 5));
  const auto no_table = expect_error<IoManifestError>(
      [&] { fsck_table(settings, kRunId, "holdings", {.repair = true}, fs); });
  ASSERT_TRUE(no_table);
  EXPECT_THAT(no_table->message(), HasSubstr("no folder"));
  EXPECT_FALSE(std::filesystem::exists(table_dir(settings, kRunId, "holdings")));

  IoSettings invalid = settings;
  invalid.tick_bucket_size = 0;
  EXPECT_TRUE(expect_error<IoConfigError>([&] { fsck_table(invalid, kRunId, kEdges, {}, fs); }));
}

}  // namespace
}  // namespace crv::io
