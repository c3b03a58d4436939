// Rebuilding a table's manifest from the parts on disk, and Dataset::manifest.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/manifest.hpp"
#include "crv/io/paths.hpp"
#include "io/dataset_test_util.hpp"
#include "io/fault_injecting_file_system.hpp"
#include "parquet/format.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace crv::io {
namespace {

using namespace dataset_test;
using test_support::expect_error;
using testing::ElementsAre;
using testing::HasSubstr;
using testing::UnorderedElementsAre;

class RebuildManifestTest : public testing::Test {
 protected:
  Dataset open() { return Dataset(settings, std::string(kRunId), fs); }

  test_support::TempDir scratch;
  IoSettings settings = test_settings(scratch / "out");
  FaultInjectingFileSystem fs;
};

// The manifest without what a rebuild cannot know: its timestamps. Parts keep their
// order, which a rebuild recovers from modification times.
TableManifest comparable(TableManifest manifest) {
  manifest.created_at.clear();
  manifest.updated_at.clear();
  for (auto& [bucket, partition] : manifest.partitions) {
    for (PartMeta& part : partition.parts) part.created_at.clear();
  }
  return manifest;
}

// The part files of each bucket in the manifest's order.
std::vector<std::vector<std::filesystem::path>> parts_by_bucket(const IoSettings& settings,
                                                                const TableManifest& manifest) {
  std::vector<std::vector<std::filesystem::path>> buckets;
  for (const auto& [bucket, partition] : manifest.partitions) {
    std::vector<std::filesystem::path>& parts = buckets.emplace_back();
    for (const PartMeta& part : partition.parts) {
      parts.push_back(bucket_dir(settings, kRunId, kEdges, bucket) / part.path);
    }
  }
  return buckets;
}

// Rebuilding recovers the written order only if the file system told the appends apart.
// ext4 and tmpfs on current kernels keep nanoseconds, and appends that fsync take far
// longer than that; a file system with coarse times would fail here, not flake later.
void expect_distinct_modification_times(const IoSettings& settings, const TableManifest& manifest) {
  for (const auto& parts : parts_by_bucket(settings, manifest)) {
    for (size_t i = 1; i < parts.size(); ++i) {
      ASSERT_LT(std::filesystem::last_write_time(parts[i - 1]),
                std::filesystem::last_write_time(parts[i]))
          << parts[i - 1] << " and " << parts[i]
          << " were written one after the other, yet this file system gives them times in "
             "another order or the same time";
    }
  }
}

std::vector<std::string> part_names(const TableManifest& manifest, int64_t bucket) {
  std::vector<std::string> names;
  for (const PartMeta& part : manifest.partitions.at(bucket).parts) names.push_back(part.path);
  return names;
}

// Rewrites a part's footer without column statistics, as some writers produce them.
void strip_statistics(const std::filesystem::path& part) {
  const std::string bytes = read_bytes(part);
  uint32_t footer_length = 0;
  std::memcpy(&footer_length, bytes.data() + bytes.size() - 8, sizeof(footer_length));
  const size_t footer_start = bytes.size() - 8 - footer_length;
  auto footer = parquet::format::deserialize<parquet::format::FileMetaData>(
      std::span(reinterpret_cast<const uint8_t*>(bytes.data()) + footer_start, footer_length),
      footer_start, part.string());
  for (auto& row_group : footer.row_groups) {
    for (auto& column : row_group.columns) column.meta_data->statistics.reset();
  }
  const std::string encoded = parquet::format::serialize(footer);
  const auto length = static_cast<uint32_t>(encoded.size());
  std::string tail(sizeof(length), '\0');
  std::memcpy(tail.data(), &length, sizeof(length));
  write_bytes(part, bytes.substr(0, footer_start) + encoded + tail + "PAR1");
}

std::vector<std::filesystem::path> named_parts(const IoSettings& settings,
                                               const TableManifest& manifest) {
  const auto paths = named_part_paths(settings, kEdges, manifest);
  return {paths.begin(), paths.end()};
}

// --- the reference implementation's own check -------------------------------------------

TEST_F(RebuildManifestTest, SeventyFiveRowsInBucketsOfFiftyComeBackAsTwoPartitions) {
  settings.tick_bucket_size = 50;
  Dataset dataset = open();
  dataset.append(kEdges, edge_rows(tick_range(0, 75)));
  std::filesystem::remove(edges_manifest(settings));

  const RebuildResult result = dataset.rebuild_manifest(kEdges);

  const auto json = nlohmann::ordered_json::parse(read_bytes(edges_manifest(settings)));
  std::vector<std::string> keys;
  for (const auto& item : json["partitions"].items()) keys.push_back(item.key());
  EXPECT_THAT(keys, ElementsAre("000000", "000001"));
  EXPECT_EQ(manifest_rows(result.manifest), 75);
  EXPECT_EQ(dataset.read(kEdges).num_rows(), 75);
}

// --- fidelity --------------------------------------------------------------------------------

TEST_F(RebuildManifestTest, TheRebuiltManifestEqualsTheWrittenOneButForTimestamps) {
  Dataset dataset = open();
  dataset.append(kEdges, edge_rows(tick_range(0, 150)));
  dataset.append(kEdges, edge_rows(tick_range(50, 200)));
  dataset.append(kEdges, edge_rows({130, 120, 125}));
  const TableManifest written = *load_from_disk(edges_manifest(settings));
  ASSERT_EQ(written.partitions.at(1).parts.size(), 3u);
  expect_distinct_modification_times(settings, written);
  std::filesystem::remove(edges_manifest(settings));

  const RebuildResult result = dataset.rebuild_manifest(kEdges);

  EXPECT_EQ(comparable(result.manifest), comparable(written));
  EXPECT_EQ(*load_from_disk(edges_manifest(settings)), result.manifest);
  EXPECT_TRUE(result.ignored_temp_files.empty());
  EXPECT_EQ(result.manifest.created_at, result.manifest.updated_at);
  for (const auto& [bucket, partition] : result.manifest.partitions) {
    for (const PartMeta& part : partition.parts) {
      EXPECT_EQ(part.created_at, result.manifest.created_at);
    }
  }
}

TEST_F(RebuildManifestTest, ProgressCountsEveryPartAgainstTheTotal) {
  Dataset dataset = open();
  dataset.append(kEdges, edge_rows(tick_range(0, 250)));
  dataset.append(kEdges, edge_rows(tick_range(100, 120)));
  const auto parts =
      static_cast<int64_t>(named_parts(settings, *load_from_disk(edges_manifest(settings))).size());
  ASSERT_GT(parts, 2);

  std::vector<std::pair<int64_t, int64_t>> calls;
  dataset.rebuild_manifest(
      kEdges, [&calls](int64_t done, int64_t total) { calls.emplace_back(done, total); });

  std::vector<std::pair<int64_t, int64_t>> expected;
  for (int64_t done = 1; done <= parts; ++done) expected.emplace_back(done, parts);
  EXPECT_EQ(calls, expected);
}

TEST_F(RebuildManifestTest, PartsFollowTheirModificationTimesAndTiesFollowTheirNames) {
  Dataset dataset = open();
  for (int append = 0; append < 4; ++append) dataset.append(kEdges, edge_rows(tick_range(0, 10)));
  const TableManifest written = *load_from_disk(edges_manifest(settings));
  std::vector<std::filesystem::path> parts = parts_by_bucket(settings, written).front();
  ASSERT_EQ(parts.size(), 4u);
  std::sort(parts.begin(), parts.end());
  std::vector<std::string> by_name;
  for (const auto& part : parts) by_name.push_back(part.filename().string());

  // Times that reverse the name order: the times decide.
  const auto base = std::filesystem::file_time_type::clock::now() - std::chrono::hours(1);
  for (size_t i = 0; i < parts.size(); ++i) {
    std::filesystem::last_write_time(parts[i], base + std::chrono::seconds(parts.size() - i));
  }
  EXPECT_EQ(part_names(dataset.rebuild_manifest(kEdges).manifest, 0),
            std::vector<std::string>(by_name.rbegin(), by_name.rend()));

  // The same time for all: the names decide, whatever order the folder lists them in.
  for (const auto& part : parts) std::filesystem::last_write_time(part, base);
  EXPECT_EQ(part_names(dataset.rebuild_manifest(kEdges).manifest, 0), by_name);
  // Two tied pairs: each pair by name, the pairs by time.
  for (size_t i = 0; i < parts.size(); ++i) {
    std::filesystem::last_write_time(parts[i], base + std::chrono::seconds(i % 2));
  }
  EXPECT_EQ(part_names(dataset.rebuild_manifest(kEdges).manifest, 0),
            (std::vector<std::string>{by_name[0], by_name[2], by_name[1], by_name[3]}));
}

TEST_F(RebuildManifestTest, OnlyFootersAreRead) {
  settings.tick_bucket_size = 1000;
  Dataset dataset = open();
  dataset.append(kEdges, edge_rows(tick_range(0, 3000)));
  const TableManifest written = *load_from_disk(edges_manifest(settings));
  uint64_t part_bytes = 0;
  for (const auto& part : named_parts(settings, written)) {
    part_bytes += std::filesystem::file_size(part);
  }

  const uint64_t before = fs.bytes_read();
  dataset.rebuild_manifest(kEdges);
  EXPECT_LT((fs.bytes_read() - before) * 5, part_bytes);
}

TEST_F(RebuildManifestTest, PartsWithoutStatisticsHaveTheirTicksDecoded) {
  settings.row_group_size = 16;
  Dataset dataset = open();
  std::vector<int64_t> ticks = tick_range(0, 180);
  std::reverse(ticks.begin() + 100, ticks.end());
  dataset.append(kEdges, edge_rows(ticks));
  const TableManifest written = *load_from_disk(edges_manifest(settings));
  for (const auto& part : named_parts(settings, written)) {
    strip_statistics(part);
    const auto reader = parquet::ParquetReader::open(part);
    ASSERT_FALSE(reader.info().row_groups.front().columns.front().statistics.min);
  }

  const RebuildResult result = dataset.rebuild_manifest(kEdges);

  ASSERT_EQ(result.manifest.partitions.size(), 2u);
  const PartitionMeta& second = result.manifest.partitions.at(1);
  EXPECT_EQ(second.tick_min, 100);
  EXPECT_EQ(second.tick_max, 179);
  EXPECT_EQ(result.manifest.partitions.at(0).tick_max, 99);
  for (const auto& [bucket, partition] : result.manifest.partitions) {
    ASSERT_EQ(partition.parts.size(), 1u);
    const auto part = bucket_dir(settings, kRunId, kEdges, bucket) / partition.parts[0].path;
    EXPECT_EQ(static_cast<int64_t>(std::filesystem::file_size(part)), partition.byte_size);
  }
  // Without statistics no row group can be skipped, yet the rows are exact.
  TableScanner scanner = dataset.scan(kEdges, {.tick_min = 150, .tick_max = 160});
  std::vector<int64_t> found;
  while (auto rows = scanner.next()) {
    for (int64_t tick : int64_column(*rows, "tick")) found.push_back(tick);
  }
  std::sort(found.begin(), found.end());
  EXPECT_EQ(found, tick_range(150, 11));
  EXPECT_EQ(scanner.stats().row_groups_pruned, 0);
}

// --- what a rebuild leaves alone -----------------------------------------------------------

// A rebuild run against the advice, while an append has written its parts but not yet
// committed them, adopts those parts. The append's commit must then fail without making the
// table unreadable or deleting a part the rebuilt table names.
TEST_F(RebuildManifestTest, AnAppendWhosePartsARebuildAdoptedFailsAndKeepsThemNamed) {
  settings.iceberg_metadata = false;
  Dataset(settings, std::string(kRunId)).append(kEdges, edge_rows(tick_range(0, 10)));
  bool rebuilt = false;
  fs.before(
      FsOperation::kLock, 1,
      [&] {
        rebuilt = true;
        Dataset(settings, std::string(kRunId)).rebuild_manifest(kEdges);
      },
      "*/.lock");
  const auto refused =
      expect_error<IoManifestError>([&] { open().append(kEdges, edge_rows(tick_range(100, 10))); });
  ASSERT_TRUE(rebuilt);
  ASSERT_TRUE(refused);
  EXPECT_THAT(refused->message(), HasSubstr("nothing was committed"));
  EXPECT_THAT(refused->message(), HasSubstr("already has part"));
  const TableManifest manifest = expect_table_consistent(settings, kEdges);
  EXPECT_EQ(manifest.partitions.size(), 2u);
  Dataset reader(settings, std::string(kRunId));
  std::vector<int64_t> expected = tick_range(0, 10);
  const std::vector<int64_t> adopted = tick_range(100, 10);
  expected.insert(expected.end(), adopted.begin(), adopted.end());
  EXPECT_EQ(int64_column(reader.read(kEdges), "tick"), expected);
  EXPECT_NO_THROW(open().append(kEdges, edge_rows({200})));
}

TEST_F(RebuildManifestTest, TemporaryFilesAreListedAndKept) {
  Dataset dataset = open();
  dataset.append(kEdges, edge_rows(tick_range(0, 10)));
  dataset.flush();
  const TableManifest written = *load_from_disk(edges_manifest(settings));
  const auto part_tmp =
      bucket_dir(settings, kRunId, kEdges, 0) / ("part-" + std::string(32, 'a') + ".parquet.tmp");
  const auto manifest_tmp = edges_dir(settings) / ("manifest.json.tmp-" + std::string(32, 'b'));
  write_bytes(part_tmp, "half a part");
  write_bytes(manifest_tmp, "{\"half\": ");
  const TreeSnapshot before = snapshot_tree(settings.root_dir);

  const RebuildResult result = dataset.rebuild_manifest(kEdges);

  EXPECT_THAT(result.ignored_temp_files, UnorderedElementsAre(part_tmp, manifest_tmp));
  EXPECT_EQ(comparable(result.manifest), comparable(written));
  // Besides manifest.json only the commit log changes (the rebuild is its newest version),
  // and the lock that compactions and rewinds hold appears.
  std::string differences = describe_differences(before, snapshot_tree(settings.root_dir));
  const std::string log_folder =
      (edges_dir(settings) / "_log").lexically_relative(settings.root_dir);
  std::string outside_log;
  for (size_t start = 0; start < differences.size();) {
    const size_t end = differences.find('\n', start);
    const std::string line = differences.substr(start, end - start + 1);
    if (line.find(log_folder) == std::string::npos) outside_log += line;
    start = end + 1;
  }
  const std::filesystem::path table = edges_dir(settings).lexically_relative(settings.root_dir);
  EXPECT_EQ(outside_log, "changed " + (table / "manifest.json").string() + "\nadded " +
                             (table / ".compact.lock").string() + "\n");
  EXPECT_NE(differences.find(log_folder + "/00000000000000000002.entry"), std::string::npos)
      << differences;
}

TEST_F(RebuildManifestTest, ACorruptPartIsAManifestErrorAndNothingIsWritten) {
  Dataset dataset = open();
  dataset.append(kEdges, edge_rows(tick_range(0, 150)));
  const TableManifest written = *load_from_disk(edges_manifest(settings));
  const std::filesystem::path part = named_parts(settings, written).back();
  write_bytes(part, "PAR1 this is not a parquet file PAR1");
  const TreeSnapshot before = snapshot_tree(settings.root_dir);

  const auto error = expect_error<IoManifestError>([&] { dataset.rebuild_manifest(kEdges); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->context().path, part.string());
  EXPECT_THAT(error->message(), HasSubstr(part.filename().string()));
  // Only the lock that compactions and rewinds hold appears.
  EXPECT_EQ(
      describe_differences(before, snapshot_tree(settings.root_dir)),
      "added " +
          (edges_dir(settings) / ".compact.lock").lexically_relative(settings.root_dir).string() +
          "\n");
}

TEST_F(RebuildManifestTest, AParquetFileThatIsNotNamedLikeAPartIsAManifestError) {
  Dataset dataset = open();
  dataset.append(kEdges, edge_rows(tick_range(0, 10)));
  const auto stray = bucket_dir(settings, kRunId, kEdges, 0) / "extra.parquet";
  write_bytes(stray, "x");

  const auto error = expect_error<IoManifestError>([&] { dataset.rebuild_manifest(kEdges); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->context().path, stray.string());
}

TEST_F(RebuildManifestTest, ATableWithoutAFolderHasNothingToRebuild) {
  Dataset dataset = open();
  EXPECT_TRUE(expect_error<IoManifestError>([&] { dataset.rebuild_manifest(kEdges); }));
  EXPECT_FALSE(std::filesystem::exists(edges_dir(settings)));
}

// --- Dataset::manifest -------------------------------------------------------------------

TEST_F(RebuildManifestTest, ManifestReturnsTheCommittedManifestOrPointsToTheRebuild) {
  Dataset dataset = open();
  const auto missing = expect_error<IoManifestError>([&] { dataset.manifest(kEdges); });
  ASSERT_TRUE(missing);
  EXPECT_THAT(missing->message(), HasSubstr("rebuild_manifest"));

  dataset.append(kEdges, edge_rows(tick_range(0, 120)));
  EXPECT_EQ(dataset.manifest(kEdges), *load_from_disk(edges_manifest(settings)));
  EXPECT_THROW(dataset.manifest("no_such_table"), GrammarError);
}

}  // namespace
}  // namespace crv::io
