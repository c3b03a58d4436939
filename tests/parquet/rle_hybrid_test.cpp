// Tests of the RLE/bit-packing hybrid encoding.

#include "parquet/rle_hybrid.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "parquet/bit_util.hpp"
#include "support/expect_error.hpp"

namespace crv::parquet {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using Bytes = std::vector<uint8_t>;
using test_support::expect_error;

Bytes encode(const std::vector<uint32_t>& values, int bit_width,
             RleFraming framing = RleFraming::kRaw) {
  Bytes out;
  encode_rle_hybrid(values, bit_width, framing, out);
  return out;
}

std::vector<uint32_t> decode(const Bytes& runs, int bit_width, size_t count) {
  std::vector<uint32_t> values(count);
  RleHybridDecoder decoder(runs, bit_width);
  decoder.decode(values);
  return values;
}

std::vector<uint32_t> iota_values(uint32_t count) {
  std::vector<uint32_t> values(count);
  for (uint32_t i = 0; i < count; ++i) values[i] = i;
  return values;
}

// The expected bytes below were worked out by hand from the grammar in Encodings.md:
// bit-packed header = ULEB128(groups << 1 | 1), RLE header = ULEB128(count << 1) then the
// value in ceil(width / 8) little-endian bytes, values packed from the least significant
// bit of each byte.

TEST(RleHybridEncode, SpecBitPackingExample) {
  // Encodings.md: 0..7 at width 3 pack to 10001000 11000110 11111010.
  EXPECT_THAT(encode(iota_values(8), 3), ElementsAre(0x03, 0x88, 0xC6, 0xFA));
}

TEST(RleHybridEncode, Framings) {
  EXPECT_THAT(encode(iota_values(8), 3, RleFraming::kLengthPrefixed),
              ElementsAre(0x04, 0x00, 0x00, 0x00, 0x03, 0x88, 0xC6, 0xFA));
  EXPECT_THAT(encode(iota_values(8), 3, RleFraming::kBitWidthPrefixed),
              ElementsAre(0x03, 0x03, 0x88, 0xC6, 0xFA));
  EXPECT_THAT(encode({}, 3, RleFraming::kLengthPrefixed), ElementsAre(0, 0, 0, 0));
  EXPECT_THAT(encode({}, 3, RleFraming::kRaw), ElementsAre());
}

TEST(RleHybridEncode, AppendsAfterExistingBytes) {
  Bytes out = {0xAA};
  encode_rle_hybrid(std::vector<uint32_t>(100, 5), 3, RleFraming::kLengthPrefixed, out);
  EXPECT_THAT(out, ElementsAre(0xAA, 0x03, 0x00, 0x00, 0x00, 0xC8, 0x01, 0x05));
}

TEST(RleHybridEncode, RepeatsBecomeRleRuns) {
  // 100 << 1 = 200 = ULEB128 C8 01.
  EXPECT_THAT(encode(std::vector<uint32_t>(100, 5), 3), ElementsAre(0xC8, 0x01, 0x05));
  // Width 0 stores no value bytes.
  EXPECT_THAT(encode(std::vector<uint32_t>(10, 0), 0), ElementsAre(0x14));
  // Width 9 needs two value bytes: 0x1AB little-endian.
  EXPECT_THAT(encode(std::vector<uint32_t>(20, 0x1AB), 9), ElementsAre(0x28, 0xAB, 0x01));
  EXPECT_THAT(encode(std::vector<uint32_t>(8, 0xDEADBEEF), 32),
              ElementsAre(0x10, 0xEF, 0xBE, 0xAD, 0xDE));
  // 300 << 1 = 600 = ULEB128 D8 04.
  EXPECT_THAT(encode(std::vector<uint32_t>(300, 1), 1), ElementsAre(0xD8, 0x04, 0x01));
}

TEST(RleHybridEncode, LiteralGroupThenRun) {
  // 1,0,1,1,0,0,1,0 packs LSB first to 0b01001101; then 10 ones as an RLE run.
  std::vector<uint32_t> values = {1, 0, 1, 1, 0, 0, 1, 0};
  values.insert(values.end(), 10, 1);
  EXPECT_THAT(encode(values, 1), ElementsAre(0x03, 0x4D, 0x14, 0x01));
}

TEST(RleHybridEncode, LastGroupIsPaddedWithZeros) {
  // 01 | 10 << 2 | 11 << 4 = 0x39; the group's second byte is padding.
  EXPECT_THAT(encode({1, 2, 3}, 2), ElementsAre(0x03, 0x39, 0x00));
}

TEST(RleHybridEncode, RunLendsValuesToCompleteAGroup) {
  // Five literals need three more to fill a group: 0,1,2,3,4,7,7,7 packs to 88 C6 FF,
  // and the remaining 17 sevens form an RLE run (17 << 1 = 0x22).
  std::vector<uint32_t> values = {0, 1, 2, 3, 4};
  values.insert(values.end(), 20, 7);
  EXPECT_THAT(encode(values, 3), ElementsAre(0x03, 0x88, 0xC6, 0xFF, 0x22, 0x07));
}

TEST(RleHybridEncode, ShortRunAfterLendingStaysBitPacked) {
  // 0 then eight 7s then 1: lending seven 7s would leave one, so all 10 values are
  // bit-packed in two groups: 0,7,7,7,7,7,7,7 -> F8 FF FF and 7,1,0.. -> 0F 00 00.
  std::vector<uint32_t> values = {0};
  values.insert(values.end(), 8, 7);
  values.push_back(1);
  EXPECT_THAT(encode(values, 3), ElementsAre(0x05, 0xF8, 0xFF, 0xFF, 0x0F, 0x00, 0x00));
}

TEST(RleHybridEncode, Int16LevelsEncodeLikeUint32) {
  const std::vector<int16_t> levels = {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0};
  const std::vector<uint32_t> same(levels.begin(), levels.end());
  Bytes out;
  encode_rle_hybrid(levels, 1, RleFraming::kLengthPrefixed, out);
  EXPECT_EQ(out, encode(same, 1, RleFraming::kLengthPrefixed));
}

TEST(RleHybridEncode, RepeatedValueWithoutMaterialising) {
  Bytes out;
  encode_rle_hybrid_repeated(2, 300, 2, RleFraming::kRaw, out);
  EXPECT_THAT(out, ElementsAre(0xD8, 0x04, 0x02));
  out.clear();
  encode_rle_hybrid_repeated(1, 0, 1, RleFraming::kLengthPrefixed, out);
  EXPECT_THAT(out, ElementsAre(0, 0, 0, 0));
  out.clear();
  // Runs longer than 2^31 - 1 are split: (2^31 - 1) << 1 = FFFFFFFE = FE FF FF FF 0F.
  encode_rle_hybrid_repeated(1, (uint64_t{1} << 31) + 5, 1, RleFraming::kRaw, out);
  EXPECT_THAT(out, ElementsAre(0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x01, 0x0C, 0x01));
}

TEST(RleHybridEncode, RejectsWidthsAndValuesOutOfRange) {
  EXPECT_THROW(encode({1}, 33), std::invalid_argument);
  EXPECT_THROW(encode({1}, -1), std::invalid_argument);
  EXPECT_THROW(encode({0, 8}, 3), std::invalid_argument);
  EXPECT_THROW(encode({1}, 0), std::invalid_argument);
  Bytes out;
  const std::vector<int16_t> negative = {0, -1};
  EXPECT_THROW(encode_rle_hybrid(negative, 15, RleFraming::kRaw, out), std::invalid_argument);
  EXPECT_THROW(encode_rle_hybrid_repeated(4, 3, 2, RleFraming::kRaw, out), std::invalid_argument);
  expect_error<std::invalid_argument>(
      [&] {
        encode({0, 1, 9}, 3);
      },
      {.message_has = {"value 9 at position 2"}});
}

TEST(RleHybridDecode, HandBuiltStreams) {
  EXPECT_THAT(decode({0x03, 0x88, 0xC6, 0xFA}, 3, 8), ElementsAreArray(iota_values(8)));
  EXPECT_THAT(decode({0x03, 0x39, 0x00}, 2, 3), ElementsAre(1, 2, 3));
  EXPECT_THAT(decode({0x28, 0xAB, 0x01}, 9, 20),
              ElementsAreArray(std::vector<uint32_t>(20, 0x1AB)));
  EXPECT_THAT(decode({0x14}, 0, 10), ElementsAreArray(std::vector<uint32_t>(10, 0)));
  // Width 0 bit-packed: one group of zeros, no data bytes.
  EXPECT_THAT(decode({0x03}, 0, 8), ElementsAreArray(std::vector<uint32_t>(8, 0)));
  // An RLE run of 2 sevens, then one group 0..7, then an RLE run of 3 ones.
  EXPECT_THAT(decode({0x04, 0x07, 0x03, 0x88, 0xC6, 0xFA, 0x06, 0x01}, 3, 13),
              ElementsAre(7, 7, 0, 1, 2, 3, 4, 5, 6, 7, 1, 1, 1));
  // A varint with a redundant continuation byte is still the number 3.
  EXPECT_THAT(decode({0x83, 0x00, 0x88, 0xC6, 0xFA}, 3, 8), ElementsAreArray(iota_values(8)));
  EXPECT_THAT(decode({0x10, 0xEF, 0xBE, 0xAD, 0xDE}, 32, 8),
              ElementsAreArray(std::vector<uint32_t>(8, 0xDEADBEEF)));
}

TEST(RleHybridDecode, BatchesContinueInsideRunsAndGroups) {
  const Bytes runs = {0x04, 0x07, 0x03, 0x88, 0xC6, 0xFA, 0x06, 0x01};
  RleHybridDecoder decoder(runs, 3);
  std::vector<uint32_t> all;
  for (size_t batch : {1, 3, 2, 5, 2}) {
    std::vector<uint32_t> values(batch);
    decoder.decode(values);
    all.insert(all.end(), values.begin(), values.end());
  }
  EXPECT_THAT(all, ElementsAre(7, 7, 0, 1, 2, 3, 4, 5, 6, 7, 1, 1, 1));
  EXPECT_EQ(decoder.bytes_consumed(), runs.size());
}

TEST(RleHybridDecode, Int16Levels) {
  const Bytes runs = {0x03, 0x4D, 0x14, 0x01};
  RleHybridDecoder decoder(runs, 1);
  std::vector<int16_t> levels(18);
  decoder.decode(levels);
  EXPECT_THAT(levels, ElementsAre(1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1));
  RleHybridDecoder too_wide(runs, 16);
  EXPECT_THROW(too_wide.decode(levels), std::invalid_argument);
}

// Random values for one (width, length) case, mixing the shapes real data has: noise,
// short and long runs, and long runs broken by a single different value.
std::vector<uint32_t> random_values(std::mt19937_64& rng, int bit_width, size_t count) {
  const uint64_t max_value = (uint64_t{1} << bit_width) - 1;
  std::uniform_int_distribution<uint64_t> value(0, max_value);
  std::vector<uint32_t> values;
  values.reserve(count);
  const int shape = static_cast<int>(rng() % 4);
  while (values.size() < count) {
    const size_t run = shape == 0   ? 1
                       : shape == 1 ? 1 + rng() % 12
                       : shape == 2 ? 1 + rng() % 40
                                    : (rng() % 2 == 0 ? 1 : 50 + rng() % 200);
    values.insert(values.end(), std::min(run, count - values.size()),
                  static_cast<uint32_t>(value(rng)));
  }
  return values;
}

// The grammar read one bit at a time, sharing no code with the library: an independent
// check that the encoder's bytes mean what the format says.
std::vector<uint32_t> reference_decode(const Bytes& runs, int bit_width, size_t count) {
  std::vector<uint32_t> values;
  size_t pos = 0;
  while (values.size() < count) {
    uint64_t header = 0;
    for (int shift = 0;; shift += 7) {
      const uint8_t byte = runs.at(pos++);
      header |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) break;
    }
    if ((header & 1) != 0) {
      const size_t groups = header >> 1;
      for (size_t i = 0; i < 8 * groups; ++i) {
        uint32_t value = 0;
        for (int b = 0; b < bit_width; ++b) {
          const size_t bit = 8 * pos + i * bit_width + b;
          value |= static_cast<uint32_t>((runs.at(bit / 8) >> (bit % 8)) & 1) << b;
        }
        values.push_back(value);
      }
      pos += groups * bit_width;
    } else {
      uint32_t value = 0;
      for (int b = 0; b < (bit_width + 7) / 8; ++b) value |= uint32_t{runs.at(pos++)} << (8 * b);
      values.insert(values.end(), header >> 1, value);
    }
  }
  EXPECT_EQ(pos, runs.size());
  values.resize(count);
  return values;
}

