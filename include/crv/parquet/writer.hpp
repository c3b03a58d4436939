#pragma once
// Writes frames as Apache Parquet files.
//
// Types map as Int64 -> INT64, Float64 -> DOUBLE, Utf8 -> BYTE_ARRAY (STRING), Bool ->
// BOOLEAN, Struct -> group, List -> the standard three-level LIST group, nested to any
// depth with nulls at every level. Integer and string columns are dictionary encoded when
// that makes them smaller; pages are compressed with the chosen codec. Every column chunk
// carries statistics (null count, min and max) so engines can skip row groups.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "crv/frame/frame.hpp"

namespace crv::parquet {

enum class Compression : uint8_t { kNone, kSnappy, kGzip, kLz4, kZstd };

// "none", "snappy", "gzip", "lz4" or "zstd".
std::string_view to_string(Compression compression) noexcept;

struct WriterOptions {
  Compression compression = Compression::kZstd;
  // zstd: 1..22; gzip: 1..9; ignored by the other codecs.
  int compression_level = 3;
  // Rows per row group, at least 1.
  int64_t row_group_size = 131072;
  // Target uncompressed size of one data page's values.
  int64_t data_page_size = int64_t{1} << 20;
  // A column chunk whose dictionary would outgrow this is written PLAIN.
  int64_t dictionary_page_limit = int64_t{1} << 20;
  bool enable_dictionary = true;
  // Stored in the footer's key-value metadata, in this order.
  std::vector<std::pair<std::string, std::string>> key_value_metadata;
};

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

// Writes the file to `path` (created or replaced); IoWriteError when that fails.
WriteSummary write_parquet_file(const frame::Frame& frame, const std::filesystem::path& path,
                                const WriterOptions& options = {});

}  // namespace crv::parquet
