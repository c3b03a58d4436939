// Appends onto a real, full file system: a small tmpfs mounted for the test (as root; the
// tests skip otherwise), filled with a ballast file to a precise number of free blocks so
// that ENOSPC lands on the step under test, a part write or the manifest write. The
// failed append must throw its class, leave the committed table exactly as it was, show
// nothing of itself, and once the ballast is gone the same append must work and
// `fsck --repair` must leave a clean table.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"
#include "crv/frame/frame.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/fsck.hpp"
#include "crv/io/paths.hpp"
#include "io/dataset_test_util.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace crv::io {
namespace {

using namespace dataset_test;
using test_support::expect_error;
using testing::HasSubstr;

constexpr int64_t kBlock = 4096;

int64_t blocks_for(int64_t bytes) {
  return (bytes + kBlock - 1) / kBlock;
}

// identity_edges rows that compress poorly (random observers and weights), so that the
// parts' sizes, and thereby where the disk fills up, are known from the row count. The
// ticks ascend from `first_tick`, `per_tick` rows each.
frame::Frame random_edges(int64_t first_tick, int64_t rows, int64_t per_tick, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<int64_t> ticks;
  std::vector<std::string> observers;
  std::vector<double> weights;
  for (int64_t row = 0; row < rows; ++row) {
    ticks.push_back(first_tick + row / per_tick);
    char observer[40];
    std::snprintf(observer, sizeof observer, "agent-%016llx",
                  static_cast<unsigned long long>(random()));
    observers.emplace_back(observer);
    weights.push_back(std::uniform_real_distribution<double>(0.0, 1.0)(random));
  }
  return frame::Frame(
      {{"tick", frame::make_int64(ticks)},
       {"observer_agent_id", frame::make_utf8(observers)},
       {"edge_kind", frame::make_utf8(std::vector<std::string>(ticks.size(), "trust"))},
       {"edge_weight", frame::make_float64(weights)}});
}

// The committed rows as text, "tick observer weight" per row, in the order read.
std::vector<std::string> rows_of(const frame::Frame& rows) {
  std::vector<std::string> lines;
  const std::vector<int64_t> ticks = int64_column(rows, "tick");
  const frame::ArrayPtr& observers = rows.column("observer_agent_id");
  const frame::ArrayPtr& weights = rows.column("edge_weight");
  for (int64_t row = 0; row < rows.num_rows(); ++row) {
    lines.push_back(std::to_string(ticks[static_cast<size_t>(row)]) + " " +
                    std::string(observers->string_at(row)) + " " +
                    std::to_string(weights->float64_values()[row]));
  }
  return lines;
}

class FullDiskTest : public testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
    if (::mount("tmpfs", mount_point_.path().c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
                "size=2m,mode=0700") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs: " << std::strerror(errno);
    }
    mounted_ = true;
    settings_ = test_settings(mount_point_ / "root");
  }

  void TearDown() override {
    // The folder itself goes with mount_point_, once nothing is mounted on it.
    if (!mounted_) return;
    if (::umount(mount_point_.path().c_str()) != 0) {
      ADD_FAILURE() << "umount " << mount_point_.path() << ": " << std::strerror(errno);
      ::umount2(mount_point_.path().c_str(), MNT_DETACH);
    }
  }

  int64_t free_blocks() const {
    struct statvfs stats {};
    EXPECT_EQ(::statvfs(mount_point_.path().c_str(), &stats), 0) << std::strerror(errno);
    EXPECT_EQ(static_cast<int64_t>(stats.f_frsize), kBlock);
    return static_cast<int64_t>(stats.f_bavail);
  }

  // Fills the disk with a ballast file until exactly `blocks` blocks are free.
  void leave_free_blocks(int64_t blocks) {
    const int64_t fill = free_blocks() - blocks;
    ASSERT_GT(fill, 0) << "the disk has only " << free_blocks() << " free blocks";
    std::ofstream ballast(ballast_path(), std::ios::binary | std::ios::app);
    const std::string chunk(static_cast<size_t>(kBlock), 'b');
    for (int64_t block = 0; block < fill; ++block) ballast.write(chunk.data(), kBlock);
    ballast.close();
    ASSERT_TRUE(ballast) << "cannot write the ballast";
    ASSERT_EQ(free_blocks(), blocks);
  }

  std::filesystem::path ballast_path() const { return mount_point_ / "ballast"; }

  // The sizes of the parts an append of `rows` writes, learnt by appending it to another
  // run of the same name length on the same disk, which is then removed.
  std::vector<int64_t> part_sizes(const frame::Frame& rows) {
    std::vector<int64_t> sizes;
    {
      Dataset probe(settings_, "run-2");
      for (const PartSummary& part : probe.append(kEdges, rows).parts) sizes.push_back(part.bytes);
    }
    std::filesystem::remove_all(run_root(settings_, "run-2"));
    return sizes;
  }

  // The rows committed so far, read through a fresh handle.
  std::vector<std::string> committed_rows() {
    Dataset reader(settings_, std::string(kRunId));
    return rows_of(reader.read(kEdges));
  }

  // Only what a failed append may leave: no temporary file, no part the commit log does
  // not name (bucket folders it created may stay empty; manifest.json follows the log when
  // the writing handle closes).
  void expect_no_leftover_files() {
    const std::set<std::filesystem::path> named =
        named_part_paths(settings_, kEdges, *load_from_disk(edges_manifest(settings_)));
    for (const std::filesystem::path& file : files_under(edges_dir(settings_))) {
      EXPECT_TRUE(file.filename() == "manifest.json" || file.filename() == "table.json" ||
                  file.filename() == ".lock" || is_log_file(file) || named.contains(file))
          << "left behind: " << file;
    }
    const TableFsckReport report = fsck_table(settings_, kRunId, kEdges);
    for (const FsckFinding& finding : report.findings) {
      EXPECT_TRUE(finding.issue == FsckIssue::kBucketFolderWithoutParts ||
                  finding.issue == FsckIssue::kManifestBehind)
          << to_string(finding.issue) << ": " << finding.path;
    }
  }

  // After the ballast is gone: the append that failed works, and repair leaves a clean
  // table holding the earlier rows and the new ones.
  void expect_recovery(const frame::Frame& rows, const std::vector<std::string>& before) {
    std::filesystem::remove(ballast_path());
    Dataset dataset(settings_, std::string(kRunId));
    EXPECT_EQ(dataset.append(kEdges, rows).rows, rows.num_rows());
    std::vector<std::string> expected = before;
    for (const std::string& row : rows_of(rows)) expected.push_back(row);
    EXPECT_EQ(committed_rows(), expected);
    const TableFsckReport repaired = fsck_table(settings_, kRunId, kEdges, {.repair = true});
    EXPECT_TRUE(repaired.consistent());
    const TableFsckReport checked = fsck_table(settings_, kRunId, kEdges);
    EXPECT_TRUE(checked.findings.empty());
    expect_table_consistent(settings_, kEdges);
  }

  const test_support::TempDir mount_point_;
  bool mounted_ = false;
  IoSettings settings_;
};

