// Logical types of other writers' files: unsigned integers, decimals, half floats, UUIDs
// and bare bytes read exactly or are refused value by value; temporal types are refused.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"
#include "crv/parquet/reader.hpp"
#include "crv/parquet/writer.hpp"
#include "parquet/leaf_types.hpp"
#include "parquet/logical_values.hpp"
#include "parquet/test_files.hpp"
#include "support/expect_error.hpp"

namespace crv::parquet {
namespace {

using format::ConvertedType;
using format::SchemaElement;
using Kind = LeafConversion::Kind;
using test_files::Bytes;
using test_support::expect_error;
using ::testing::AllOf;
using ::testing::HasSubstr;

SchemaElement leaf(format::Type type) {
  SchemaElement element;
  element.name = "v";
  element.type = type;
  element.repetition_type = format::FieldRepetitionType::kOptional;
  return element;
}

SchemaElement annotated(format::Type type, format::LogicalType logical) {
  SchemaElement element = leaf(type);
  element.logical_type = std::move(logical);
  return element;
}

SchemaElement fixed(int32_t length, std::optional<format::LogicalType> logical = std::nullopt) {
  SchemaElement element = leaf(format::Type::kFixedLenByteArray);
  element.type_length = length;
  element.logical_type = std::move(logical);
  return element;
}

LeafTyping typed(const SchemaElement& element) {
  return type_leaf(element, "s.v", "in.parquet");
}

TEST(LeafTyping, PlainPhysicalTypesReadAsTheirFrameTypes) {
  EXPECT_EQ(typed(leaf(format::Type::kInt32)).type->id(), frame::TypeId::Int64);
  EXPECT_EQ(typed(leaf(format::Type::kFloat)).type->id(), frame::TypeId::Float64);
  EXPECT_EQ(typed(leaf(format::Type::kBoolean)).type->id(), frame::TypeId::Bool);
  EXPECT_EQ(typed(leaf(format::Type::kInt64)).conversion.kind, Kind::kNone);
  SchemaElement text = leaf(format::Type::kByteArray);
  text.converted_type = ConvertedType::kUtf8;
  EXPECT_EQ(typed(text).conversion.kind, Kind::kNone);
  // Bytes without a string annotation are text only when they are UTF-8.
  EXPECT_EQ(typed(leaf(format::Type::kByteArray)).conversion.kind, Kind::kBinary);
  EXPECT_EQ(typed(fixed(3)).conversion.kind, Kind::kBinary);
}

TEST(LeafTyping, UnsignedIntegersFromLogicalAndConvertedTypes) {
  const LeafTyping u32 =
      typed(annotated(format::Type::kInt32, format::IntType{.bit_width = 32, .is_signed = false}));
  EXPECT_EQ(u32.type->id(), frame::TypeId::Int64);
  EXPECT_EQ(u32.conversion.kind, Kind::kUnsigned32);
  SchemaElement legacy = leaf(format::Type::kInt64);
  legacy.converted_type = ConvertedType::kUint64;
  EXPECT_EQ(typed(legacy).conversion.kind, Kind::kUnsigned64);
  SchemaElement u8 = leaf(format::Type::kInt32);
  u8.converted_type = ConvertedType::kUint8;
  EXPECT_EQ(typed(u8).conversion.type_name, "UINT8");
  // Signed annotations change nothing.
  EXPECT_EQ(
      typed(annotated(format::Type::kInt32, format::IntType{.bit_width = 16, .is_signed = true}))
          .conversion.kind,
      Kind::kNone);
}

TEST(LeafTyping, DecimalsReadAsInt64AtScaleZeroAndFloat64Otherwise) {
  const LeafTyping whole =
      typed(annotated(format::Type::kInt64, format::DecimalType{.scale = 0, .precision = 18}));
  EXPECT_EQ(whole.type->id(), frame::TypeId::Int64);
  EXPECT_EQ(whole.conversion.type_name, "DECIMAL(18,0)");
  SchemaElement legacy = fixed(16);
  legacy.converted_type = ConvertedType::kDecimal;
  legacy.precision = 38;
  legacy.scale = 10;
  const LeafTyping fraction = typed(legacy);
  EXPECT_EQ(fraction.type->id(), frame::TypeId::Float64);
  EXPECT_EQ(fraction.conversion.kind, Kind::kDecimal);
  EXPECT_EQ(fraction.conversion.scale, 10);
}

TEST(LeafTyping, HalfFloatsAndUuidsNeedTheirWidths) {
  EXPECT_EQ(typed(fixed(2, format::Float16Type{})).type->id(), frame::TypeId::Float64);
  EXPECT_EQ(typed(fixed(16, format::UuidType{})).type->id(), frame::TypeId::Utf8);
  EXPECT_THROW(typed(fixed(4, format::Float16Type{})), IoFormatError);
  EXPECT_THROW(typed(fixed(8, format::UuidType{})), IoFormatError);
  EXPECT_THROW(typed(annotated(format::Type::kInt64, format::UuidType{})), IoFormatError);
  EXPECT_THROW(typed(fixed(0)), IoFormatError);
}

TEST(LeafTyping, ImpossibleDecimalsAreFormatErrors) {
  EXPECT_THROW(
      typed(annotated(format::Type::kInt64, format::DecimalType{.scale = 5, .precision = 4})),
      IoFormatError);
  EXPECT_THROW(
      typed(annotated(format::Type::kDouble, format::DecimalType{.scale = 1, .precision = 4})),
      IoFormatError);
}

// What refusing the type of the leaf s.v of in.parquet reports: the column, the file and
// `fragments` in the message.
test_support::ErrorExpectation refusal_naming_s_v(std::vector<std::string> fragments) {
  return {.message_has = std::move(fragments), .path = "in.parquet", .column = "s.v"};
}

TEST(LeafTyping, TemporalTypesAreRefusedNamingTheColumnTheTypeAndTheWayOut) {
  expect_error<IoSchemaError>([&] { typed(annotated(format::Type::kInt32, format::DateType{})); },
                              refusal_naming_s_v({"'s.v'", "DATE", "integer tick", "ISO 8601"}));
  expect_error<IoSchemaError>(
      [&] {
        typed(annotated(format::Type::kInt64,
                        format::TimestampType{.unit = format::TimeUnit::kMicros}));
      },
      refusal_naming_s_v({"TIMESTAMP(MICROS)"}));
  SchemaElement time = leaf(format::Type::kInt32);
  time.converted_type = ConvertedType::kTimeMillis;
  expect_error<IoSchemaError>([&] { typed(time); }, refusal_naming_s_v({"TIME(MILLIS)"}));
  expect_error<IoSchemaError>([&] { typed(leaf(format::Type::kInt96)); },
                              refusal_naming_s_v({"INT96"}));
  SchemaElement interval = fixed(12);
  interval.converted_type = ConvertedType::kInterval;
  expect_error<IoSchemaError>([&] { typed(interval); }, refusal_naming_s_v({"INTERVAL"}));
  expect_error<IoSchemaError>(
      [&] {
        typed(annotated(format::Type::kByteArray, format::UnrecognizedLogicalType{.field_id = 99}));
      },
      refusal_naming_s_v({"logical type this library does not know"}));
}

// --- converting decoded values ---

SchemaNode node_for(const SchemaElement& element) {
  SchemaNode node;
  const LeafTyping typing = typed(element);
  node.type = typing.type;
  node.conversion = typing.conversion;
  node.physical_type = *element.type;
  node.type_length = element.type_length.value_or(0);
  return node;
}

void append_bytes(LeafData& data, const std::vector<uint8_t>& bytes) {
  if (data.string_offsets.empty()) data.string_offsets.push_back(0);
  data.string_data.insert(data.string_data.end(), bytes.begin(), bytes.end());
  data.string_offsets.push_back(static_cast<int32_t>(data.string_data.size()));
}

TEST(StoredValues, Unsigned32ValuesWidenWithoutSignExtension) {
  const SchemaNode node = node_for(
      annotated(format::Type::kInt32, format::IntType{.bit_width = 32, .is_signed = false}));
  // INT32 pages widen with sign extension; the conversion undoes it.
  LeafData data;
  data.int64_values = {0, -1, -294967296, 7};
  EXPECT_FALSE(convert_stored_values(node, 1, data));
  EXPECT_EQ(data.int64_values, (std::vector<int64_t>{0, 4294967295, 4000000000, 7}));
}

TEST(StoredValues, Unsigned64ValuesAboveInt64AreRefusedWithTheirValue) {
  const SchemaNode node = node_for(
      annotated(format::Type::kInt64, format::IntType{.bit_width = 64, .is_signed = false}));
  LeafData data;
  data.int64_values = {5, std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()};
  const auto refused = convert_stored_values(node, 0, data);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->index, 2);
  EXPECT_FALSE(refused->malformed);
  EXPECT_THAT(refused->reason, HasSubstr("9223372036854775808"));
  LeafData in_range;
  in_range.int64_values = {0, std::numeric_limits<int64_t>::max()};
  EXPECT_FALSE(convert_stored_values(node, 0, in_range));
}

TEST(StoredValues, IntegerDecimalsBecomeTheirNearestDoubles) {
  const SchemaNode node =
      node_for(annotated(format::Type::kInt64, format::DecimalType{.scale = 2, .precision = 10}));
  LeafData data;
  data.float64_values = {9.0};  // from an earlier page
  data.int64_values = {10050, -5, 0, 999999999999999};
  ASSERT_FALSE(convert_stored_values(node, 0, data));
  EXPECT_TRUE(data.int64_values.empty());
  EXPECT_EQ(data.float64_values, (std::vector<double>{9.0, 100.5, -0.05, 0.0, 9999999999999.99}));
}

TEST(StoredValues, DecimalsADoubleWouldChangeAreRefused) {
  const SchemaNode node =
      node_for(annotated(format::Type::kInt64, format::DecimalType{.scale = 3, .precision = 18}));
  LeafData exact;
  // 17 significant digits, yet the double nearest 2^53 / 1000 prints back the same.
  exact.int64_values = {9007199254740992, 1234567890123456};
  ASSERT_FALSE(convert_stored_values(node, 0, exact));
  EXPECT_EQ(exact.float64_values[0], 9007199254740.992);
  LeafData inexact;
  inexact.int64_values = {1, 123456789012345678};
  const auto refused = convert_stored_values(node, 0, inexact);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->index, 1);
  EXPECT_THAT(refused->reason, AllOf(HasSubstr("DECIMAL(18,3)"), HasSubstr("123456789012345.678")));
}

