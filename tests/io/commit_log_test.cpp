// The commit log: its frame and entries, torn and damaged entries, checkpoints, and
// writers that share nothing but the file system.

#include "io/commit_log.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/fsck.hpp"
#include "io/dataset_test_util.hpp"
#include "io/fault_injecting_file_system.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace crv::io {
namespace {

using namespace dataset_test;
using test_support::expect_error;
using testing::HasSubstr;

// --- the frame and the entries ----------------------------------------------------------

TEST(LogRecord, AFrameReadsBackAndAnyDamageIsSeen) {
  const std::string payload = R"({"version": 3})";
  const std::string record = frame_log_record(payload);
  EXPECT_EQ(record.substr(0, 9), "CRVLOG 1 ");
  ASSERT_EQ(unframe_log_record(record), std::optional<std::string_view>(payload));

  EXPECT_EQ(unframe_log_record(record.substr(0, record.size() - 1)), std::nullopt);  // torn
  EXPECT_EQ(unframe_log_record(record + " "), std::nullopt);                         // longer
  EXPECT_EQ(unframe_log_record(""), std::nullopt);
  EXPECT_EQ(unframe_log_record("CRVLOG 2" + record.substr(8)), std::nullopt);  // another format
  for (size_t at = 0; at < record.size(); ++at) {
    std::string flipped = record;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x04);
    EXPECT_EQ(unframe_log_record(flipped), std::nullopt) << "byte " << at;
  }
}

PartMeta part(const std::string& hex_digit, int64_t rows, int64_t tick) {
  return {"part-" + std::string(32, hex_digit[0]) + ".parquet",
          rows,
          rows * 10,
          tick,
          tick,
          "2026-01-01T00:00:00.000000+00:00"};
}

TEST(LogEntryJson, AnEntryReadsBackAsWritten) {
  LogEntry entry;
  entry.version = 12;
  entry.operation = "compact";
  entry.committed_at = "2026-01-02T03:04:05.000006+00:00";
  entry.writer = "sim-\"7\"";
  entry.sequence = 40;
  entry.host = "node-1";
  entry.pid = 4242;
  entry.changes = {{3, {part("a", 1, 300).path, part("b", 1, 301).path}, {part("c", 2, 300)}},
                   {5, {}, {part("d", 4, 512)}}};
  EXPECT_EQ(entry_from_json(entry_to_json(entry), "e"), entry);

  LogEntry anonymous = entry;
  anonymous.writer.reset();
  anonymous.sequence.reset();
  anonymous.replaces_all = true;
  EXPECT_EQ(entry_from_json(entry_to_json(anonymous), "e"), anonymous);

  LogEntry rewind = anonymous;
  rewind.operation = "rewind";
  rewind.writer_marks = {{"sim", WriterMark{149, 7}}, {"late", std::nullopt}};
  const std::string json = entry_to_json(rewind);
  EXPECT_THAT(json,
              HasSubstr(R"("writer_marks":{"late":null,"sim":{"sequence":149,"version":7}})"));
  EXPECT_EQ(entry_from_json(json, "e"), rewind);
  EXPECT_THAT(entry_to_json(entry), testing::Not(HasSubstr("writer_marks")));
}

TEST(LogEntryJson, AMalformedEntryIsAManifestErrorNamingTheKey) {
  LogEntry minimal;
  minimal.version = 1;
  minimal.operation = "append";
  minimal.committed_at = "t";
  minimal.host = "h";
  minimal.changes = {{0, {}, {part("a", 1, 5)}}};
  const std::string good = entry_to_json(minimal);
  struct Case {
    std::string from, to, says;
  };
  for (const Case& bad : std::vector<Case>{
           {R"("version":1)", R"("version":"1")", "entry.version is not an integer"},
           {R"("rows":1)", R"("rows":-1)", "negative counts"},
           {R"("path":"part-)", R"("path":"../part-)", "is not of the form"},
           {R"("changes":[)", R"("changez":[)", "has no \"changes\""},
           {R"("remove":[])", R"("remove":[7])", "non-string"},
       }) {
    SCOPED_TRACE(bad.to);
    std::string json = good;
    const size_t at = json.find(bad.from);
    ASSERT_NE(at, std::string::npos) << json;
    json.replace(at, bad.from.size(), bad.to);
    const auto error = expect_error<IoManifestError>([&] { entry_from_json(json, "/t/_log/e"); });
    ASSERT_TRUE(error);
    EXPECT_THAT(error->message(), HasSubstr(bad.says));
    EXPECT_EQ(error->context().path, "/t/_log/e");
  }
  EXPECT_TRUE(expect_error<IoManifestError>([] { entry_from_json("{\"version\": ", "e"); }));
}

