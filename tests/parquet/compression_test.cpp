// Tests of page compression and decompression for every codec.

#include "parquet/compression.hpp"
#include "parquet/compression_test_data.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "crv/core/errors.hpp"
#include "support/expect_error.hpp"

namespace crv::parquet {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Bytes = std::vector<uint8_t>;
using testing::kDecompressLimit;
using testing::page_like_data;

constexpr Codec kWritableCodecs[] = {Codec::kUncompressed, Codec::kSnappy, Codec::kGzip,
                                     Codec::kZstd, Codec::kLz4Raw};
constexpr Codec kCompressingCodecs[] = {Codec::kSnappy, Codec::kGzip, Codec::kZstd, Codec::kLz4Raw};
Bytes as_bytes(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

Bytes random_bytes(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Bytes bytes(size);
  for (uint8_t& byte : bytes) byte = static_cast<uint8_t>(rng());
  return bytes;
}

using test_support::expect_error;

TEST(Codec, NamesAndThriftValues) {
  EXPECT_EQ(codec_name(Codec::kUncompressed), "UNCOMPRESSED");
  EXPECT_EQ(codec_name(Codec::kZstd), "ZSTD");
  EXPECT_EQ(codec_name(Codec::kLz4Raw), "LZ4_RAW");
  EXPECT_EQ(codec_name(static_cast<Codec>(42)), "UNKNOWN(42)");
  EXPECT_EQ(codec_from_thrift(0), Codec::kUncompressed);
  EXPECT_EQ(codec_from_thrift(1), Codec::kSnappy);
  EXPECT_EQ(codec_from_thrift(2), Codec::kGzip);
  EXPECT_EQ(codec_from_thrift(6), Codec::kZstd);
  EXPECT_EQ(codec_from_thrift(7), Codec::kLz4Raw);
  expect_error<IoFormatError>([] { codec_from_thrift(8); },
                              {.message_has = {"unknown compression codec 8"}});
  EXPECT_THROW(codec_from_thrift(-1), IoFormatError);
}

TEST(Compression, RoundTripsSmallEmptyAndLargeInputs) {
  const std::vector<Bytes> inputs = {Bytes{}, as_bytes("x"), as_bytes("crv-io crv-io crv-io!"),
                                     page_like_data(10 << 20, 1), random_bytes(1 << 20, 2)};
  for (Codec codec : kWritableCodecs) {
    for (const Bytes& input : inputs) {
      const Bytes compressed = compress(codec, input);
      EXPECT_EQ(decompress(codec, compressed, input.size(), kDecompressLimit), input)
          << codec_name(codec) << ", " << input.size() << " bytes";
    }
  }
}

TEST(Compression, CompressesRepetitiveData) {
  const Bytes input = page_like_data(1 << 20, 3);
  for (Codec codec : kCompressingCodecs) {
    EXPECT_LT(compress(codec, input).size(), input.size() * 3 / 4) << codec_name(codec);
  }
}

TEST(Compression, OutputsTheStandardFormats) {
  const Bytes input = as_bytes("hello hello hello hello");
  // RFC 1952 gzip member: magic 1F 8B, method 8 (deflate).
  const Bytes gzip = compress(Codec::kGzip, input);
  EXPECT_THAT(Bytes(gzip.begin(), gzip.begin() + 3), ElementsAre(0x1F, 0x8B, 0x08));
  // RFC 8878 Zstandard frame: magic 28 B5 2F FD.
  const Bytes zstd = compress(Codec::kZstd, input);
  EXPECT_THAT(Bytes(zstd.begin(), zstd.begin() + 4), ElementsAre(0x28, 0xB5, 0x2F, 0xFD));
  // Snappy starts with the uncompressed length as a varint.
  EXPECT_EQ(compress(Codec::kSnappy, input).front(), input.size());
  EXPECT_EQ(compress(Codec::kUncompressed, input), input);
}

// Pages produced by other tools or written by hand from the format descriptions.
TEST(Decompression, ReadsIndependentlyProducedPages) {
  const Bytes text = as_bytes("crv-io crv-io crv-io!");
  // `gzip -9n`.
  const Bytes gzip = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03,
                      0x4b, 0x2e, 0x2a, 0xd3, 0xcd, 0xcc, 0x57, 0x48, 0x46, 0xa6,
                      0x14, 0x01, 0x3c, 0x51, 0xbc, 0xf0, 0x15, 0x00, 0x00, 0x00};
  EXPECT_EQ(decompress(Codec::kGzip, gzip, text.size(), kDecompressLimit), text);
  // The `zstd` command line tool, with its content checksum.
  const Bytes zstd = {0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x15, 0x75, 0x00, 0x00,
                      0x40, 0x63, 0x72, 0x76, 0x2d, 0x69, 0x6f, 0x20, 0x21,
                      0x01, 0x00, 0x3a, 0x8a, 0x11, 0x9b, 0x51, 0x08, 0x81};
  EXPECT_EQ(decompress(Codec::kZstd, zstd, text.size(), kDecompressLimit), text);
  // Snappy: length 12, literal "abc" (tag (3-1) << 2), copy of 9 from offset 3 (tag
  // (9-4) << 2 | 1, offset byte 3).
  const Bytes snappy = {0x0C, 0x08, 'a', 'b', 'c', 0x15, 0x03};
  EXPECT_EQ(decompress(Codec::kSnappy, snappy, 12, kDecompressLimit), as_bytes("abcabcabcabc"));
  // LZ4 block: token 3 literals + match of 9 (0x35), "abc", offset 3; then a final
  // sequence of 5 literals (0x50), as the block format requires at the end.
  const Bytes lz4 = {0x35, 'a', 'b', 'c', 0x03, 0x00, 0x50, '1', '2', '3', '4', '5'};
  EXPECT_EQ(decompress(Codec::kLz4Raw, lz4, 17, kDecompressLimit), as_bytes("abcabcabcabc12345"));
}

TEST(Decompression, ReadsSeveralGzipMembers) {
  Bytes page = compress(Codec::kGzip, as_bytes("first "));
  const Bytes second = compress(Codec::kGzip, as_bytes("second"));
  page.insert(page.end(), second.begin(), second.end());
  EXPECT_EQ(decompress(Codec::kGzip, page, 12, kDecompressLimit), as_bytes("first second"));
}

TEST(Decompression, RefusesHostileExpectedSizes) {
  const Bytes compressed = compress(Codec::kZstd, as_bytes("tiny"));
  const size_t hundred_gigabytes = size_t{100} << 30;
  for (Codec codec : kWritableCodecs) {
    expect_error<IoFormatError>(
        [&] { decompress(codec, compressed, hundred_gigabytes, kDecompressLimit); },
        {.message_has = {"claims 107374182400 uncompressed bytes, above the limit of 1073741824"}});
  }
  // The caller's limit applies even below Parquet's own 2 GiB page maximum...
  EXPECT_THROW(decompress(Codec::kZstd, compressed, 5, 4), IoFormatError);
  // ...and a generous limit does not lift that maximum.
  EXPECT_THROW(decompress(Codec::kZstd, compressed, kMaxPageSize + 1, size_t{1} << 40),
               IoFormatError);
}

TEST(Decompression, RefusesSizeMismatches) {
  const Bytes input = page_like_data(5000, 4);
  for (Codec codec : kWritableCodecs) {
    const Bytes compressed = compress(codec, input);
    for (size_t claimed : {input.size() - 1, input.size() + 1, size_t{0}}) {
      EXPECT_THROW(decompress(codec, compressed, claimed, kDecompressLimit), IoFormatError)
          << codec_name(codec) << " claiming " << claimed;
    }
  }
  const Bytes zstd = compress(Codec::kZstd, input);
  expect_error<IoFormatError>(
      [&] { decompress(Codec::kZstd, zstd, 4000, kDecompressLimit); },
      {.message_has = {"ZSTD page decompresses to more than the 4000 bytes its header claims"}});
  const Bytes gzip = compress(Codec::kGzip, input);
  expect_error<IoFormatError>(
      [&] { decompress(Codec::kGzip, gzip, 6000, kDecompressLimit); },
      {.message_has = {"GZIP page decompresses to 5000 bytes but its header claims 6000"}});
  expect_error<IoFormatError>(
      [&] { decompress(Codec::kGzip, gzip, 4000, kDecompressLimit); },
      {.message_has = {"GZIP page decompresses to more than the 4000 bytes its header claims"}});
}

TEST(Decompression, RefusesTruncatedAndCorruptData) {
  const Bytes input = page_like_data(20000, 5);
  for (Codec codec : kCompressingCodecs) {
    const Bytes compressed = compress(codec, input);
    const Bytes truncated(compressed.begin(), compressed.begin() + compressed.size() / 2);
    EXPECT_THROW(decompress(codec, truncated, input.size(), kDecompressLimit), IoFormatError)
        << codec_name(codec);
    EXPECT_THROW(
        decompress(codec, random_bytes(compressed.size(), 6), input.size(), kDecompressLimit),
        IoFormatError)
        << codec_name(codec);
    EXPECT_THROW(decompress(codec, Bytes{}, input.size(), kDecompressLimit), IoFormatError)
        << codec_name(codec);
  }
  // Checksums catch a single flipped bit in gzip (CRC-32) and in a checksummed zstd frame.
  Bytes gzip = compress(Codec::kGzip, input);
  gzip[gzip.size() / 2] ^= 0x10;
  EXPECT_THROW(decompress(Codec::kGzip, gzip, input.size(), kDecompressLimit), IoFormatError);
  const Bytes zstd_with_checksum = {0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x15, 0x75, 0x00, 0x00,
                                    0x40, 0x63, 0x72, 0x76, 0x2d, 0x69, 0x6f, 0x20, 0x21,
                                    0x01, 0x00, 0x3a, 0x8a, 0x11, 0x9b, 0x51, 0x08, 0x80};
  expect_error<IoFormatError>(
      [&] { decompress(Codec::kZstd, zstd_with_checksum, 21, kDecompressLimit); },
      {.message_has = {"ZSTD page data is corrupt"}});
  // Trailing bytes after the last gzip member are not another member.
  Bytes gzip_with_garbage = compress(Codec::kGzip, input);
  gzip_with_garbage.push_back(0x00);
  EXPECT_THROW(decompress(Codec::kGzip, gzip_with_garbage, input.size(), kDecompressLimit),
               IoFormatError);
  // An UNCOMPRESSED page must hold exactly what its header claims.
  expect_error<IoFormatError>(
      [] { decompress(Codec::kUncompressed, as_bytes("abc"), 4, kDecompressLimit); },
      {.message_has = {"UNCOMPRESSED page decompresses to 3 bytes but its header claims 4"}});
}

TEST(Compression, UnsupportedCodecsAreNamed) {
  const Bytes input = as_bytes("data");
  for (Codec codec : {Codec::kLzo, Codec::kBrotli, Codec::kLz4, static_cast<Codec>(9)}) {
    const std::string name = codec_name(codec);
    // BROTLI and Hadoop-framed LZ4 are read (compression_foreign_test.cpp), not written.
    if (codec != Codec::kBrotli && codec != Codec::kLz4) {
      expect_error<IoFormatError>(
          [&] { decompress(codec, input, 4, kDecompressLimit); },
          {.message_has = {"compression codec " + name + " cannot be read"}});
    }
    expect_error<IoConfigError>(
        [&] { compress(codec, input); },
        {.message_has = {"compression codec " + name + " cannot be written"}});
  }
  EXPECT_THAT(codec_name(Codec::kLz4), HasSubstr("LZ4"));
}

TEST(Compression, Levels) {
  const Bytes input = page_like_data(200000, 7);
  for (int level : {-5, 1, 3, 19}) {
    const Bytes compressed = compress(Codec::kZstd, input, level);
    EXPECT_EQ(decompress(Codec::kZstd, compressed, input.size(), kDecompressLimit), input) << level;
  }
  EXPECT_LT(compress(Codec::kZstd, input, 19).size(), compress(Codec::kZstd, input, -5).size());
  // Switching levels between calls must not reuse a stream set up for another level.
  const Bytes gzip_fast = compress(Codec::kGzip, input, 1);
  const Bytes gzip_best = compress(Codec::kGzip, input, 9);
  EXPECT_LT(gzip_best.size(), gzip_fast.size());
  EXPECT_EQ(compress(Codec::kGzip, input, 1), gzip_fast);
  EXPECT_EQ(decompress(Codec::kGzip, gzip_best, input.size(), kDecompressLimit), input);
  EXPECT_THROW(compress(Codec::kZstd, input, 100), IoConfigError);
  EXPECT_THROW(compress(Codec::kGzip, input, 10), IoConfigError);
  EXPECT_THROW(compress(Codec::kGzip, input, -1), IoConfigError);
  // Codecs without levels ignore them.
  EXPECT_EQ(compress(Codec::kSnappy, input, 99), compress(Codec::kSnappy, input));
}

TEST(Compression, ReusesTheCallersBuffer) {
  const Bytes input = page_like_data(100000, 8);
  Bytes out(500000, 0xAB);
  compress(Codec::kZstd, input, 3, out);
  EXPECT_EQ(decompress(Codec::kZstd, out, input.size(), kDecompressLimit), input);
  Bytes decoded = {1, 2, 3};
  decompress(Codec::kZstd, out, input.size(), kDecompressLimit, decoded);
  EXPECT_EQ(decoded, input);
}

// Two 4-bit codes a byte, each drawn evenly from 12: about 3.6 bits of information in 4.
Bytes evenly_drawn_nibbles(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Bytes bytes(size);
  for (uint8_t& byte : bytes) byte = static_cast<uint8_t>(rng() % 12 | (rng() % 12) << 4);
  return bytes;
}

TEST(Compression, ZstdInBlocksRoundTripsEveryShape) {
  for (const Bytes& input : {Bytes{}, as_bytes("x"), page_like_data(100000, 8),
                             random_bytes(70000, 3), evenly_drawn_nibbles(65536, 4)}) {
    for (const size_t block : {size_t{1}, size_t{4096}, size_t{8192}, size_t{1} << 20}) {
      if (block == 1 && input.size() > 4096) continue;
      Bytes out;
      compress_zstd_in_blocks(input, 1, block, out);
      EXPECT_EQ(decompress(Codec::kZstd, out, input.size(), kDecompressLimit), input)
          << input.size() << " bytes in blocks of " << block;
    }
  }
  // The thread's context is left as whole pages need it.
  const Bytes input = page_like_data(50000, 9);
  const Bytes whole = compress(Codec::kZstd, input, 3);
  Bytes out;
  compress_zstd_in_blocks(input, 19, 8192, out);
  EXPECT_EQ(compress(Codec::kZstd, input, 3), whole);
  test_support::expect_error<IoConfigError>([&] { compress_zstd_in_blocks(input, 99, 8192, out); },
                                            {.message_has = {"ZSTD compression level 99"}});
}

TEST(Compression, SmallerZstdBlocksCodeLiteralsZstdLeavesRawInOneBlock) {
  // Seeds whose 64 KiB no byte value fills 1/128 of: zstd stores them raw in one block.
  int raw_in_one_block = 0;
  for (uint64_t seed = 0; seed < 8; ++seed) {
    const Bytes input = evenly_drawn_nibbles(65536, seed);
    const size_t whole = compress(Codec::kZstd, input, 1).size();
    Bytes blocked;
    compress_zstd_in_blocks(input, 1, 8192, blocked);
    if (whole < input.size()) continue;
    ++raw_in_one_block;
    // 3.6 bits in 4: Huffman coding saves close to a tenth.
    EXPECT_LT(static_cast<double>(blocked.size()), 0.93 * static_cast<double>(input.size()));
  }
  EXPECT_GT(raw_in_one_block, 0);
}

TEST(Compression, ThreadsUseTheirOwnContexts) {
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &ok] {
      const Bytes input = page_like_data(300000, 100 + t);
      bool all_equal = true;
      for (int round = 0; round < 5; ++round) {
        for (Codec codec : {Codec::kZstd, Codec::kGzip}) {
          all_equal &=
              decompress(codec, compress(codec, input), input.size(), kDecompressLimit) == input;
        }
      }
      ok[t] = all_equal;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(ok, ElementsAre(1, 1, 1, 1));
}

}  // namespace
}  // namespace crv::parquet
