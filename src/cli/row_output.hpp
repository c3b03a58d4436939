#pragma once
// Rows of a scan written as JSON lines, CSV or Parquet.

#include <memory>
#include <ostream>
#include <vector>

#include "cli/file_format.hpp"
#include "crv/frame/frame.hpp"
#include "crv/parquet/writer_options.hpp"

namespace crv::cli {

class RowWriter {
 public:
  virtual ~RowWriter() = default;
  // Batches arrive in order and share one schema.
  virtual void write(const frame::Frame& batch) = 0;
  // Called once after the last batch (also when there was none).
  virtual void finish() = 0;
};

// JSON lines: one object per row; structs as objects, lists as arrays, int64 exact, and
// NaN/Infinity/-Infinity as strings since JSON has no such numbers.
// CSV: a header, then one line per row; null is an empty field and an empty string is
// "", so the two stay apart; structs and lists are JSON text in one quoted field.
// Parquet: one file with `fields` as its schema, written with `parquet_options` (codec,
// row group size, key-value metadata); the batches are collected and written when
// finished. The other formats ignore `parquet_options`.
// Every batch has the columns of `fields`, which also give the CSV header and the
// Parquet schema when no batch comes.
std::unique_ptr<RowWriter> make_row_writer(FileFormat format, std::ostream& out,
                                           std::vector<frame::Field> fields,
                                           parquet::WriterOptions parquet_options);

}  // namespace crv::cli
