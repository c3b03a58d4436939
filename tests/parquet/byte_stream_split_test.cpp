// Tests of BYTE_STREAM_SPLIT decoding.

#include "parquet/byte_stream_split.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "crv/core/errors.hpp"
#include "parquet/delta_encoder.hpp"
#include "support/expect_error.hpp"

namespace crv::parquet {
namespace {

using test_encoders::Bytes;
using test_encoders::encode_byte_stream_split;
using test_support::expect_error;
using ::testing::ElementsAre;

TEST(ByteStreamSplit, SpecExample) {
  // Three 4-byte values AA BB CC DD, 00 11 22 33, A3 B4 C5 D6.
  const Bytes split = {0xAA, 0x00, 0xA3, 0xBB, 0x11, 0xB4, 0xCC, 0x22, 0xC5, 0xDD, 0x33, 0xD6};
  Bytes out(12);
  decode_byte_stream_split(split, 4, 0, 3, out.data());
  EXPECT_THAT(out,
              ElementsAre(0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x11, 0x22, 0x33, 0xA3, 0xB4, 0xC5, 0xD6));
}

TEST(ByteStreamSplit, EveryWidthAndRange) {
  for (size_t width : {1, 2, 3, 4, 5, 8, 12, 16, 33}) {
    SCOPED_TRACE(width);
    const size_t count = 37;
    Bytes plain(width * count);
    for (size_t i = 0; i < plain.size(); ++i) plain[i] = static_cast<uint8_t>(i * 7 + width);
    const Bytes split = encode_byte_stream_split(plain, width);
    EXPECT_EQ(byte_stream_split_count(split, width), count);
    for (size_t skip : {size_t{0}, size_t{1}, size_t{20}, count}) {
      for (size_t keep = 0; skip + keep <= count; keep += 9) {
        Bytes out(keep * width);
        decode_byte_stream_split(split, width, skip, keep, out.data());
        EXPECT_TRUE(std::equal(out.begin(), out.end(),
                               plain.begin() + static_cast<ptrdiff_t>(skip * width)))
            << skip << " " << keep;
      }
    }
  }
}

TEST(ByteStreamSplit, DoublesAndFloats) {
  const std::vector<double> doubles = {0.0, -0.0, 1.5, -2.25e300, 5e-324};
  const Bytes split = encode_byte_stream_split(
      {reinterpret_cast<const uint8_t*>(doubles.data()), doubles.size() * sizeof(double)}, 8);
  std::vector<double> out(doubles.size());
  decode_byte_stream_split(split, 8, 0, doubles.size(), reinterpret_cast<uint8_t*>(out.data()));
  EXPECT_EQ(std::memcmp(out.data(), doubles.data(), doubles.size() * sizeof(double)), 0);
}

TEST(ByteStreamSplit, RefusesPartialValuesAndShortPages) {
  const Bytes seven(7, 1);
  for (size_t width : {2, 4, 8, 16}) {
    expect_error<IoFormatError>([&] { byte_stream_split_count(seven, width); },
                                {.message_has = {"page of 7 bytes is not a whole number of " +
                                                 std::to_string(width) + "-byte values"}});
    Bytes out(16);
    EXPECT_THROW(decode_byte_stream_split(seven, width, 0, 0, out.data()), IoFormatError);
  }
  const Bytes eight(8, 1);
  Bytes out(16);
  expect_error<IoFormatError>([&] { decode_byte_stream_split(eight, 4, 1, 2, out.data()); },
                              {.message_has = {"page holds 2 values, the page needs 3"}});
  EXPECT_THROW(decode_byte_stream_split(eight, 4, 3, 0, out.data()), IoFormatError);
  EXPECT_THROW(byte_stream_split_count(eight, 0), IoFormatError);
  // An empty page holds no value.
  EXPECT_EQ(byte_stream_split_count({}, 4), 0u);
}

}  // namespace
}  // namespace crv::parquet