TEST(StoredValues, ADecimalIsExactWhenItIsTheShortestFormOfItsDouble) {
  // 0.1 at scale 18: the double nearest it prints as 0.1, so it is taken; twenty digits
  // after the point are more than a double tells apart.
  const SchemaNode node = node_for(fixed(16, format::DecimalType{.scale = 18, .precision = 38}));
  LeafData data;
  append_bytes(data,
               {0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x63, 0x45, 0x78, 0x5d, 0x8a, 0x00, 0x00});  // 10^17
  append_bytes(data, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0x9c, 0xba, 0x87, 0xa2,
                      0x76, 0x00, 0x00});  // -10^17
  ASSERT_FALSE(convert_stored_values(node, 0, data));
  EXPECT_EQ(data.float64_values, (std::vector<double>{0.1, -0.1}));

  const SchemaNode scale20 = node_for(fixed(16, format::DecimalType{.scale = 20, .precision = 38}));
  LeafData long_fraction;
  // 12345678901234567891 = 0xAB54A98CEB1F0AD3
  append_bytes(long_fraction,
               {0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0x54, 0xa9, 0x8c, 0xeb, 0x1f, 0x0a, 0xd3});
  const auto refused = convert_stored_values(scale20, 0, long_fraction);
  ASSERT_TRUE(refused);
  EXPECT_THAT(refused->reason, HasSubstr("0.12345678901234567891"));
}

