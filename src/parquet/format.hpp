#pragma once
// The Parquet metadata structures a writer and reader of flat and nested columns
// need, mirroring the fields of the Apache Parquet format's parquet.thrift, with
// their Thrift compact encoding.
//
// Fields the format marks optional are std::optional; required ones are plain
// members and decoding fails with IoFormatError when one is absent. Enum members
// hold the raw wire value, which may lie outside the listed enumerators when a file
// comes from a newer writer: whoever interprets the field decides whether it can.
// Fields not listed here (bloom filter location, size statistics, encryption, ...)
// are skipped when decoding; LogicalType members not listed decode as
// UnrecognizedLogicalType.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace crv::parquet::format {

// The four bytes a Parquet file starts and ends with.
inline constexpr std::string_view kMagic = "PAR1";

enum class Type : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};

// The format's name of a physical type ("INT64"), or UNKNOWN(<number>).
std::string type_name(Type type);

enum class ConvertedType : int32_t {
  kUtf8 = 0,
  kMap = 1,
  kMapKeyValue = 2,
  kList = 3,
  kEnum = 4,
  kDecimal = 5,
  kDate = 6,
  kTimeMillis = 7,
  kTimeMicros = 8,
  kTimestampMillis = 9,
  kTimestampMicros = 10,
  kUint8 = 11,
  kUint16 = 12,
  kUint32 = 13,
  kUint64 = 14,
  kInt8 = 15,
  kInt16 = 16,
  kInt32 = 17,
  kInt64 = 18,
  kJson = 19,
  kBson = 20,
  kInterval = 21,
};

enum class FieldRepetitionType : int32_t {
  kRequired = 0,
  kOptional = 1,
  kRepeated = 2,
};

enum class Encoding : int32_t {
  kPlain = 0,
  kPlainDictionary = 2,
  kRle = 3,
  kBitPacked = 4,
  kDeltaBinaryPacked = 5,
  kDeltaLengthByteArray = 6,
  kDeltaByteArray = 7,
  kRleDictionary = 8,
  kByteStreamSplit = 9,
};

// The format's name of an encoding ("RLE_DICTIONARY"), or UNKNOWN(<number>).
std::string encoding_name(Encoding encoding);

enum class CompressionCodec : int32_t {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kLzo = 3,
  kBrotli = 4,
  kLz4 = 5,
  kZstd = 6,
  kLz4Raw = 7,
};

enum class PageType : int32_t {
  kDataPage = 0,
  kIndexPage = 1,
  kDictionaryPage = 2,
  kDataPageV2 = 3,
};

enum class BoundaryOrder : int32_t {
  kUnordered = 0,
  kAscending = 1,
  kDescending = 2,
};

// The format's TimeUnit union, whose members are all empty: the enumerator is the
// member's field id. An unknown member keeps its id.
enum class TimeUnit : int16_t {
  kMillis = 1,
  kMicros = 2,
  kNanos = 3,
};

// The format's ColumnOrder union, represented like TimeUnit. Per the format, a
// reader that does not know a column's order must ignore its min/max statistics.
enum class ColumnOrder : int16_t {
  kTypeOrder = 1,
  kIeee754TotalOrder = 2,
  kInt96TimestampOrder = 3,
};

struct Statistics {
  std::optional<std::string> max;  // deprecated: signed order only
  std::optional<std::string> min;  // deprecated: signed order only
  std::optional<int64_t> null_count;
  std::optional<int64_t> distinct_count;
  std::optional<std::string> max_value;
  std::optional<std::string> min_value;
  std::optional<bool> is_max_value_exact;
  std::optional<bool> is_min_value_exact;
  bool operator==(const Statistics&) const = default;
};

// Members of the LogicalType union.
struct StringType {
  bool operator==(const StringType&) const = default;
};
struct MapType {
  bool operator==(const MapType&) const = default;
};
struct ListType {
  bool operator==(const ListType&) const = default;
};
struct EnumType {
  bool operator==(const EnumType&) const = default;
};
struct DecimalType {
  int32_t scale = 0;
  int32_t precision = 0;
  bool operator==(const DecimalType&) const = default;
};
struct DateType {
  bool operator==(const DateType&) const = default;
};
struct TimeType {
  bool is_adjusted_to_utc = false;
  TimeUnit unit = TimeUnit::kMillis;
  bool operator==(const TimeType&) const = default;
};
struct TimestampType {
  bool is_adjusted_to_utc = false;
  TimeUnit unit = TimeUnit::kMillis;
  bool operator==(const TimestampType&) const = default;
};
struct IntType {
  int8_t bit_width = 0;
  bool is_signed = false;
  bool operator==(const IntType&) const = default;
};
// The format calls this member UNKNOWN: a column whose values are all null.
struct NullType {
  bool operator==(const NullType&) const = default;
};
struct JsonType {
  bool operator==(const JsonType&) const = default;
};
struct BsonType {
  bool operator==(const BsonType&) const = default;
};
struct UuidType {
  bool operator==(const UuidType&) const = default;
};
struct Float16Type {
  bool operator==(const Float16Type&) const = default;
};
// A member this library does not know (e.g. VARIANT, GEOMETRY). Its content is
// skipped when read; it is written back as an empty struct under the same id.
struct UnrecognizedLogicalType {
  int16_t field_id = 0;
  bool operator==(const UnrecognizedLogicalType&) const = default;
};

using LogicalType = std::variant<StringType, MapType, ListType, EnumType, DecimalType, DateType,
                                 TimeType, TimestampType, IntType, NullType, JsonType, BsonType,
                                 UuidType, Float16Type, UnrecognizedLogicalType>;