TEST_F(FullDiskTest, TheDiskIsSmall) {
  EXPECT_EQ(free_blocks(), 512);
}

// Two parts, two buckets: the first fits, the second does not.
TEST_F(FullDiskTest, APartWriteThatRunsOutOfSpaceLeavesTheTableAsItWas) {
  Dataset dataset(settings_, std::string(kRunId));
  dataset.append(kEdges, random_edges(0, 2000, 20, 1));
  const std::string manifest = read_bytes(edges_manifest(settings_));
  const std::vector<std::string> before = committed_rows();
  ASSERT_EQ(before.size(), 2000U);

  const frame::Frame rows = random_edges(200, 16000, 80, 2);  // buckets 2 and 3
  const std::vector<int64_t> sizes = part_sizes(rows);
  ASSERT_EQ(sizes.size(), 2U);
  ASSERT_GT(blocks_for(sizes[1]), 10) << "parts too small to land the failure";
  ASSERT_NO_FATAL_FAILURE(leave_free_blocks(blocks_for(sizes[0]) + blocks_for(sizes[1]) / 2));

  const std::optional<IoWriteError> error =
      expect_error<IoWriteError>([&] { dataset.append(kEdges, rows); });
  ASSERT_TRUE(error);
  std::cout << "part write on a full disk: " << error->kind() << ": " << error->what() << "\n";
  EXPECT_THAT(error->context().path, HasSubstr("/bucket=00000"));
  EXPECT_THAT(error->context().path, HasSubstr(".parquet"));
  EXPECT_THAT(error->what(), HasSubstr("No space left on device"));

  EXPECT_EQ(read_bytes(edges_manifest(settings_)), manifest);
  EXPECT_EQ(committed_rows(), before);
  expect_no_leftover_files();
  expect_recovery(rows, before);
}

