// Tests of DELTA_BINARY_PACKED decoding.

#include "parquet/delta_binary_packed.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "crv/core/errors.hpp"
#include "parquet/delta_encoder.hpp"
#include "support/expect_error.hpp"

namespace crv::parquet {
namespace {

using test_encoders::Bytes;
using test_encoders::DeltaOptions;
using test_encoders::encode_delta_binary_packed;
using test_encoders::put_uleb128;
using test_encoders::put_zigzag;
using test_support::expect_error;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

constexpr int64_t kInt32Min = std::numeric_limits<int32_t>::min();
constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

std::vector<int64_t> decode_all(const Bytes& bytes, int bits) {
  DeltaBinaryPackedDecoder decoder(bytes, bits);
  std::vector<int64_t> values(decoder.total_values());
  decoder.decode(values);
  EXPECT_EQ(decoder.remaining(), 0u);
  EXPECT_EQ(decoder.stream_bytes(), bytes.size());
  return values;
}

// Values whose deltas, less the block's minimum, need exactly `width` bits in every
// miniblock: each miniblock has a relative delta of 0 and one of 2^width - 1.
std::vector<int64_t> values_needing_width(int width, size_t count) {
  const uint64_t top = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  std::vector<int64_t> values{12345};
  std::mt19937_64 rng(static_cast<uint64_t>(width));
  for (size_t i = 1; i < count; ++i) {
    uint64_t relative = top == 0 ? 0 : rng() & top;
    if (i % 32 == 1) relative = 0;
    if (i % 32 == 2) relative = top;
    // Min delta -7: every delta is relative - 7, wrapping.
    values.push_back(static_cast<int64_t>(static_cast<uint64_t>(values.back()) + relative - 7));
  }
  return values;
}

TEST(DeltaBinaryPacked, SpecExamples) {
  // Encodings.md example 1 (block size 8 as the examples take it): 1..5.
  const Bytes example1 = {8, 1, 5, 2, /*min delta 1*/ 2, /*width*/ 0};
  EXPECT_THAT(decode_all(example1, 64), ElementsAre(1, 2, 3, 4, 5));
  // Example 2: 7, 5, 3, 1, 2, 3, 4, 5; min delta -2, width 2, relative 0,0,0,3,3,3,3.
  const Bytes example2 = {8, 1, 8, 14, /*-2*/ 3, 2, 0b11000000, 0b11111111};
  EXPECT_THAT(decode_all(example2, 32), ElementsAre(7, 5, 3, 1, 2, 3, 4, 5));
}

TEST(DeltaBinaryPacked, EveryBitWidthFrom0To64) {
  for (int width = 0; width <= 64; ++width) {
    SCOPED_TRACE(width);
    // Two blocks of 4 miniblocks of 32, the last miniblock partly filled.
    const std::vector<int64_t> values = values_needing_width(width, 1 + 128 + 100);
    const Bytes bytes = encode_delta_binary_packed(values);
    EXPECT_EQ(decode_all(bytes, 64), values);
    // Every miniblock at exactly this width, whatever the values need.
    EXPECT_EQ(decode_all(encode_delta_binary_packed(values, {.forced_width = width}), 64), values);
    // Decoding one value at a time, and skipping, give the same values.
    DeltaBinaryPackedDecoder one_by_one(bytes, 64);
    for (size_t i = 0; i < values.size(); ++i) ASSERT_EQ(one_by_one.next(), values[i]) << i;
    DeltaBinaryPackedDecoder skipping(bytes, 64);
    skipping.skip(77);
    EXPECT_EQ(skipping.next(), values[77]);
  }
}

TEST(DeltaBinaryPacked, EveryWidthIsReallyUsed) {
  // The encoder's widths are the ones asked for: the width byte of the first miniblock.
  for (int width : {0, 1, 7, 31, 32, 33, 63}) {
    const Bytes bytes = encode_delta_binary_packed(values_needing_width(width, 33));
    // Header: 128 (2 bytes), 4, 33, zigzag(12345) (3 bytes); min delta -7 (1 byte).
    EXPECT_EQ(bytes[2 + 1 + 1 + 3 + 1], width);
  }
}

TEST(DeltaBinaryPacked, Int32WidthsUpTo32) {
  for (int width = 0; width <= 32; ++width) {
    SCOPED_TRACE(width);
    std::vector<int64_t> values;
    for (int64_t v : values_needing_width(width, 200)) {
      values.push_back(static_cast<int32_t>(static_cast<uint32_t>(v)));
    }
    EXPECT_EQ(decode_all(encode_delta_binary_packed(values, {.value_bits = 32}), 32), values);
  }
}

TEST(DeltaBinaryPacked, Int32DeltasWrapIn32Bits) {
  // INT32_MIN to INT32_MAX and back: deltas of +-(2^32 - 1), which wrap to -1 and +1.
  const std::vector<int64_t> values = {kInt32Min, kInt32Max, kInt32Min, 0,         kInt32Max, -1,
                                       kInt32Min, kInt32Min, kInt32Max, kInt32Max, 0};
  const Bytes wrapped = encode_delta_binary_packed(values, {.value_bits = 32});
  EXPECT_EQ(decode_all(wrapped, 32), values);
  // The same values with deltas computed in 64 bits (widths up to 33): the low 32 bits
  // of the sums are the values.
  const Bytes wide =
      encode_delta_binary_packed(values, {.value_bits = 32, .int32_deltas_in_64_bits = true});
  EXPECT_EQ(decode_all(wide, 32), values);
  // A min delta and widths that only make sense modulo 2^32: first value INT32_MAX, min
  // delta +1 (wraps to INT32_MIN), width 0.
  Bytes by_hand;
  put_uleb128(by_hand, 128);
  put_uleb128(by_hand, 1);
  put_uleb128(by_hand, 4);
  put_zigzag(by_hand, kInt32Max);
  put_zigzag(by_hand, 1);  // min delta
  by_hand.push_back(0);    // width
  EXPECT_THAT(decode_all(by_hand, 32),
              ElementsAre(kInt32Max, kInt32Min, kInt32Min + 1, kInt32Min + 2));
}

TEST(DeltaBinaryPacked, Int64Extremes) {
  const std::vector<int64_t> values = {kInt64Min, kInt64Max, kInt64Min,    0, kInt64Max, -1,
                                       kInt64Min, 1,         kInt64Max - 1};
  EXPECT_EQ(decode_all(encode_delta_binary_packed(values), 64), values);
  // The first value at both ends of the zigzag range.
  EXPECT_THAT(decode_all(encode_delta_binary_packed(std::vector<int64_t>{kInt64Min}), 64),
              ElementsAre(kInt64Min));
  EXPECT_THAT(decode_all(encode_delta_binary_packed(std::vector<int64_t>{kInt64Max}), 64),
              ElementsAre(kInt64Max));
}

TEST(DeltaBinaryPacked, SingleValueAndEmptyStreamsHaveNoBlock) {
  const Bytes single = encode_delta_binary_packed(std::vector<int64_t>{-42});
  EXPECT_EQ(single.size(), 5u);  // 128 (2 bytes), 4, 1, zigzag(-42)
  EXPECT_THAT(decode_all(single, 64), ElementsAre(-42));
  const Bytes empty = encode_delta_binary_packed(std::vector<int64_t>{});
  EXPECT_TRUE(decode_all(empty, 64).empty());
  DeltaBinaryPackedDecoder decoder(empty, 64);
  expect_error<IoFormatError>([&] { decoder.next(); }, {.message_has = {"holds 0 values"}});
}

TEST(DeltaBinaryPacked, UnusedMiniblocksMayHaveAnyWidthByte) {
  // 1 + 40 values: the first block uses 2 of its 4 miniblocks; the other two width bytes
  // are present, with garbage, and their bodies absent.
  std::vector<int64_t> values;
  for (int64_t i = 0; i < 41; ++i) values.push_back(i * i);
  for (uint8_t garbage : {0, 5, 64, 200, 255}) {
    const Bytes bytes = encode_delta_binary_packed(values, {.unused_width = garbage});
    EXPECT_EQ(decode_all(bytes, 64), values);
  }
}

TEST(DeltaBinaryPacked, OtherBlockLayouts) {
  std::vector<int64_t> values;
  std::mt19937_64 rng(5);
  for (int i = 0; i < 3000; ++i) values.push_back(static_cast<int64_t>(rng() % 100000) - 50000);
  // DuckDB's 2048 x 8, one miniblock per block, miniblocks of 8 (multiples of 8 are read).
  for (auto [block, miniblocks] : {std::pair<uint64_t, uint64_t>{2048, 8}, {128, 1}, {256, 32}}) {
    const Bytes bytes =
        encode_delta_binary_packed(values, {.block_size = block, .miniblocks = miniblocks});
    EXPECT_EQ(decode_all(bytes, 64), values);
  }
}

TEST(DeltaBinaryPacked, StreamBytesFindsTheEndBeforeTrailingData) {
  std::vector<int64_t> values(300, 3);
  Bytes bytes = encode_delta_binary_packed(values);
  const size_t size = bytes.size();
  bytes.insert(bytes.end(), {'t', 'a', 'i', 'l'});
  EXPECT_EQ(DeltaBinaryPackedDecoder(bytes, 32).stream_bytes(), size);
}

// Hostile streams: every inconsistency is an IoFormatError, never a crash.
TEST(DeltaBinaryPacked, RefusesMalformedHeaders) {
  const auto header = [](uint64_t block, uint64_t miniblocks, uint64_t count) {
    Bytes bytes;
    put_uleb128(bytes, block);
    put_uleb128(bytes, miniblocks);
    put_uleb128(bytes, count);
    put_zigzag(bytes, 0);
    return bytes;
  };
  const auto decode_header = [](const Bytes& bytes) { DeltaBinaryPackedDecoder(bytes, 64); };
  expect_error<IoFormatError>([&] { decode_header(header(0, 1, 5)); },
                              {.message_has = {"block size 0"}});
  expect_error<IoFormatError>([&] { decode_header(header(uint64_t{1} << 40, 1, 5)); },
                              {.message_has = {"block size"}});
  expect_error<IoFormatError>([&] { decode_header(header(128, 0, 5)); },
                              {.message_has = {"does not divide into 0 miniblocks"}});
  expect_error<IoFormatError>([&] { decode_header(header(128, 3, 5)); },
                              {.message_has = {"does not divide"}});
  expect_error<IoFormatError>([&] { decode_header(header(128, 32, 5)); },
                              {.message_has = {"miniblocks of 4 values"}});
  expect_error<IoFormatError>([&] { decode_header(Bytes{128}); }, {.message_has = {"cut short"}});
  expect_error<IoFormatError>([&] { decode_header(Bytes{}); },
                              {.message_has = {"block size at byte 0 is cut short"}});
  // An 11-byte varint, and a 10-byte one above 64 bits.
  Bytes overlong(10, 0x80);
  overlong.push_back(1);
  expect_error<IoFormatError>([&] { decode_header(overlong); },
                              {.message_has = {"does not fit in 64 bits"}});
  Bytes too_big(9, 0xFF);
  too_big.push_back(0x02);
  expect_error<IoFormatError>([&] { decode_header(too_big); },
                              {.message_has = {"does not fit in 64 bits"}});
}

TEST(DeltaBinaryPacked, RefusesDamagedBlocks) {
  std::vector<int64_t> values;
  for (int64_t i = 0; i < 200; ++i) values.push_back(i * 3 + i % 2);  // min delta 2
  const Bytes good = encode_delta_binary_packed(values);
  // Truncated anywhere: the full decode or the walk to the end fails cleanly.
  for (size_t size = 0; size < good.size(); ++size) {
    const Bytes cut(good.begin(), good.begin() + static_cast<ptrdiff_t>(size));
    EXPECT_THROW(
        {
          DeltaBinaryPackedDecoder decoder(cut, 64);
          std::vector<int64_t> out(values.size());
          decoder.decode(out);
        },
        IoFormatError)
        << size;
    EXPECT_THROW(DeltaBinaryPackedDecoder(cut, 64).stream_bytes(), IoFormatError) << size;
  }
  // A width above 64 in a used miniblock.
  Bytes wide = good;
  wide[2 + 1 + 2 + 1 + 1] = 65;  // header: 128 (2 bytes), 4, 200 (2), 0; min delta 2 (1)
  expect_error<IoFormatError>(
      [&] {
        std::vector<int64_t> out(values.size());
        DeltaBinaryPackedDecoder(wide, 64).decode(out);
      },
      {.message_has = {"width 65 (byte 7) exceeds 64 bits"}});
  EXPECT_THROW(DeltaBinaryPackedDecoder(wide, 64).stream_bytes(), IoFormatError);
  // More values asked for than the stream holds.
  expect_error<IoFormatError>(
      [&] {
        std::vector<int64_t> out(values.size() + 1);
        DeltaBinaryPackedDecoder(good, 64).decode(out);
      },
      {.message_has = {"stream holds 200 values"}});
}

TEST(DeltaBinaryPacked, HugeCountsCostNothingUntilDecoded) {
  // 2^63 values claimed in a few bytes, with one block of maximal size at width 0: the
  // walk to the end reads block after block and stops at the end of the input.
  Bytes bytes;
  put_uleb128(bytes, 0x7FFFFF80);  // the largest block size that is a multiple of 128
  put_uleb128(bytes, 1);
  put_uleb128(bytes, uint64_t{1} << 63);
  put_zigzag(bytes, 0);
  bytes.push_back(2);  // min delta 1
  bytes.push_back(0);  // width 0
  DeltaBinaryPackedDecoder decoder(bytes, 64);
  EXPECT_EQ(decoder.total_values(), uint64_t{1} << 63);
  expect_error<IoFormatError>([&] { decoder.stream_bytes(); }, {.message_has = {"cut short"}});
  // Values that are there decode.
  std::vector<int64_t> out(5);
  decoder.decode(out);
  EXPECT_THAT(out, ElementsAreArray({0, 1, 2, 3, 4}));
  // Many miniblock width bytes claimed: refused before reading them.
  Bytes many;
  put_uleb128(many, 1 << 20);
  put_uleb128(many, 1 << 17);
  put_uleb128(many, 10);
  put_zigzag(many, 0);
  many.push_back(0);
  expect_error<IoFormatError>(
      [&] {
        std::vector<int64_t> ten(10);
        DeltaBinaryPackedDecoder(many, 64).decode(ten);
      },
      {.message_has = {"its 131072 miniblock widths have 0 bytes"}});
}

}  // namespace
}  // namespace crv::parquet
