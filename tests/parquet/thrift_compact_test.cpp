// Tests of the Thrift compact protocol encoder and decoder.

#include "parquet/thrift_compact.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "crv/core/errors.hpp"
#include "support/expect_error.hpp"

namespace crv::parquet {
namespace {

using Bytes = std::vector<uint8_t>;
using test_support::expect_error;
using ::testing::HasSubstr;

// An action running `decode` on a decoder over `bytes`, read at `base_offset` of
// meta.parquet.
auto decoding_with(const Bytes& bytes, std::function<void(CompactDecoder&)> decode,
                   uint64_t base_offset = 0) {
  return [bytes, decode = std::move(decode), base_offset] {
    CompactDecoder decoder(bytes, base_offset, "meta.parquet");
    decode(decoder);
  };
}

// Encodes one struct whose fields `write_fields` adds.
Bytes encode_struct(const std::function<void(CompactEncoder<Bytes>&)>& write_fields) {
  Bytes out;
  CompactEncoder<Bytes> encoder(out);
  encoder.begin_struct();
  write_fields(encoder);
  encoder.end_struct();
  return out;
}

// ---- encoder: exact bytes from the compact protocol specification -----------

TEST(CompactEncoder, I32FieldOneWithValueOneIsShortFormHeaderAndZigzagVarint) {
  const Bytes bytes = encode_struct([](auto& encoder) {
    encoder.field_header(1, CompactType::kI32);
    encoder.write_i32(1);
  });
  // Header: delta 1 in the high nibble, type 5 (i32) in the low one; zigzag(1) = 2.
  EXPECT_EQ(bytes, (Bytes{0x15, 0x02, 0x00}));
}

TEST(CompactEncoder, DeltaUpToFifteenIsShortFormBeyondIsLongForm) {
  const Bytes bytes = encode_struct([](auto& encoder) {
    encoder.field_header(15, CompactType::kI32);  // delta 15: still short form
    encoder.write_i32(0);
    encoder.field_header(31, CompactType::kI32);  // delta 16: type byte, then zigzag(31) = 62
    encoder.write_i32(0);
  });
  EXPECT_EQ(bytes, (Bytes{0xF5, 0x00, 0x05, 0x3E, 0x00, 0x00}));
}

TEST(CompactEncoder, DecreasingFieldIdUsesLongForm) {
  const Bytes bytes = encode_struct([](auto& encoder) {
    encoder.field_header(5, CompactType::kI8);
    encoder.write_i8(7);
    encoder.field_header(3, CompactType::kI8);  // negative delta; zigzag(3) = 6
    encoder.write_i8(-1);
  });
  EXPECT_EQ(bytes, (Bytes{0x53, 0x07, 0x03, 0x06, 0xFF, 0x00}));
}

TEST(CompactEncoder, BoolFieldValueIsTheHeaderType) {
  const Bytes bytes = encode_struct([](auto& encoder) {
    encoder.bool_field(1, true);   // type 1
    encoder.bool_field(2, false);  // type 2
  });
  EXPECT_EQ(bytes, (Bytes{0x11, 0x12, 0x00}));
}

TEST(CompactEncoder, NestedStructRestoresTheOuterFieldIdBase) {
  const Bytes bytes = encode_struct([](auto& encoder) {
    encoder.field_header(1, CompactType::kStruct);
    encoder.begin_struct();
    encoder.field_header(2, CompactType::kI32);  // delta from 0 inside the inner struct
    encoder.write_i32(1);
    encoder.end_struct();
    encoder.field_header(2, CompactType::kI32);  // delta from 1 in the outer struct
    encoder.write_i32(1);
  });
  EXPECT_EQ(bytes, (Bytes{0x1C, 0x25, 0x02, 0x00, 0x15, 0x02, 0x00}));
}

TEST(CompactEncoder, ListHeaderShortFormBelowFifteenLongFormFromFifteen) {
  auto header = [](size_t size) {
    Bytes out;
    CompactEncoder<Bytes>(out).list_header(CompactType::kI32, size);
    return out;
  };
  EXPECT_EQ(header(0), (Bytes{0x05}));
  EXPECT_EQ(header(3), (Bytes{0x35}));
  EXPECT_EQ(header(14), (Bytes{0xE5}));
  EXPECT_EQ(header(15), (Bytes{0xF5, 0x0F}));
  // 300 = 0b10'0101100: low seven bits with the continuation bit, then 2.
  EXPECT_EQ(header(300), (Bytes{0xF5, 0xAC, 0x02}));
}

TEST(CompactEncoder, IntegersAreZigzagVarints) {
  auto i32 = [](int32_t value) {
    Bytes out;
    CompactEncoder<Bytes>(out).write_i32(value);
    return out;
  };
  auto i64 = [](int64_t value) {
    Bytes out;
    CompactEncoder<Bytes>(out).write_i64(value);
    return out;
  };
  EXPECT_EQ(i32(0), (Bytes{0x00}));
  EXPECT_EQ(i32(-1), (Bytes{0x01}));
  EXPECT_EQ(i32(-2), (Bytes{0x03}));
  EXPECT_EQ(i32(-64), (Bytes{0x7F}));
  EXPECT_EQ(i32(64), (Bytes{0x80, 0x01}));
  // The specification's example: varint 50399 = DF 89 03, and zigzag(-25200) = 50399.
  EXPECT_EQ(i32(-25200), (Bytes{0xDF, 0x89, 0x03}));
  EXPECT_EQ(i32(std::numeric_limits<int32_t>::max()), (Bytes{0xFE, 0xFF, 0xFF, 0xFF, 0x0F}));
  EXPECT_EQ(i32(std::numeric_limits<int32_t>::min()), (Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0x0F}));
  EXPECT_EQ(i64(-65), (Bytes{0x81, 0x01}));
  EXPECT_EQ(i64(std::numeric_limits<int64_t>::min()),
            (Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}));

