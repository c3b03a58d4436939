// Dataset::compact: small parts merged per bucket with rows and their order unchanged, the
// target size respected, appends committed meanwhile kept, and every failing step leaving
// the committed rows as they were.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/fsck.hpp"
#include "crv/io/manifest.hpp"
#include "crv/io/paths.hpp"
#include "crv/parquet/writer.hpp"
#include "io/dataset_test_util.hpp"
#include "io/fault_injecting_file_system.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace crv::io {
namespace {

using namespace dataset_test;
using test_support::expect_error;
using testing::HasSubstr;

class CompactTest : public testing::Test {
 protected:
  // `appends` appends of `rows` consecutive ticks each, starting at tick 0.
  void append_small_parts(int64_t appends, int64_t rows) {
    Dataset dataset(settings, std::string(kRunId));
    for (int64_t append = 0; append < appends; ++append) {
      dataset.append(kEdges, edge_rows(tick_range(append * rows, rows)));
    }
  }

  std::map<int64_t, size_t> parts_per_bucket() const {
    std::map<int64_t, size_t> counts;
    for (const auto& [bucket, partition] : expect_table_consistent(settings, kEdges).partitions) {
      counts[bucket] = partition.parts.size();
    }
    return counts;
  }

  frame::Frame read_all() {
    Dataset reader(settings, std::string(kRunId));
    return reader.read(kEdges);
  }