TEST(ApplyChange, AddedPartsTakeThePlaceOfTheFirstRemovedOne) {
  TableManifest manifest = new_manifest("identity_edges");
  for (const char* digit : {"1", "2", "3", "4"}) add_part(manifest, 0, part(digit, 10, 7));
  apply_change(manifest, {0, {part("2", 10, 7).path, part("3", 10, 7).path}, {part("9", 20, 8)}},
               "log");
  const std::vector<PartMeta>& parts = manifest.partitions.at(0).parts;
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].path, part("1", 10, 7).path);
  EXPECT_EQ(parts[1].path, part("9", 20, 8).path);
  EXPECT_EQ(parts[2].path, part("4", 10, 7).path);
  EXPECT_EQ(manifest.partitions.at(0).row_count, 40);
  EXPECT_EQ(manifest.partitions.at(0).tick_max, 8);
  EXPECT_NO_THROW(validate_manifest(manifest, "m"));

  apply_change(manifest, {0, {}, {part("5", 1, 9)}}, "log");
  EXPECT_EQ(manifest.partitions.at(0).parts.back().path, part("5", 1, 9).path);

  const auto missing = expect_error<IoManifestError>([&] {
    apply_change(manifest, {0, {part("2", 10, 7).path}, {}}, "log");
  });
  ASSERT_TRUE(missing);
  EXPECT_THAT(missing->message(), HasSubstr("bucket 0 has no part 'part-2222"));
  EXPECT_TRUE(expect_error<IoManifestError>([&] {
    apply_change(manifest, {0, {}, {part("5", 1, 9)}}, "log");
  }));
  EXPECT_TRUE(expect_error<IoManifestError>([&] {
    apply_change(manifest, {7, {part("1", 10, 7).path}, {}}, "log");
  }));

  apply_change(
      manifest,
      {0,
       {part("1", 10, 7).path, part("9", 20, 8).path, part("4", 10, 7).path, part("5", 1, 9).path},
       {}},
      "log");
  EXPECT_FALSE(manifest.partitions.contains(0)) << "a bucket without parts is dropped";
}

// --- the log of a table -------------------------------------------------------------------

class CommitLogTest : public testing::Test {
 protected:
  std::filesystem::path log_folder() const { return edges_dir(settings) / "_log"; }
  std::filesystem::path entry(int64_t version) const {
    return CommitLog(default_file_system(), edges_dir(settings), std::string(kEdges))
        .entry_path(version);
  }
  std::multiset<int64_t> committed() {
    Dataset reader(settings, std::string(kRunId));
    const std::vector<int64_t> ticks = int64_column(reader.read(kEdges), "tick");
    return std::multiset<int64_t>(ticks.begin(), ticks.end());
  }
  static void truncate(const std::filesystem::path& file, size_t keep) {
    const std::string bytes = read_bytes(file);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes.substr(0, keep);
  }

  test_support::TempDir scratch;
  IoSettings settings = test_settings(scratch / "out");
};

TEST_F(CommitLogTest, ACommitIsOneEntryAndManifestJsonFollowsWhenTheHandleCloses) {
  {
    Dataset dataset(settings, std::string(kRunId));
    dataset.append(kEdges, edge_rows({1, 150}));
    dataset.append(kEdges, edge_rows({2}));
    EXPECT_TRUE(std::filesystem::exists(entry(1)));
    EXPECT_TRUE(std::filesystem::exists(entry(2)));
    EXPECT_FALSE(std::filesystem::exists(entry(3)));
    const LogEntry first =
        *CommitLog(default_file_system(), edges_dir(settings), std::string(kEdges)).read_entry(1);
    EXPECT_EQ(first.operation, "append");
    ASSERT_EQ(first.changes.size(), 2u);
    EXPECT_EQ(first.changes[0].bucket_id, 0);
    EXPECT_EQ(first.changes[1].bucket_id, 1);
    EXPECT_EQ(first.pid, static_cast<int64_t>(::getpid()));
  }
  const TableManifest written = *load_manifest(default_file_system(), edges_manifest(settings));
  EXPECT_EQ(written, *load_from_disk(edges_manifest(settings)));
  EXPECT_EQ(manifest_rows(written), 3);
  EXPECT_TRUE(fsck_table(settings, kRunId, kEdges).findings.empty());
}

