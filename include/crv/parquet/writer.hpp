#pragma once
// Writes frames as Apache Parquet files.
//
// Types map as Int64 -> INT64, Float64 -> DOUBLE, Utf8 -> BYTE_ARRAY (STRING), Bool ->
// BOOLEAN, Struct -> group, List -> the standard three-level LIST group, nested to any
// depth with nulls at every level. Integer and string columns are dictionary encoded when
// that makes them smaller; pages are compressed with the chosen codec. Every column chunk
// carries statistics (null count, min and max) so engines can skip row groups.

#include <cstdint>
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

// Encodes `frame` as a complete Parquet file appended to `out`. `fields` is the file's
// schema: one per frame column, in order, with the same names and types; their
// nullability decides OPTIONAL or REQUIRED (a null where the field is not nullable is an
// IoSchemaError). A struct without members is an IoSchemaError.
WriteSummary write_parquet(const frame::Frame& frame, std::span<const frame::Field> fields,
                           const WriterOptions& options, std::vector<uint8_t>& out);

// As above with every column nullable.
std::vector<uint8_t> write_parquet(const frame::Frame& frame, const WriterOptions& options = {});

}  // namespace crv::parquet
