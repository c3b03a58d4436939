// `crvio read --format parquet` writes with the settings in force and the crv_* key-value
// metadata the table's parts carry.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "cli/run_crvio.hpp"
#include "crv/cli/main.hpp"
#include "crv/core/schema_version.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/paths.hpp"
#include "crv/parquet/reader.hpp"
#include "io/dataset_test_util.hpp"
#include "support/scoped_environment.hpp"
#include "support/temp_dir.hpp"

namespace crv::cli {
namespace {

constexpr const char* kExportRun = "export-run";
constexpr const char* kExportTable = "identity_edges";
constexpr const char* kCrvKeys[] = {"crv_schema_version", "crv_table_name", "crv_run_id"};

// identity_edges rows for ticks 0 .. count - 1, written with the default settings (zstd,
// 131072 rows per row group), so the export's settings cannot come from the parts.
void append_edges(const io::IoSettings& settings, int64_t count) {
  io::append(settings, kExportRun, kExportTable,
             io::dataset_test::edge_rows(io::dataset_test::tick_range(0, count)));
}

// The footer of the first part the table's manifest names.
parquet::FileInfo first_part_footer(const io::IoSettings& settings) {
  io::Dataset dataset(settings, kExportRun);
  const io::TableManifest manifest = dataset.manifest(kExportTable);
  const auto& [bucket, partition] = *manifest.partitions.begin();
  return parquet::ParquetReader::open(io::bucket_dir(settings, kExportRun, kExportTable, bucket) /
                                      partition.parts.front().path)
      .info();
}

TEST(CliReadParquetExport, UsesTheSettingsCodecAndRowGroupSizeAndThePartsMetadata) {
  const test_support::TempDir scratch;
  io::IoSettings settings;
  settings.root_dir = scratch.path();
  append_edges(settings, 250);
  const parquet::FileInfo part = first_part_footer(settings);
  ASSERT_EQ(part.row_groups.front().columns.front().codec, "ZSTD");

  const std::filesystem::path output = scratch.path() / "edges.parquet";
  {
    const test_support::ScopedEnvironment codec("CRV_IO_COMPRESSION", "snappy");
    const test_support::ScopedEnvironment row_group_size("CRV_IO_ROW_GROUP_SIZE", "100");
    const testing::CommandResult result =
        testing::run_crvio({"read", "--root", scratch.path().string(), "--run", kExportRun,
                            "--table", kExportTable, "-o", output.string()});
    ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  }

  parquet::ParquetReader reader = parquet::ParquetReader::open(output);
  const parquet::FileInfo& exported = reader.info();
  EXPECT_EQ(exported.num_rows, 250);
  ASSERT_EQ(exported.row_groups.size(), 3u);  // 100 + 100 + 50 rows
  EXPECT_EQ(exported.row_groups.back().num_rows, 50);
  for (const parquet::RowGroupInfo& group : exported.row_groups) {
    for (const parquet::ColumnChunkInfo& column : group.columns) {
      EXPECT_EQ(column.codec, "SNAPPY");
    }
  }
  EXPECT_EQ(exported.metadata("crv_schema_version"), core::schema_v().to_string());
  EXPECT_EQ(exported.metadata("crv_table_name"), kExportTable);
  EXPECT_EQ(exported.metadata("crv_run_id"), kExportRun);
  for (const char* key : kCrvKeys) {
    EXPECT_EQ(exported.metadata(key), part.metadata(key)) << key;
  }

  io::Dataset dataset(settings, kExportRun);
  EXPECT_TRUE(reader.read().equals(dataset.read(kExportTable)));
}

}  // namespace
}  // namespace crv::cli