  Bytes i16;
  CompactEncoder<Bytes>(i16).write_i16(-25200);
  EXPECT_EQ(i16, (Bytes{0xDF, 0x89, 0x03}));
}

TEST(CompactEncoder, DoubleIsLittleEndianIeee754) {
  Bytes out;
  CompactEncoder<Bytes> encoder(out);
  encoder.write_double(1.0);   // 0x3FF0000000000000
  encoder.write_double(-2.5);  // 0xC004000000000000
  EXPECT_EQ(out, (Bytes{0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0, 0, 0, 0, 0, 0, 0x04, 0xC0}));
}

TEST(CompactEncoder, BinaryIsVarintLengthThenBytes) {
  Bytes out;
  CompactEncoder<Bytes> encoder(out);
  encoder.write_binary("abc");
  encoder.write_binary("");
  encoder.write_binary(std::string(200, 'x'));
  ASSERT_EQ(out.size(), 4u + 1u + 2u + 200u);
  EXPECT_EQ(Bytes(out.begin(), out.begin() + 7), (Bytes{0x03, 'a', 'b', 'c', 0x00, 0xC8, 0x01}));
}

TEST(CompactEncoder, StringBufferGetsTheSameBytesAsVectorBuffer) {
  auto write = [](auto& encoder) {
    encoder.begin_struct();
    encoder.field_header(3, CompactType::kBinary);
    encoder.write_binary("key");
    encoder.field_header(40, CompactType::kDouble);
    encoder.write_double(0.5);
    encoder.end_struct();
  };
  Bytes vector_out;
  std::string string_out = "prefix";
  CompactEncoder<Bytes> vector_encoder(vector_out);
  CompactEncoder<std::string> string_encoder(string_out);
  write(vector_encoder);
  write(string_encoder);
  ASSERT_EQ(string_out.substr(0, 6), "prefix");
  EXPECT_EQ(Bytes(string_out.begin() + 6, string_out.end()), vector_out);
}

