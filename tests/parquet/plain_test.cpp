// Tests of PLAIN encoding and decoding.

#include "parquet/plain.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "support/bitmap.hpp"
#include "support/expect_error.hpp"

namespace crv::parquet {
namespace {

using ::testing::ElementsAre;
using Bytes = std::vector<uint8_t>;
using test_support::make_bitmap;

template <typename O>
struct StringColumn {
  std::vector<O> offsets{0};
  Bytes data;

  explicit StringColumn(const std::vector<std::string>& values) {
    for (const std::string& value : values) {
      data.insert(data.end(), value.begin(), value.end());
      offsets.push_back(static_cast<O>(data.size()));
    }
  }
};

using test_support::expect_error;

TEST(PlainEncode, Int64AndDoubleAreLittleEndian) {
  Bytes out;
  const std::vector<int64_t> ints = {1, -2};
  encode_plain<int64_t>(ints, BitmapView{}, out);
  EXPECT_THAT(out, ElementsAre(0x01, 0, 0, 0, 0, 0, 0, 0,  //
                               0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF));
  out.clear();
  // IEEE 754: 1.0 = 0x3FF0000000000000, -2.5 = 0xC004000000000000.
  const std::vector<double> doubles = {1.0, -2.5};
  encode_plain<double>(doubles, BitmapView{}, out);
  EXPECT_THAT(out, ElementsAre(0, 0, 0, 0, 0, 0, 0xF0, 0x3F,  //
                               0, 0, 0, 0, 0, 0, 0x04, 0xC0));
}

TEST(PlainEncode, SkipsNullsAtABitOffset) {
  const std::vector<int64_t> values = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110};
  const Bytes validity =
      make_bitmap({true, false, false, true, true, false, true, true, true, false, true}, 5);
  Bytes out;
  encode_plain<int64_t>(values, BitmapView{validity.data(), 5}, out);
  std::vector<int64_t> decoded;
  EXPECT_EQ(decode_plain<int64_t>(out, 7, decoded), 56u);
  EXPECT_THAT(decoded, ElementsAre(10, 40, 50, 70, 80, 90, 110));
}

TEST(PlainEncode, AllNullWritesNothing) {
  const std::vector<double> values = {1.5, 2.5};
  const Bytes validity = make_bitmap({false, false}, 3);
  Bytes out = {0x7F};
  encode_plain<double>(values, BitmapView{validity.data(), 3}, out);
  EXPECT_THAT(out, ElementsAre(0x7F));
}

TEST(PlainEncode, ByteArraysWithLengthPrefixes) {
  const StringColumn<int32_t> column({"ab", "", "xyz"});
  Bytes out;
  encode_plain_byte_array<int32_t>(column.offsets, column.data.data(), BitmapView{}, out);
  EXPECT_THAT(out, ElementsAre(2, 0, 0, 0, 'a', 'b', 0, 0, 0, 0, 3, 0, 0, 0, 'x', 'y', 'z'));
}

TEST(PlainEncode, ByteArraysSkipNullsWithEitherOffsetWidth) {
  const std::vector<std::string> values = {"one", "two", "three", "", "five", "six"};
  const std::vector<bool> present = {false, true, true, true, false, true};
  const Bytes validity = make_bitmap(present, 7);
  const Bytes expected = {3,   0,   0, 0, 't', 'w', 'o', 5, 0, 0, 0,   't', 'h', 'r',
                          'e', 'e', 0, 0, 0,   0,   3,   0, 0, 0, 's', 'i', 'x'};
  const StringColumn<int32_t> narrow(values);
  Bytes out;
  encode_plain_byte_array<int32_t>(narrow.offsets, narrow.data.data(),
                                   BitmapView{validity.data(), 7}, out);
  EXPECT_EQ(out, expected);
  const StringColumn<int64_t> wide(values);
  out.clear();
  encode_plain_byte_array<int64_t>(wide.offsets, wide.data.data(), BitmapView{validity.data(), 7},
                                   out);
  EXPECT_EQ(out, expected);
}

TEST(PlainEncode, RefusesOverlongByteArray) {
  // Offsets claiming a 2 GiB value; the data is never read because the length is refused.
  const std::vector<int64_t> offsets = {0, int64_t{1} << 31};
  const uint8_t byte = 0;
  Bytes out = {0x01};
  EXPECT_THROW(encode_plain_byte_array<int64_t>(offsets, &byte, BitmapView{}, out), IoWriteError);
  EXPECT_THAT(out, ElementsAre(0x01));
}

TEST(PlainEncode, BooleansBitPackedLsbFirst) {
  const std::vector<bool> bits = {true, false, true, true, false, false, true, false, true};
  const Bytes values = make_bitmap(bits, 0);
  Bytes out;
  encode_plain_boolean(BitmapView{values.data(), 0}, bits.size(), BitmapView{}, out);
  EXPECT_THAT(out, ElementsAre(0x4D, 0x01));
}

TEST(PlainEncode, BooleansSkipNullsAtOffsets) {
  const std::vector<bool> bits = {true, true, false, true, false, true, true, false, true, true};
  const std::vector<bool> present = {true, false, true, true, false,
                                     true, false, true, true, false};
  const Bytes values = make_bitmap(bits, 3);
  const Bytes validity = make_bitmap(present, 6);
  Bytes out;
  encode_plain_boolean(BitmapView{values.data(), 3}, bits.size(), BitmapView{validity.data(), 6},
                       out);
  // Present values in order: 1 0 1 1 0 1 -> 0b101101.
  EXPECT_THAT(out, ElementsAre(0x2D));
}

TEST(PlainDecode, FixedWidthAppends) {
  const Bytes input = {0x01, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x2A, 0, 0, 0};
  std::vector<int32_t> values = {7};
  EXPECT_EQ(decode_plain<int32_t>(input, 2, values), 8u);
  EXPECT_THAT(values, ElementsAre(7, 1, -1));
  EXPECT_EQ(decode_plain<int32_t>(input, 0, values), 0u);
  EXPECT_EQ(values.size(), 3u);
  const Bytes half = {0, 0, 0xC0, 0x3F};  // 1.5f
  std::vector<float> floats;
  decode_plain<float>(half, 1, floats);
  EXPECT_THAT(floats, ElementsAre(1.5f));
}

TEST(PlainDecode, FixedWidthTruncated) {
  const Bytes input(15, 0);
  std::vector<int64_t> values;
  expect_error<IoFormatError>(
      [&] { decode_plain<int64_t>(input, 2, values); },
      {.message_has = {"PLAIN INT64 value 1 at byte 8 is cut short: 7 of its 8 bytes"}});
  EXPECT_TRUE(values.empty());
  // A hostile count is refused before anything is allocated.
  std::vector<double> doubles;
  EXPECT_THROW(decode_plain<double>(input, std::numeric_limits<size_t>::max() / 2, doubles),
               IoFormatError);
}

TEST(PlainDecode, ByteArrays) {
  const Bytes input = {2, 0, 0, 0, 'a', 'b', 0, 0, 0, 0, 3, 0, 0, 0, 'x', 'y', 'z', 0xEE};
  std::vector<int32_t> offsets;
  Bytes data;
  EXPECT_EQ(decode_plain_byte_array<int32_t>(input, 3, offsets, data), 17u);
  EXPECT_THAT(offsets, ElementsAre(0, 2, 2, 5));
  EXPECT_EQ(std::string(data.begin(), data.end()), "abxyz");
  // Appending continues the offsets.
  const Bytes more = {1, 0, 0, 0, 'q'};
  EXPECT_EQ(decode_plain_byte_array<int32_t>(more, 1, offsets, data), 5u);
  EXPECT_THAT(offsets, ElementsAre(0, 2, 2, 5, 6));
  EXPECT_EQ(std::string(data.begin(), data.end()), "abxyzq");
}

TEST(PlainDecode, ByteArraysTruncated) {
  std::vector<int64_t> offsets;
  Bytes data;
  const Bytes cut_length = {1, 0, 0, 0, 'a', 2, 0};
  expect_error<IoFormatError>(
      [&] { decode_plain_byte_array<int64_t>(cut_length, 2, offsets, data); },
      {.message_has = {"value 1 at byte 5 is cut short: its 4-byte length has 2 bytes"}});
  const Bytes overlong = {1, 0, 0, 0, 'a', 9, 0, 0, 0, 'b', 'c'};
  expect_error<IoFormatError>(
      [&] { decode_plain_byte_array<int64_t>(overlong, 2, offsets, data); },
      {.message_has = {"value 1 at byte 5 declares 9 bytes but only 2 remain"}});
  const Bytes huge_length = {0xFF, 0xFF, 0xFF, 0xFF, 'a'};
  EXPECT_THROW(decode_plain_byte_array<int64_t>(huge_length, 1, offsets, data), IoFormatError);
  EXPECT_THROW(decode_plain_byte_array<int64_t>({}, 1, offsets, data), IoFormatError);
  // Nothing was appended by the failed calls beyond the leading offset.
  EXPECT_THAT(offsets, ElementsAre(0));
  EXPECT_TRUE(data.empty());
}

TEST(PlainDecode, OffsetCapacity) {
  constexpr size_t kMax32 = std::numeric_limits<int32_t>::max();
  EXPECT_NO_THROW(check_offset_capacity<int32_t>(kMax32 - 2, 2));
  EXPECT_THROW(check_offset_capacity<int32_t>(kMax32 - 1, 2), IoFormatError);
  EXPECT_THROW(check_offset_capacity<int32_t>(kMax32 + size_t{1}, 0), IoFormatError);
  EXPECT_NO_THROW(check_offset_capacity<int64_t>(kMax32, 2));
}

TEST(PlainDecode, BooleansAppendAtAnyBit) {
  const Bytes input = {0x4D, 0x01};
  Bytes bitmap = {0xFF};
  size_t bit_length = 3;  // the last 5 bits of the byte are not in use and get cleared
  EXPECT_EQ(decode_plain_boolean(input, 9, bitmap, bit_length), 2u);
  EXPECT_EQ(bit_length, 12u);
  // Bits 0..11 are 1,1,1 kept, then 1,0,1,1,0,0,1,0,1 appended: 0x6F, 0x0A.
  EXPECT_THAT(bitmap, ElementsAre(0x6F, 0x0A));
  EXPECT_THROW(decode_plain_boolean(input, 17, bitmap, bit_length), IoFormatError);
}

TEST(PlainSkip, FixedWidthValuesArePassedOverWithTheSameChecks) {
  const Bytes input = {0x01, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x2A, 0, 0, 0};
  EXPECT_EQ(skip_plain<int32_t>(input, 0), 0u);
  EXPECT_EQ(skip_plain<int32_t>(input, 2), 8u);
  std::vector<int32_t> rest;
  decode_plain<int32_t>(std::span(input).subspan(skip_plain<int32_t>(input, 2)), 1, rest);
  EXPECT_THAT(rest, ElementsAre(42));
  expect_error<IoFormatError>([&] { skip_plain<int64_t>(input, 2); },
                              {.message_has = {"PLAIN INT64 value 1 at byte 8 is cut short"}});
}

TEST(PlainSkip, ByteArraysArePassedOverLengthByLength) {
  const Bytes input = {2, 0, 0, 0, 'a', 'b', 0, 0, 0, 0, 3, 0, 0, 0, 'x', 'y', 'z', 0xEE};
  EXPECT_EQ(skip_plain_byte_array(input, 0), 0u);
  EXPECT_EQ(skip_plain_byte_array(input, 2), 10u);
  EXPECT_EQ(skip_plain_byte_array(input, 3), 17u);
  expect_error<IoFormatError>(
      [&] { skip_plain_byte_array(input, 4); },
      {.message_has = {"value 3 at byte 17 is cut short: its 4-byte length has 1 bytes"}});
  const Bytes overlong = {1, 0, 0, 0, 'a', 9, 0, 0, 0, 'b', 'c'};
  expect_error<IoFormatError>(
      [&] { skip_plain_byte_array(overlong, 2); },
      {.message_has = {"value 1 at byte 5 declares 9 bytes but only 2 remain"}});
}

TEST(PlainSkip, BooleansAfterSkippedBitsAppendAtAnyBit) {
  const Bytes input = {0x4D, 0x01};  // bits 1,0,1,1,0,0,1,0, 1
  Bytes bitmap = {0x01};
  size_t bit_length = 1;
  // Skip 3 bits, take the next 5: 1,0,0,1,0.
  EXPECT_EQ(decode_plain_boolean(input, 3, 5, bitmap, bit_length), 1u);
  EXPECT_EQ(bit_length, 6u);
  EXPECT_THAT(bitmap, ElementsAre(0x01 | 0x02 | 0x10));
  // Skipped bits count towards the bytes the page must hold.
  EXPECT_EQ(decode_plain_boolean(input, 8, 1, bitmap, bit_length), 2u);
  EXPECT_EQ(bit_length, 7u);
  EXPECT_THAT(bitmap, ElementsAre(0x01 | 0x02 | 0x10 | 0x40));
  EXPECT_THROW(decode_plain_boolean(input, 9, 8, bitmap, bit_length), IoFormatError);
}

TEST(PlainRoundTrip, RandomColumnsWithNulls) {
  std::mt19937_64 rng(42);
  for (size_t count : {0, 1, 7, 64, 65, 1000, 4099}) {
    std::vector<int64_t> ints(count);
    std::vector<double> doubles(count);
    std::vector<std::string> strings(count);
    std::vector<bool> present(count), flags(count);
    std::vector<int64_t> expected_ints;
    std::vector<double> expected_doubles;
    std::string expected_bytes;
    std::vector<bool> expected_flags;
    for (size_t i = 0; i < count; ++i) {
      ints[i] = static_cast<int64_t>(rng());
      std::memcpy(&doubles[i], &ints[i], sizeof(double));  // any bit pattern, NaNs included
      strings[i] = std::string(rng() % 20, static_cast<char>('a' + rng() % 26));
      flags[i] = rng() % 2;
      present[i] = rng() % 3 != 0;
      if (!present[i]) continue;
      expected_ints.push_back(ints[i]);
      expected_doubles.push_back(doubles[i]);
      expected_bytes += strings[i];
      expected_flags.push_back(flags[i]);
    }
    const size_t offset = count % 8;
    const Bytes validity = make_bitmap(present, offset);
    const BitmapView valid{validity.data(), offset};

    Bytes page;
    encode_plain<int64_t>(ints, valid, page);
    encode_plain<double>(doubles, valid, page);
    const StringColumn<int64_t> column(strings);
    encode_plain_byte_array<int64_t>(column.offsets, column.data.data(), valid, page);
    const Bytes flag_bits = make_bitmap(flags, 1);
    encode_plain_boolean(BitmapView{flag_bits.data(), 1}, count, valid, page);

    const size_t present_count = expected_ints.size();
    std::span<const uint8_t> rest(page);
    std::vector<int64_t> decoded_ints;
    rest = rest.subspan(decode_plain<int64_t>(rest, present_count, decoded_ints));
    std::vector<double> decoded_doubles;
    rest = rest.subspan(decode_plain<double>(rest, present_count, decoded_doubles));
    std::vector<int32_t> offsets;
    Bytes data;
    rest = rest.subspan(decode_plain_byte_array<int32_t>(rest, present_count, offsets, data));
    Bytes decoded_flags;
    size_t flag_count = 0;
    rest = rest.subspan(decode_plain_boolean(rest, present_count, decoded_flags, flag_count));

    EXPECT_TRUE(rest.empty());
    EXPECT_EQ(decoded_ints, expected_ints);
    ASSERT_EQ(decoded_doubles.size(), expected_doubles.size());
    for (size_t i = 0; i < present_count; ++i) {
      // Bitwise: NaN payloads must survive too.
      ASSERT_EQ(std::bit_cast<uint64_t>(decoded_doubles[i]),
                std::bit_cast<uint64_t>(expected_doubles[i]))
          << i;
    }
    EXPECT_EQ(std::string(data.begin(), data.end()), expected_bytes);
    EXPECT_EQ(offsets.size(), present_count + 1);
    ASSERT_EQ(flag_count, present_count);
    for (size_t i = 0; i < present_count; ++i) {
      EXPECT_EQ(((decoded_flags[i / 8] >> (i % 8)) & 1) != 0, expected_flags[i]) << i;
    }
  }
}

}  // namespace
}  // namespace crv::parquet
