// Dataset::rewind: the rows after a tick leave the table in one commit, straddling parts
// keep their earlier rows, exactly-once marks go back with the rows, appends racing the
// rewind are rewound or refused, and a failure at any step leaves the table before or
// after the rewind, never between.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
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

class RewindTest : public testing::Test {
 protected:
  // Appends k = 0 .. appends-1 of ten ticks each (10k to 10k+9), as writer `writer` with
  // sequence 10k+9 when one is given: three buckets of ten parts for 30 appends.
  void append_parts(int64_t appends, std::optional<std::string> writer = std::nullopt) {
    Dataset dataset(settings, std::string(kRunId));
    for (int64_t append = 0; append < appends; ++append) {
      AppendOptions options;
      if (writer) options.identity = CommitIdentity{*writer, append * 10 + 9};
      dataset.append(kEdges, edge_rows(tick_range(append * 10, 10)), options);
    }
  }

  frame::Frame read_all() { return Dataset(settings, std::string(kRunId)).read(kEdges); }

  std::vector<int64_t> ticks() { return int64_column(read_all(), "tick"); }

  test_support::TempDir scratch;
  IoSettings settings = test_settings(scratch / "out");
};

TEST_F(RewindTest, RowsAfterTheTickLeaveInOneCommitAndAStraddlingPartKeepsItsEarlierRows) {
  settings.row_group_size = 4;  // the straddling part has row groups on both sides
  append_parts(30);             // ticks 0..299
  Dataset dataset(settings, std::string(kRunId));
  const int64_t versions_before = static_cast<int64_t>(dataset.history(kEdges).size());

  const RewindSummary summary = dataset.rewind(kEdges, 155);

  EXPECT_EQ(ticks(), tick_range(0, 156));  // in their order
  EXPECT_EQ(summary.after_tick, 155);
  EXPECT_EQ(summary.rows_removed, 144);
  EXPECT_EQ(summary.parts_dropped, 14);   // ticks 160..299
  EXPECT_EQ(summary.parts_rewritten, 1);  // ticks 150..159
  EXPECT_EQ(summary.files_deleted, 15);
  EXPECT_EQ(summary.buckets, (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(summary.writers.empty());
  EXPECT_EQ(summary.version, versions_before + 1);

  const std::vector<CommitRecord> history = dataset.history(kEdges);
  ASSERT_EQ(static_cast<int64_t>(history.size()), versions_before + 1);
  EXPECT_EQ(history.back().operation, "rewind");
  EXPECT_EQ(history.back().parts_removed, 15);
  EXPECT_EQ(history.back().parts_added, 1);
  EXPECT_EQ(history.back().rows_added, 6);
  EXPECT_THAT(summary.to_json(), HasSubstr("\"rows_removed\":144"));

  dataset.flush();
  const TableManifest manifest = expect_table_consistent(settings, kEdges);  // no leftovers
  EXPECT_EQ(manifest.partitions.size(), 2u);
  EXPECT_EQ(manifest.partitions.at(1).tick_max, 155);
  EXPECT_EQ(manifest.partitions.at(1).parts.size(), 6u);
}

TEST_F(RewindTest, NothingAfterTheTickCommitsNothing) {
  append_parts(5);
  Dataset dataset(settings, std::string(kRunId));
  const size_t versions = dataset.history(kEdges).size();
  const RewindSummary summary = dataset.rewind(kEdges, 49);
  EXPECT_EQ(summary.version, 0);
  EXPECT_EQ(summary.rows_removed, 0);
  EXPECT_EQ(dataset.history(kEdges).size(), versions);
  EXPECT_EQ(ticks(), tick_range(0, 50));
}

TEST_F(RewindTest, ANegativeTickOrAMissingTableIsAnErrorAndNothingChanges) {
  Dataset dataset(settings, std::string(kRunId));
  const auto missing = expect_error<IoManifestError>([&] { dataset.rewind(kEdges, 10); });
  ASSERT_TRUE(missing);
  EXPECT_FALSE(std::filesystem::exists(settings.root_dir));

  append_parts(3);
  const TreeSnapshot before = snapshot_tree(settings.root_dir);
  const auto negative = expect_error<IoConfigError>([&] { dataset.rewind(kEdges, -1); });
  ASSERT_TRUE(negative);
  EXPECT_THAT(negative->message(), HasSubstr("tick -1"));
  EXPECT_EQ(describe_differences(before, snapshot_tree(settings.root_dir)), "");
}

TEST_F(RewindTest, RewindingToBeforeTheFirstTickEmptiesTheTable) {
  append_parts(3);  // ticks 0..29
  Dataset dataset(settings, std::string(kRunId));
  dataset.append(kEdges, edge_rows({0, 1}));
  // Tick 0 stays: "after tick 0" removes ticks 1 and up.
  EXPECT_EQ(dataset.rewind(kEdges, 0).rows_removed, 30);
  EXPECT_EQ(ticks(), (std::vector<int64_t>{0, 0}));
}

// A simulation restarted from tick 155 appends ticks 156.. again with the same writer and
// sequences: they must commit, not be taken for the duplicates of the rewound commits.
TEST_F(RewindTest, ExactlyOnceMarksGoBackWithTheRows) {
  append_parts(30, "sim");  // sequences 9, 19, .., 299
  {
    Dataset other(settings, std::string(kRunId));
    other.append(kEdges, edge_rows({5}), {.identity = CommitIdentity{"early", 1}});
    other.append(kEdges, edge_rows({290}), {.identity = CommitIdentity{"late", 1}});
  }
  Dataset dataset(settings, std::string(kRunId));
  const RewindSummary summary = dataset.rewind(kEdges, 155);

  // "sim"'s commit of 150..159 lost rows: its latest whole commit is 140..149.
  const std::map<std::string, std::optional<int64_t>> expected = {{"late", std::nullopt},
                                                                  {"sim", 149}};
  EXPECT_EQ(summary.writers, expected);
  EXPECT_THAT(summary.to_json(), HasSubstr("\"writers\":{\"late\":null,\"sim\":149}"));
  Dataset fresh(settings, std::string(kRunId));
  EXPECT_EQ(fresh.last_sequence(kEdges, "sim"), 149);
  EXPECT_EQ(fresh.last_sequence(kEdges, "early"), 1);
  EXPECT_EQ(fresh.last_sequence(kEdges, "late"), std::nullopt);

  // The restarted simulation: ticks 156..159 under sequence 159, then 160..169.
  const AppendSummary again =
      fresh.append(kEdges, edge_rows(tick_range(156, 4)), {.identity = CommitIdentity{"sim", 159}});
  EXPECT_FALSE(again.duplicate);
  fresh.append(kEdges, edge_rows(tick_range(160, 10)), {.identity = CommitIdentity{"sim", 169}});
  EXPECT_TRUE(
      fresh.append(kEdges, edge_rows(tick_range(160, 10)), {.identity = CommitIdentity{"sim", 169}})
          .duplicate);
  std::vector<int64_t> expected_ticks = tick_range(0, 170);
  expected_ticks.insert(expected_ticks.begin() + 6, 5);  // "early"'s row, after ticks 0..5
  std::vector<int64_t> stored = ticks();
  std::sort(stored.begin(), stored.end());
  std::sort(expected_ticks.begin(), expected_ticks.end());
  EXPECT_EQ(stored, expected_ticks);
}

// A commit whose rows an earlier rewind removed does not count as kept by a later one,
// even when its ticks lie before the later rewind's tick.
TEST_F(RewindTest, ACommitAnEarlierRewindUndidIsNotAWritersMarkAgain) {
  Dataset dataset(settings, std::string(kRunId));
  const auto as_sim = [](int64_t sequence) {
    return AppendOptions{.identity = CommitIdentity{"sim", sequence}};
  };
  dataset.append(kEdges, edge_rows(tick_range(0, 10)), as_sim(1));
  dataset.append(kEdges, edge_rows(tick_range(10, 10)), as_sim(2));  // ticks 10..19
  dataset.rewind(kEdges, 9);
  EXPECT_EQ(dataset.last_sequence(kEdges, "sim"), 1);
  dataset.append(kEdges, edge_rows(tick_range(10, 20)), as_sim(2));  // ticks 10..29
  // Ticks 10..20 stay, from the second commit of sequence 2, which loses 21..29: the
  // first commit of sequence 2 (ticks 10..19) is gone, so "sim" goes back to 1.
  EXPECT_EQ(dataset.rewind(kEdges, 20).writers.at("sim"), 1);
  EXPECT_EQ(dataset.last_sequence(kEdges, "sim"), 1);
  EXPECT_EQ(ticks(), tick_range(0, 21));
}

// A rebuild starts the history again: the walk back for a writer's mark stops there.
TEST_F(RewindTest, AWritersMarkDoesNotGoBackPastARebuild) {
  Dataset dataset(settings, std::string(kRunId));
  dataset.append(kEdges, edge_rows(tick_range(0, 10)), {.identity = CommitIdentity{"sim", 1}});
  dataset.rebuild_manifest(kEdges);
  dataset.append(kEdges, edge_rows(tick_range(10, 10)), {.identity = CommitIdentity{"sim", 2}});
  const std::map<std::string, std::optional<int64_t>> none = {{"sim", std::nullopt}};
  EXPECT_EQ(dataset.rewind(kEdges, 15).writers, none);
  EXPECT_EQ(dataset.last_sequence(kEdges, "sim"), std::nullopt);
  EXPECT_EQ(ticks(), tick_range(0, 16));
}

// The rewound marks are in the checkpoints too, so a reader that starts from a checkpoint
// written after the rewind sees them.
TEST_F(RewindTest, RewoundMarksSurviveACheckpoint) {
  append_parts(20, "sim");
  Dataset dataset(settings, std::string(kRunId));
  const int64_t rewind_version = dataset.rewind(kEdges, 95).version;
  // Enough commits of another writer for checkpoints to follow.
  for (int64_t append = 0; append < 40; ++append) {
    dataset.append(kEdges, edge_rows({append}), {.identity = CommitIdentity{"other", append}});
  }
  const std::filesystem::path log = table_dir(settings, kRunId, kEdges) / "_log";
  int64_t newest_checkpoint = 0;
  for (const auto& file : std::filesystem::directory_iterator(log)) {
    if (file.path().extension() == ".checkpoint") {
      newest_checkpoint =
          std::max<int64_t>(newest_checkpoint, std::stoll(file.path().stem().string()));
    }
  }
  EXPECT_GT(newest_checkpoint, rewind_version);
  EXPECT_EQ(Dataset(settings, std::string(kRunId)).last_sequence(kEdges, "sim"), 89);
}

// Appends that commit between the rewind's plan and its commit: rows wholly after the
// tick are rewound with the rest; a part straddling the tick cannot be, and the rewind
// refuses, changing nothing, until it runs again.
TEST_F(RewindTest, AppendsCommittedWhileARewindRunsAreRewoundOrMakeItRefuse) {
  append_parts(20);  // ticks 0..199
  const auto rewind_with_append_before_commit = [&](std::vector<int64_t> appended_ticks) {
    FaultInjectingFileSystem fs;
    fs.before(
        FsOperation::kLock, 1,
        [&] { Dataset(settings, std::string(kRunId)).append(kEdges, edge_rows(appended_ticks)); },
        "*/identity_edges/.lock");
    return Dataset(settings, std::string(kRunId), fs).rewind(kEdges, 155);
  };

  const RewindSummary summary = rewind_with_append_before_commit({300, 301});
  EXPECT_EQ(summary.rows_removed, 44 + 2);
  EXPECT_EQ(ticks(), tick_range(0, 156));

  append_parts(20);  // ticks 0..199 again, after the earlier ones
  const frame::Frame before = read_all();
  const auto refused = expect_error<IoManifestError>([&] {
    rewind_with_append_before_commit({150, 160});
  });
  ASSERT_TRUE(refused);
  EXPECT_THAT(refused->message(), HasSubstr("rewind again"));
  frame::Frame with_append = read_all();
  EXPECT_EQ(with_append.num_rows(), before.num_rows() + 2);
  expect_table_consistent(settings, kEdges);  // the rewritten parts are gone

  Dataset(settings, std::string(kRunId)).rewind(kEdges, 155);
  std::vector<int64_t> after = ticks();
  EXPECT_TRUE(std::all_of(after.begin(), after.end(), [](int64_t tick) { return tick <= 155; }));
  EXPECT_EQ(after.size(), 156u * 2 + 1);
}

// Every file-system call a rewind makes, failed in turn: the table reads as before the
// rewind or as after it, never anything else, and what is left over is what fsck --repair
// clears.
TEST_F(RewindTest, AFailureAtAnyStepLeavesTheTableBeforeOrAfter) {
  settings.row_group_size = 4;
  append_parts(30, "sim");
  const frame::Frame before = read_all();
  const PristineCopy pristine(settings.root_dir, scratch / "pristine");
  FaultInjectingFileSystem counter;
  Dataset(settings, std::string(kRunId), counter).rewind(kEdges, 155);
  const frame::Frame after = read_all();
  ASSERT_EQ(after.num_rows(), 156);

  int failures = 0;
  int rewound = 0;
  pristine.restore();
  for_each_failing_call(counter, [&](FaultInjectingFileSystem& fs) {
    try {
      Dataset(settings, std::string(kRunId), fs).rewind(kEdges, 155);
    } catch (const IoError&) {
      ++failures;
    }
    const frame::Frame now = read_all();
    EXPECT_TRUE(now.equals(before) || now.equals(after));
    const std::optional<int64_t> sequence =
        Dataset(settings, std::string(kRunId)).last_sequence(kEdges, "sim");
    EXPECT_EQ(sequence, now.equals(after) ? 149 : 299);
    rewound += now.equals(after) ? 1 : 0;
    fsck_table(settings, kRunId, kEdges, {.repair = true});
    std::filesystem::remove_all(table_dir(settings, kRunId, kEdges) / kQuarantineFolderName);
    expect_table_consistent(settings, kEdges);
    pristine.restore();
  });
  EXPECT_GT(failures, 10);
  EXPECT_GT(rewound, 0);
}

// A rebuild from the parts' footers, after a rewind that committed but could not delete
// the replaced parts, names every row once: the straddling part or its rewrite, not both.
TEST_F(RewindTest, ARebuildAfterAnInterruptedRewindNamesEveryRowOnce) {
  append_parts(20);
  FaultInjectingFileSystem fs;
  for (int nth = 1; nth <= 20; ++nth) fs.fail(FsOperation::kRemove, 1, EIO, "*.parquet");
  EXPECT_EQ(Dataset(settings, std::string(kRunId), fs).rewind(kEdges, 155).files_deleted, 0);
  Dataset dataset(settings, std::string(kRunId));
  dataset.rebuild_manifest(kEdges);
  std::vector<int64_t> rebuilt = ticks();
  std::sort(rebuilt.begin(), rebuilt.end());
  EXPECT_EQ(rebuilt, tick_range(0, 200));  // the rewind's parts are all still there

  // Once the replaced parts are deleted, the rebuild keeps the rewritten one.
  fsck_table(settings, kRunId, kEdges, {.repair = true});  // the superseded rewrite goes
  Dataset(settings, std::string(kRunId)).rewind(kEdges, 155);
  Dataset(settings, std::string(kRunId)).rebuild_manifest(kEdges);
  EXPECT_EQ(ticks(), tick_range(0, 156));
}

}  // namespace
}  // namespace crv::io
