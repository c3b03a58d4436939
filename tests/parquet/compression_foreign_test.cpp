// The codecs crv-io reads but does not write: BROTLI and the Hadoop-framed LZ4 (codec 5).

#include <brotli/encode.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <lz4.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "parquet/compression.hpp"
#include "parquet/compression_test_data.hpp"
#include "support/expect_error.hpp"

namespace crv::parquet {
namespace {

using test_support::expect_error;
using Bytes = std::vector<uint8_t>;
using testing::kDecompressLimit;
using testing::page_like_data;

Bytes brotli(const Bytes& input, int quality = 5) {
  Bytes out(BrotliEncoderMaxCompressedSize(input.size()) + 16);
  size_t size = out.size();
  EXPECT_TRUE(BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC,
                                    input.size(), input.data(), &size, out.data()));
  out.resize(size);
  return out;
}

Bytes lz4_block(const Bytes& input) {
  Bytes out(static_cast<size_t>(LZ4_compressBound(static_cast<int>(input.size()))));
  const int size = LZ4_compress_default(
      reinterpret_cast<const char*>(input.data()), reinterpret_cast<char*>(out.data()),
      static_cast<int>(input.size()), static_cast<int>(out.size()));
  out.resize(static_cast<size_t>(size));
  return out;
}

void put_big_endian_32(Bytes& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(value >> shift));
}

// Hadoop's framing: for each piece, its size, the size of its LZ4 block, the block.
Bytes hadoop_lz4(const std::vector<Bytes>& pieces) {
  Bytes out;
  for (const Bytes& piece : pieces) {
    const Bytes block = lz4_block(piece);
    put_big_endian_32(out, static_cast<uint32_t>(piece.size()));
    put_big_endian_32(out, static_cast<uint32_t>(block.size()));
    out.insert(out.end(), block.begin(), block.end());
  }
  return out;
}

TEST(Brotli, RoundTripsAtEveryQuality) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{1000}, size_t{100000}}) {
    const Bytes input = page_like_data(size, size);
    for (int quality : {0, 5, 11}) {
      EXPECT_EQ(decompress(Codec::kBrotli, brotli(input, quality), input.size(), kDecompressLimit),
                input)
          << size << " " << quality;
    }
  }
}

TEST(Brotli, RefusesWrongSizesAndDamage) {
  const Bytes input = page_like_data(5000, 1);
  const Bytes compressed = brotli(input);
  expect_error<IoFormatError>(
      [&] { decompress(Codec::kBrotli, compressed, 4999, kDecompressLimit); },
      {.message_has = {"BROTLI page decompresses to more than the 4999 bytes"}});
  expect_error<IoFormatError>(
      [&] { decompress(Codec::kBrotli, compressed, 5001, kDecompressLimit); },
      {.message_has = {"BROTLI page decompresses to 5000 bytes but its header claims 5001"}});
  Bytes trailing = compressed;
  trailing.push_back(0);
  expect_error<IoFormatError>([&] { decompress(Codec::kBrotli, trailing, 5000, kDecompressLimit); },
                              {.message_has = {"1 bytes follow the end of the brotli stream"}});
  for (size_t size = 0; size < compressed.size(); ++size) {
    const Bytes cut(compressed.begin(), compressed.begin() + static_cast<ptrdiff_t>(size));
    EXPECT_THROW(decompress(Codec::kBrotli, cut, 5000, kDecompressLimit), IoFormatError) << size;
  }
  // Flipped bytes: an error or, rarely, other bytes of the right size; never a crash.
  for (size_t i = 0; i < compressed.size(); ++i) {
    Bytes flipped = compressed;
    flipped[i] ^= 0x5A;
    try {
      EXPECT_EQ(decompress(Codec::kBrotli, flipped, 5000, kDecompressLimit).size(), 5000u);
    } catch (const IoFormatError&) {
    }
  }
  EXPECT_THROW(decompress(Codec::kBrotli, Bytes{0xFF, 0xFF, 0xFF}, 10, kDecompressLimit),
               IoFormatError);
}

TEST(HadoopLz4, SingleAndMultipleBlocks) {
  const Bytes a = page_like_data(70000, 2);
  const Bytes b = page_like_data(12345, 3);
  const Bytes c = page_like_data(1, 4);
  EXPECT_EQ(decompress(Codec::kLz4, hadoop_lz4({a}), a.size(), kDecompressLimit), a);
  Bytes all = a;
  all.insert(all.end(), b.begin(), b.end());
  all.insert(all.end(), c.begin(), c.end());
  EXPECT_EQ(decompress(Codec::kLz4, hadoop_lz4({a, b, c}), all.size(), kDecompressLimit), all);
  // An empty piece among them.
  Bytes ab = a;
  ab.insert(ab.end(), b.begin(), b.end());
  EXPECT_EQ(decompress(Codec::kLz4, hadoop_lz4({a, Bytes{}, b}), ab.size(), kDecompressLimit), ab);
}

TEST(HadoopLz4, RawBlocksAreReadWhenTheFramingDoesNotParse) {
  // Older writers (parquet-cpp) stored codec LZ4 pages as a bare LZ4 block.
  const Bytes input = page_like_data(5000, 5);
  EXPECT_EQ(decompress(Codec::kLz4, lz4_block(input), input.size(), kDecompressLimit), input);
  // A short block, whose first 8 bytes read as framing sizes do not fit the page.
  const Bytes text = {'0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0',
                      '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0'};
  const Bytes block = lz4_block(text);
  EXPECT_EQ(decompress(Codec::kLz4, block, text.size(), kDecompressLimit), text);
  // Framing whose sizes add up to less than the page's size is not taken as framing.
  const Bytes framed = hadoop_lz4({input});
  EXPECT_THROW(decompress(Codec::kLz4, framed, input.size() + 1, kDecompressLimit), IoFormatError);
  // LZ4_RAW stays a raw block: a framed page is not read as one.
  EXPECT_THROW(decompress(Codec::kLz4Raw, framed, input.size(), kDecompressLimit), IoFormatError);
}

TEST(HadoopLz4, CorruptPagesAreFormatErrors) {
  const Bytes input = page_like_data(5000, 6);
  const Bytes framed = hadoop_lz4({input, input});
  expect_error<IoFormatError>(
      [&] { decompress(Codec::kLz4, framed, 9999, kDecompressLimit); },
      {.message_has = {"LZ4 (Hadoop-framed, deprecated) page data is corrupt"}});
  for (size_t size = 0; size < framed.size(); size += 7) {
    const Bytes cut(framed.begin(), framed.begin() + static_cast<ptrdiff_t>(size));
    EXPECT_THROW(decompress(Codec::kLz4, cut, 10000, kDecompressLimit), IoFormatError) << size;
  }
  for (size_t i = 0; i < framed.size(); i += 3) {
    Bytes flipped = framed;
    flipped[i] ^= 0xA5;
    try {
      EXPECT_EQ(decompress(Codec::kLz4, flipped, 10000, kDecompressLimit).size(), 10000u);
    } catch (const IoFormatError&) {
    }
  }
  // Sizes in the frame far beyond the page.
  Bytes absurd;
  put_big_endian_32(absurd, 0xFFFFFFFF);
  put_big_endian_32(absurd, 0xFFFFFFFF);
  absurd.push_back(0);
  EXPECT_THROW(decompress(Codec::kLz4, absurd, 100, kDecompressLimit), IoFormatError);
}

}  // namespace
}  // namespace crv::parquet