// One node of the schema tree, which the footer lists depth-first; a group has
// num_children and no type, a leaf has a type and no num_children.
struct SchemaElement {
  std::optional<Type> type;
  std::optional<int32_t> type_length;
  std::optional<FieldRepetitionType> repetition_type;  // absent on the root only
  std::string name;
  std::optional<int32_t> num_children;
  std::optional<ConvertedType> converted_type;
  std::optional<int32_t> scale;
  std::optional<int32_t> precision;
  std::optional<int32_t> field_id;
  std::optional<LogicalType> logical_type;
  bool operator==(const SchemaElement&) const = default;
};

struct DataPageHeader {
  int32_t num_values = 0;  // including nulls
  Encoding encoding = Encoding::kPlain;
  Encoding definition_level_encoding = Encoding::kRle;
  Encoding repetition_level_encoding = Encoding::kRle;
  std::optional<Statistics> statistics;
  bool operator==(const DataPageHeader&) const = default;
};

struct IndexPageHeader {
  bool operator==(const IndexPageHeader&) const = default;
};

struct DictionaryPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  std::optional<bool> is_sorted;
  bool operator==(const DictionaryPageHeader&) const = default;
};

struct DataPageHeaderV2 {
  int32_t num_values = 0;  // including nulls
  int32_t num_nulls = 0;
  int32_t num_rows = 0;
  Encoding encoding = Encoding::kPlain;
  int32_t definition_levels_byte_length = 0;
  int32_t repetition_levels_byte_length = 0;
  std::optional<bool> is_compressed;  // absent means compressed
  std::optional<Statistics> statistics;
  bool operator==(const DataPageHeaderV2&) const = default;
};

// Sizes exclude the header itself; exactly one of the *_header members matches `type`.
struct PageHeader {
  PageType type = PageType::kDataPage;
  int32_t uncompressed_page_size = 0;
  int32_t compressed_page_size = 0;
  std::optional<int32_t> crc;
  std::optional<DataPageHeader> data_page_header;
  std::optional<IndexPageHeader> index_page_header;
  std::optional<DictionaryPageHeader> dictionary_page_header;
  std::optional<DataPageHeaderV2> data_page_header_v2;
  bool operator==(const PageHeader&) const = default;
};

struct KeyValue {
  std::string key;
  std::optional<std::string> value;
  bool operator==(const KeyValue&) const = default;
};

struct SortingColumn {
  int32_t column_idx = 0;
  bool descending = false;
  bool nulls_first = false;
  bool operator==(const SortingColumn&) const = default;
};

struct PageEncodingStats {
  PageType page_type = PageType::kDataPage;
  Encoding encoding = Encoding::kPlain;
  int32_t count = 0;
  bool operator==(const PageEncodingStats&) const = default;
};

// Offsets count from the start of the file; sizes include page headers.
struct ColumnMetaData {
  Type type = Type::kBoolean;
  std::vector<Encoding> encodings;
  std::vector<std::string> path_in_schema;
  CompressionCodec codec = CompressionCodec::kUncompressed;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;
  int64_t total_compressed_size = 0;
  std::optional<std::vector<KeyValue>> key_value_metadata;
  int64_t data_page_offset = 0;
  std::optional<int64_t> index_page_offset;
  std::optional<int64_t> dictionary_page_offset;
  std::optional<Statistics> statistics;
  std::optional<std::vector<PageEncodingStats>> encoding_stats;
  bool operator==(const ColumnMetaData&) const = default;
};

struct ColumnChunk {
  std::optional<std::string> file_path;
  int64_t file_offset = 0;                  // deprecated; writers store 0
  std::optional<ColumnMetaData> meta_data;  // optional in the format, yet every reader needs it
  std::optional<int64_t> offset_index_offset;
  std::optional<int32_t> offset_index_length;
  std::optional<int64_t> column_index_offset;
  std::optional<int32_t> column_index_length;
  bool operator==(const ColumnChunk&) const = default;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;  // in the order of the schema's leaves
  int64_t total_byte_size = 0;       // uncompressed
  int64_t num_rows = 0;
  std::optional<std::vector<SortingColumn>> sorting_columns;
  std::optional<int64_t> file_offset;
  std::optional<int64_t> total_compressed_size;
  std::optional<int16_t> ordinal;
  bool operator==(const RowGroup&) const = default;
};

struct FileMetaData {
  // The format asks writers for 1; readers accept 1 and 2 alike.
  int32_t version = 1;
  std::vector<SchemaElement> schema;  // depth-first; the first element is the root
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::optional<std::vector<KeyValue>> key_value_metadata;
  std::optional<std::string> created_by;
  std::optional<std::vector<ColumnOrder>> column_orders;  // one per leaf column
  bool operator==(const FileMetaData&) const = default;
};

// Appends the compact encoding of `value` to `out` (std::string or
// std::vector<uint8_t>); reusing `out` across calls avoids allocations.
// T is any struct above or LogicalType.
template <class T, class Buffer>
void serialize_into(const T& value, Buffer& out);

template <class T>
std::string serialize(const T& value) {
  std::string out;
  serialize_into(value, out);
  return out;
}

template <class T>
struct Decoded {
  T value;
  size_t size = 0;  // bytes the encoding occupied
};

// Decodes a T from the start of `bytes`, which may continue past it (a page header
// is followed by its page). Errors name `path` and the offset base_offset + n, where
// base_offset is the position of bytes[0] in the file.
template <class T>
Decoded<T> deserialize_prefix(std::span<const uint8_t> bytes, uint64_t base_offset,
                              std::string_view path);

template <class T>
T deserialize(std::span<const uint8_t> bytes, uint64_t base_offset, std::string_view path) {
  return deserialize_prefix<T>(bytes, base_offset, path).value;
}

}  // namespace crv::parquet::format