// The parts fill the disk to the last block, so writing the commit log's entry fails.
TEST_F(FullDiskTest, ACommitThatRunsOutOfSpaceLeavesTheTableAsItWas) {
  Dataset dataset(settings_, std::string(kRunId));
  dataset.append(kEdges, random_edges(0, 2000, 20, 3));
  const std::string manifest = read_bytes(edges_manifest(settings_));
  const std::vector<std::string> before = committed_rows();

  const frame::Frame rows = random_edges(200, 6000, 30, 4);  // buckets 2 and 3
  int64_t part_blocks = 0;
  for (const int64_t size : part_sizes(rows)) part_blocks += blocks_for(size);
  ASSERT_NO_FATAL_FAILURE(leave_free_blocks(part_blocks));

  const std::optional<IoManifestError> error =
      expect_error<IoManifestError>([&] { dataset.append(kEdges, rows); });
  ASSERT_TRUE(error);
  std::cout << "commit on a full disk: " << error->kind() << ": " << error->what() << "\n";
  EXPECT_THAT(error->what(), HasSubstr("commit log"));
  EXPECT_THAT(error->what(), HasSubstr("No space left on device"));

  EXPECT_EQ(read_bytes(edges_manifest(settings_)), manifest);
  EXPECT_EQ(committed_rows(), before);
  expect_no_leftover_files();
  // The failed append's parts are gone again: the space they took is free.
  EXPECT_EQ(free_blocks(), part_blocks);
  expect_recovery(rows, before);
}

// The same through a transaction: batches whose parts fit, then one that does not.
TEST_F(FullDiskTest, ATransactionThatRunsOutOfSpaceCommitsNothing) {
  Dataset dataset(settings_, std::string(kRunId));
  dataset.append(kEdges, random_edges(0, 500, 5, 5));
  const std::string manifest = read_bytes(edges_manifest(settings_));
  const std::vector<std::string> before = committed_rows();

  const frame::Frame first = random_edges(100, 4000, 40, 6);
  const frame::Frame second = random_edges(300, 4000, 40, 7);
  const frame::Frame third = random_edges(500, 40000, 400, 8);
  const std::vector<int64_t> first_sizes = part_sizes(first);
  const std::vector<int64_t> second_sizes = part_sizes(second);
  int64_t fitting = 0;
  for (const int64_t size : first_sizes) fitting += blocks_for(size);
  for (const int64_t size : second_sizes) fitting += blocks_for(size);
  ASSERT_NO_FATAL_FAILURE(leave_free_blocks(fitting + 4));

  {
    Dataset::Transaction transaction = dataset.begin(kEdges);
    transaction.add(first);
    transaction.add(second);
    // Rows reach the disk as row groups fill and at the commit: the disk fills on the way.
    const std::optional<IoWriteError> error = expect_error<IoWriteError>([&] {
      transaction.add(third);
      transaction.commit();
    });
    ASSERT_TRUE(error);
    EXPECT_THAT(error->what(), HasSubstr("No space left on device"));
    EXPECT_EQ(read_bytes(edges_manifest(settings_)), manifest);
    EXPECT_EQ(committed_rows(), before);
  }  // rolled back: the first two batches' rows go too
  EXPECT_EQ(read_bytes(edges_manifest(settings_)), manifest);
  EXPECT_EQ(committed_rows(), before);
  expect_no_leftover_files();
  EXPECT_EQ(free_blocks(), fitting + 4);
  expect_recovery(first, before);
}

}  // namespace
}  // namespace crv::io