TEST_F(CommitLogTest, AnEntryNoReaderCouldReplayIsRefusedBeforeItIsLinked) {
  const AppendSummary first = Dataset(settings, std::string(kRunId)).append(kEdges, edge_rows({1}));
  const std::string named = std::filesystem::path(first.parts.front().path).filename().string();
  CommitLog log(default_file_system(), edges_dir(settings), std::string(kEdges));
  TableSnapshot snapshot = *log.load();
  const TableSnapshot before = snapshot;
  const auto commit_change = [&](BucketChange change) {
    return expect_error<IoManifestError>([&] {
      log.commit(snapshot, [&](const TableSnapshot&) -> std::optional<LogEntry> {
        LogEntry entry;
        entry.operation = "append";
        entry.changes = {std::move(change)};
        return entry;
      });
    });
  };
  // A part the table already has, added again (as when a manifest rebuild adopted it).
  PartMeta again = part("b", 1, 1);
  again.path = named;
  const auto added_again = commit_change({0, {}, {again}});
  ASSERT_TRUE(added_again);
  EXPECT_THAT(added_again->message(), HasSubstr("nothing was committed"));
  EXPECT_THAT(added_again->message(), HasSubstr("already has part '" + named + "'"));
  const auto removed_unknown = commit_change({0, {part("c", 1, 1).path}, {}});
  ASSERT_TRUE(removed_unknown);
  EXPECT_THAT(removed_unknown->message(), HasSubstr("has no part"));
  EXPECT_FALSE(log.linked());
  EXPECT_FALSE(std::filesystem::exists(entry(2)));
  EXPECT_EQ(snapshot.version, 1);
  EXPECT_EQ(snapshot.manifest, before.manifest);
  EXPECT_EQ(committed(), (std::multiset<int64_t>{1}));
}

TEST_F(CommitLogTest, ATornLastEntryIsIgnoredRefusedByWritersAndRemovedByRepair) {
  Dataset dataset(settings, std::string(kRunId));
  dataset.append(kEdges, edge_rows({1}));
  dataset.append(kEdges, edge_rows({2}));
  dataset.append(kEdges, edge_rows({3}));
  truncate(entry(3), 40);  // as a crash may leave a write the file system did not protect

  EXPECT_EQ(committed(), (std::multiset<int64_t>{1, 2}));
  const auto refused = expect_error<IoManifestError>([&] {
    Dataset other(settings, std::string(kRunId));
    other.append(kEdges, edge_rows({4}));
  });
  ASSERT_TRUE(refused);
  EXPECT_THAT(refused->message(), HasSubstr("fsck --repair"));
  EXPECT_EQ(refused->context().path, entry(3).string());

  const TableFsckReport report = fsck_table(settings, kRunId, kEdges);
  const auto damaged = std::find_if(
      report.findings.begin(), report.findings.end(),
      [](const FsckFinding& finding) { return finding.issue == FsckIssue::kLogEntryDamaged; });
  ASSERT_NE(damaged, report.findings.end());
  EXPECT_EQ(damaged->path, entry(3));
  const TableFsckReport repaired = fsck_table(settings, kRunId, kEdges, {.repair = true});
  EXPECT_TRUE(repaired.consistent());
  EXPECT_FALSE(std::filesystem::exists(entry(3)));
  EXPECT_EQ(repaired.quarantined_parts.size(), 1u) << "the torn commit's part";

  Dataset after(settings, std::string(kRunId));
  after.append(kEdges, edge_rows({4}));
  EXPECT_EQ(committed(), (std::multiset<int64_t>{1, 2, 4}));
}