TEST(CompactEncoder, NestingBeyondTheLimitIsRejected) {
  Bytes out;
  CompactEncoder<Bytes> encoder(out);
  for (int level = 0; level < kMaxThriftNesting; ++level) encoder.begin_struct();
  EXPECT_THROW(encoder.begin_struct(), IoWriteError);
}

// ---- decoder: values ---------------------------------------------------------

TEST(CompactDecoder, ReadsBackEveryEncodedPrimitive) {
  Bytes bytes;
  CompactEncoder<Bytes> encoder(bytes);
  encoder.write_i8(-128);
  encoder.write_i16(std::numeric_limits<int16_t>::min());
  encoder.write_i16(std::numeric_limits<int16_t>::max());
  encoder.write_i32(std::numeric_limits<int32_t>::min());
  encoder.write_i32(std::numeric_limits<int32_t>::max());
  encoder.write_i64(std::numeric_limits<int64_t>::min());
  encoder.write_i64(std::numeric_limits<int64_t>::max());
  encoder.write_double(-0.125);
  encoder.write_binary(std::string("a\0b", 3));

  CompactDecoder decoder(bytes, 0, "meta.parquet");
  EXPECT_EQ(decoder.read_i8(), -128);
  EXPECT_EQ(decoder.read_i16(), std::numeric_limits<int16_t>::min());
  EXPECT_EQ(decoder.read_i16(), std::numeric_limits<int16_t>::max());
  EXPECT_EQ(decoder.read_i32(), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(decoder.read_i32(), std::numeric_limits<int32_t>::max());
  EXPECT_EQ(decoder.read_i64(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(decoder.read_i64(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(decoder.read_double(), -0.125);
  EXPECT_EQ(decoder.read_binary(), std::string_view("a\0b", 3));
  EXPECT_EQ(decoder.remaining(), 0u);
  EXPECT_EQ(decoder.position(), bytes.size());
}

TEST(CompactDecoder, ReadsShortAndLongFieldHeadersAndBools) {
  // field 1 i32 = 1; field 20 (long form) i32 = 1; field 21 bool true; field 3 (long form,
  // backwards) bool false; stop.
  const Bytes bytes{0x15, 0x02, 0x05, 0x28, 0x02, 0x11, 0x02, 0x06, 0x00};
  CompactDecoder decoder(bytes, 0, "meta.parquet");
  decoder.begin_struct();
  FieldHeader field;
  ASSERT_TRUE(decoder.next_field(field));
  EXPECT_EQ(field.id, 1);
  EXPECT_EQ(field.type, CompactType::kI32);
  EXPECT_EQ(field.position, 0u);
  EXPECT_EQ(decoder.read_i32(), 1);
  ASSERT_TRUE(decoder.next_field(field));
  EXPECT_EQ(field.id, 20);
  EXPECT_EQ(field.position, 2u);
  EXPECT_EQ(decoder.read_i32(), 1);
  ASSERT_TRUE(decoder.next_field(field));
  EXPECT_EQ(field.id, 21);
  EXPECT_EQ(field.type, CompactType::kBoolTrue);
  ASSERT_TRUE(decoder.next_field(field));
  EXPECT_EQ(field.id, 3);
  EXPECT_EQ(field.type, CompactType::kBoolFalse);
  EXPECT_FALSE(decoder.next_field(field));
  decoder.end_struct();
  EXPECT_EQ(decoder.remaining(), 0u);
}

TEST(CompactDecoder, ReadsListHeadersInBothForms) {
  Bytes bytes{0x35, 0x02, 0x04, 0x06};            // short form: three i32 elements
  bytes.insert(bytes.end(), {0xF8, 0xAC, 0x02});  // long form: 300 binary elements
  bytes.insert(bytes.end(), 300, 0x00);           // each an empty binary
  CompactDecoder decoder(bytes, 0, "meta.parquet");

  const ListHeader short_list = decoder.begin_list();
  EXPECT_EQ(short_list.element_type, CompactType::kI32);
  ASSERT_EQ(short_list.size, 3u);
  EXPECT_EQ(decoder.read_i32(), 1);
  EXPECT_EQ(decoder.read_i32(), 2);
  EXPECT_EQ(decoder.read_i32(), 3);
  decoder.end_container();

  const ListHeader long_list = decoder.begin_list();
  EXPECT_EQ(long_list.element_type, CompactType::kBinary);
  ASSERT_EQ(long_list.size, 300u);
  for (uint32_t index = 0; index < long_list.size; ++index) EXPECT_EQ(decoder.read_binary(), "");
  decoder.end_container();
  EXPECT_EQ(decoder.remaining(), 0u);
}

// ---- decoder: skipping unknown fields ----------------------------------------

// A struct holding one unknown field of every type, nested ones included, between two
// known fields: field 1 (i32 42) and field 100 (binary "end").
Bytes struct_with_unknown_fields() {
  Bytes out;
  CompactEncoder<Bytes> encoder(out);
  auto raw = [&out](std::initializer_list<uint8_t> bytes) { out.insert(out.end(), bytes); };
  encoder.begin_struct();
  encoder.field_header(1, CompactType::kI32);
  encoder.write_i32(42);
  encoder.bool_field(2, true);
  encoder.bool_field(3, false);
  encoder.field_header(4, CompactType::kI8);
  encoder.write_i8(-5);
  encoder.field_header(5, CompactType::kI16);
  encoder.write_i16(-300);
  encoder.field_header(6, CompactType::kI32);
  encoder.write_i32(std::numeric_limits<int32_t>::min());
  encoder.field_header(7, CompactType::kI64);
  encoder.write_i64(std::numeric_limits<int64_t>::min());
  encoder.field_header(8, CompactType::kDouble);
  encoder.write_double(3.5);
  encoder.field_header(9, CompactType::kBinary);
  encoder.write_binary(std::string(300, 'b'));
  encoder.field_header(10, CompactType::kList);  // list<i64> in the long form
  encoder.list_header(CompactType::kI64, 20);
  for (int64_t value = 0; value < 20; ++value) encoder.write_i64(value * 1000);
  encoder.field_header(11, CompactType::kSet);  // set<binary>
  encoder.list_header(CompactType::kBinary, 2);
  encoder.write_binary("x");
  encoder.write_binary("y");
  encoder.field_header(12, CompactType::kList);  // list<bool>: one byte per element
  raw({0x31, 0x01, 0x00, 0x01});
  encoder.field_header(13, CompactType::kList);  // list<bool> with element type 2
  raw({0x22, 0x01, 0x02});
  encoder.field_header(14, CompactType::kMap);  // map<i32, struct{1: binary}>, two entries
  raw({0x02, 0x5C, 0x02, 0x18, 0x01, 'x', 0x00, 0x04, 0x00});
  encoder.field_header(15, CompactType::kMap);  // empty map
  raw({0x00});
  encoder.field_header(16, CompactType::kUuid);
  out.insert(out.end(), 16, 0xAB);
  encoder.field_header(17, CompactType::kStruct);  // struct{1: list<list<struct{...}>>}
  encoder.begin_struct();
  encoder.field_header(1, CompactType::kList);
  encoder.list_header(CompactType::kList, 1);
  encoder.list_header(CompactType::kStruct, 2);
  encoder.begin_struct();
  encoder.field_header(7, CompactType::kMap);
  raw({0x01, 0x88, 0x01, 'k', 0x01, 'v'});  // map<binary, binary>
  encoder.bool_field(8, true);
  encoder.end_struct();
  encoder.begin_struct();
  encoder.end_struct();
  encoder.end_struct();
  encoder.field_header(-7, CompactType::kI32);  // a negative id, as old IDLs assigned
  encoder.write_i32(9);
  encoder.field_header(100, CompactType::kBinary);
  encoder.write_binary("end");
  encoder.end_struct();
  return out;
}

TEST(CompactDecoder, SkipsUnknownFieldsOfEveryType) {
  const Bytes bytes = struct_with_unknown_fields();
  CompactDecoder decoder(bytes, 0, "meta.parquet");
  decoder.begin_struct();
  std::vector<int16_t> skipped;
  int32_t first = 0;
  std::string last;
  FieldHeader field;
  while (decoder.next_field(field)) {
    if (field.id == 1) {
      first = decoder.read_i32();
    } else if (field.id == 100) {
      last = decoder.read_binary();
    } else {
      skipped.push_back(field.id);
      decoder.skip_field(field);
    }
  }
  decoder.end_struct();
  EXPECT_EQ(first, 42);
  EXPECT_EQ(last, "end");
  EXPECT_THAT(skipped,
              ::testing::ElementsAre(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, -7));
  EXPECT_EQ(decoder.remaining(), 0u);
}

TEST(CompactDecoder, SkippingAWholeStructConsumesExactlyIt) {
  Bytes bytes = struct_with_unknown_fields();
  const size_t size = bytes.size();
  bytes.push_back(0x99);  // whatever follows the struct stays unread
  CompactDecoder decoder(bytes, 0, "meta.parquet");
  decoder.skip_value(CompactType::kStruct);
  EXPECT_EQ(decoder.position(), size);
}

// ---- decoder: corrupt and hostile input --------------------------------------

TEST(CompactDecoder, ErrorsCarryPathAndOffsetFromTheCallersBase) {
  // field 1 i32 whose varint is cut off after one continuation byte.
  const auto error = expect_error<IoFormatError>(decoding_with(
                                                     {0x15, 0x80},
                                                     [](CompactDecoder& decoder) {
                                                       decoder.begin_struct();
                                                       FieldHeader field;
                                                       decoder.next_field(field);
                                                       decoder.read_i32();
                                                     },
                                                     1000),
                                                 {.message_has = {"ends inside a varint"},
                                                  .path = "meta.parquet",
                                                  .offset = 1001});  // where the varint starts
  ASSERT_TRUE(error.has_value());
  EXPECT_THAT(error->what(), HasSubstr("meta.parquet"));
}

TEST(CompactDecoder, TruncatedValuesAreRejected) {
  expect_error<IoFormatError>(decoding_with({}, [](CompactDecoder& d) { d.read_i8(); }),
                              {.message_has = {"ends inside a byte"}});
  expect_error<IoFormatError>(decoding_with({0, 0, 0}, [](CompactDecoder& d) { d.read_double(); }),
                              {.message_has = {"ends inside a double"}});
  expect_error<IoFormatError>(
      decoding_with({0x15}, [](CompactDecoder& d) { d.skip_value(CompactType::kStruct); }),
      {.message_has = {"ends inside a varint"}});
  expect_error<IoFormatError>(
      decoding_with({0x1C, 0x00}, [](CompactDecoder& d) { d.skip_value(CompactType::kStruct); }),
      {.message_has = {"ends inside a byte"}});
  expect_error<IoFormatError>(
      decoding_with(Bytes(15, 0), [](CompactDecoder& d) { d.skip_value(CompactType::kUuid); }),
      {.message_has = {"ends inside a uuid"}});
}

TEST(CompactDecoder, OverlongVarintsAreRejected) {
  // Six bytes for an i32; a fifth byte with bits beyond 32; an eleventh byte for an i64;
  // a tenth byte with bits beyond 64.
  const Bytes six_bytes{0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
  const Bytes i32_overflow{0xFF, 0xFF, 0xFF, 0xFF, 0x1F};
  const Bytes i64_overflow{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02};
  Bytes eleven_bytes(10, 0x80);
  eleven_bytes.push_back(0x01);
  auto read_i32 = [](CompactDecoder& d) { d.read_i32(); };
  auto read_i64 = [](CompactDecoder& d) { d.read_i64(); };
  expect_error<IoFormatError>(decoding_with(six_bytes, read_i32),
                              {.message_has = {"does not fit in 32 bits"}});
  expect_error<IoFormatError>(decoding_with(i32_overflow, read_i32),
                              {.message_has = {"does not fit in 32 bits"}});
  expect_error<IoFormatError>(decoding_with(i64_overflow, read_i64),
                              {.message_has = {"does not fit in 64 bits"}});
  expect_error<IoFormatError>(decoding_with(eleven_bytes, read_i64),
                              {.message_has = {"does not fit in 64 bits"}});
  expect_error<IoFormatError>(decoding_with(six_bytes, read_i32, 7), {.offset = 7});

  // The longest valid encodings still decode.
  const Bytes max_i32{0xFF, 0xFF, 0xFF, 0xFF, 0x0F};
  EXPECT_EQ(CompactDecoder(max_i32, 0, "").read_i32(), std::numeric_limits<int32_t>::min());
}

TEST(CompactDecoder, I16OutOfRangeIsRejected) {
  // zigzag(40000) = 80000 = 0x80 0xF1 0x04
  expect_error<IoFormatError>(
      decoding_with({0x80, 0xF1, 0x04}, [](CompactDecoder& d) { d.read_i16(); }),
      {.message_has = {"i16 value 40000 is out of range"}});
}

TEST(CompactDecoder, FieldIdBeyondI16AndInvalidTypesAreRejected) {
  auto read_fields = [](CompactDecoder& d) {
    d.begin_struct();
    FieldHeader field;
    while (d.next_field(field)) d.skip_field(field);
  };
  // Long-form field 32767 (zigzag 65534 = FE FF 03) of type i8, then a short-form delta of 1.
  expect_error<IoFormatError>(
      decoding_with({0x03, 0xFE, 0xFF, 0x03, 0x00, 0x13, 0x00}, read_fields),
      {.message_has = {"field id 32768"}});
  expect_error<IoFormatError>(decoding_with({0x15, 0x00, 0x1E}, read_fields, 50),
                              {.message_has = {"invalid field type 14"}, .offset = 52});
  expect_error<IoFormatError>(decoding_with({0x1F}, read_fields),
                              {.message_has = {"invalid field type 15"}});
  expect_error<IoFormatError>(decoding_with({0x10}, read_fields),
                              {.message_has = {"invalid field type 0"}});
}

TEST(CompactDecoder, HugeBinaryLengthsAreRejectedBeforeAnyCopy) {
  auto read_binary = [](CompactDecoder& d) { d.read_binary(); };
  expect_error<IoFormatError>(decoding_with({0x05, 'a', 'b'}, read_binary),
                              {.message_has = {"declares 5 bytes but only 2 remain"}});
  // 0xFFFFFFFF: a negative i32 length in the protocol's terms.
  expect_error<IoFormatError>(decoding_with({0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 'a'}, read_binary),
                              {.message_has = {"declares 4294967295 bytes"}});
}

TEST(CompactDecoder, HugeListAndMapSizesAreRejectedBeforeAnyElement) {
  auto skip = [](CompactType type) { return [type](CompactDecoder& d) { d.skip_value(type); }; };
  // 2^31 - 1 structs declared, four bytes present.
  expect_error<IoFormatError>(
      decoding_with({0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0, 0, 0, 0}, skip(CompactType::kList)),
      {.message_has = {"declares 2147483647 entries"}});
  // Beyond the protocol's i32 size.
  expect_error<IoFormatError>(
      decoding_with({0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, skip(CompactType::kList)),
      {.message_has = {"exceeds the protocol's limit"}});
  // Doubles take eight bytes each: three cannot fit in the one byte left.
  expect_error<IoFormatError>(
      decoding_with(Bytes{0x37, 0}, skip(CompactType::kSet)),
      {.message_has = {"declares 3 entries, at least 24 bytes, but only 1 bytes remain"}});
  // A map of 1000 i32 -> i32 entries needs at least 2000 bytes.
  Bytes map{0xE8, 0x07, 0x55};
  map.insert(map.end(), 1000, 0x00);
  expect_error<IoFormatError>(decoding_with(map, skip(CompactType::kMap)),
                              {.message_has = {"map declares 1000 entries, at least 2000 bytes"}});
}

TEST(CompactDecoder, InvalidElementTypesAreRejectedButEmptyListsPass) {
  expect_error<IoFormatError>(
      decoding_with({0x1F, 0x00}, [](CompactDecoder& d) { d.begin_list(); }),
      {.message_has = {"list declares invalid element type 15"}});
  expect_error<IoFormatError>(
      decoding_with({0x01, 0xE5, 0x00, 0x00}, [](CompactDecoder& d) { d.begin_map(); }),
      {.message_has = {"map declares invalid element type 14"}});
  const Bytes empty_untyped_list{0x00};
  CompactDecoder decoder(empty_untyped_list, 0, "");
  EXPECT_EQ(decoder.begin_list().size, 0u);
}

// `levels` structs, each the only field (id 1) of the one around it.
Bytes nested_structs(int levels) {
  Bytes bytes(static_cast<size_t>(levels - 1), 0x1C);
  bytes.insert(bytes.end(), static_cast<size_t>(levels), 0x00);
  return bytes;
}

// `levels` lists, each the only element of the one around it; the innermost is empty.
Bytes nested_lists(int levels) {
  Bytes bytes(static_cast<size_t>(levels - 1), 0x19);
  bytes.push_back(0x09);
  return bytes;
}

TEST(CompactDecoder, NestingUpToTheLimitIsSkipped) {
  const Bytes structs = nested_structs(kMaxThriftNesting);
  CompactDecoder struct_decoder(structs, 0, "");
  struct_decoder.skip_value(CompactType::kStruct);
  EXPECT_EQ(struct_decoder.remaining(), 0u);

  const Bytes lists = nested_lists(kMaxThriftNesting);
  CompactDecoder list_decoder(lists, 0, "");
  list_decoder.skip_value(CompactType::kList);
  EXPECT_EQ(list_decoder.remaining(), 0u);
}

TEST(CompactDecoder, NestingBeyondTheLimitIsRejected) {
  expect_error<IoFormatError>(
      decoding_with(
          nested_structs(kMaxThriftNesting + 1),
          [](CompactDecoder& d) { d.skip_value(CompactType::kStruct); }, 10),
      {.message_has = {"nest deeper than 64 levels"}, .offset = 10u + kMaxThriftNesting});
  expect_error<IoFormatError>(
      decoding_with(nested_lists(kMaxThriftNesting + 1),
                    [](CompactDecoder& d) { d.skip_value(CompactType::kList); }),
      {.message_has = {"nest deeper than 64 levels"}});
  // A hostile file could nest thousands deep; the decoder stops at the limit.
  expect_error<IoFormatError>(
      decoding_with(nested_structs(100000),
                    [](CompactDecoder& d) { d.skip_value(CompactType::kStruct); }),
      {.message_has = {"nest deeper"}});
}

TEST(CompactDecoder, TruncationAtEveryPositionOfANestedStructIsAnError) {
  const Bytes bytes = struct_with_unknown_fields();
  for (size_t size = 0; size < bytes.size(); ++size) {
    const Bytes prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
    const auto error = expect_error<IoFormatError>(decoding_with(
        prefix, [](CompactDecoder& d) { d.skip_value(CompactType::kStruct); }, 500));
    ASSERT_TRUE(error.has_value()) << "prefix of " << size << " bytes";
    ASSERT_TRUE(error->context().offset.has_value()) << "prefix of " << size << " bytes";
    EXPECT_GE(*error->context().offset, 500u);
    EXPECT_LE(*error->context().offset, 500u + size) << "prefix of " << size << " bytes";
  }
}

TEST(CompactType, NamesTypesForMessages) {
  EXPECT_EQ(compact_type_name(CompactType::kBoolTrue), "bool");
  EXPECT_EQ(compact_type_name(CompactType::kBoolFalse), "bool");
  EXPECT_EQ(compact_type_name(CompactType::kBinary), "binary");
  EXPECT_EQ(compact_type_name(CompactType::kStruct), "struct");
  EXPECT_EQ(compact_type_name(static_cast<CompactType>(14)), "invalid type");
}

}  // namespace
}  // namespace crv::parquet
