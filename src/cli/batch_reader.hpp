#pragma once
// The input of `crvio append`, read batch by batch so that memory holds one batch
// whatever the size of the input. One reader per format: jsonl_input, csv_input,
// parquet_input. Readers also say where each row came from, so that an error found
// later (when the batch is validated against the table) still names the input line.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/frame.hpp"

namespace crv::cli {

// A place in the input, for error messages.
struct InputPosition {
  std::string text;            // e.g. "edges.csv:12", "edges.parquet: row 7"
  std::optional<int64_t> row;  // for ErrorContext: the 0-based line, or the 0-based file row
};

class BatchReader {
 public:
  virtual ~BatchReader() = default;

  // The next 1 to `max_rows` rows, or nothing at the end of the input. Malformed input is
  // an IoSchemaError naming the source, the line (or row) and the column.
  virtual std::optional<frame::Frame> next(int64_t max_rows) = 0;

  // Where row `row` of the last batch came from; without a row (or with one the batch does
  // not have), the whole last batch.
  virtual InputPosition position(std::optional<int64_t> row) const = 0;
  // The input up to the end of the last batch, as a phrase such as
  // "rows up to line 120 of edges.csv".
  virtual std::string rows_so_far() const = 0;
  // Bytes of the input consumed so far, for progress.
  virtual int64_t bytes_read() const = 0;

  const std::string& source() const { return source_; }

  // An IoSchemaError "<where>: <message>" with the source, column, row and byte offset in
  // the input as context.
  IoSchemaError error_at(const InputPosition& where, const std::string& column,
                         const std::string& message,
                         std::optional<uint64_t> offset = std::nullopt) const;

 protected:
  explicit BatchReader(std::string source) : source_(std::move(source)) {}

 private:
  std::string source_;
};

// A reader of text with one row per line (or, for CSV, per record of one or more
// lines); rows are located by their first line.
class LineBatchReader : public BatchReader {
 public:
  InputPosition position(std::optional<int64_t> row) const override;
  std::string rows_so_far() const override;

 protected:
  using BatchReader::BatchReader;

  // The position of a line that is not (yet) a row of a batch.
  InputPosition line_position(int64_t line) const;
  // Makes the batch being read (whose rows start on new_lines_) the last batch, so that
  // the end of the input leaves the last batch's positions as they were.
  void finish_batch(int64_t last_line) {
    std::swap(row_lines_, new_lines_);
    new_lines_.clear();
    last_line_ = last_line;
  }

  std::vector<int64_t> new_lines_;  // first line of each row of the batch being read

 private:
  std::vector<int64_t> row_lines_;  // first line of each row of the last batch
  int64_t last_line_ = 0;           // last line of the last batch's last row
};

}  // namespace crv::cli