TEST(RleHybridRoundTrip, EveryWidthAndLengthUpTo1000) {
  std::mt19937_64 rng(20250920);
  for (int bit_width = 0; bit_width <= kMaxBitWidth; ++bit_width) {
    for (size_t count = 0; count <= 1000; ++count) {
      const std::vector<uint32_t> values = random_values(rng, bit_width, count);
      const Bytes runs = encode(values, bit_width);
      if (count % 10 == 0) {
        ASSERT_EQ(reference_decode(runs, bit_width, count), values)
            << "width " << bit_width << ", " << count << " values";
      }
      RleHybridDecoder decoder(runs, bit_width);
      std::vector<uint32_t> decoded(count);
      size_t done = 0;
      while (done < count) {
        const size_t batch = std::min<size_t>(count - done, 1 + rng() % 70);
        decoder.decode(std::span<uint32_t>(decoded.data() + done, batch));
        done += batch;
      }
      ASSERT_EQ(decoded, values) << "width " << bit_width << ", " << count << " values";
      ASSERT_EQ(decoder.bytes_consumed(), runs.size())
          << "width " << bit_width << ", " << count << " values";
    }
  }
}

TEST(RleHybridRoundTrip, LevelsThroughEveryFraming) {
  std::mt19937_64 rng(7);
  for (int bit_width = 0; bit_width <= 15; ++bit_width) {
    const std::vector<uint32_t> wide = random_values(rng, bit_width, 777);
    const std::vector<int16_t> levels(wide.begin(), wide.end());
    Bytes page;
    encode_rle_hybrid(levels, bit_width, RleFraming::kLengthPrefixed, page);
    encode_rle_hybrid(levels, bit_width, RleFraming::kBitWidthPrefixed, page);

    std::span<const uint8_t> rest(page);
    const std::span<const uint8_t> first = take_length_prefixed_runs(rest);
    std::vector<int16_t> decoded(levels.size());
    RleHybridDecoder(first, bit_width).decode(decoded);
    EXPECT_EQ(decoded, levels) << "width " << bit_width;

    RleHybridDecoder second = open_bit_width_prefixed_runs(rest);
    EXPECT_EQ(second.bit_width(), bit_width);
    second.decode(decoded);
    EXPECT_EQ(decoded, levels) << "width " << bit_width;
  }
}

