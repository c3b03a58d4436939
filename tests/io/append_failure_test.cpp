// Appends whose file-system calls fail, one step at a time, through the fault-injecting
// seam. Whatever step fails, the manifest on disk must name exactly the appends that
// succeeded, every part it names must read back, and nothing else may be left in the
// table folder: no temporary file and no part without a manifest entry.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/file_system.hpp"
#include "crv/io/manifest.hpp"
#include "io/dataset_test_util.hpp"
#include "io/fault_injecting_file_system.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace crv::io {
namespace {

using namespace dataset_test;
using test_support::expect_error;
using testing::HasSubstr;

constexpr const char* kPartTemp = "*/part-*.parquet.tmp";
constexpr const char* kBucketFolder = "*/bucket=*";
constexpr const char* kEntryTemp = "*/_log/entry.tmp-*";
constexpr const char* kCheckpointTemp = "*/_log/*.checkpoint.tmp-*";
constexpr const char* kLogFolder = "*/identity_edges/_log";
constexpr const char* kCheckpointFile = "*/_log/*.checkpoint";
constexpr const char* kEntryFile = "*/_log/*.entry";
constexpr const char* kMetadataTemp = "*/table.json.tmp-*";
constexpr const char* kTableFolder = "*/tables/identity_edges";
constexpr const char* kLockFile = "*/identity_edges/.lock";

struct FailingStep {
  std::string name;
  FsOperation operation;
  const char* path_pattern;
  int nth = 1;  // which matching call of the failing append fails
  // The class of the error the append throws; nullptr where the contracts name none
  // (any IoError is accepted then).
  const char* error_kind = nullptr;
  // The one step after which the new log entry is already in place: the folder sync that
  // follows its link. The append reports the failure, yet it is committed.
  bool commits_anyway = false;
  // Reading the log's checkpoint and others' entries only happens in a handle that has not
  // written them.
  bool needs_fresh_handle = false;
  // table.json and the log's first checkpoint are written by the table's first append
  // only; linking the checkpoint syncs the log folder once before the entry does.
  bool first_append_only = false;
  int more_in_first_append = 0;
};

// The failing append writes two parts (two buckets), so each part step is failed once in
// the first part and once in the second, after the first part is complete on disk.
std::vector<FailingStep> failing_steps() {
  std::vector<FailingStep> steps;
  const auto part_step = [&](const std::string& name, FsOperation operation, const char* pattern) {
    for (const int nth : {1, 2}) {
      steps.push_back({name + (nth == 1 ? "OfFirstPart" : "OfSecondPart"), operation, pattern, nth,
                       "IoWriteError"});
    }
  };
  part_step("CreateBucketFolder", FsOperation::kCreateDirectories, kBucketFolder);
  part_step("OpenPart", FsOperation::kOpenForWrite, kPartTemp);
  part_step("WritePart", FsOperation::kWrite, kPartTemp);
  part_step("SyncPart", FsOperation::kSync, kPartTemp);
  part_step("ClosePart", FsOperation::kClose, kPartTemp);
  part_step("RenamePart", FsOperation::kRename, kPartTemp);
  part_step("SyncBucketFolder", FsOperation::kSyncDirectory, kBucketFolder);

  steps.push_back({"LockTable", FsOperation::kLock, kLockFile});
  // Steps of what only the table's first append writes: table.json and the log's start.
  const auto first_append_step = [&](const std::string& name, FsOperation operation,
                                     const char* pattern) {
    steps.push_back({name, operation, pattern, 1, "IoManifestError", false, false,
                     /*first_append_only=*/true});
  };
  first_append_step("OpenTableMetadataTemp", FsOperation::kOpenForWrite, kMetadataTemp);
  first_append_step("WriteTableMetadataTemp", FsOperation::kWrite, kMetadataTemp);
  first_append_step("SyncTableMetadataTemp", FsOperation::kSync, kMetadataTemp);
  first_append_step("RenameTableMetadata", FsOperation::kRename, kMetadataTemp);
  first_append_step("SyncTableFolderAfterTableMetadata", FsOperation::kSyncDirectory, kTableFolder);
  first_append_step("CreateLogFolder", FsOperation::kCreateDirectories, kLogFolder);
  first_append_step("WriteFirstCheckpoint", FsOperation::kWrite, kCheckpointTemp);
  first_append_step("LinkFirstCheckpoint", FsOperation::kLink, kCheckpointTemp);
  first_append_step("SyncLogFolderAfterFirstCheckpoint", FsOperation::kSyncDirectory, kLogFolder);
  steps.push_back(
      {"OpenLogEntryTemp", FsOperation::kOpenForWrite, kEntryTemp, 1, "IoManifestError"});
  steps.push_back({"WriteLogEntryTemp", FsOperation::kWrite, kEntryTemp, 1, "IoManifestError"});
  steps.push_back({"SyncLogEntryTemp", FsOperation::kSync, kEntryTemp, 1, "IoManifestError"});
  steps.push_back({"CloseLogEntryTemp", FsOperation::kClose, kEntryTemp, 1, "IoManifestError"});
  steps.push_back({"LinkLogEntry", FsOperation::kLink, kEntryTemp, 1, "IoManifestError"});
  steps.push_back({"SyncLogFolderAfterLink", FsOperation::kSyncDirectory, kLogFolder, 1,
                   "IoManifestError", /*commits_anyway=*/true, false, false,
                   /*more_in_first_append=*/1});
  steps.push_back({"OpenCheckpointForReading", FsOperation::kOpenForRead, kCheckpointFile, 1,
                   "IoManifestError", false, /*needs_fresh_handle=*/true});
  steps.push_back({"ReadLogEntry", FsOperation::kRead, kEntryFile, 1, "IoManifestError", false,
                   /*needs_fresh_handle=*/true});
  return steps;
}

enum class History {
  kNone,           // the failing append is the table's first
  kSameHandle,     // an earlier append went through the handle that fails
  kAnotherHandle,  // an earlier append went through another handle
};

struct FailureCase {
  FailingStep step;
  History history;
};

std::vector<FailureCase> failure_cases() {
  std::vector<FailureCase> cases;
  for (const FailingStep& step : failing_steps()) {
    for (const History history : {History::kNone, History::kSameHandle, History::kAnotherHandle}) {
      if (step.needs_fresh_handle && history != History::kAnotherHandle) continue;
      if (step.first_append_only && history != History::kNone) continue;
      cases.push_back({step, history});
    }
  }
  return cases;
}

std::string case_name(const testing::TestParamInfo<FailureCase>& info) {
  const char* history = info.param.history == History::kNone         ? "InFirstAppend"
                        : info.param.history == History::kSameHandle ? "AfterOwnAppend"
                                                                     : "AfterOtherHandlesAppend";
  return info.param.step.name + history;
}

std::multiset<int64_t> with_ticks(std::multiset<int64_t> ticks, const std::vector<int64_t>& more) {
  ticks.insert(more.begin(), more.end());
  return ticks;
}

class AppendFailure : public testing::TestWithParam<FailureCase> {
 protected:
  test_support::TempDir scratch;
  IoSettings settings = test_settings(scratch / "out");
};

TEST_P(AppendFailure, LeavesExactlyTheSucceededAppendsCommitted) {
  const FailingStep& step = GetParam().step;
  const History history = GetParam().history;
  FaultInjectingFileSystem fs;

  // Buckets 0 and 1 exist after the earlier append; the failing one adds to bucket 1 and
  // creates bucket 2.
  const std::vector<int64_t> earlier_ticks = {1, 2, 150};
  const std::vector<int64_t> failing_ticks = {120, 210, 211};
  std::vector<AppendSummary> succeeded;
  std::multiset<int64_t> committed;
  if (history == History::kAnotherHandle) {
    Dataset other(settings, std::string(kRunId));
    succeeded.push_back(other.append(kEdges, edge_rows(earlier_ticks)));
  }
  Dataset dataset(settings, std::string(kRunId), fs);
  if (history == History::kSameHandle) {
    succeeded.push_back(dataset.append(kEdges, edge_rows(earlier_ticks)));
  }
  if (history != History::kNone) committed = with_ticks(committed, earlier_ticks);
  const std::optional<std::string> manifest_before =
      std::filesystem::exists(edges_manifest(settings))
          ? std::optional(read_bytes(edges_manifest(settings)))
          : std::nullopt;

  const int nth = step.nth + (history == History::kNone ? step.more_in_first_append : 0);
  fs.fail(step.operation, nth, EIO, step.path_pattern);
  try {
    dataset.append(kEdges, edge_rows(failing_ticks));
    ADD_FAILURE() << "the append succeeded although " << step.name << " failed";
  } catch (const IoError& error) {
    if (step.error_kind) {
      EXPECT_STREQ(error.kind(), step.error_kind) << error.what();
    }
    EXPECT_THAT(error.what(), HasSubstr("(injected)"));
  }
  EXPECT_GE(fs.calls(step.operation, step.path_pattern), nth);

  if (step.commits_anyway) committed = with_ticks(committed, failing_ticks);
  TableManifest manifest = expect_table_consistent(settings, kEdges);
  EXPECT_EQ(committed_ticks(settings, kEdges, manifest), committed);
  const std::set<std::filesystem::path> named = named_part_paths(settings, kEdges, manifest);
  if (step.commits_anyway) {
    EXPECT_EQ(named.size(), summary_part_paths(succeeded).size() + 2);
  } else {
    EXPECT_EQ(named, summary_part_paths(succeeded));
    if (manifest_before) {
      EXPECT_EQ(read_bytes(edges_manifest(settings)), *manifest_before);
    } else {
      EXPECT_FALSE(std::filesystem::exists(edges_manifest(settings)));
    }
  }

  // The handle recovers: its next append commits on top of everything committed so far.
  const std::vector<int64_t> retry_ticks = {5, 460};
  succeeded.push_back(dataset.append(kEdges, edge_rows(retry_ticks)));
  committed = with_ticks(committed, retry_ticks);
  manifest = expect_table_consistent(settings, kEdges);
  EXPECT_EQ(committed_ticks(settings, kEdges, manifest), committed);
  for (const std::filesystem::path& part : summary_part_paths(succeeded)) {
    EXPECT_TRUE(named_part_paths(settings, kEdges, manifest).contains(part)) << part;
  }
}

INSTANTIATE_TEST_SUITE_P(Steps, AppendFailure, testing::ValuesIn(failure_cases()), case_name);

class FailureDuringCommit : public testing::Test {
 protected:
  test_support::TempDir scratch;
  IoSettings settings = test_settings(scratch / "out");
  FaultInjectingFileSystem fs;
};

TEST_F(FailureDuringCommit, AWriteFailureInALaterBatchRollsBackEveryBatch) {
  settings.row_group_size = 1;  // every row is written as it comes
  Dataset dataset(settings, std::string(kRunId), fs);
  Dataset::Transaction transaction = dataset.begin(kEdges);
  transaction.add(edge_rows({1, 101}));
  // The second batch's rows share the first batch's open parts, so its failure cannot be
  // undone alone: the transaction rolls back and is empty. Row groups are written on other
  // threads, so the failure is thrown by this add() or, at the latest, by the commit.
  fs.fail(FsOperation::kWrite, 2, ENOSPC, kPartTemp);
  EXPECT_TRUE(expect_error<IoWriteError>([&] {
    transaction.add(edge_rows({102, 303}));
    transaction.commit();
  }));
  EXPECT_EQ(transaction.pending_rows(), 0);
  EXPECT_EQ(files_under(edges_dir(settings)).size(), 0u);

  // It stays usable.
  transaction.add(edge_rows({7, 107}));
  const AppendSummary summary = transaction.commit();
  EXPECT_EQ(summary.rows, 2);
  const TableManifest manifest = expect_table_consistent(settings, kEdges);
  EXPECT_EQ(named_part_paths(settings, kEdges, manifest), summary_part_paths({summary}));
  EXPECT_EQ(committed_ticks(settings, kEdges, manifest), (std::multiset<int64_t>{7, 107}));
}

TEST_F(FailureDuringCommit, AFailedTransactionCommitRemovesEveryBatchAndKeepsTheManifest) {
  Dataset dataset(settings, std::string(kRunId), fs);
  const AppendSummary earlier = dataset.append(kEdges, edge_rows({1}));
  dataset.flush();
  const std::string manifest_before = read_bytes(edges_manifest(settings));

  Dataset::Transaction transaction = dataset.begin(kEdges);
  transaction.add(edge_rows({2, 102}));
  transaction.add(edge_rows({203}));
  fs.fail(FsOperation::kLink, 1, EIO, kEntryTemp);
  EXPECT_TRUE(expect_error<IoManifestError>([&] { transaction.commit(); }));

  EXPECT_EQ(read_bytes(edges_manifest(settings)), manifest_before);
  const TableManifest manifest = expect_table_consistent(settings, kEdges);
  EXPECT_EQ(named_part_paths(settings, kEdges, manifest), summary_part_paths({earlier}));
}

TEST_F(FailureDuringCommit, AFailedBatchedFlushRemovesTheBatchAndTheNextOneCommits) {
  settings.write_manifest_every_n = 3;
  Dataset dataset(settings, std::string(kRunId), fs);
  const AppendSummary committed_first = append(settings, kRunId, kEdges, edge_rows({1}));
  dataset.append(kEdges, edge_rows({2}));
  dataset.append(kEdges, edge_rows({3, 104}));
  fs.fail(FsOperation::kSync, 1, EIO, kEntryTemp);
  EXPECT_TRUE(expect_error<IoManifestError>([&] { dataset.flush(); }));

  TableManifest manifest = expect_table_consistent(settings, kEdges);
  EXPECT_EQ(named_part_paths(settings, kEdges, manifest), summary_part_paths({committed_first}));

  // The failed batch is gone for good; the next batch commits on its own.
  std::vector<AppendSummary> appended = {committed_first};
  for (const int64_t tick : {5, 6, 7})
    appended.push_back(dataset.append(kEdges, edge_rows({tick})));
  manifest = expect_table_consistent(settings, kEdges);
  EXPECT_EQ(named_part_paths(settings, kEdges, manifest), summary_part_paths(appended));
  EXPECT_EQ(committed_ticks(settings, kEdges, manifest), (std::multiset<int64_t>{1, 5, 6, 7}));
}

TEST_F(FailureDuringCommit, AFailedCommitAtDestructionIsSwallowedAndLeavesNoPart) {
  settings.write_manifest_every_n = 3;
  const AppendSummary committed_first = append(settings, kRunId, kEdges, edge_rows({1}));
  {
    Dataset dataset(settings, std::string(kRunId), fs);
    dataset.append(kEdges, edge_rows({2, 250}));
    fs.fail(FsOperation::kLink, 1, EIO, kEntryTemp);
  }
  EXPECT_GE(fs.calls(FsOperation::kLink, kEntryTemp), 1);
  const TableManifest manifest = expect_table_consistent(settings, kEdges);
  EXPECT_EQ(named_part_paths(settings, kEdges, manifest), summary_part_paths({committed_first}));
}

}  // namespace
}  // namespace crv::io
