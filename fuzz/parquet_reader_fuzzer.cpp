// A Parquet file as the scanner, rebuild-manifest and fsck read one: the footer, schema,
// statistics and key-value metadata, then every row group decoded, whole and by rows.

#include <cstdint>
#include <span>

#include "crv/core/errors.hpp"
#include "crv/parquet/reader.hpp"

namespace {

// Every value of a small frame, so that a bad offset or length in what the reader built
// is read out of bounds, which the sanitizers report.
void touch(const crv::frame::Frame& frame) {
  constexpr int64_t kMostRows = 4096;
  if (frame.num_rows() <= kMostRows) (void)frame.to_struct_array()->to_string();
}

void read_everything(const uint8_t* data, size_t size) {
  crv::parquet::ParquetReader reader(
      crv::parquet::memory_source(std::span<const uint8_t>(data, size), "fuzz.parquet"));
  const crv::parquet::FileInfo& info = reader.info();
  for (const crv::frame::Field& field : info.fields) (void)field.type->to_string();
  (void)info.metadata("crv_table_name");
  for (const crv::parquet::RowGroupInfo& group : info.row_groups) {
    for (const crv::parquet::ColumnChunkInfo& column : group.columns) {
      if (column.statistics.min) (void)column.statistics.min->to_string();
      if (column.statistics.max) (void)column.statistics.max->to_string();
    }
  }
  for (size_t index = 0; index < info.row_groups.size(); ++index) {
    const int group = static_cast<int>(index);
    touch(reader.read_row_group(group));
    // The rows after the first, which skips pages where it can.
    const int64_t rows = info.row_groups[index].num_rows;
    if (rows > 1) touch(reader.read_row_group(group, {.rows = crv::parquet::RowRange{1, rows}}));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    read_everything(data, size);
  } catch (const crv::Error&) {
    // Rejecting a hostile file is the expected outcome; a crash or another exception is a bug.
  }
  return 0;
}
