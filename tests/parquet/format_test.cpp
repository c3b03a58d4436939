// Tests of the footer and page header structures' Thrift encoding.

#include "parquet/format.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "support/expect_error.hpp"

namespace crv::parquet::format {
namespace {

using Bytes = std::vector<uint8_t>;
using test_support::expect_error;

std::span<const uint8_t> as_span(const std::string& bytes) {
  return {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()};
}

Bytes to_bytes(const std::string& bytes) {
  return Bytes(bytes.begin(), bytes.end());
}

// An action decoding `bytes` as a T read at `base_offset` of part.parquet.
template <class T>
auto decoding(const Bytes& bytes, uint64_t base_offset = 0) {
  return [bytes, base_offset] { deserialize<T>(bytes, base_offset, "part.parquet"); };
}

// Serializes into both buffer kinds, then decodes with trailing bytes after the
// encoding, as a page header is followed by its page.
template <class T>
void expect_thrift_round_trip(const T& value) {
  const std::string bytes = serialize(value);
  Bytes vector_bytes;
  serialize_into(value, vector_bytes);
  EXPECT_EQ(vector_bytes, to_bytes(bytes));

  const std::string followed = bytes + "page data";
  const Decoded<T> decoded = deserialize_prefix<T>(as_span(followed), 4, "part.parquet");
  EXPECT_EQ(decoded.value, value);
  EXPECT_EQ(decoded.size, bytes.size());
}

// ---- sample values with every optional field set ----------------------------

template <class T>
T full();

template <>
Statistics full<Statistics>() {
  return {.max = std::string("\x00\x01\xFF", 3),
          .min = "a",
          .null_count = 3,
          .distinct_count = 7,
          .max_value = "zz",
          .min_value = std::string(40, 'm'),
          .is_max_value_exact = true,
          .is_min_value_exact = false};
}

template <>
LogicalType full<LogicalType>() {
  return TimestampType{.is_adjusted_to_utc = true, .unit = TimeUnit::kNanos};
}

template <>
SchemaElement full<SchemaElement>() {
  return {.type = Type::kFixedLenByteArray,
          .type_length = 16,
          .repetition_type = FieldRepetitionType::kOptional,
          .name = "amount",
          .num_children = 0,
          .converted_type = ConvertedType::kDecimal,
          .scale = 2,
          .precision = 30,
          .field_id = 17,
          .logical_type = DecimalType{.scale = 2, .precision = 30}};
}

template <>
DataPageHeader full<DataPageHeader>() {
  return {.num_values = 1000,
          .encoding = Encoding::kRleDictionary,
          .definition_level_encoding = Encoding::kRle,
          .repetition_level_encoding = Encoding::kBitPacked,
          .statistics = full<Statistics>()};
}

template <>
IndexPageHeader full<IndexPageHeader>() {
  return {};
}

template <>
DictionaryPageHeader full<DictionaryPageHeader>() {
  return {.num_values = 12, .encoding = Encoding::kPlainDictionary, .is_sorted = false};
}

template <>
DataPageHeaderV2 full<DataPageHeaderV2>() {
  return {.num_values = 500,
          .num_nulls = 20,
          .num_rows = 100,
          .encoding = Encoding::kDeltaBinaryPacked,
          .definition_levels_byte_length = 33,
          .repetition_levels_byte_length = 44,
          .is_compressed = false,
          .statistics = Statistics{.null_count = 20}};
}

template <>
PageHeader full<PageHeader>() {
  return {.type = PageType::kDataPageV2,
          .uncompressed_page_size = 1 << 20,
          .compressed_page_size = 4321,
          .crc = -123456789,
          .data_page_header = full<DataPageHeader>(),
          .index_page_header = IndexPageHeader{},
          .dictionary_page_header = full<DictionaryPageHeader>(),
          .data_page_header_v2 = full<DataPageHeaderV2>()};
}

template <>
KeyValue full<KeyValue>() {
  return {.key = "crv_schema_version", .value = "0.1@2025-09-20"};
}

template <>
SortingColumn full<SortingColumn>() {
  return {.column_idx = 3, .descending = true, .nulls_first = true};
}

template <>
PageEncodingStats full<PageEncodingStats>() {
  return {.page_type = PageType::kDictionaryPage, .encoding = Encoding::kPlain, .count = 1};
}

template <>
ColumnMetaData full<ColumnMetaData>() {
  return {
      .type = Type::kByteArray,
      .encodings = {Encoding::kPlain, Encoding::kRle, Encoding::kRleDictionary},
      .path_in_schema = {"action_candidates", "list", "element", "key"},
      .codec = CompressionCodec::kZstd,
      .num_values = 1 << 17,
      .total_uncompressed_size = int64_t{5} << 32,
      .total_compressed_size = int64_t{3} << 31,
      .key_value_metadata = std::vector<KeyValue>{full<KeyValue>(), KeyValue{.key = "k"}},
      .data_page_offset = 4,
      .index_page_offset = 100,
      .dictionary_page_offset = 4,
      .statistics = full<Statistics>(),
      .encoding_stats = std::vector<PageEncodingStats>{
          full<PageEncodingStats>(),
          {.page_type = PageType::kDataPage, .encoding = Encoding::kRleDictionary, .count = 9}}};
}

template <>
ColumnChunk full<ColumnChunk>() {
  return {.file_path = "elsewhere.parquet",
          .file_offset = 4,
          .meta_data = full<ColumnMetaData>(),
          .offset_index_offset = 9000,
          .offset_index_length = 120,
          .column_index_offset = 9120,
          .column_index_length = 240};
}

template <>
RowGroup full<RowGroup>() {
  return {.columns = {full<ColumnChunk>(), ColumnChunk{.meta_data = ColumnMetaData{}}},
          .total_byte_size = 123456,
          .num_rows = 131072,
          .sorting_columns = std::vector<SortingColumn>{full<SortingColumn>(), SortingColumn{}},
          .file_offset = 4,
          .total_compressed_size = 65432,
          .ordinal = 7};
}

template <>
FileMetaData full<FileMetaData>() {
  return {
      .version = 2,
      .schema = {SchemaElement{.name = "schema", .num_children = 2}, full<SchemaElement>(),
                 SchemaElement{.type = Type::kByteArray,
                               .repetition_type = FieldRepetitionType::kRequired,
                               .name = "token_id",
                               .converted_type = ConvertedType::kUtf8,
                               .logical_type = StringType{}}},
      .num_rows = 131072,
      .row_groups = {full<RowGroup>(), RowGroup{}},
      .key_value_metadata =
          std::vector<KeyValue>{full<KeyValue>(), {.key = "crv_table_name", .value = "holdings"}},
      .created_by = "crv-io version 0.1.0",
      .column_orders =
          std::vector<ColumnOrder>{ColumnOrder::kTypeOrder, ColumnOrder::kIeee754TotalOrder}};
}

template <class T>
class FormatRoundTrip : public ::testing::Test {};

using AllStructs =
    ::testing::Types<Statistics, LogicalType, SchemaElement, DataPageHeader, IndexPageHeader,
                     DictionaryPageHeader, DataPageHeaderV2, PageHeader, KeyValue, SortingColumn,
                     PageEncodingStats, ColumnMetaData, ColumnChunk, RowGroup, FileMetaData>;
TYPED_TEST_SUITE(FormatRoundTrip, AllStructs);

TYPED_TEST(FormatRoundTrip, OptionalFieldsUnset) {
  expect_thrift_round_trip(TypeParam{});
}

TYPED_TEST(FormatRoundTrip, OptionalFieldsSet) {
  expect_thrift_round_trip(full<TypeParam>());
}

TYPED_TEST(FormatRoundTrip, TruncationAtEveryByteIsAnError) {
  const std::string bytes = serialize(full<TypeParam>());
  for (size_t size = 0; size < bytes.size(); ++size) {
    const Bytes prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
    const auto error =
        expect_error<IoFormatError>(decoding<TypeParam>(prefix, 1 << 20), {.path = "part.parquet"});
    ASSERT_TRUE(error.has_value());
    ASSERT_TRUE(error->context().offset.has_value());
    EXPECT_GE(*error->context().offset, 1u << 20) << "prefix of " << size << " bytes";
    EXPECT_LE(*error->context().offset, (1u << 20) + size) << "prefix of " << size << " bytes";
  }
}

// ---- exact bytes, derived by hand from the compact protocol -----------------

TEST(FormatBytes, KeyValue) {
  // Field 1 binary (0x18) "a", field 2 binary (0x18) "b", stop.
  EXPECT_EQ(to_bytes(serialize(KeyValue{.key = "a", .value = "b"})),
            (Bytes{0x18, 0x01, 'a', 0x18, 0x01, 'b', 0x00}));
  EXPECT_EQ(to_bytes(serialize(KeyValue{.key = "k"})), (Bytes{0x18, 0x01, 'k', 0x00}));
}

TEST(FormatBytes, SortingColumnBoolsLiveInTheFieldHeaders) {
  EXPECT_EQ(to_bytes(serialize(SortingColumn{.column_idx = 2, .descending = true})),
            (Bytes{0x15, 0x04, 0x11, 0x12, 0x00}));
}

TEST(FormatBytes, DataPageHeader) {
  const PageHeader header{
      .type = PageType::kDataPage,
      .uncompressed_page_size = 100,
      .compressed_page_size = 50,
      .data_page_header = DataPageHeader{.num_values = 10,
                                         .encoding = Encoding::kPlain,
                                         .definition_level_encoding = Encoding::kRle,
                                         .repetition_level_encoding = Encoding::kRle}};
  // type 0; sizes zigzag(100) = C8 01 and zigzag(50) = 0x64; field 5 (delta 2) struct:
  // num_values zigzag(10) = 0x14, PLAIN 0, RLE zigzag(3) = 6 twice.
  EXPECT_EQ(to_bytes(serialize(header)),
            (Bytes{0x15, 0x00, 0x15, 0xC8, 0x01, 0x15, 0x64, 0x2C, 0x15, 0x14, 0x15, 0x00, 0x15,
                   0x06, 0x15, 0x06, 0x00, 0x00}));
}

TEST(FormatBytes, MinimalFileMetaData) {
  const FileMetaData metadata{
      .version = 1, .schema = {SchemaElement{.name = "r", .num_children = 0}}, .num_rows = 0};
  // version 1; schema: list (0x19) of one struct (0x1C) {name (field 4, 0x48) "r",
  // num_children (0x15) 0}; num_rows (0x16) 0; row_groups: empty list of structs (0x0C).
  EXPECT_EQ(to_bytes(serialize(metadata)), (Bytes{0x15, 0x02, 0x19, 0x1C, 0x48, 0x01, 'r', 0x15,
                                                  0x00, 0x00, 0x16, 0x00, 0x19, 0x0C, 0x00}));
}

TEST(FormatBytes, TimestampLogicalTypeNestsUnionsOfEmptyStructs) {
  const SchemaElement element{
      .type = Type::kInt64,
      .repetition_type = FieldRepetitionType::kOptional,
      .name = "t",
      .logical_type = TimestampType{.is_adjusted_to_utc = true, .unit = TimeUnit::kMicros}};
  // type INT64 zigzag(2) = 4; repetition (delta 2) OPTIONAL = 2; name "t"; logicalType
  // (field 10, delta 6) -> union member 8 TIMESTAMP -> {isAdjustedToUTC true (0x11),
  // unit (0x1C) -> union member 2 MICROS -> empty struct}, then five stops.
  EXPECT_EQ(to_bytes(serialize(element)),
            (Bytes{0x15, 0x04, 0x25, 0x02, 0x18, 0x01, 't', 0x6C, 0x8C, 0x11, 0x1C, 0x2C, 0x00,
                   0x00, 0x00, 0x00, 0x00}));
}

TEST(FormatBytes, EveryLogicalTypeMemberUsesItsSpecifiedFieldId) {
  // Member ids of parquet.thrift's LogicalType union.
  const std::vector<std::pair<LogicalType, int>> members = {
      {StringType{}, 1},
      {MapType{}, 2},
      {ListType{}, 3},
      {EnumType{}, 4},
      {DecimalType{.scale = 3, .precision = 10}, 5},
      {DateType{}, 6},
      {TimeType{.is_adjusted_to_utc = false, .unit = TimeUnit::kMillis}, 7},
      {TimestampType{.is_adjusted_to_utc = false, .unit = TimeUnit::kNanos}, 8},
      {IntType{.bit_width = 8, .is_signed = false}, 10},
      {IntType{.bit_width = 64, .is_signed = true}, 10},
      {NullType{}, 11},
      {JsonType{}, 12},
      {BsonType{}, 13},
      {UuidType{}, 14},
      {Float16Type{}, 15},
  };
  for (const auto& [logical_type, id] : members) {
    const std::string bytes = serialize(logical_type);
    ASSERT_GE(bytes.size(), 3u);
    EXPECT_EQ(static_cast<uint8_t>(bytes[0]), (id << 4) | 0x0C) << "member " << id;
    expect_thrift_round_trip(logical_type);
  }
  // An id beyond 15 takes the long form: type byte, then zigzag(16) = 32.
  const std::string unrecognized = serialize(LogicalType{UnrecognizedLogicalType{16}});
  EXPECT_EQ(to_bytes(unrecognized), (Bytes{0x0C, 0x20, 0x00, 0x00}));
}

// ---- values outside the known enumerators and union members -----------------

TEST(FormatValues, UnknownEnumValuesAndUnionMembersSurviveARoundTrip) {
  FileMetaData metadata = full<FileMetaData>();
  ColumnMetaData& column = *metadata.row_groups[0].columns[0].meta_data;
  column.encodings.push_back(static_cast<Encoding>(42));
  column.codec = static_cast<CompressionCodec>(99);
  metadata.schema[1].logical_type = TimeType{.unit = static_cast<TimeUnit>(7)};
  metadata.column_orders->push_back(static_cast<ColumnOrder>(9));
  expect_thrift_round_trip(metadata);
}

TEST(FormatValues, NewerLogicalTypesDecodeAsUnrecognized) {
  // SchemaElement{name "v", logicalType: member 16 (VARIANT) {1: i8 1}}, then one with
  // member 17 (GEOMETRY) {1: string "OGC:CRS84"}.
  const Bytes variant{0x48, 0x01, 'v', 0x6C, 0x0C, 0x20, 0x13, 0x01, 0x00, 0x00, 0x00};
  EXPECT_EQ(deserialize<SchemaElement>(variant, 0, "").logical_type,
            LogicalType{UnrecognizedLogicalType{16}});
  Bytes geometry{0x48, 0x01, 'g', 0x6C, 0x0C, 0x22, 0x18, 0x09};
  for (char c : std::string("OGC:CRS84")) geometry.push_back(static_cast<uint8_t>(c));
  geometry.insert(geometry.end(), {0x00, 0x00, 0x00});
  EXPECT_EQ(deserialize<SchemaElement>(geometry, 0, "").logical_type,
            LogicalType{UnrecognizedLogicalType{17}});
}

// ---- skipping fields this library does not model ----------------------------

TEST(FormatSkipping, NewerColumnMetaDataFieldsAreSkipped) {
  const ColumnMetaData expected = full<ColumnMetaData>();
  Bytes bytes = to_bytes(serialize(expected));
  bytes.pop_back();  // reopen the struct after its last field, encoding_stats (13)
  const Bytes newer_fields{
      0x16, 0xA4, 0x13,                             // 14 bloom_filter_offset: i64 1234
      0x15, 0x80, 0x01,                             // 15 bloom_filter_length: i32 64
      0x1C,                                         // 16 size_statistics
      0x16, 0x0A,                                   //   1: i64 5
      0x19, 0x26, 0x02, 0x04,                       //   2: list<i64> [1, 2]
      0x00,                                         //
      0x1C,                                         // 17 geospatial_statistics
      0x1C,                                         //   1: bbox
      0x17, 0,    0,    0,    0, 0, 0, 0xF0, 0x3F,  // 1: double 1.0
      0x17, 0,    0,    0,    0, 0, 0, 0x00, 0x40,  // 2: double 2.0
      0x00,                                         //
      0x19, 0x15, 0x02,                             //   2: list<i32> [1]
      0x00,                                         //
      0x00,                                         // stop
  };
  bytes.insert(bytes.end(), newer_fields.begin(), newer_fields.end());
  EXPECT_EQ(deserialize<ColumnMetaData>(bytes, 0, ""), expected);
}

TEST(FormatSkipping, EncryptionFieldsOfColumnChunkAndFileMetaDataAreSkipped) {
  const ColumnChunk chunk = full<ColumnChunk>();
  Bytes chunk_bytes = to_bytes(serialize(chunk));
  chunk_bytes.pop_back();  // after column_index_length (7)
  // 8 crypto_metadata: union member 1 (empty struct); 9 encrypted_column_metadata "abc".
  chunk_bytes.insert(chunk_bytes.end(), {0x1C, 0x1C, 0x00, 0x00, 0x18, 0x03, 'a', 'b', 'c', 0x00});
  EXPECT_EQ(deserialize<ColumnChunk>(chunk_bytes, 0, ""), chunk);

  const FileMetaData metadata = full<FileMetaData>();
  Bytes metadata_bytes = to_bytes(serialize(metadata));
  metadata_bytes.pop_back();  // after column_orders (7)
  // 8 encryption_algorithm: member 1 AES_GCM_V1 {3: supply_aad_prefix true};
  // 9 footer_signing_key_metadata: binary of two bytes.
  metadata_bytes.insert(metadata_bytes.end(),
                        {0x1C, 0x1C, 0x31, 0x00, 0x00, 0x18, 0x02, 0xAA, 0xBB, 0x00});
  EXPECT_EQ(deserialize<FileMetaData>(metadata_bytes, 0, ""), metadata);
}

TEST(FormatSkipping, StatisticsNanCountAndSchemaVectorLengthAreSkipped) {
  const Statistics statistics = full<Statistics>();
  Bytes statistics_bytes = to_bytes(serialize(statistics));
  statistics_bytes.pop_back();  // after is_min_value_exact (8)
  statistics_bytes.insert(statistics_bytes.end(), {0x16, 0x04, 0x00});  // 9 nan_count: 2
  EXPECT_EQ(deserialize<Statistics>(statistics_bytes, 0, ""), statistics);

  const SchemaElement element = full<SchemaElement>();
  Bytes element_bytes = to_bytes(serialize(element));
  element_bytes.pop_back();                                       // after logicalType (10)
  element_bytes.insert(element_bytes.end(), {0x15, 0x08, 0x00});  // 11 vector_length: 4
  EXPECT_EQ(deserialize<SchemaElement>(element_bytes, 0, ""), element);
}

// ---- invalid metadata ---------------------------------------------------------

TEST(FormatErrors, MissingRequiredFieldNamesStructAndField) {
  // KeyValue with only its value (field 2).
  expect_error<IoFormatError>(
      decoding<KeyValue>({0x28, 0x01, 'v', 0x00}, 300),
      {.message = "corrupt Parquet metadata: KeyValue lacks required field 'key' (id 1)",
       .path = "part.parquet",
       .offset = 300});

  // PageHeader with type and uncompressed_page_size only.
  expect_error<IoFormatError>(
      decoding<PageHeader>({0x15, 0x00, 0x15, 0x02, 0x00}),
      {.message_has = {"PageHeader lacks required field 'compressed_page_size' (id 3)"}});

  // A DECIMAL logical type without precision; the DecimalType struct starts at byte 1.
  expect_error<IoFormatError>(
      decoding<LogicalType>({0x5C, 0x15, 0x04, 0x00, 0x00}, 10),
      {.message_has = {"DecimalType lacks required field 'precision' (id 2)"}, .offset = 11});

  // A RowGroup whose one ColumnChunk (starting at byte 2) has a file_path but no file_offset.
  const Bytes row_group{0x19, 0x1C, 0x18, 0x01, 'p', 0x00, 0x26, 0x02, 0x16, 0x02, 0x00};
  expect_error<IoFormatError>(
      decoding<RowGroup>(row_group, 1000),
      {.message_has = {"ColumnChunk lacks required field 'file_offset' (id 2)"}, .offset = 1002});

  // An empty FileMetaData reports its first required field.
  expect_error<IoFormatError>(
      decoding<FileMetaData>({0x00}),
      {.message_has = {"FileMetaData lacks required field 'version' (id 1)"}});
}

TEST(FormatErrors, WrongWireTypeNamesStructAndField) {
  expect_error<IoFormatError>(
      decoding<KeyValue>({0x15, 0x02, 0x00}),
      {.message_has = {"KeyValue.key (field 1) has type i32, expected binary"}});
  expect_error<IoFormatError>(
      decoding<SortingColumn>({0x15, 0x00, 0x15, 0x02, 0x00}),
      {.message_has = {"SortingColumn.descending (field 2) has type i32, expected bool"}});
  // encodings (field 2) as a list of binary.
  expect_error<IoFormatError>(
      decoding<ColumnMetaData>({0x15, 0x02, 0x19, 0x18, 0x01, 'x', 0x00}),
      {.message_has = {"ColumnMetaData.encodings (field 2) is a list of binary, expected a list of "
                       "i32"}});
  expect_error<IoFormatError>(
      decoding<FileMetaData>({0x15, 0x02, 0x18, 0x00, 0x00}),
      {.message_has = {"FileMetaData.schema (field 2) has type binary, expected list"}});
}

TEST(FormatErrors, MalformedUnionsAreRejected) {
  expect_error<IoFormatError>(decoding<LogicalType>({0x00}),
                              {.message_has = {"LogicalType union has no member set"}});
  expect_error<IoFormatError>(decoding<LogicalType>({0x1C, 0x00, 0x1C, 0x00, 0x00}),
                              {.message_has = {"LogicalType union has more than one member set"}});
  expect_error<IoFormatError>(
      decoding<LogicalType>({0x15, 0x02, 0x00}),
      {.message_has = {"LogicalType union member 1 has type i32, expected struct"}});
  // TIMESTAMP whose unit union is empty.
  expect_error<IoFormatError>(decoding<LogicalType>({0x8C, 0x11, 0x1C, 0x00, 0x00, 0x00}),
                              {.message_has = {"TimeUnit union has no member set"}});
  // A FileMetaData column order with two members.
  const Bytes column_orders{0x15, 0x02, 0x19, 0x0C, 0x16, 0x00, 0x19, 0x0C,
                            0x39, 0x1C, 0x1C, 0x00, 0x2C, 0x00, 0x00, 0x00};
  expect_error<IoFormatError>(decoding<FileMetaData>(column_orders),
                              {.message_has = {"ColumnOrder union has more than one member set"}});
}

TEST(FormatErrors, HugeDeclaredSizesAreRejectedWithoutAllocating) {
  // A schema list declaring 2^31 - 1 elements: reserving for them would throw
  // std::bad_alloc or std::length_error instead of IoFormatError.
  expect_error<IoFormatError>(
      decoding<FileMetaData>({0x15, 0x02, 0x19, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00}, 8),
      {.message_has = {"list declares 2147483647 entries"}, .offset = 11});  // the list header
  // A key of 2^31 - 1 bytes.
  expect_error<IoFormatError>(
      decoding<KeyValue>({0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 'a', 0x00}),
      {.message_has = {"binary value declares 2147483647 bytes but only 2 remain"}});
  // Many row groups declared, a few bytes present.
  expect_error<IoFormatError>(
      decoding<FileMetaData>({0x15, 0x02, 0x19, 0x0C, 0x16, 0x00, 0x19, 0xFC, 0xE8, 0x07, 0x00}),
      {.message_has = {"list declares 1000 entries"}});
}

TEST(FormatErrors, ExcessiveNestingInAnUnknownFieldIsRejected) {
  // version 1, then unknown field 50 (long form, zigzag 100) holding 100 nested structs.
  Bytes bytes{0x15, 0x02, 0x0C, 0x64};
  bytes.insert(bytes.end(), 99, 0x1C);
  bytes.insert(bytes.end(), 101, 0x00);
  expect_error<IoFormatError>(decoding<FileMetaData>(bytes),
                              {.message_has = {"nest deeper than 64 levels"}});
}

TEST(FormatErrors, RandomCorruptionNeverEscapesAsAnythingButIoFormatError) {
  const std::string original = serialize(full<FileMetaData>());
  std::mt19937 random(20250920);
  std::uniform_int_distribution<size_t> position(0, original.size() - 1);
  std::uniform_int_distribution<int> byte(0, 255);
  int rejected = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string corrupt = original;
    for (int flips = 1 + trial % 3; flips > 0; --flips) {
      corrupt[position(random)] = static_cast<char>(byte(random));
    }
    try {
      deserialize<FileMetaData>(as_span(corrupt), 0, "part.parquet");
    } catch (const IoFormatError&) {
      ++rejected;
    }
  }
  // Most corruptions break the structure; some only change a value.
  EXPECT_GT(rejected, 100);
}

// ---- page headers: the per-page hot path ------------------------------------

TEST(PageHeaderHotPath, ReusedBufferIsNotReallocated) {
  std::string buffer;
  buffer.reserve(256);
  const char* storage = buffer.data();
  for (int32_t page = 0; page < 100; ++page) {
    buffer.clear();
    serialize_into(PageHeader{.type = PageType::kDataPage,
                              .uncompressed_page_size = page * 1000,
                              .compressed_page_size = page * 700,
                              .crc = page,
                              .data_page_header = DataPageHeader{.num_values = page}},
                   buffer);
    EXPECT_EQ(buffer.data(), storage);
    EXPECT_EQ(deserialize<PageHeader>(as_span(buffer), 0, "").crc, page);
  }
}

TEST(PageHeaderHotPath, DecodingReportsTheHeaderSizeSoThePageCanFollow) {
  const PageHeader header = full<PageHeader>();
  std::string file = "PAR1";
  const size_t header_start = file.size();
  serialize_into(header, file);
  const size_t header_size = file.size() - header_start;
  file += "compressed page bytes";

  const auto from_header = as_span(file).subspan(header_start);
  const Decoded<PageHeader> decoded = deserialize_prefix<PageHeader>(from_header, 4, "");
  EXPECT_EQ(decoded.value, header);
  EXPECT_EQ(decoded.size, header_size);
  EXPECT_EQ(file.substr(header_start + decoded.size), "compressed page bytes");
}

// ---- footer decoding speed ----------------------------------------------------

FileMetaData wide_footer(int columns, int row_groups) {
  FileMetaData metadata{.num_rows = int64_t{row_groups} * 131072, .created_by = "crv-io"};
  metadata.schema.push_back({.name = "schema", .num_children = columns});
  for (int column = 0; column < columns; ++column) {
    metadata.schema.push_back({.type = column % 2 ? Type::kByteArray : Type::kInt64,
                               .repetition_type = FieldRepetitionType::kOptional,
                               .name = "column_" + std::to_string(column)});
  }
  for (int group = 0; group < row_groups; ++group) {
    RowGroup row_group{.num_rows = 131072, .ordinal = static_cast<int16_t>(group)};
    for (int column = 0; column < columns; ++column) {
      const int64_t offset = (int64_t{group} * columns + column) * 100000;
      row_group.columns.push_back(
          {.file_offset = 0,
           .meta_data = ColumnMetaData{
               .type = column % 2 ? Type::kByteArray : Type::kInt64,
               .encodings = {Encoding::kPlain, Encoding::kRle, Encoding::kRleDictionary},
               .path_in_schema = {"column_" + std::to_string(column)},
               .codec = CompressionCodec::kZstd,
               .num_values = 131072,
               .total_uncompressed_size = 1048576,
               .total_compressed_size = 100000,
               .data_page_offset = offset + 2000,
               .dictionary_page_offset = offset,
               .statistics = Statistics{.null_count = 12,
                                        .max_value = "max_" + std::to_string(group),
                                        .min_value = "min_" + std::to_string(column)},
               .encoding_stats = std::vector<PageEncodingStats>{
                   {.page_type = PageType::kDictionaryPage, .count = 1},
                   {.page_type = PageType::kDataPage,
                    .encoding = Encoding::kRleDictionary,
                    .count = 12}}}});
    }
    metadata.row_groups.push_back(std::move(row_group));
  }
  return metadata;
}

TEST(WideFooter, FiftyColumnsTimesHundredRowGroupsRoundTrip) {
  const FileMetaData metadata = wide_footer(50, 100);
  const std::string bytes = serialize(metadata);
  const FileMetaData decoded = deserialize<FileMetaData>(as_span(bytes), 0, "");
  EXPECT_EQ(decoded.row_groups.size(), 100u);
  EXPECT_EQ(decoded, metadata);
}

}  // namespace
}  // namespace crv::parquet::format
