// Parquet input of `crvio append`: a file read row group by row group into frames.

#include "cli/parquet_input.hpp"

#include <fmt/format.h>

namespace crv::cli {

ParquetBatchReader::ParquetBatchReader(const std::filesystem::path& path,
                                       const core::TableDescriptor& table)
    : BatchReader(path.string()), reader_(parquet::open_file_source(path)) {
  std::vector<std::string> integer_columns;
  for (const core::ColumnDescriptor& column : table.columns) {
    if (column.dtype == core::DType::kI64) integer_columns.emplace_back(column.name);
  }
  reader_.read_decimals_as_integers(integer_columns);
}

std::optional<frame::Frame> ParquetBatchReader::next(int64_t max_rows) {
  const parquet::FileInfo& info = reader_.info();
  // Row groups without rows are skipped.
  while (row_group_taken_ == row_group_.num_rows()) {
    if (next_row_group_ == static_cast<int>(info.row_groups.size())) {
      bytes_read_ = static_cast<int64_t>(info.file_size);
      return std::nullopt;
    }
    for (const parquet::ColumnChunkInfo& chunk : info.row_groups[next_row_group_].columns) {
      bytes_read_ += chunk.compressed_size;
    }
    row_group_ = prefetched_.valid() ? prefetched_.get() : read_row_group(next_row_group_);
    ++next_row_group_;
    row_group_taken_ = 0;
    if (next_row_group_ < static_cast<int>(info.row_groups.size())) {
      prefetched_ = std::async(std::launch::async, &ParquetBatchReader::read_row_group, this,
                               next_row_group_);
    }
  }
  batch_first_row_ += batch_rows_;
  batch_rows_ = std::min(max_rows, row_group_.num_rows() - row_group_taken_);
  frame::Frame batch = row_group_.slice(row_group_taken_, batch_rows_);
  row_group_taken_ += batch_rows_;
  return batch;
}

frame::Frame ParquetBatchReader::read_row_group(int index) {
  return reader_.read_row_group(index, {.pool = &pool_});
}

InputPosition ParquetBatchReader::position(std::optional<int64_t> row) const {
  if (row && *row >= 0 && *row < batch_rows_) {
    const int64_t file_row = batch_first_row_ + *row;
    return {fmt::format("{}: row {}", source(), file_row), file_row};
  }
  if (batch_rows_ == 1)
    return {fmt::format("{}: row {}", source(), batch_first_row_), std::nullopt};
  return {
      fmt::format("{}: rows {}-{}", source(), batch_first_row_, batch_first_row_ + batch_rows_ - 1),
      std::nullopt};
}

std::string ParquetBatchReader::rows_so_far() const {
  return fmt::format("the first {} rows of {}", batch_first_row_ + batch_rows_, source());
}

}  // namespace crv::cli
