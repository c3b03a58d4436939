#pragma once
// How the Parquet writer encodes a file: codec, level, row group and page sizes, and the
// footer's key-value metadata. The I/O layer's settings hold the same codec type and take
// their defaults from here, so a default is stated once.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crv::parquet {

// The codecs the writer compresses pages with.
enum class Compression : uint8_t { kNone, kSnappy, kGzip, kLz4, kZstd };

// "none", "snappy", "gzip", "lz4" or "zstd".
std::string_view to_string(Compression compression) noexcept;

// How a column chunk's values are encoded. kAuto encodes a sample of each chunk (its
// first 64 KiB of values as PLAIN, and the first half of that) every way that applies to
// the column's type, compresses each with the chunk's codec and keeps the one whose
// chunk, estimated from the sample, is smallest, counting a dictionary's page. Only
// encodings that DuckDB, Polars, arrow-rs and hyparquet all read are used: PLAIN and
// dictionary for every type but booleans (PLAIN), BYTE_STREAM_SPLIT for doubles and
// DELTA_BINARY_PACKED for integers. Forcing one that does not apply to a column
// (BYTE_STREAM_SPLIT on an integer, a dictionary on booleans, outgrowing
// dictionary_page_limit or with enable_dictionary off) leaves that column to kAuto.
enum class ValueEncoding : uint8_t {
  kAuto,
  kPlain,
  kDictionary,
  kByteStreamSplit,
  kDeltaBinaryPacked
};

// The defaults of the reference's settings (zstd, 131072 rows per row group), with zstd's
// own default level.
inline constexpr Compression kDefaultCompression = Compression::kZstd;
inline constexpr int kDefaultCompressionLevel = 3;
inline constexpr int64_t kDefaultRowGroupSize = 131072;

// A schema element's path, for its field id: the names from the top-level column down to
// the element, a list's element named "element" (the list's repeated group has no path).
using FieldPath = std::vector<std::string>;
using FieldIds = std::map<FieldPath, int32_t>;

struct WriterOptions {
  Compression compression = kDefaultCompression;
  // zstd: 1..22; gzip: 1..9; ignored by the other codecs.
  int compression_level = kDefaultCompressionLevel;
  // Rows per row group, at least 1.
  int64_t row_group_size = kDefaultRowGroupSize;
  // Target uncompressed size of one data page's values.
  int64_t data_page_size = int64_t{1} << 20;
  // A column chunk whose dictionary would outgrow this is written PLAIN.
  int64_t dictionary_page_limit = int64_t{1} << 20;
  bool enable_dictionary = true;
  // Every column's encoding, or kAuto to choose per column chunk (see ValueEncoding).
  ValueEncoding value_encoding = ValueEncoding::kAuto;
  // The footer's field_id of the schema elements at these paths; the others have none.
  // Table formats such as Apache Iceberg match a file's columns to their schema by them.
  FieldIds field_ids;
  // Stored in the footer's key-value metadata, in this order.
  std::vector<std::pair<std::string, std::string>> key_value_metadata;
};

}  // namespace crv::parquet