TEST(StoredValues, ByteDecimalsAreBigEndianTwosComplement) {
  SchemaElement element = fixed(17, format::DecimalType{.scale = 0, .precision = 38});
  const SchemaNode node = node_for(element);
  LeafData data;
  append_bytes(data, {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                      0x00, 0x00, 0x01, 0x00});
  append_bytes(data, std::vector<uint8_t>(17, 0xFF));
  append_bytes(data, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0x00, 0x00,
                      0x00, 0x00, 0x00, 0x00});
  ASSERT_FALSE(convert_stored_values(node, 0, data));
  EXPECT_EQ(data.int64_values,
            (std::vector<int64_t>{256, -1, std::numeric_limits<int64_t>::min()}));
  EXPECT_TRUE(data.string_data.empty());

  LeafData too_big;
  append_bytes(too_big, {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00,
                         0x00, 0x00, 0x00, 0x00, 0x00});
  const auto beyond_int64 = convert_stored_values(node, 0, too_big);
  ASSERT_TRUE(beyond_int64);
  EXPECT_THAT(beyond_int64->reason, HasSubstr("9223372036854775808 does not fit"));

  LeafData beyond_128_bits;
  append_bytes(beyond_128_bits, {0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                 0x00, 0x00, 0x00, 0x00, 0x00, 0x00});
  EXPECT_THAT(convert_stored_values(node, 0, beyond_128_bits)->reason, HasSubstr("128 bits"));
}

