// Transactions of many batches: one part per bucket per commit whatever the batches' sizes
// and row order, the open-part cap, the target part size, and what a failure undoes.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/io/dataset.hpp"
#include "crv/parquet/reader.hpp"
#include "io/dataset_test_util.hpp"
#include "io/fault_injecting_file_system.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace crv::io {
namespace {

using namespace dataset_test;
using test_support::expect_error;

class StreamingAppendTest : public testing::Test {
 protected:
  // Parts per bucket of the committed manifest.
  std::map<int64_t, size_t> parts_per_bucket() const {
    std::map<int64_t, size_t> counts;
    for (const auto& [bucket, partition] : expect_table_consistent(settings, kEdges).partitions) {
      counts[bucket] = partition.parts.size();
    }
    return counts;
  }

  // The committed ticks, ascending.
  std::vector<int64_t> committed_ticks() {
    Dataset reader(settings, std::string(kRunId));
    std::vector<int64_t> ticks = int64_column(reader.read(kEdges), "tick");
    std::sort(ticks.begin(), ticks.end());
    return ticks;
  }

  test_support::TempDir scratch;
  IoSettings settings = test_settings(scratch / "out");
};

TEST_F(StreamingAppendTest, ShuffledBatchesCommitOnePartPerBucket) {
  settings.row_group_size = 64;                      // many row groups per part
  std::vector<int64_t> ticks = tick_range(0, 1000);  // buckets 0..9
  std::shuffle(ticks.begin(), ticks.end(), std::mt19937_64(7));
  Dataset dataset(settings, std::string(kRunId));
  Dataset::Transaction transaction = dataset.begin(kEdges);
  // Batches of 100 rows give every bucket rows (no bucket goes idle), a few at a time.
  for (size_t begin = 0; begin < ticks.size(); begin += 100) {
    const size_t end = std::min(ticks.size(), begin + 100);
    transaction.add(edge_rows({ticks.begin() + static_cast<std::ptrdiff_t>(begin),
                               ticks.begin() + static_cast<std::ptrdiff_t>(end)}));
  }
  const AppendSummary summary = transaction.commit();

  EXPECT_EQ(summary.rows, 1000);
  EXPECT_EQ(summary.parts.size(), 10u);
  const std::map<int64_t, size_t> expected = {{0, 1}, {1, 1}, {2, 1}, {3, 1}, {4, 1},
                                              {5, 1}, {6, 1}, {7, 1}, {8, 1}, {9, 1}};
  EXPECT_EQ(parts_per_bucket(), expected);
  EXPECT_EQ(committed_ticks(), tick_range(0, 1000));
  // 100 rows in row groups of 64: the part was written a row group at a time.
  for (const PartSummary& part : summary.parts) {
    const auto reader = parquet::ParquetReader::open(part.path);
    EXPECT_EQ(reader.info().row_groups.size(), 2u) << part.path;
    EXPECT_EQ(reader.info().row_groups[0].num_rows, 64) << part.path;
  }
}

TEST_F(StreamingAppendTest, RowsKeepTheirOrderWithinABucket) {
  settings.row_group_size = 5;
  Dataset dataset(settings, std::string(kRunId));
  Dataset::Transaction transaction = dataset.begin(kEdges);
  // Alternating buckets, descending ticks inside each.
  for (int64_t round = 0; round < 6; ++round) {
    transaction.add(edge_rows({99 - round * 3, 199 - round * 3, 98 - round * 3}));
  }
  transaction.commit();
  Dataset reader(settings, std::string(kRunId));
  const frame::Frame rows = reader.read(kEdges);
  std::vector<int64_t> bucket0;
  for (const int64_t tick : int64_column(rows, "tick")) {
    if (tick < 100) bucket0.push_back(tick);
  }
  const std::vector<int64_t> expected = {99, 98, 96, 95, 93, 92, 90, 89, 87, 86, 84, 83};
  EXPECT_EQ(bucket0, expected);
}

TEST_F(StreamingAppendTest, UnsortedBatchesOverFarApartBucketsSplitExactly) {
  Dataset dataset(settings, std::string(kRunId));
  // Buckets 0, 10,000,000 and 5 in one unsorted batch, twice.
  const std::vector<int64_t> ticks = {1'000'000'007, 3, 501, 1'000'000'001, 2, 502};
  const AppendSummary summary = dataset.append(kEdges, edge_rows(ticks));
  std::vector<int64_t> buckets;
  for (const PartSummary& part : summary.parts) buckets.push_back(part.bucket_id);
  EXPECT_EQ(buckets, (std::vector<int64_t>{0, 5, 10'000'000}));
  Dataset reader(settings, std::string(kRunId));
  EXPECT_EQ(int64_column(reader.read(kEdges), "tick"),
            (std::vector<int64_t>{3, 2, 501, 502, 1'000'000'007, 1'000'000'001}));
}

// Ten rows over buckets 0 and 9 out of order: the buckets between get no part.
TEST_F(StreamingAppendTest, AnUnsortedBatchWithBucketsMissingBetweenItsOwnSplitsExactly) {
  Dataset dataset(settings, std::string(kRunId));
  const std::vector<int64_t> ticks = {905, 3, 906, 4, 907, 5, 908, 6, 909, 7};
  const AppendSummary summary = dataset.append(kEdges, edge_rows(ticks));
  std::vector<int64_t> buckets;
  for (const PartSummary& part : summary.parts) buckets.push_back(part.bucket_id);
  EXPECT_EQ(buckets, (std::vector<int64_t>{0, 9}));
  Dataset reader(settings, std::string(kRunId));
  EXPECT_EQ(int64_column(reader.read(kEdges), "tick"),
            (std::vector<int64_t>{3, 4, 5, 6, 7, 905, 906, 907, 908, 909}));
}

TEST_F(StreamingAppendTest, BeyondTheOpenPartCapTheLeastRecentlyUsedPartIsClosed) {
  settings.max_open_parts = 2;
  Dataset dataset(settings, std::string(kRunId));
  Dataset::Transaction transaction = dataset.begin(kEdges);
  // Buckets 0, 1, 0, 1, then 2: bucket 0 was used less recently than 1, so its part is
  // closed to open bucket 2's, and bucket 0's next rows start a second part.
  for (const int64_t tick : {5, 105, 6, 106, 205, 7}) transaction.add(edge_rows({tick}));
  transaction.commit();
  const std::map<int64_t, size_t> expected = {{0, 2}, {1, 1}, {2, 1}};
  EXPECT_EQ(parts_per_bucket(), expected);
  EXPECT_EQ(committed_ticks(), (std::vector<int64_t>{5, 6, 7, 105, 106, 205}));
}

TEST_F(StreamingAppendTest, PastTheBufferedRowsBudgetTheFullestBucketWritesASmallerRowGroup) {
  settings.max_buffered_rows = 10;
  Dataset dataset(settings, std::string(kRunId));
  Dataset::Transaction transaction = dataset.begin(kEdges);
  // Four rows of bucket 0, then three of bucket 1, a batch. The budget is checked after
  // each bucket's rows: bucket 0's rows of the second batch make 11 buffered rows and
  // bucket 0 (8) writes; bucket 1's of the third make 13 and bucket 1 (9) writes; bucket
  // 1's of the fourth make 11 and bucket 0 (8) writes. The commit writes bucket 1's last 3.
  for (int64_t batch = 0; batch < 4; ++batch) {
    transaction.add(edge_rows({batch * 4, batch * 4 + 1, batch * 4 + 2, batch * 4 + 3,
                               100 + batch * 3, 101 + batch * 3, 102 + batch * 3}));
  }
  const AppendSummary summary = transaction.commit();
  ASSERT_EQ(summary.parts.size(), 2u);  // still one part per bucket
  std::vector<std::vector<int64_t>> row_groups;
  for (const PartSummary& part : summary.parts) {
    std::vector<int64_t> sizes;
    const auto reader = parquet::ParquetReader::open(part.path);
    for (const auto& group : reader.info().row_groups) sizes.push_back(group.num_rows);
    row_groups.push_back(sizes);
  }
  EXPECT_EQ(row_groups, (std::vector<std::vector<int64_t>>{{8, 8}, {9, 3}}));
  EXPECT_EQ(committed_ticks().size(), 28u);
}

// An input in tick order is done with a bucket once batches stop giving it rows, so a
// bucket that two batches in a row gave no rows writes what it buffers (freeing the memory
// and encoding it while later batches are read), if that is at least an eighth of a row
// group; one batch without rows is not enough. The bucket's rows keep their order.
TEST_F(StreamingAppendTest, ABucketThatTwoBatchesGaveNoRowsWritesItsBufferedRows) {
  settings.row_group_size = 40;  // buckets buffering 5 rows or more write them when idle
  const auto row_groups_of_buckets = [&](const std::vector<std::vector<int64_t>>& batches) {
    std::filesystem::remove_all(settings.root_dir);
    Dataset dataset(settings, std::string(kRunId));
    Dataset::Transaction transaction = dataset.begin(kEdges);
    for (const std::vector<int64_t>& ticks : batches) transaction.add(edge_rows(ticks));
    std::vector<std::vector<int64_t>> row_groups;
    for (const PartSummary& part : transaction.commit().parts) {
      std::vector<int64_t> sizes;
      const auto reader = parquet::ParquetReader::open(part.path);
      for (const auto& group : reader.info().row_groups) sizes.push_back(group.num_rows);
      row_groups.push_back(sizes);
    }
    return row_groups;
  };
  const std::vector<int64_t> early = {4, 3, 2, 1, 0};
  const std::vector<int64_t> late = {9, 8, 7, 6, 5};
  const std::vector<int64_t> bucket1 = tick_range(100, 5);
  EXPECT_EQ(row_groups_of_buckets({early, bucket1, bucket1, late}),
            (std::vector<std::vector<int64_t>>{{5, 5}, {10}}));
  Dataset reader(settings, std::string(kRunId));
  EXPECT_EQ(int64_column(reader.read(kEdges), "tick"),
            (std::vector<int64_t>{4,   3,   2,   1,   0,   9,   8,   7,   6,   5,
                                  100, 101, 102, 103, 104, 100, 101, 102, 103, 104}));
  EXPECT_EQ(row_groups_of_buckets({early, bucket1, late}),
            (std::vector<std::vector<int64_t>>{{10}, {5}}));
  // Four rows are under an eighth of the row group: they wait for more.
  EXPECT_EQ(row_groups_of_buckets({{0, 1, 2, 3}, bucket1, bucket1, late}),
            (std::vector<std::vector<int64_t>>{{9}, {10}}));
}

// Past 64 buffered pieces a part joins them into one; the joined rows are still buffered
// and must reach the part, however the transaction ends.
TEST_F(StreamingAppendTest, ManySmallBatchesOfOneBucketAreAllWritten) {
  for (const int64_t batches : {65, 66, 200}) {
    SCOPED_TRACE(batches);
    std::filesystem::remove_all(settings.root_dir);
    Dataset dataset(settings, std::string(kRunId));
    Dataset::Transaction transaction = dataset.begin(kEdges);
    for (int64_t tick = 0; tick < batches; ++tick) transaction.add(edge_rows({tick}));
    const AppendSummary summary = transaction.commit();
    EXPECT_EQ(summary.rows, batches);
    EXPECT_EQ(committed_ticks(), tick_range(0, batches));
    expect_table_consistent(settings, kEdges);
  }
}

TEST_F(StreamingAppendTest, APartReachingTheTargetSizeIsClosedAtARowGroupBoundary) {
  settings.row_group_size = 10;
  settings.target_part_bytes = 1;  // every written row group reaches it
  Dataset dataset(settings, std::string(kRunId));
  Dataset::Transaction transaction = dataset.begin(kEdges);
  for (int64_t batch = 0; batch < 4; ++batch)
    transaction.add(edge_rows(tick_range(batch * 10, 10)));
  transaction.add(edge_rows(tick_range(40, 3)));
  const AppendSummary summary = transaction.commit();
  std::vector<int64_t> rows;
  for (const PartSummary& part : summary.parts) rows.push_back(part.rows);
  // Four full row groups, each closing its part, then the 3 buffered rows as a fifth.
  EXPECT_EQ(rows, (std::vector<int64_t>{10, 10, 10, 10, 3}));
  EXPECT_EQ(committed_ticks(), tick_range(0, 43));
}

TEST_F(StreamingAppendTest, BatchesOfAnotherSchemaGoToAnotherPart) {
  settings.strict_schema = false;
  Dataset dataset(settings, std::string(kRunId));
  Dataset::Transaction transaction = dataset.begin(kEdges);
  transaction.add(edge_rows({1, 2}));
  transaction.add(edge_rows({3}).add_column("note", frame::make_utf8({"extra"})));
  transaction.add(edge_rows({4}));
  transaction.commit();
  // Every batch after the first changes the part's columns: three parts, rows intact.
  const std::map<int64_t, size_t> expected = {{0, 3}};
  EXPECT_EQ(parts_per_bucket(), expected);
  EXPECT_EQ(committed_ticks(), (std::vector<int64_t>{1, 2, 3, 4}));
}

TEST_F(StreamingAppendTest, AFailureClosingThePartsAtCommitLeavesNothing) {
  FaultInjectingFileSystem fs;
  const TreeSnapshot before = snapshot_tree(settings.root_dir);
  Dataset dataset(settings, std::string(kRunId), fs);
  Dataset::Transaction transaction = dataset.begin(kEdges);
  transaction.add(edge_rows({1, 101, 201}));
  fs.fail(FsOperation::kRename, 2);  // the second part's rename
  EXPECT_TRUE(expect_error<IoWriteError>([&] { transaction.commit(); }));
  EXPECT_EQ(describe_differences(before, files_only(snapshot_tree(settings.root_dir))), "");
}

TEST_F(StreamingAppendTest, RollingBackRemovesOpenAndClosedParts) {
  settings.max_open_parts = 1;
  settings.row_group_size = 2;
  const TreeSnapshot before = snapshot_tree(settings.root_dir);
  Dataset dataset(settings, std::string(kRunId));
  {
    Dataset::Transaction transaction = dataset.begin(kEdges);
    transaction.add(edge_rows({1, 2, 3}));  // bucket 0: a row group in its file
    transaction.add(edge_rows({101}));      // closes bucket 0's part
    transaction.add(edge_rows({201, 202, 203}));
    EXPECT_FALSE(files_under(settings.root_dir).empty());
  }  // destroyed without commit
  EXPECT_EQ(describe_differences(before, files_only(snapshot_tree(settings.root_dir))), "");
}

}  // namespace
}  // namespace crv::io