TEST_F(CommitLogTest, ADamagedEntryBeforeTheLastIsAnErrorThatARebuildOvercomes) {
  {
    Dataset dataset(settings, std::string(kRunId));
    for (const int64_t tick : {1, 2, 3}) dataset.append(kEdges, edge_rows({tick}));
  }
  truncate(entry(2), 30);
  Dataset dataset(settings, std::string(kRunId));
  const auto error = expect_error<IoManifestError>([&] { dataset.read(kEdges); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->context().path, entry(2).string());
  EXPECT_THAT(error->message(), HasSubstr("later commits follow it"));
  EXPECT_TRUE(expect_error<IoManifestError>([&] { dataset.append(kEdges, edge_rows({4})); }));

  // The rebuild takes the version after every file in the log and checkpoints it, so
  // readers start there and never meet the damaged entry again.
  dataset.rebuild_manifest(kEdges);
  EXPECT_TRUE(std::filesystem::exists(entry(4)));
  EXPECT_EQ(committed(), (std::multiset<int64_t>{1, 2, 3}));
  dataset.append(kEdges, edge_rows({5}));
  EXPECT_EQ(committed(), (std::multiset<int64_t>{1, 2, 3, 5}));
}

TEST_F(CommitLogTest, CheckpointsKeepWhatAReaderReadsBounded) {
  int64_t checkpoints = 0;
  {
    Dataset dataset(settings, std::string(kRunId));
    for (int64_t tick = 0; tick < 400; ++tick) {
      checkpoints += dataset.append(kEdges, edge_rows({tick})).timings.checkpoints;
    }
  }
  EXPECT_GE(checkpoints, 3);
  // An entry counts as its bytes (about 600) plus 4 KiB, and checkpoints come no more often
  // than every 64 KiB of that: every 14 entries or more.
  EXPECT_LE(checkpoints, 400 / 14);
  // Checkpoint 0 (the base of every replay), the newest and the one before it stay.
  int checkpoint_files = 0;
  for (const std::string& name : default_file_system().list_directory(log_folder())) {
    checkpoint_files += name.ends_with(".checkpoint");
  }
  EXPECT_EQ(checkpoint_files, 3);

  FaultInjectingFileSystem fs;
  Dataset reader(settings, std::string(kRunId), fs);
  EXPECT_EQ(reader.read(kEdges).num_rows(), 400);
  EXPECT_EQ(fs.calls(FsOperation::kOpenForRead, "*/_log/*.checkpoint"), 1);
  EXPECT_LE(fs.calls(FsOperation::kOpenForRead, "*/_log/*.entry"), 16);
}

TEST_F(CommitLogTest, AFailedCheckpointLeavesTheCommitAndTheNextCommitTriesAgain) {
  FaultInjectingFileSystem fs;
  Dataset dataset(settings, std::string(kRunId), fs);
  // The first checkpoint starts the log (linked, not renamed); the first renamed one is the
  // first a commit writes.
  fs.fail(FsOperation::kRename, 1, EIO, "*/_log/0*.checkpoint.tmp-*");
  int64_t checkpoints = 0;
  int64_t tick = 0;
  while (fs.calls(FsOperation::kRename, "*/_log/0*.checkpoint.tmp-*") < 3 && tick < 200) {
    checkpoints += dataset.append(kEdges, edge_rows({tick++})).timings.checkpoints;
  }
  EXPECT_EQ(checkpoints, 2) << "the first checkpoint failed, the retry and the next did not";
  EXPECT_EQ(committed().size(), static_cast<size_t>(tick));
  dataset.flush();
  expect_table_consistent(settings, kEdges);
  EXPECT_TRUE(fsck_table(settings, kRunId, kEdges).findings.empty());
}

// Every file-system call of a commit that also writes a checkpoint (and manifest.json),
// failed in turn: the committed rows are never lost or doubled, the new row is there once
// or not at all, and the next commit and a repair leave the table exact.
TEST_F(CommitLogTest, AFailureAtAnyStepOfACheckpointingCommitLosesAndDoublesNothing) {
  std::multiset<int64_t> before;
  std::optional<PristineCopy> pristine;
  FaultInjectingFileSystem counter;
  for (int64_t tick = 0; tick < 40 && !pristine; ++tick) {
    Dataset(settings, std::string(kRunId)).append(kEdges, edge_rows({tick}));
    before.insert(tick);
    const PristineCopy candidate(settings.root_dir, scratch / "pristine");
    FaultInjectingFileSystem probe;
    const bool checkpoints = Dataset(settings, std::string(kRunId), probe)
                                 .append(kEdges, edge_rows({1000}))
                                 .timings.checkpoints == 1;
    candidate.restore();
    if (checkpoints) {
      pristine.emplace(settings.root_dir, scratch / "pristine");
      Dataset(settings, std::string(kRunId), counter).append(kEdges, edge_rows({1000}));
      pristine->restore();
    }
  }
  ASSERT_TRUE(pristine) << "no commit wrote a checkpoint";
  ASSERT_GT(counter.calls(FsOperation::kRename, "*/_log/*.checkpoint.tmp-*"), 0);
  std::multiset<int64_t> with_row = before;
  with_row.insert(1000);

  int failures = 0;
  for_each_failing_call(counter, [&](FaultInjectingFileSystem& fs) {
    try {
      Dataset(settings, std::string(kRunId), fs).append(kEdges, edge_rows({1000}));
    } catch (const IoError&) {
      ++failures;
    }
    const std::multiset<int64_t> now = committed();
    EXPECT_TRUE(now == before || now == with_row);
    Dataset(settings, std::string(kRunId)).append(kEdges, edge_rows({2000}));
    std::multiset<int64_t> expected = now;
    expected.insert(2000);
    EXPECT_EQ(committed(), expected);
    fsck_table(settings, kRunId, kEdges, {.repair = true});
    std::filesystem::remove_all(edges_dir(settings) / kQuarantineFolderName);
    const TableManifest manifest = expect_table_consistent(settings, kEdges);
    EXPECT_EQ(manifest, *load_from_disk(edges_manifest(settings)));
    pristine->restore();
  });
  EXPECT_GT(failures, 10);
}

// Every file-system call of a repair (a torn last entry, a temporary log file, an unnamed
// part, manifest.json behind the log), failed in turn: what readers see never changes, and
// a repair run again finishes the job.
TEST_F(CommitLogTest, AFailureAtAnyStepOfARepairChangesNothingReadersSee) {
  // The Iceberg metadata would name the part of the commit torn below, which a real torn
  // write never published; fsck would then rightly keep that part.
  settings.iceberg_metadata = false;
  {
    Dataset dataset(settings, std::string(kRunId));
    for (const int64_t tick : {1, 2, 3}) dataset.append(kEdges, edge_rows({tick}));
  }
  Dataset(settings, std::string(kRunId)).append(kEdges, edge_rows({4}));
  Dataset(settings, std::string(kRunId)).append(kEdges, edge_rows({5}));
  truncate(entry(5), 40);  // torn: its part is unnamed now
  write_bytes(log_folder() / "entry.tmp-0123456789abcdef", "partial");
  const std::multiset<int64_t> visible = {1, 2, 3, 4};
  ASSERT_EQ(committed(), visible);
  const PristineCopy pristine(settings.root_dir, scratch / "pristine");
  FaultInjectingFileSystem counter;
  ASSERT_TRUE(fsck_table(settings, kRunId, kEdges, {.repair = true}, counter).consistent());
  pristine.restore();

  int failures = 0;
  for_each_failing_call(counter, [&](FaultInjectingFileSystem& fs) {
    try {
      fsck_table(settings, kRunId, kEdges, {.repair = true}, fs);
    } catch (const IoError&) {
      ++failures;
    }
    EXPECT_EQ(committed(), visible);
    EXPECT_TRUE(fsck_table(settings, kRunId, kEdges, {.repair = true}).consistent());
    EXPECT_TRUE(fsck_table(settings, kRunId, kEdges).findings.empty());
    EXPECT_EQ(committed(), visible);
    std::filesystem::remove_all(edges_dir(settings) / kQuarantineFolderName);
    expect_table_consistent(settings, kEdges);
    pristine.restore();
  });
  EXPECT_GT(failures, 5);
}

// The entry is linked, then syncing the log folder fails, and reading the log fails too
// when the append asks whether its commit took effect: the commit did, so its parts stay.
TEST_F(CommitLogTest, ALinkedEntryKeepsItsPartsWhenTheLogCannotBeReadAfterAFailure) {
  Dataset(settings, std::string(kRunId)).append(kEdges, edge_rows({1}));
  FaultInjectingFileSystem fs;
  fs.before(
      FsOperation::kSyncDirectory, 1,
      [&] {
        for (int read = 0; read < 20; ++read) {
          fs.fail(FsOperation::kOpenForRead, 1, EIO, "*/_log/*");
        }
      },
      "*/_log");
  fs.fail(FsOperation::kSyncDirectory, 1, EIO, "*/_log");
  {
    Dataset dataset(settings, std::string(kRunId), fs);
    const auto error = expect_error<IoManifestError>([&] {
      dataset.append(kEdges, edge_rows({2, 150}));
    });
    ASSERT_TRUE(error);
    EXPECT_THAT(error->message(), HasSubstr("a crash may still undo it"));
  }
  EXPECT_EQ(committed(), (std::multiset<int64_t>{1, 2, 150}));
  fsck_table(settings, kRunId, kEdges, {.repair = true});
  expect_table_consistent(settings, kEdges);
}

TEST_F(CommitLogTest, HistoryListsEveryCommitAndEveryVersionReadsBack) {
  Dataset dataset(settings, std::string(kRunId));
  dataset.append(kEdges, edge_rows({1}));
  dataset.append(kEdges, edge_rows({2, 150}), {.identity = CommitIdentity{"sim", 4}});
  dataset.append(kEdges, edge_rows({3}));
  const std::vector<CommitRecord> history = dataset.history(kEdges);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].version, 1);
  EXPECT_EQ(history[1].operation, "append");
  EXPECT_EQ(history[1].writer, "sim");
  EXPECT_EQ(history[1].sequence, 4);
  EXPECT_EQ(history[1].rows_added, 2);
  EXPECT_EQ(history[1].parts_added, 2);
  EXPECT_EQ(history[2].writer, std::nullopt);
  EXPECT_THAT(history[2].to_json(), HasSubstr("\"writer\":null"));

  const auto ticks_as_of = [&](int64_t version) {
    const std::vector<int64_t> ticks =
        int64_column(dataset.read(kEdges, {.as_of_version = version}), "tick");
    return std::multiset<int64_t>(ticks.begin(), ticks.end());
  };
  EXPECT_EQ(ticks_as_of(0), std::multiset<int64_t>{});
  EXPECT_EQ(ticks_as_of(1), (std::multiset<int64_t>{1}));
  EXPECT_EQ(ticks_as_of(2), (std::multiset<int64_t>{1, 2, 150}));
  EXPECT_EQ(ticks_as_of(3), (std::multiset<int64_t>{1, 2, 3, 150}));
  for (const int64_t missing : {int64_t{4}, int64_t{-1}}) {
    EXPECT_TRUE(expect_error<IoConfigError>([&] { ticks_as_of(missing); }));
  }

  // Past several checkpoints an early version still replays, from checkpoint 0.
  for (int64_t tick = 4; tick < 60; ++tick) dataset.append(kEdges, edge_rows({tick}));
  EXPECT_EQ(ticks_as_of(2), (std::multiset<int64_t>{1, 2, 150}));
  EXPECT_EQ(ticks_as_of(40).size(), 41u);

  // A compaction is a commit too; versions before it name parts it removed.
  const CompactionSummary compacted = dataset.compact(kEdges);
  ASSERT_GT(compacted.parts_removed, 0);
  const CommitRecord last = dataset.history(kEdges).back();
  EXPECT_EQ(last.operation, "compact");
  EXPECT_EQ(last.parts_removed, compacted.parts_before);
  EXPECT_EQ(ticks_as_of(last.version).size(), 60u);
  const auto gone = expect_error<IoManifestError>([&] { ticks_as_of(2); });
  ASSERT_TRUE(gone);
  EXPECT_THAT(gone->message(), HasSubstr("is gone"));
}

