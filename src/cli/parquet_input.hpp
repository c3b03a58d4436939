#pragma once
// Parquet to frames, row group by row group: while the caller works on batches of one
// row group, the next one is decoded on other threads, so memory holds two row groups
// (batches cut from a larger one share its buffers). Rows are numbered from 0 in the file,
// in messages as in ErrorContext.

#include <filesystem>
#include <future>
#include <optional>

#include "cli/batch_reader.hpp"
#include "crv/core/table_descriptor.hpp"
#include "crv/frame/frame.hpp"
#include "crv/parquet/decode_pool.hpp"
#include "crv/parquet/reader.hpp"

namespace crv::cli {

class ParquetBatchReader final : public BatchReader {
 public:
  // Reads the footer; IoError when the file cannot be opened, IoFormatError when it is
  // not valid Parquet. DECIMAL columns going into the table's i64 columns read as whole
  // integers rather than doubles, so no digit is lost on the way.
  ParquetBatchReader(const std::filesystem::path& path, const core::TableDescriptor& table);

  // IoFormatError (naming the file and byte offset) for a corrupt row group.
  std::optional<frame::Frame> next(int64_t max_rows) override;
  InputPosition position(std::optional<int64_t> row) const override;
  std::string rows_so_far() const override;
  int64_t bytes_read() const override { return bytes_read_; }

 private:
  frame::Frame read_row_group(int index);

  parquet::ParquetReader reader_;
  // Decodes a row group's columns on every hardware thread.
  parquet::DecodePool pool_;
  int next_row_group_ = 0;
  frame::Frame row_group_;       // the row group batches are cut from
  int64_t row_group_taken_ = 0;  // its rows already returned
  int64_t batch_first_row_ = 0;  // file row of the last batch's first row
  int64_t batch_rows_ = 0;
  int64_t bytes_read_ = 0;
  // Row group `next_row_group_`, being decoded; declared last so that it is waited for
  // before the reader and the pool it uses go.
  std::future<frame::Frame> prefetched_;
};

}  // namespace crv::cli
