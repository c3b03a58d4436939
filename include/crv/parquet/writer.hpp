#pragma once
// Writes frames as Apache Parquet files.
//
// Types map as Int64 -> INT64, Float64 -> DOUBLE, Utf8 -> BYTE_ARRAY (STRING), Bool ->
// BOOLEAN, Struct -> group, List -> the standard three-level LIST group, nested to any
// depth with nulls at every level. Each column chunk takes the encoding that makes it
// smallest after compression, judged on a sample of its values: PLAIN, a dictionary
// (integers, doubles, strings), BYTE_STREAM_SPLIT (doubles) or DELTA_BINARY_PACKED
// (integers); WriterOptions::value_encoding forces one. Pages are compressed with the
// chosen codec. Every column chunk carries statistics (null count, min and max) so
// engines can skip row groups.

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "crv/frame/frame.hpp"
#include "crv/parquet/writer_options.hpp"

namespace crv::parquet {

// What a write produced.
struct WriteSummary {
  int64_t rows = 0;
  int64_t row_groups = 0;
  uint64_t bytes = 0;
};

// Writes one Parquet file a batch of rows at a time, for files that should not be held in
// memory whole. Each write() encodes row groups and appends their bytes to the caller's
// buffer, which the caller may drain (write out and clear) between calls: offsets in the
// footer count the bytes emitted by this writer, not positions in the buffer.
class FileWriter {
 public:
  // `fields` is the file's schema, as for write_parquet below. IoSchemaError for invalid
  // options or a struct without members.
  FileWriter(std::vector<frame::Field> fields, WriterOptions options);
  ~FileWriter();
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  const std::vector<frame::Field>& fields() const;
  // Encodes `rows` (columns as `fields`, checked as write_parquet does) as row groups of
  // at most the options' row_group_size rows, appended to `out` (the first call emits the
  // file's magic before them). On error nothing is appended and the writer is unchanged.
  void write(const frame::Frame& rows, std::vector<uint8_t>& out);
  // Appends the footer: the file is complete. Only write() calls before it count.
  WriteSummary finish(std::vector<uint8_t>& out);
  // Bytes emitted so far.
  uint64_t bytes() const;
  int64_t rows() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Encodes `frame` as a complete Parquet file appended to `out`. `fields` is the file's
// schema: one per frame column, in order, with the same names and types; their
// nullability decides OPTIONAL or REQUIRED (a null where the field is not nullable is an
// IoSchemaError). A struct without members is an IoSchemaError.
WriteSummary write_parquet(const frame::Frame& frame, std::span<const frame::Field> fields,
                           const WriterOptions& options, std::vector<uint8_t>& out);

// As above with every column nullable.
std::vector<uint8_t> write_parquet(const frame::Frame& frame, const WriterOptions& options = {});

}  // namespace crv::parquet