TEST(RleHybridRoundTrip, LargeAllSameAndAlternating) {
  const std::vector<uint32_t> same(1 << 20, 3);
  // One RLE run: 2^20 << 1 = 2^21 takes a 4-byte varint, then the value byte.
  EXPECT_EQ(encode(same, 2).size(), 5u);
  EXPECT_EQ(decode(encode(same, 2), 2, same.size()), same);
  std::vector<uint32_t> alternating(1 << 20);
  for (size_t i = 0; i < alternating.size(); ++i) alternating[i] = i % 2;
  const Bytes runs = encode(alternating, 1);
  // One bit-packed run of 2^17 groups: (2^17 << 1 | 1) takes a 3-byte varint.
  EXPECT_EQ(runs.size(), 3 + alternating.size() / 8);
  EXPECT_EQ(decode(runs, 1, alternating.size()), alternating);
}

TEST(RleHybridDecode, RejectsCorruptRuns) {
  expect_error<IoFormatError>([&] { decode({}, 3, 1); },
                              {.message_has = {"ends at byte 0 while 1 more values"}});
  expect_error<IoFormatError>(
      [&] {
        decode({0x06, 0x01}, 3, 4);
      },
      {.message_has = {"ends at byte 2 while 1 more"}});
  expect_error<IoFormatError>([&] { decode({0x80}, 3, 1); },
                              {.message_has = {"header at byte 0 is cut short"}});
  expect_error<IoFormatError>(
      [&] {
        decode({0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, 3, 1);
      },
      {.message_has = {"varint longer than 5 bytes"}});
  expect_error<IoFormatError>(
      [&] {
        decode({0xFF, 0xFF, 0xFF, 0xFF, 0x1F}, 3, 1);
      },
      {.message_has = {"above the 32-bit maximum"}});
  expect_error<IoFormatError>(
      [&] {
        decode({0x00, 0x01}, 3, 1);
      },
      {.message_has = {"ends at byte 2 while 1 more"}});
  expect_error<IoFormatError>([&] { decode({0x01}, 3, 1); },
                              {.message_has = {"ends at byte 1 while 1 more"}});
  expect_error<IoFormatError>([&] { decode({0x00}, 3, 1); },
                              {.message_has = {"needs a 1-byte value but only 0"}});
  expect_error<IoFormatError>([&] { decode({0x04}, 3, 1); },
                              {.message_has = {"needs a 1-byte value but only 0"}});
  expect_error<IoFormatError>(
      [&] {
        decode({0x04, 0xAB}, 9, 1);
      },
      {.message_has = {"needs a 2-byte value but only 1"}});
  expect_error<IoFormatError>(
      [&] {
        decode({0x04, 0x08}, 3, 1);
      },
      {.message_has = {"repeats 8, which does not fit in bit width 3"}});
  expect_error<IoFormatError>(
      [&] {
        decode({0x06, 0x01, 0x03}, 3, 4);
      },
      {.message_has = {"bit-packed run at byte 2 declares 8 values (3 bytes) but only 0"}});
}

TEST(RleHybridDecode, SkipsEmptyRuns) {
  // An empty bit-packed run (header 01) and an empty RLE run of value 2 (header 00, value
  // byte) around an RLE run of three 5s, then one 6.
  EXPECT_THAT(decode({0x01, 0x06, 0x05, 0x00, 0x02, 0x02, 0x06}, 3, 4), ElementsAre(5, 5, 5, 6));
}

TEST(RleHybridDecode, TruncatedBitPackedRunYieldsOnlyTheValuesItHolds) {
  // One group of width 3 needs 3 bytes; with 2 bytes only 5 whole values are present.
  const Bytes runs = {0x03, 0x88, 0xC6};
  EXPECT_THAT(decode(runs, 3, 5), ElementsAre(0, 1, 2, 3, 4));
  expect_error<IoFormatError>([&] { decode(runs, 3, 6); },
                              {.message_has = {"ends at byte 3 while 1 more values"}});
}

TEST(RleHybridDecode, ErrorOffsetsIncludeTheBaseOffset) {
  const Bytes runs = {0x04, 0x08};
  RleHybridDecoder decoder(runs, 3, 100);
  std::vector<uint32_t> values(1);
  expect_error<IoFormatError>([&] { decoder.decode(values); }, {.message_has = {"at byte 100"}});
}

TEST(RleHybridFraming, LengthPrefix) {
  const Bytes page = {0x02, 0x00, 0x00, 0x00, 0x04, 0x01, 0xEE};
  std::span<const uint8_t> rest(page);
  const std::span<const uint8_t> runs = take_length_prefixed_runs(rest);
  EXPECT_THAT(std::vector<uint8_t>(runs.begin(), runs.end()), ElementsAre(0x04, 0x01));
  EXPECT_THAT(std::vector<uint8_t>(rest.begin(), rest.end()), ElementsAre(0xEE));

  const Bytes short_prefix = {0x02, 0x00, 0x00};
  std::span<const uint8_t> data(short_prefix);
  EXPECT_THROW(take_length_prefixed_runs(data), IoFormatError);
  const Bytes overlong = {0x09, 0x00, 0x00, 0x00, 0x04, 0x01};
  data = overlong;
  expect_error<IoFormatError>([&] { take_length_prefixed_runs(data); },
                              {.message_has = {"announces 9 bytes but only 2 follow"}});
}

TEST(RleHybridFraming, BitWidthPrefix) {
  const Bytes page = {0x03, 0x03, 0x88, 0xC6, 0xFA};
  RleHybridDecoder decoder = open_bit_width_prefixed_runs(page);
  std::vector<uint32_t> values(8);
  decoder.decode(values);
  EXPECT_EQ(values, iota_values(8));
  EXPECT_THROW(open_bit_width_prefixed_runs({}), IoFormatError);
  const Bytes too_wide = {33, 0x02, 0x00};
  EXPECT_THROW(open_bit_width_prefixed_runs(too_wide), IoFormatError);
  // Offsets in errors count from the width byte: the RLE run starts at byte 1.
  const Bytes bad_value = {0x01, 0x02, 0x05};
  RleHybridDecoder bad = open_bit_width_prefixed_runs(bad_value);
  expect_error<IoFormatError>([&] { bad.decode(values); },
                              {.message_has = {"RLE run at byte 1 repeats 5"}});
}

TEST(BitUtil, BitWidthFor) {
  EXPECT_EQ(bit_width_for(0), 0);
  EXPECT_EQ(bit_width_for(1), 1);
  EXPECT_EQ(bit_width_for(2), 2);
  EXPECT_EQ(bit_width_for(3), 2);
  EXPECT_EQ(bit_width_for(255), 8);
  EXPECT_EQ(bit_width_for(256), 9);
  EXPECT_EQ(bit_width_for(0xFFFFFFFF), 32);
}

}  // namespace
}  // namespace crv::parquet