  test_support::TempDir scratch;
  IoSettings settings = test_settings(scratch / "out");
};

TEST_F(CompactTest, SmallPartsBecomeOnePartPerBucketWithTheSameRowsInTheSameOrder) {
  settings.row_group_size = 32;
  append_small_parts(30, 10);  // ticks 0..299: 10 parts in each of buckets 0, 1, 2
  const frame::Frame before = read_all();
  const TableManifest manifest_before = expect_table_consistent(settings, kEdges);

  Dataset dataset(settings, std::string(kRunId));
  const CompactionSummary summary = dataset.compact(kEdges);

  EXPECT_EQ(summary.buckets, (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(summary.parts_before, 30);
  EXPECT_EQ(summary.parts_after, 3);
  EXPECT_EQ(summary.parts_removed, 30);
  EXPECT_EQ(summary.rows, 300);
  const std::map<int64_t, size_t> expected = {{0, 1}, {1, 1}, {2, 1}};
  EXPECT_EQ(parts_per_bucket(), expected);
  EXPECT_TRUE(read_all().equals(before));
  // The partitions' aggregates other than bytes are unchanged.
  const TableManifest after = expect_table_consistent(settings, kEdges);
  for (const auto& [bucket, partition] : after.partitions) {
    const PartitionMeta& old = manifest_before.partitions.at(bucket);
    EXPECT_EQ(partition.row_count, old.row_count);
    EXPECT_EQ(partition.tick_min, old.tick_min);
    EXPECT_EQ(partition.tick_max, old.tick_max);
  }
  // Nothing left to merge: a second compaction changes nothing.
  const TreeSnapshot settled = snapshot_tree(settings.root_dir);
  EXPECT_EQ(dataset.compact(kEdges).parts_before, 0);
  EXPECT_EQ(describe_differences(settled, snapshot_tree(settings.root_dir)), "");
}

TEST_F(CompactTest, RunsStayWithinTheTargetSize) {
  {
    Dataset dataset(settings, std::string(kRunId));
    for (int64_t append = 0; append < 6; ++append) {
      dataset.append(kEdges, edge_rows(tick_range(1000 + append * 10, 10)));
    }
  }
  const TableManifest manifest = expect_table_consistent(settings, kEdges);
  const std::vector<PartMeta>& parts = manifest.partitions.at(10).parts;
  ASSERT_EQ(parts.size(), 6u);
  // Any two consecutive parts fit in the target, no three do.
  int64_t largest_pair = 0;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    largest_pair = std::max(largest_pair, parts[i].bytes + parts[i + 1].bytes);
  }
  for (size_t i = 0; i + 2 < parts.size(); ++i) {
    ASSERT_GT(parts[i].bytes + parts[i + 1].bytes + parts[i + 2].bytes, largest_pair);
  }
  settings.target_part_bytes = largest_pair;
  const frame::Frame before = read_all();

  Dataset dataset(settings, std::string(kRunId));
  const CompactionSummary summary = dataset.compact(kEdges);
  EXPECT_EQ(summary.parts_before, 6);
  EXPECT_EQ(summary.parts_after, 3);
  EXPECT_TRUE(read_all().equals(before));
}

TEST_F(CompactTest, OnlyTheChosenBucketsAreRewritten) {
  append_small_parts(20, 10);  // buckets 0 and 1, ten parts each
  Dataset dataset(settings, std::string(kRunId));
  const CompactionSummary summary = dataset.compact(kEdges, {.buckets = {1}});
  EXPECT_EQ(summary.buckets, (std::vector<int64_t>{1}));
  const std::map<int64_t, size_t> expected = {{0, 10}, {1, 1}};
  EXPECT_EQ(parts_per_bucket(), expected);
}

TEST_F(CompactTest, ATableWithoutAManifestIsAnErrorAndNothingIsCreated) {
  Dataset dataset(settings, std::string(kRunId));
  const auto error = expect_error<IoManifestError>([&] { dataset.compact(kEdges); });
  ASSERT_TRUE(error);
  EXPECT_THAT(error->message(), HasSubstr("has no manifest"));
  EXPECT_FALSE(std::filesystem::exists(settings.root_dir));
}

TEST_F(CompactTest, AppendsCommittedDuringCompactionsAreKept) {
  append_small_parts(40, 5);  // buckets 0 and 1
  std::atomic<bool> appending = true;
  std::thread appender([&] {
    Dataset dataset(settings, std::string(kRunId));
    for (int64_t append = 40; append < 140; ++append) {
      dataset.append(kEdges, edge_rows(tick_range(append * 5, 5)));
    }
    appending = false;
  });
  Dataset dataset(settings, std::string(kRunId));
  int compactions = 0;
  while (appending) {
    dataset.compact(kEdges);
    ++compactions;
  }
  appender.join();
  dataset.compact(kEdges);
  EXPECT_GT(compactions, 0);

  std::vector<int64_t> ticks = int64_column(read_all(), "tick");
  EXPECT_EQ(ticks, tick_range(0, 700));  // every row once, in order
  for (const auto& [bucket, parts] : parts_per_bucket()) EXPECT_EQ(parts, 1u) << bucket;
}

TEST_F(CompactTest, AScanThatReadTheOldManifestFailsClearlyOnADeletedPart) {
  settings.row_group_size = 10;
  append_small_parts(10, 10);
  Dataset dataset(settings, std::string(kRunId));
  TableScanner scan = dataset.scan(kEdges);
  ASSERT_TRUE(scan.next());
  Dataset(settings, std::string(kRunId)).compact(kEdges);
  const auto error = expect_error<IoManifestError>([&] {
    while (scan.next()) {
    }
  });
  ASSERT_TRUE(error);
  EXPECT_THAT(error->message(), HasSubstr("Scan again"));
  EXPECT_EQ(read_all().num_rows(), 100);
}

// The parts manifest.json names, by their paths, as a tool reading only that file sees them.
std::vector<std::filesystem::path> parts_manifest_json_names(const IoSettings& settings) {
  std::vector<std::filesystem::path> parts;
  const std::optional<TableManifest> manifest =
      load_manifest(default_file_system(), edges_manifest(settings), kEdges);
  if (!manifest) return parts;
  for (const auto& [bucket, partition] : manifest->partitions) {
    for (const PartMeta& part : partition.parts) {
      parts.push_back(bucket_dir(settings, kRunId, kEdges, bucket) / part.path);
    }
  }
  return parts;
}

TEST_F(CompactTest, ManifestJsonStopsNamingTheReplacedPartsBeforeTheyAreDeleted) {
  settings.iceberg_metadata = false;
  append_small_parts(4, 10);
  // The handle stays open, so nothing but the compaction itself rewrites manifest.json.
  Dataset dataset(settings, std::string(kRunId));
  const CompactionSummary summary = dataset.compact(kEdges);
  ASSERT_EQ(summary.parts_removed, 4);
  const std::vector<std::filesystem::path> named = parts_manifest_json_names(settings);
  ASSERT_EQ(named.size(), 1u);
  EXPECT_TRUE(std::filesystem::exists(named.front())) << named.front();
}

TEST_F(CompactTest, TheReplacedPartsStayWhileManifestJsonCannotBeRewritten) {
  settings.iceberg_metadata = false;
  append_small_parts(4, 10);
  const std::vector<std::filesystem::path> before = parts_manifest_json_names(settings);
  const frame::Frame rows = read_all();
  FaultInjectingFileSystem fs;
  // Each rule fails the first call it counts: together, every call.
  for (int rule = 0; rule < 20; ++rule) {
    fs.fail(FsOperation::kOpenForWrite, 1, EIO, "*/manifest.json*");
  }
  {
    Dataset dataset(settings, std::string(kRunId), fs);
    const CompactionSummary summary = dataset.compact(kEdges);
    EXPECT_EQ(summary.parts_removed, 0);
  }
  // manifest.json still names the old parts, and they are all there.
  EXPECT_EQ(parts_manifest_json_names(settings), before);
  for (const std::filesystem::path& part : before) EXPECT_TRUE(std::filesystem::exists(part));
  EXPECT_TRUE(read_all().equals(rows));
  // Once manifest.json is rewritten, repair moves the old parts away.
  const TableFsckReport report = fsck_table(settings, kRunId, kEdges, {.repair = true});
  EXPECT_EQ(report.findings_of(FsckIssue::kManifestBehind).size(), 1u);
  EXPECT_EQ(report.findings_of(FsckIssue::kUnnamedPart).size(), 4u);
  EXPECT_TRUE(report.consistent());
  std::filesystem::remove_all(table_dir(settings, kRunId, kEdges) / kQuarantineFolderName);
  expect_table_consistent(settings, kEdges);
  EXPECT_TRUE(read_all().equals(rows));
}

// A rebuild adopts every part in the bucket folders, so it must not run while a rewrite
// has written new parts it has not committed yet.
TEST_F(CompactTest, AManifestRebuildWaitsForACompactionInProgress) {
  settings.iceberg_metadata = false;
  append_small_parts(4, 10);
  std::optional<RebuildResult> rebuilt;
  std::thread rebuilder;
  FaultInjectingFileSystem compaction_fs;
  compaction_fs.before(FsOperation::kRename, 1, [&] {
    // The compaction's new part is written but not committed: a rebuild started now that
    // did not wait would adopt the four old parts.
    rebuilder = std::thread(
        [&] { rebuilt = Dataset(settings, std::string(kRunId)).rebuild_manifest(kEdges); });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  });
  {
    Dataset dataset(settings, std::string(kRunId), compaction_fs);
    EXPECT_EQ(dataset.compact(kEdges).parts_removed, 4);
  }
  rebuilder.join();
  ASSERT_TRUE(rebuilt);
  ASSERT_EQ(rebuilt->manifest.partitions.size(), 1u);
  EXPECT_EQ(rebuilt->manifest.partitions.begin()->second.parts.size(), 1u);
  const TableManifest manifest = expect_table_consistent(settings, kEdges);
  EXPECT_EQ(manifest_rows(manifest), 40);
  EXPECT_EQ(int64_column(read_all(), "tick"), tick_range(0, 40));
}

// Parts written compressed and rewritten without compression fill the target at the end of
// a part, right before a part of another type: no empty part may be committed there.
TEST_F(CompactTest, APartFilledRightBeforeAChangeOfTypeLeavesNoEmptyPart) {
  constexpr std::string_view kDecisions = "decisions";
  settings.iceberg_metadata = false;
  settings.row_group_size = 200;  // a part's rows are one row group, written as it is added
  const auto decisions = [](bool with_limit) {
    std::vector<frame::Value> rows;
    for (int64_t i = 0; i < 200; ++i) {
      frame::Value::Record action = {{"action_type", "bid"}};
      if (with_limit) action.emplace_back("limit", frame::Value(i));
      rows.push_back(
          frame::Value::record({{"tick", i % 10},
                                {"agent_id", std::string(200, 'a') + std::to_string(i)},
                                {"chosen_action", frame::Value::record(std::move(action))},
                                {"action_candidates", frame::Value::list({})},
                                {"token_value_estimates", frame::Value::record({{"gold", 1.5}})}}));
    }
    return frame::Frame::from_rows(rows);
  };
  // The size of such a part uncompressed, from a dataset elsewhere.
  IoSettings elsewhere = settings;
  elsewhere.root_dir = scratch / "elsewhere";
  const int64_t uncompressed =
      Dataset(elsewhere, std::string(kRunId)).append(kDecisions, decisions(false)).parts[0].bytes;
  settings.compression = parquet::Compression::kZstd;
  {
    Dataset dataset(settings, std::string(kRunId));
    for (const bool with_limit : {false, false, true, true}) {
      dataset.append(kDecisions, decisions(with_limit));
    }
  }
  const TableManifest before = Dataset(settings, std::string(kRunId)).manifest(kDecisions);
  int64_t compressed = 0;
  for (const PartMeta& part : before.partitions.at(0).parts) compressed += part.bytes;
  ASSERT_EQ(before.partitions.at(0).parts.size(), 4u);
  // All four parts fit the target; the first two rewritten fill it exactly at their end.
  settings.compression = parquet::Compression::kNone;
  settings.target_part_bytes = uncompressed * 3 / 2;
  ASSERT_LT(compressed, settings.target_part_bytes);
  const frame::Frame rows = Dataset(settings, std::string(kRunId)).read(kDecisions);

  const CompactionSummary summary = Dataset(settings, std::string(kRunId)).compact(kDecisions);
  EXPECT_EQ(summary.parts_before, 4);
  EXPECT_EQ(summary.parts_after, 2);
  const TableManifest after = expect_table_consistent(settings, kDecisions);
  for (const PartMeta& part : after.partitions.at(0).parts) EXPECT_EQ(part.rows, 400);
  EXPECT_EQ(after.partitions.at(0).tick_min, 0);
  EXPECT_EQ(after.partitions.at(0).tick_max, 9);
  EXPECT_TRUE(Dataset(settings, std::string(kRunId)).read(kDecisions).equals(rows));
  EXPECT_TRUE(fsck_table(settings, kRunId, kDecisions).consistent());
}

// Every file-system call a compaction makes, failed in turn: the committed rows stay as
// they were, and whatever is left over is what fsck --repair clears.
TEST_F(CompactTest, AFailureAtAnyStepKeepsTheCommittedRows) {
  append_small_parts(12, 10);  // ten parts in bucket 0, two in bucket 1
  const frame::Frame before = read_all();
  const PristineCopy pristine(settings.root_dir, scratch / "pristine");
  FaultInjectingFileSystem counter;
  Dataset(settings, std::string(kRunId), counter).compact(kEdges);
  pristine.restore();
  int failures = 0;
  for_each_failing_call(counter, [&](FaultInjectingFileSystem& fs) {
    try {
      Dataset(settings, std::string(kRunId), fs).compact(kEdges);
    } catch (const IoError&) {
      ++failures;
    }
    EXPECT_TRUE(read_all().equals(before));
    fsck_table(settings, kRunId, kEdges, {.repair = true});
    std::filesystem::remove_all(table_dir(settings, kRunId, kEdges) / kQuarantineFolderName);
    expect_table_consistent(settings, kEdges);
    pristine.restore();
  });
  EXPECT_GT(failures, 10);
}

// A crash can leave a compaction's new parts beside the old ones, before or after the
// commit; a rebuilt manifest must then name the rows once, whichever parts it keeps.
TEST_F(CompactTest, ARebuildAfterAnInterruptedCompactionNamesEveryRowOnce) {
  append_small_parts(12, 10);  // ten parts in bucket 0, two in bucket 1
  const frame::Frame before = read_all();
  const PristineCopy pristine(settings.root_dir, scratch / "pristine");
  const auto sorted_ticks = [](const frame::Frame& rows) {
    std::vector<int64_t> ticks = int64_column(rows, "tick");
    std::sort(ticks.begin(), ticks.end());
    return ticks;
  };
  struct Failure {
    FsOperation operation;
    int nth;
  };
  struct Interruption {
    const char* name;
    std::vector<Failure> failures;
    size_t superseded;  // parts the rebuild leaves out
  };
  // A rule counts only the calls earlier rules let through, so rules with the same nth
  // fail consecutive calls.
  const auto failing_from = [](FsOperation operation, int first, int count) {
    return std::vector<Failure>(static_cast<size_t>(count), Failure{operation, first});
  };
  // Renames: the new part of bucket 0, of bucket 1, then the manifest's temporary file. A
  // crash is a failure whose clean-up (removals) fails too.
  std::vector<Failure> crash_before_commit = failing_from(FsOperation::kRemove, 1, 20);
  crash_before_commit.push_back({FsOperation::kRename, 3});
  // After the commit the twelve old parts are removed one by one.
  const std::vector<Failure> crash_after_three_removals = failing_from(FsOperation::kRemove, 4, 9);
  for (const Interruption& interruption :
       {Interruption{"crash before the manifest is replaced", crash_before_commit, 12},
        Interruption{"crash after three old parts were removed", crash_after_three_removals, 9},
        Interruption{"a clean compaction", {}, 0}}) {
    SCOPED_TRACE(interruption.name);
    FaultInjectingFileSystem fs;
    // Removals count the parts' files only, not the Iceberg metadata's.
    for (const Failure& failure : interruption.failures) {
      fs.fail(failure.operation, failure.nth, EIO,
              failure.operation == FsOperation::kRemove ? "*/bucket=*" : "*");
    }
    try {
      Dataset(settings, std::string(kRunId), fs).compact(kEdges);
    } catch (const IoError&) {
    }
    // Whatever the manifest said, the rebuild goes by the parts on disk.
    Dataset dataset(settings, std::string(kRunId));
    const RebuildResult rebuilt = dataset.rebuild_manifest(kEdges);
    EXPECT_EQ(rebuilt.superseded_parts.size(), interruption.superseded);
    EXPECT_EQ(sorted_ticks(read_all()), sorted_ticks(before));
    pristine.restore();
  }
}

TEST_F(CompactTest, ARebuildLeavesOutTheNewPartsOfAnUnfinishedRewrite) {
  append_small_parts(3, 10);  // three parts in bucket 0
  const TableManifest manifest = expect_table_consistent(settings, kEdges);
  const std::vector<PartMeta>& old_parts = manifest.partitions.at(0).parts;
  // One of the parts a rewrite of all three would have written: the first ten rows only.
  Dataset dataset(settings, std::string(kRunId));
  parquet::WriterOptions options = dataset.part_writer_options(kEdges);
  options.key_value_metadata.emplace_back("crv_compaction", "0123456789abcdef0123456789abcdef");
  options.key_value_metadata.emplace_back(
      "crv_compacted_from", old_parts[0].path + "," + old_parts[1].path + "," + old_parts[2].path);
  const frame::Frame first_rows = Dataset(settings, std::string(kRunId)).read(kEdges, {}, 10);
  std::vector<frame::Field> fields;
  for (size_t column = 0; column < first_rows.num_columns(); ++column) {
    fields.push_back({first_rows.name(column), first_rows.column(column)->type(), true});
  }
  std::vector<uint8_t> bytes;
  parquet::write_parquet(first_rows, fields, options, bytes);
  const std::filesystem::path unfinished =
      bucket_dir(settings, kRunId, kEdges, 0) / "part-fedcba9876543210fedcba9876543210.parquet";
  write_bytes(unfinished, std::string(bytes.begin(), bytes.end()));

  const RebuildResult rebuilt = dataset.rebuild_manifest(kEdges);
  EXPECT_EQ(rebuilt.superseded_parts, std::vector<std::filesystem::path>{unfinished});
  EXPECT_EQ(int64_column(read_all(), "tick"), tick_range(0, 30));
}

}  // namespace
}  // namespace crv::io