TEST(StoredValues, VariableLengthDecimalsKeepTheirScale) {
  const SchemaNode node = node_for(
      annotated(format::Type::kByteArray, format::DecimalType{.scale = 4, .precision = 8}));
  LeafData data;
  append_bytes(data, {0x05, 0xC8});  // 1480
  append_bytes(data, {0xFF, 0x38});  // -200
  ASSERT_FALSE(convert_stored_values(node, 0, data));
  EXPECT_EQ(data.float64_values, (std::vector<double>{0.148, -0.02}));
  LeafData empty;
  append_bytes(empty, {});
  const auto refused = convert_stored_values(node, 0, empty);
  ASSERT_TRUE(refused);
  EXPECT_TRUE(refused->malformed);
}

TEST(StoredValues, HalfFloatsWidenExactly) {
  const SchemaNode node = node_for(fixed(2, format::Float16Type{}));
  LeafData data;
  append_bytes(data, {0x00, 0x3C});  // 1
  append_bytes(data, {0x00, 0xC0});  // -2
  append_bytes(data, {0x01, 0x00});  // the smallest subnormal, 2^-24
  append_bytes(data, {0xFF, 0x7B});  // the largest finite, 65504
  append_bytes(data, {0x00, 0x7C});  // infinity
  append_bytes(data, {0x00, 0x80});  // -0
  append_bytes(data, {0x01, 0x7E});  // NaN
  ASSERT_FALSE(convert_stored_values(node, 0, data));
  const std::vector<double>& values = data.float64_values;
  ASSERT_EQ(values.size(), 7u);
  EXPECT_EQ(values[0], 1.0);
  EXPECT_EQ(values[1], -2.0);
  EXPECT_EQ(values[2], std::ldexp(1.0, -24));
  EXPECT_EQ(values[3], 65504.0);
  EXPECT_EQ(values[4], std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::signbit(values[5]) && values[5] == 0.0);
  EXPECT_TRUE(std::isnan(values[6]));
}

TEST(StoredValues, UuidsBecomeTheirText) {
  const SchemaNode node = node_for(fixed(16, format::UuidType{}));
  LeafData data;
  append_bytes(data, {'a'});  // an earlier value, left as it is
  append_bytes(data, {0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3, 0xa4, 0x56, 0x42, 0x66, 0x14,
                      0x17, 0x40, 0x00});
  ASSERT_FALSE(convert_stored_values(node, 1, data));
  const std::string text(data.string_data.begin(), data.string_data.end());
  EXPECT_EQ(text, "a123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(data.string_offsets, (std::vector<int32_t>{0, 1, 37}));
}

TEST(StoredValues, BinaryThatIsNotUtf8IsRefusedAsText) {
  const SchemaNode node = node_for(leaf(format::Type::kByteArray));
  LeafData data;
  append_bytes(data, {'o', 'k'});
  append_bytes(data, {0xFF});
  const auto refused = convert_stored_values(node, 0, data);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->index, 1);
  EXPECT_FALSE(refused->malformed);
  EXPECT_THAT(refused->reason, HasSubstr("not valid UTF-8"));
}

// --- through the reader: files written here, then annotated as another writer would ---

Bytes annotate_column(const Bytes& file, const std::string& column,
                      const std::function<void(SchemaElement&)>& annotate) {
  test_files::Footer footer = test_files::footer_of(file);
  for (SchemaElement& element : footer.metadata.schema) {
    if (element.name == column) annotate(element);
  }
  Bytes out(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(footer.start));
  test_files::append_footer(footer.metadata, out);
  return out;
}

Bytes write_column(const std::string& name, frame::ArrayPtr values) {
  WriterOptions options;
  options.row_group_size = 4;
  return write_parquet(frame::Frame({{name, std::move(values)}}), options);
}

TEST(ForeignLogicalTypes, AnUnsignedValueTooLargeNamesItsRowAcrossRowGroupsAndNulls) {
  const Bytes file = annotate_column(
      write_column("quantity", frame::make_int64({1, std::nullopt, 3, 4, std::nullopt, -1})),
      "quantity", [](SchemaElement& element) { element.converted_type = ConvertedType::kUint64; });
  expect_error<IoSchemaError>([&] { ParquetReader(memory_source(file, "u64.parquet")).read(); },
                              {.message_has = {"18446744073709551615"},
                               .path = "u64.parquet",
                               .column = "quantity",
                               .row = 5});
}