// Writers on two hosts share the file system but no lock: only put-if-absent orders their
// commits. Each thread here is such a writer, with a log handle and snapshot of its own
// and no table lock; readers check that every state they see is a prefix of the log.
TEST_F(CommitLogTest, WritersThatShareNoLockCommitEachEntryOnceThroughPutIfAbsent) {
  constexpr int kWriters = 4;
  constexpr int kCommits = 50;
  std::atomic<bool> writing = true;
  std::atomic<int> inconsistent_reads = 0;
  std::atomic<int> reads = 0;
  const auto log = [&] {
    return CommitLog(default_file_system(), edges_dir(settings), std::string(kEdges));
  };
  // The log starts from an empty table, as the first commit of a Dataset starts it.
  {
    TableSnapshot empty;
    empty.manifest = new_manifest(kEdges);
    CommitLog first = log();
    first.commit(empty, [](const TableSnapshot&) {
      LogEntry entry;
      entry.operation = "append";
      return std::optional<LogEntry>(entry);
    });
  }
  std::vector<std::thread> threads;
  for (int writer = 0; writer < kWriters; ++writer) {
    threads.emplace_back([&, writer] {
      CommitLog mine = log();
      TableSnapshot snapshot = *mine.load();
      for (int i = 0; i < kCommits; ++i) {
        char uid[33];
        std::snprintf(uid, sizeof uid, "%08x%024x", writer, i);
        PartMeta added = part("0", 1, writer * 100 + i % 100);
        added.path = part_file_name(uid);
        added.tick_min = added.tick_max = writer * 100;
        mine.commit(snapshot, [&](const TableSnapshot&) {
          LogEntry entry;
          entry.operation = "append";
          entry.writer = "w" + std::to_string(writer);
          entry.sequence = i;
          entry.changes = {{writer, {}, {added}}};
          return std::optional<LogEntry>(entry);
        });
      }
    });
  }
  for (int reader = 0; reader < 2; ++reader) {
    threads.emplace_back([&] {
      while (writing) {
        const TableSnapshot seen = *log().load();
        int64_t parts = 0;
        for (const auto& [bucket, partition] : seen.manifest.partitions) {
          parts += static_cast<int64_t>(partition.parts.size());
        }
        // Every entry after the first adds one part: a prefix of versions shows as many.
        if (parts != seen.version - 1) ++inconsistent_reads;
        ++reads;
      }
    });
  }
  for (int writer = 0; writer < kWriters; ++writer) threads[writer].join();
  writing = false;
  for (size_t i = kWriters; i < threads.size(); ++i) threads[i].join();

  const TableSnapshot final_state = *log().load();
  EXPECT_EQ(final_state.version, 1 + kWriters * kCommits);
  for (int writer = 0; writer < kWriters; ++writer) {
    EXPECT_EQ(final_state.manifest.partitions.at(writer).parts.size(),
              static_cast<size_t>(kCommits));
    EXPECT_EQ(final_state.writers.at("w" + std::to_string(writer)).sequence, kCommits - 1);
  }
  for (int64_t version = 1; version <= final_state.version; ++version) {
    EXPECT_TRUE(std::filesystem::exists(entry(version))) << version;
  }
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(inconsistent_reads.load(), 0);
}

