#pragma once
// Reads Apache Parquet files into frames.
//
// Opening a file reads only its footer (schema, row groups, statistics, key-value
// metadata). Reading decodes the chosen columns of the chosen row groups, or of a range of
// rows within one row group: the PLAIN, dictionary (PLAIN_DICTIONARY, RLE_DICTIONARY),
// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT
// encodings, RLE booleans, RLE / bit-packed levels, data pages v1 and v2, the physical
// types BOOLEAN, INT32, INT64, FLOAT, DOUBLE, BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY, and the
// uncompressed, snappy, gzip, zstd, lz4 (LZ4_RAW, and the deprecated Hadoop-framed LZ4)
// and brotli codecs. Every byte read is checked: a truncated, corrupt or hostile file is
// an IoFormatError naming the file and the byte offset, never a crash or an allocation
// beyond what the file can justify. Schemas may nest groups at most 64 levels deep, and
// their names must be UTF-8.
//
// A column's logical type decides what it reads as, exactly or not at all: unsigned
// integers as their value in int64 (UINT64 above 2^63 - 1 refused), decimals as int64 at
// scale 0 and otherwise as the double that is their shortest form (else refused; see
// read_decimals_as_integers), FLOAT16 as float64, UUID as its text, bytes without a string
// annotation as text when UTF-8. A value refused is an IoSchemaError naming the file,
// column, row and value. DATE, TIME, TIMESTAMP, INT96 and INTERVAL columns have no frame
// type: opening such a file is an IoSchemaError naming the column.
//
// Beyond that, by default (see ReadVerification), each page's CRC-32 is compared with its
// bytes when the file stores one, and every string read is checked to be UTF-8, so damage
// that still decodes is an IoFormatError rather than wrong rows.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crv/frame/frame.hpp"
#include "crv/parquet/decode_pool.hpp"
#include "crv/parquet/writer_options.hpp"

namespace crv::parquet {

// A MAP column reads as a list of structs named `entries`, each holding a `key` and a
// `value` member (Arrow's names, whatever names the file's writer chose).
inline constexpr std::string_view kMapEntriesName = "entries";
inline constexpr std::string_view kMapKeyName = "key";
inline constexpr std::string_view kMapValueName = "value";

// Random access to a file's bytes.
class RandomAccessSource {
 public:
  virtual ~RandomAccessSource() = default;
  virtual uint64_t size() const = 0;
  // Fills `out` with exactly `length` bytes from `offset`; IoError when it cannot (the
  // caller has checked that the range lies inside size()).
  virtual void read_at(uint64_t offset, size_t length, std::vector<uint8_t>& out) = 0;
  // The name errors carry, usually the path.
  virtual const std::string& name() const = 0;
};

// A file opened for reading (IoError when it cannot be opened).
std::unique_ptr<RandomAccessSource> open_file_source(const std::filesystem::path& path);
// Bytes held in memory; `bytes` must outlive the source.
std::unique_ptr<RandomAccessSource> memory_source(std::span<const uint8_t> bytes, std::string name);

// The checks of content a reader makes; the file's structure is always checked.
struct ReadVerification {
  // Compare each page's CRC-32 (the format's optional `crc`, which crv-io always writes)
  // with the page's stored bytes; a mismatch is an IoFormatError naming the file, column
  // and page offset. Pages passed over unread (outside a row range) are not checked.
  bool checksums = true;
  // Check that every value of a BYTE_ARRAY column (all of which read as utf8) is valid
  // UTF-8; an invalid one is an IoFormatError naming the file, column and row. Turning it
  // off is only for files known to be intact: frames may then hold invalid strings.
  bool utf8 = true;
};

struct ColumnStatistics {
  std::optional<int64_t> null_count;
  // Typed like the column (int64, double, string or bool); absent when the file has none
  // or they cannot be trusted (e.g. legacy signed-order string statistics).
  std::optional<frame::Value> min;
  std::optional<frame::Value> max;
};

struct ColumnChunkInfo {
  std::string path;  // dotted path in the Parquet schema, e.g. "claims.list.element.text"
  int64_t num_values = 0;
  int64_t compressed_size = 0;
  int64_t uncompressed_size = 0;
  std::string codec;  // the format's codec name, e.g. "ZSTD"
  ColumnStatistics statistics;
};

struct RowGroupInfo {
  int64_t num_rows = 0;
  std::vector<ColumnChunkInfo> columns;  // one per leaf column, in schema order
};

struct FileInfo {
  uint64_t file_size = 0;
  int64_t num_rows = 0;
  std::vector<frame::Field> fields;  // the top-level columns as frame fields
  FieldIds field_ids;                // the schema elements' field ids, by path
  std::vector<RowGroupInfo> row_groups;
  std::vector<std::pair<std::string, std::string>> key_value_metadata;
  std::string created_by;

  // The value stored under `key`, if any.
  std::optional<std::string> metadata(std::string_view key) const;
};

struct ReadOptions {
  // Top-level columns to read, in the order wanted; empty reads all. An unknown name is
  // an IoSchemaError listing the file's columns.
  std::vector<std::string> columns;
  // Row groups to read, in the order wanted; empty reads all.
  std::vector<int> row_groups;
};

// Rows [begin, end) of one row group, counted from its first row.
struct RowRange {
  int64_t begin = 0;
  int64_t end = 0;

  int64_t size() const { return end - begin; }
};

struct RowGroupRead {
  // Top-level columns to read, in the order wanted; empty reads all. An unknown name is
  // an IoSchemaError listing the file's columns.
  std::vector<std::string> columns;
  // Only these rows; unset reads all of them. A range reaching outside the row group is an
  // IoSchemaError. Data pages wholly outside the range are passed over undecompressed
  // when their rows can be counted without it: always for columns outside lists; inside
  // lists, in data pages v2 (whose levels are stored apart) and past the range. The pages
  // that remain are decoded, but only their values in range are kept.
  std::optional<RowRange> rows;
  // Decodes the columns at the same time on the pool's threads; null decodes them on the
  // calling thread. The file itself is read on the calling thread either way.
  DecodePool* pool = nullptr;
};

class ParquetReader {
 public:
  // Reads and checks the footer; `verification` applies to every read.
  explicit ParquetReader(std::unique_ptr<RandomAccessSource> source,
                         ReadVerification verification = {});
  static ParquetReader open(const std::filesystem::path& path, ReadVerification verification = {});
  ~ParquetReader();
  ParquetReader(ParquetReader&&) noexcept;
  ParquetReader& operator=(ParquetReader&&) noexcept;

  const FileInfo& info() const;
  // DECIMAL columns among these top-level columns read into int64 instead of float64, for
  // a caller that stores them as integers: each value must then be whole and within
  // int64 (else IoSchemaError naming the column, row and value), however many digits it
  // has, where float64 would refuse a whole value beyond 2^53. Names that are not
  // top-level DECIMAL columns are passed over. Changes info().fields accordingly.
  void read_decimals_as_integers(const std::vector<std::string>& columns);
  // The selected columns of the selected row groups, concatenated.
  frame::Frame read(const ReadOptions& options = {});
  // One row group's selected columns (all when `columns` is empty).
  frame::Frame read_row_group(int index, const std::vector<std::string>& columns = {});
  // One row group's columns, rows and threads as `request` chooses.
  frame::Frame read_row_group(int index, const RowGroupRead& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crv::parquet