TEST(ForeignLogicalTypes, DecimalColumnsReadScaledWithoutStatistics) {
  const Bytes file =
      annotate_column(write_column("price", frame::make_int64({10050, -5, std::nullopt, 0, 7})),
                      "price", [](SchemaElement& element) {
                        element.logical_type = format::DecimalType{.scale = 2, .precision = 10};
                      });
  ParquetReader reader(memory_source(file, "decimal.parquet"));
  ASSERT_EQ(reader.info().fields[0].type->id(), frame::TypeId::Float64);
  // The stored statistics are unscaled integers, so they are not offered as the column's.
  EXPECT_FALSE(reader.info().row_groups[0].columns[0].statistics.min);
  EXPECT_TRUE(reader.read().column(0)->equals(
      *frame::make_float64({100.5, -0.05, std::nullopt, 0.0, 0.07})));
}

TEST(ForeignLogicalTypes, DecimalsReadAsIntegersKeepEveryDigitOrAreRefused) {
  const auto decimal = [](SchemaElement& element) {
    element.logical_type = format::DecimalType{.scale = 2, .precision = 18};
  };
  const Bytes whole = annotate_column(write_column("quantity", frame::make_int64({100, -500, 0})),
                                      "quantity", decimal);
  ParquetReader reader(memory_source(whole, "whole.parquet"));
  reader.read_decimals_as_integers({"quantity", "not_a_column"});
  EXPECT_EQ(reader.info().fields[0].type->id(), frame::TypeId::Int64);
  EXPECT_TRUE(reader.read().column(0)->equals(*frame::make_int64({1, -5, 0})));

  const Bytes beyond_doubles =
      annotate_column(write_column("quantity", frame::make_int64({9'000'000'000'000'000'100})),
                      "quantity", decimal);
  ParquetReader exact(memory_source(beyond_doubles, "big.parquet"));
  exact.read_decimals_as_integers({"quantity"});
  EXPECT_TRUE(exact.read().column(0)->equals(*frame::make_int64({90'000'000'000'000'001})));
  // As a double, the same value would change, so the default reading refuses it.
  EXPECT_THROW(ParquetReader(memory_source(beyond_doubles, "big.parquet")).read(), IoSchemaError);

  const Bytes fraction =
      annotate_column(write_column("quantity", frame::make_int64({100, 150})), "quantity", decimal);
  ParquetReader refusing(memory_source(fraction, "fraction.parquet"));
  refusing.read_decimals_as_integers({"quantity"});
  expect_error<IoSchemaError>([&] { refusing.read(); },
                              {.message_has = {"1.50", "not a whole number"}, .row = 1});
}

TEST(ForeignLogicalTypes, UnannotatedBytesReadAsTextOrAreASchemaError) {
  const Bytes text = annotate_column(write_column("label", frame::make_utf8({"a", "é"})), "label",
                                     [](SchemaElement& element) {
                                       element.converted_type.reset();
                                       element.logical_type.reset();
                                     });
  EXPECT_TRUE(ParquetReader(memory_source(text, "binary.parquet"))
                  .read()
                  .column(0)
                  ->equals(*frame::make_utf8({"a", "é"})));

  WriterOptions plain;
  plain.compression = Compression::kNone;
  plain.enable_dictionary = false;
  Bytes file = annotate_column(
      write_parquet(frame::Frame({{"label", frame::make_utf8({"a", std::nullopt, "bXd"})}}), plain),
      "label", [](SchemaElement& element) {
        element.converted_type.reset();
        element.logical_type.reset();
      });
  // 'X' becomes a byte that no UTF-8 text holds; checksums are not verified below.
  const auto marker = std::find(file.begin() + 4, file.end(), 'X');
  ASSERT_NE(marker, file.end());
  *marker = 0xFF;
  expect_error<IoSchemaError>(
      [&] { ParquetReader(memory_source(file, "binary.parquet"), {.checksums = false}).read(); },
      {.message_has = {"binary value is not valid UTF-8"}, .column = "label", .row = 2});
}

TEST(ForeignLogicalTypes, ATemporalColumnIsRefusedWhenTheFileOpens) {
  const Bytes file = annotate_column(
      write_column("day", frame::make_int64({1, 2})), "day",
      [](SchemaElement& element) { element.logical_type = format::TimestampType{}; });
  expect_error<IoSchemaError>([&] { ParquetReader reader(memory_source(file, "dates.parquet")); },
                              {.message_has = {"TIMESTAMP(MILLIS)"}, .column = "day"});
}

}  // namespace
}  // namespace crv::parquet