// --- exactly-once appends -----------------------------------------------------------------

namespace exactly_once {

class ExactlyOnceTest : public CommitLogTest {};

AppendOptions as(const std::string& writer, int64_t sequence) {
  return {.identity = CommitIdentity{writer, sequence}};
}

TEST_F(ExactlyOnceTest, ASequenceCommittedBeforeCommitsNothingAndReturnsTheEarlierCommit) {
  Dataset dataset(settings, std::string(kRunId));
  EXPECT_EQ(dataset.last_sequence(kEdges, "sim"), std::nullopt);
  const AppendSummary first = dataset.append(kEdges, edge_rows({1, 150}), as("sim", 7));
  EXPECT_FALSE(first.duplicate);
  EXPECT_EQ(dataset.last_sequence(kEdges, "sim"), 7);

  const std::vector<std::filesystem::path> listed = files_under(edges_dir(settings));
  const std::set<std::filesystem::path> files_before(listed.begin(), listed.end());
  for (const int64_t sequence : {7, 3}) {
    SCOPED_TRACE(sequence);
    const AppendSummary again = dataset.append(kEdges, edge_rows({1, 150}), as("sim", sequence));
    EXPECT_TRUE(again.duplicate);
    EXPECT_EQ(again.version, first.version);
    EXPECT_EQ(summary_part_paths({again}), summary_part_paths({first}));
    EXPECT_EQ(again.rows, 2);
    EXPECT_THAT(again.to_json(), HasSubstr("\"duplicate\":true"));
  }
  const std::vector<std::filesystem::path> files_after = files_under(edges_dir(settings));
  EXPECT_EQ(std::set<std::filesystem::path>(files_after.begin(), files_after.end()), files_before)
      << "a duplicate leaves no part behind";

  // Another writer, and a later sequence, commit.
  EXPECT_FALSE(dataset.append(kEdges, edge_rows({2}), as("other", 7)).duplicate);
  EXPECT_FALSE(dataset.append(kEdges, edge_rows({3}), as("sim", 8)).duplicate);
  EXPECT_EQ(committed(), (std::multiset<int64_t>{1, 150, 2, 3}));
  EXPECT_FALSE(first.to_json().find("duplicate") != std::string::npos);

  // A fresh handle, as after a restart, sees the same marks.
  Dataset restarted(settings, std::string(kRunId));
  EXPECT_EQ(restarted.last_sequence(kEdges, "sim"), 8);
  EXPECT_TRUE(restarted.append(kEdges, edge_rows({3}), as("sim", 8)).duplicate);
  EXPECT_EQ(committed(), (std::multiset<int64_t>{1, 150, 2, 3}));
}

TEST_F(ExactlyOnceTest, BadWriterNamesAndSequencesAreConfigErrorsThatWriteNothing) {
  Dataset dataset(settings, std::string(kRunId));
  for (const CommitIdentity& bad :
       {CommitIdentity{"", 1}, CommitIdentity{"a\nb", 1}, CommitIdentity{std::string(257, 'w'), 1},
        CommitIdentity{"sim", -1}}) {
    EXPECT_TRUE(expect_error<IoConfigError>(
        [&] { dataset.append(kEdges, edge_rows({1}), {.identity = bad}); }));
  }
  EXPECT_TRUE(expect_error<IoConfigError>([&] { dataset.last_sequence(kEdges, ""); }));
  for (const std::filesystem::path& file : files_under(settings.root_dir)) {
    EXPECT_FALSE(file.extension() == ".parquet" || file.extension() == ".tmp") << file;
  }
}

TEST_F(ExactlyOnceTest, AnAppendWithAnIdentityCommitsAtOnceEvenWhenOthersAreBatched) {
  settings.write_manifest_every_n = 10;
  Dataset dataset(settings, std::string(kRunId));
  dataset.append(kEdges, edge_rows({1}));
  dataset.append(kEdges, edge_rows({2}), as("sim", 0));
  EXPECT_EQ(committed(), (std::multiset<int64_t>{2}));
  dataset.flush();
  EXPECT_EQ(committed(), (std::multiset<int64_t>{1, 2}));
}

// The commit reached the disk but the append failed afterwards (here the log folder's
// fsync), as when a process dies between its commit and its return: the retry with the
// same identity stores nothing twice.
TEST_F(ExactlyOnceTest, ARetryAfterACommitThatReportedAFailureStoresEachRowOnce) {
  FaultInjectingFileSystem fs;
  Dataset dataset(settings, std::string(kRunId), fs);
  dataset.append(kEdges, edge_rows({1}), as("sim", 1));
  fs.fail(FsOperation::kSyncDirectory, 1, EIO, "*/identity_edges/_log");
  EXPECT_TRUE(expect_error<IoManifestError>([&] {
    dataset.append(kEdges, edge_rows({2, 102}), as("sim", 2));
  }));

  Dataset retry(settings, std::string(kRunId));
  const AppendSummary again = retry.append(kEdges, edge_rows({2, 102}), as("sim", 2));
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.rows, 2);
  EXPECT_EQ(committed(), (std::multiset<int64_t>{1, 2, 102}));
  retry.flush();
  expect_table_consistent(settings, kEdges);
}

}  // namespace exactly_once

}  // namespace
}  // namespace crv::io
