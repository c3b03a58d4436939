// The writer's DELTA_BINARY_PACKED and BYTE_STREAM_SPLIT encoders: what they write reads
// back through crv-io's decoders, has the layout Encodings.md asks for, and matches
// byte for byte the independent test encoder written from the same rules.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "parquet/byte_stream_split.hpp"
#include "parquet/delta_binary_packed.hpp"
#include "parquet/delta_encoder.hpp"
#include "support/bitmap.hpp"

namespace crv::parquet {
namespace {

using ::testing::ElementsAreArray;
using Bytes = std::vector<uint8_t>;

constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

Bytes delta_encoded(const std::vector<int64_t>& values, BitmapView validity = {}) {
  Bytes out = {0xEE};  // the encoder appends: a byte before must stay
  encode_delta_binary_packed(values, validity, out);
  EXPECT_EQ(out.front(), 0xEE);
  out.erase(out.begin());
  return out;
}

std::vector<int64_t> delta_decoded(const Bytes& bytes) {
  DeltaBinaryPackedDecoder decoder(bytes, 64);
  std::vector<int64_t> values(decoder.total_values());
  decoder.decode(values);
  EXPECT_EQ(decoder.stream_bytes(), bytes.size());
  return values;
}

void expect_delta_round_trip(const std::vector<int64_t>& values) {
  const Bytes bytes = delta_encoded(values);
  EXPECT_THAT(delta_decoded(bytes), ElementsAreArray(values));
  // Blocks of 128 in four miniblocks of 32, zero padding, zero widths when unused: the
  // test encoder's defaults.
  EXPECT_EQ(bytes, test_encoders::encode_delta_binary_packed(values));
}

TEST(DeltaBinaryPackedEncoder, NoValueOrOneValueIsAHeaderAlone) {
  // Block size 128 (ULEB128 80 01), 4 miniblocks, 0 values, first value 0.
  EXPECT_THAT(delta_encoded({}), ElementsAreArray({0x80, 0x01, 0x04, 0x00, 0x00}));
  EXPECT_THAT(delta_decoded(delta_encoded({})), ElementsAreArray(std::vector<int64_t>{}));
  // -3 zigzags to 5.
  EXPECT_THAT(delta_encoded({-3}), ElementsAreArray({0x80, 0x01, 0x04, 0x01, 0x05}));
  expect_delta_round_trip({kInt64Min});
  expect_delta_round_trip({kInt64Max});
}

TEST(DeltaBinaryPackedEncoder, EqualStepsTakeNoBitsAndUnusedMiniblocksWidthZero) {
  std::vector<int64_t> ticks;
  for (int64_t i = 0; i < 40; ++i) ticks.push_back(1000 + 3 * i);
  const Bytes bytes = delta_encoded(ticks);
  // Header (80 01, 04, 28, zigzag 1000 = D0 0F), min delta 3 (zigzag 06), four widths of 0
  // and no miniblock bodies.
  EXPECT_THAT(bytes, ElementsAreArray({0x80, 0x01, 0x04, 0x28, 0xD0, 0x0F, 0x06, 0, 0, 0, 0}));
  expect_delta_round_trip(ticks);
}

TEST(DeltaBinaryPackedEncoder, MiniblockAndBlockBoundaries) {
  std::mt19937_64 random(11);
  // Deltas: 1, 31, 32, 33 (miniblock edges), 127, 128, 129 (block edges), 256, 1000.
  for (size_t count : {2, 32, 33, 34, 128, 129, 130, 257, 1001}) {
    SCOPED_TRACE(count);
    std::vector<int64_t> values(count);
    for (int64_t& value : values) value = static_cast<int64_t>(random() % 100000) - 50000;
    expect_delta_round_trip(values);
  }
}

TEST(DeltaBinaryPackedEncoder, DeltasThatWrapNeedAllSixtyFourBits) {
  // INT64_MIN after INT64_MAX is a delta of 1 modulo 2^64, the reverse one of -1; with
  // 0 in between the deltas span the whole range.
  const std::vector<int64_t> extremes = {kInt64Max, kInt64Min, kInt64Max, 0,        kInt64Min,
                                         -1,        1,         kInt64Min, kInt64Max};
  expect_delta_round_trip(extremes);
  std::vector<int64_t> alternating;
  for (int i = 0; i < 300; ++i) alternating.push_back(i % 2 == 0 ? kInt64Min : kInt64Max);
  expect_delta_round_trip(alternating);

  std::mt19937_64 random(5);
  std::vector<int64_t> full_range(1000);
  for (int64_t& value : full_range) value = static_cast<int64_t>(random());
  const Bytes bytes = delta_encoded(full_range);
  EXPECT_THAT(delta_decoded(bytes), ElementsAreArray(full_range));
  // The first block's miniblocks are 64 bits wide: they follow a 3-byte header, the
  // 10-byte first value (at most) and a min delta.
  EXPECT_GT(bytes.size(), full_range.size() * 8);
}

TEST(DeltaBinaryPackedEncoder, NullSlotsAreLeftOut) {
  const std::vector<int64_t> slots = {5, 999, 7, 999, 999, 10, 11, 999};
  const std::vector<uint8_t> validity = test_support::make_bitmap({1, 0, 1, 0, 0, 1, 1, 0}, 3);
  const Bytes bytes = delta_encoded(slots, BitmapView{validity.data(), 3});
  EXPECT_THAT(delta_decoded(bytes), ElementsAreArray({5, 7, 10, 11}));
  EXPECT_EQ(bytes, test_encoders::encode_delta_binary_packed(std::vector<int64_t>{5, 7, 10, 11}));

  const std::vector<uint8_t> none = test_support::make_bitmap({0, 0, 0}, 3);
  EXPECT_TRUE(delta_decoded(delta_encoded({1, 2, 3}, BitmapView{none.data(), 3})).empty());
}

Bytes split_encoded(const std::vector<double>& values, BitmapView validity = {}) {
  Bytes out = {0xEE};
  encode_byte_stream_split<double>(values, validity, out);
  EXPECT_EQ(out.front(), 0xEE);
  out.erase(out.begin());
  return out;
}

std::vector<uint64_t> split_decoded_bits(const Bytes& bytes) {
  const size_t count = byte_stream_split_count(bytes, 8);
  std::vector<uint64_t> bits(count);
  decode_byte_stream_split(bytes, 8, 0, count, reinterpret_cast<uint8_t*>(bits.data()));
  return bits;
}

std::vector<uint64_t> bits_of(const std::vector<double>& values) {
  std::vector<uint64_t> bits;
  for (double value : values) bits.push_back(std::bit_cast<uint64_t>(value));
  return bits;
}

TEST(ByteStreamSplitEncoder, DoublesReadBackBitForBit) {
  EXPECT_TRUE(split_encoded({}).empty());
  const std::vector<double> one = {-0.0};
  EXPECT_THAT(split_decoded_bits(split_encoded(one)), ElementsAreArray(bits_of(one)));

  std::vector<double> values = {0.0,
                                -0.0,
                                std::bit_cast<double>(uint64_t{0x7ff8000000000001}),
                                std::bit_cast<double>(uint64_t{0xfff0000000000000}),
                                std::bit_cast<double>(uint64_t{1}),
                                std::numeric_limits<double>::max()};
  std::mt19937_64 random(3);
  for (int i = 0; i < 1000; ++i) values.push_back(std::bit_cast<double>(random()));
  const Bytes bytes = split_encoded(values);
  EXPECT_THAT(split_decoded_bits(bytes), ElementsAreArray(bits_of(values)));
  Bytes plain(values.size() * 8);
  std::memcpy(plain.data(), values.data(), plain.size());
  EXPECT_EQ(bytes, test_encoders::encode_byte_stream_split(plain, 8));
}

TEST(ByteStreamSplitEncoder, NullSlotsAreLeftOut) {
  const std::vector<double> slots = {1.5, 99.0, -2.25, 99.0, 1e300};
  const std::vector<uint8_t> validity = test_support::make_bitmap({1, 0, 1, 0, 1}, 3);
  const Bytes bytes = split_encoded(slots, BitmapView{validity.data(), 3});
  EXPECT_THAT(split_decoded_bits(bytes), ElementsAreArray(bits_of({1.5, -2.25, 1e300})));
  // Stream 7 (the top bytes) of 1.5 = 3FF8..., -2.25 = C002..., 1e300 = 7E37...
  EXPECT_THAT(std::vector<uint8_t>(bytes.end() - 3, bytes.end()),
              ElementsAreArray({0x3F, 0xC0, 0x7E}));
}

}  // namespace
}  // namespace crv::parquet
