// Page compression and decompression for every codec the library reads or writes.

#include "parquet/compression.hpp"

#include <brotli/decode.h>
#include <fmt/format.h>
#include <lz4.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>
#include <string_view>

#include "crv/core/errors.hpp"

namespace crv::parquet {
namespace {

// zlib's window of 2^15 bytes; +16 writes a gzip wrapper, +32 reads gzip or zlib.
constexpr int kGzipWriteWindowBits = 15 + 16;
constexpr int kAutoDetectReadWindowBits = 15 + 32;
constexpr int kZlibMemoryLevel = 8;

struct FreeZstdCompressContext {
  void operator()(ZSTD_CCtx* context) const { ZSTD_freeCCtx(context); }
};
struct FreeZstdDecompressContext {
  void operator()(ZSTD_DCtx* context) const { ZSTD_freeDCtx(context); }
};

ZSTD_CCtx* zstd_compress_context() {
  thread_local std::unique_ptr<ZSTD_CCtx, FreeZstdCompressContext> context(ZSTD_createCCtx());
  if (!context) throw std::bad_alloc();
  return context.get();
}

ZSTD_DCtx* zstd_decompress_context() {
  thread_local std::unique_ptr<ZSTD_DCtx, FreeZstdDecompressContext> context(ZSTD_createDCtx());
  if (!context) throw std::bad_alloc();
  return context.get();
}

// A zlib stream set up for one direction, ended when destroyed.
class ZlibStream {
 public:
  enum class Direction { kDeflate, kInflate };

  ZlibStream(Direction direction, int level) : direction_(direction), level_(level) {
    const int status = direction == Direction::kDeflate
                           ? deflateInit2(&stream_, level, Z_DEFLATED, kGzipWriteWindowBits,
                                          kZlibMemoryLevel, Z_DEFAULT_STRATEGY)
                           : inflateInit2(&stream_, kAutoDetectReadWindowBits);
    if (status == Z_MEM_ERROR) throw std::bad_alloc();
    if (status != Z_OK) {
      throw IoWriteError(fmt::format("zlib could not be set up (status {})", status));
    }
  }
  ~ZlibStream() {
    if (direction_ == Direction::kDeflate) {
      deflateEnd(&stream_);
    } else {
      inflateEnd(&stream_);
    }
  }
  ZlibStream(const ZlibStream&) = delete;
  ZlibStream& operator=(const ZlibStream&) = delete;

  z_stream& stream() { return stream_; }
  int level() const { return level_; }

 private:
  z_stream stream_{};
  Direction direction_;
  int level_;
};

// The thread's deflate stream at `level`, ready for a new gzip member.
z_stream& gzip_deflater(int level) {
  thread_local std::unique_ptr<ZlibStream> deflater;
  if (deflater && deflater->level() == level) {
    deflateReset(&deflater->stream());
  } else {
    deflater.reset();
    deflater = std::make_unique<ZlibStream>(ZlibStream::Direction::kDeflate, level);
  }
  return deflater->stream();
}

z_stream& gzip_inflater() {
  thread_local std::unique_ptr<ZlibStream> inflater;
  if (inflater) {
    inflateReset(&inflater->stream());
  } else {
    inflater = std::make_unique<ZlibStream>(ZlibStream::Direction::kInflate, 0);
  }
  return inflater->stream();
}

// Codec libraries want a non-null pointer even for zero bytes.
uint8_t* writable_bytes(std::vector<uint8_t>& bytes) {
  static thread_local uint8_t empty_target;
  return bytes.empty() ? &empty_target : bytes.data();
}

int checked_level(Codec codec, std::optional<int> level, int default_level, int min_level,
                  int max_level) {
  const int chosen = level.value_or(default_level);
  if (chosen < min_level || chosen > max_level) {
    throw IoConfigError(fmt::format("{} compression level {} is outside {}..{}", codec_name(codec),
                                    chosen, min_level, max_level));
  }
  return chosen;
}

void check_page_size(std::span<const uint8_t> input) {
  if (input.size() > kMaxPageSize) {
    throw IoWriteError(fmt::format("a page of {} bytes exceeds Parquet's {}-byte page limit",
                                   input.size(), kMaxPageSize));
  }
}

void compress_gzip(std::span<const uint8_t> input, int level, std::vector<uint8_t>& out) {
  z_stream& stream = gzip_deflater(level);
  out.resize(deflateBound(&stream, input.size()));
  stream.next_in = input.data();
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  if (status != Z_STREAM_END) {
    throw IoWriteError(fmt::format("GZIP compression failed (zlib status {}{}{})", status,
                                   stream.msg ? ": " : "", stream.msg ? stream.msg : ""));
  }
  out.resize(stream.total_out);
}

[[noreturn]] void throw_size_mismatch(Codec codec, size_t actual, size_t expected) {
  throw IoFormatError(fmt::format("{} page decompresses to {} bytes but its header claims {}",
                                  codec_name(codec), actual, expected));
}

[[noreturn]] void throw_oversized(Codec codec, size_t expected) {
  throw IoFormatError(
      fmt::format("{} page decompresses to more than the {} bytes its header claims",
                  codec_name(codec), expected));
}

[[noreturn]] void throw_corrupt(Codec codec, std::string_view detail) {
  throw IoFormatError(fmt::format("{} page data is corrupt: {}", codec_name(codec), detail));
}

// Reads every gzip member in `input`: the format allows a page to hold several.
void decompress_gzip(std::span<const uint8_t> input, std::vector<uint8_t>& out) {
  z_stream& stream = gzip_inflater();
  stream.next_in = input.data();
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = writable_bytes(out);
  stream.avail_out = static_cast<uInt>(out.size());
  for (;;) {
    const int status = inflate(&stream, Z_NO_FLUSH);
    if (status == Z_STREAM_END) {
      if (stream.avail_in == 0) break;
      inflateReset(&stream);
    } else if (status == Z_BUF_ERROR) {
      if (stream.avail_out == 0) throw_oversized(Codec::kGzip, out.size());
      throw_corrupt(Codec::kGzip, "the data ends inside a gzip member");
    } else if (status != Z_OK) {
      throw_corrupt(Codec::kGzip, stream.msg ? stream.msg : fmt::format("zlib status {}", status));
    }
  }
  const size_t produced = out.size() - stream.avail_out;
  if (produced != out.size()) throw_size_mismatch(Codec::kGzip, produced, out.size());
}

void decompress_zstd(std::span<const uint8_t> input, std::vector<uint8_t>& out) {
  const size_t result = ZSTD_decompressDCtx(zstd_decompress_context(), writable_bytes(out),
                                            out.size(), input.data(), input.size());
  if (ZSTD_isError(result)) {
    if (ZSTD_getErrorCode(result) == ZSTD_error_dstSize_tooSmall) {
      throw_oversized(Codec::kZstd, out.size());
    }
    throw_corrupt(Codec::kZstd, ZSTD_getErrorName(result));
  }
  if (result != out.size()) throw_size_mismatch(Codec::kZstd, result, out.size());
}

void decompress_snappy(std::span<const uint8_t> input, std::vector<uint8_t>& out) {
  const auto* compressed = reinterpret_cast<const char*>(input.data());
  size_t stated = 0;
  if (!snappy::GetUncompressedLength(compressed, input.size(), &stated)) {
    throw_corrupt(Codec::kSnappy, "its length header is unreadable");
  }
  if (stated != out.size()) throw_size_mismatch(Codec::kSnappy, stated, out.size());
  if (!snappy::RawUncompress(compressed, input.size(),
                             reinterpret_cast<char*>(writable_bytes(out)))) {
    throw_corrupt(Codec::kSnappy, "the snappy library rejects it");
  }
}

// One LZ4 block into `out` (whose size is the most it may produce); its size, or -1.
int lz4_block(std::span<const uint8_t> input, std::span<uint8_t> out) {
  static thread_local uint8_t empty_target;
  return LZ4_decompress_safe(reinterpret_cast<const char*>(input.data()),
                             reinterpret_cast<char*>(out.empty() ? &empty_target : out.data()),
                             static_cast<int>(input.size()), static_cast<int>(out.size()));
}

void decompress_lz4_block(Codec codec, std::span<const uint8_t> input, std::vector<uint8_t>& out) {
  const int result = lz4_block(input, out);
  if (result < 0) {
    throw_corrupt(codec, fmt::format("invalid LZ4 block, or one larger than the {} "
                                     "bytes its header claims",
                                     out.size()));
  }
  if (static_cast<size_t>(result) != out.size()) {
    throw_size_mismatch(codec, static_cast<size_t>(result), out.size());
  }
}

void decompress_lz4_raw(std::span<const uint8_t> input, std::vector<uint8_t>& out) {
  decompress_lz4_block(Codec::kLz4Raw, input, out);
}

uint32_t load_big_endian_32(const uint8_t* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
         uint32_t{bytes[3]};
}

// Hadoop's framing of LZ4 (what parquet-mr's and arrow-rs's codec LZ4 write): blocks, each
// a big-endian 4-byte decompressed size and 4-byte compressed size, then that many bytes
// of one LZ4 block. True when `input` is such a sequence that fills `out` exactly.
bool decompress_hadoop_lz4(std::span<const uint8_t> input, std::span<uint8_t> out) {
  constexpr size_t kPrefixBytes = 8;
  size_t produced = 0;
  while (input.size() >= kPrefixBytes) {
    const uint32_t decompressed_size = load_big_endian_32(input.data());
    const uint32_t compressed_size = load_big_endian_32(input.data() + 4);
    input = input.subspan(kPrefixBytes);
    if (compressed_size > input.size() || decompressed_size > out.size() - produced) return false;
    const int result =
        lz4_block(input.first(compressed_size), out.subspan(produced, decompressed_size));
    if (result < 0 || static_cast<uint32_t>(result) != decompressed_size) return false;
    produced += decompressed_size;
    input = input.subspan(compressed_size);
  }
  return input.empty() && produced == out.size();
}

// Codec LZ4 (5): Hadoop-framed LZ4, or, when the page does not parse as that framing, a
// raw LZ4 block, as older writers (parquet-cpp) stored it and as other readers accept.
void decompress_lz4(std::span<const uint8_t> input, std::vector<uint8_t>& out) {
  if (decompress_hadoop_lz4(input, out)) return;
  decompress_lz4_block(Codec::kLz4, input, out);
}

struct FreeBrotliDecoder {
  void operator()(BrotliDecoderState* state) const { BrotliDecoderDestroyInstance(state); }
};

// Brotli (RFC 7932): one stream that must fill `out` exactly, with nothing after it.
void decompress_brotli(std::span<const uint8_t> input, std::vector<uint8_t>& out) {
  const std::unique_ptr<BrotliDecoderState, FreeBrotliDecoder> state(
      BrotliDecoderCreateInstance(nullptr, nullptr, nullptr));
  if (!state) throw std::bad_alloc();
  size_t available_in = input.size();
  const uint8_t* next_in = input.data();
  size_t available_out = out.size();
  uint8_t* next_out = writable_bytes(out);
  const BrotliDecoderResult result = BrotliDecoderDecompressStream(
      state.get(), &available_in, &next_in, &available_out, &next_out, nullptr);
  switch (result) {
    case BROTLI_DECODER_RESULT_SUCCESS:
      if (available_in != 0) {
        throw_corrupt(Codec::kBrotli,
                      fmt::format("{} bytes follow the end of the brotli stream", available_in));
      }
      if (available_out != 0) {
        throw_size_mismatch(Codec::kBrotli, out.size() - available_out, out.size());
      }
      return;
    case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT:
      throw_oversized(Codec::kBrotli, out.size());
    case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
      throw_corrupt(Codec::kBrotli, "the data ends inside the brotli stream");
    case BROTLI_DECODER_RESULT_ERROR:
      break;
  }
  throw_corrupt(Codec::kBrotli, BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state.get())));
}

void copy_uncompressed(std::span<const uint8_t> input, std::vector<uint8_t>& out) {
  if (input.size() != out.size())
    throw_size_mismatch(Codec::kUncompressed, input.size(), out.size());
  if (!input.empty()) std::memcpy(out.data(), input.data(), input.size());
}

template <typename Error>
[[noreturn]] void throw_unsupported(Codec codec, std::string_view direction,
                                    std::string_view supported) {
  throw Error(fmt::format("compression codec {} cannot be {}; supported: {}", codec_name(codec),
                          direction, supported));
}

using Decompressor = void (*)(std::span<const uint8_t>, std::vector<uint8_t>&);

Decompressor decompressor_for(Codec codec) {
  switch (codec) {
    case Codec::kUncompressed:
      return copy_uncompressed;
    case Codec::kSnappy:
      return decompress_snappy;
    case Codec::kGzip:
      return decompress_gzip;
    case Codec::kZstd:
      return decompress_zstd;
    case Codec::kLz4Raw:
      return decompress_lz4_raw;
    case Codec::kBrotli:
      return decompress_brotli;
    case Codec::kLz4:
      return decompress_lz4;
    case Codec::kLzo:
      break;
  }
  throw_unsupported<IoFormatError>(codec, "read",
                                   "UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW, LZ4, BROTLI");
}

}  // namespace

std::string codec_name(Codec codec) {
  switch (codec) {
    case Codec::kUncompressed:
      return "UNCOMPRESSED";
    case Codec::kSnappy:
      return "SNAPPY";
    case Codec::kGzip:
      return "GZIP";
    case Codec::kLzo:
      return "LZO";
    case Codec::kBrotli:
      return "BROTLI";
    case Codec::kLz4:
      return "LZ4 (Hadoop-framed, deprecated)";
    case Codec::kZstd:
      return "ZSTD";
    case Codec::kLz4Raw:
      return "LZ4_RAW";
  }
  return fmt::format("UNKNOWN({})", static_cast<int32_t>(codec));
}

Codec codec_from_thrift(int32_t value) {
  if (value < static_cast<int32_t>(Codec::kUncompressed) ||
      value > static_cast<int32_t>(Codec::kLz4Raw)) {
    throw IoFormatError(fmt::format("unknown compression codec {}", value));
  }
  return static_cast<Codec>(value);
}

std::vector<uint8_t> compress(Codec codec, std::span<const uint8_t> input,
                              std::optional<int> level) {
  std::vector<uint8_t> out;
  compress(codec, input, level, out);
  return out;
}

void compress(Codec codec, std::span<const uint8_t> input, std::optional<int> level,
              std::vector<uint8_t>& out) {
  check_page_size(input);
  switch (codec) {
    case Codec::kUncompressed:
      out.assign(input.begin(), input.end());
      return;
    case Codec::kSnappy: {
      out.resize(snappy::MaxCompressedLength(input.size()));
      size_t size = 0;
      snappy::RawCompress(reinterpret_cast<const char*>(input.data()), input.size(),
                          reinterpret_cast<char*>(out.data()), &size);
      out.resize(size);
      return;
    }
    case Codec::kGzip:
      compress_gzip(input, checked_level(codec, level, kDefaultGzipLevel, 0, 9), out);
      return;
    case Codec::kZstd: {
      const int zstd_level =
          checked_level(codec, level, kDefaultZstdLevel, ZSTD_minCLevel(), ZSTD_maxCLevel());
      out.resize(ZSTD_compressBound(input.size()));
      const size_t size = ZSTD_compressCCtx(zstd_compress_context(), out.data(), out.size(),
                                            input.data(), input.size(), zstd_level);
      if (ZSTD_isError(size)) {
        throw IoWriteError(fmt::format("ZSTD compression failed: {}", ZSTD_getErrorName(size)));
      }
      out.resize(size);
      return;
    }
    case Codec::kLz4Raw: {
      out.resize(static_cast<size_t>(LZ4_compressBound(static_cast<int>(input.size()))));
      const int size = LZ4_compress_default(
          reinterpret_cast<const char*>(input.data()), reinterpret_cast<char*>(out.data()),
          static_cast<int>(input.size()), static_cast<int>(out.size()));
      if (size <= 0) throw IoWriteError("LZ4_RAW compression failed");
      out.resize(static_cast<size_t>(size));
      return;
    }
    case Codec::kLzo:
    case Codec::kBrotli:
    case Codec::kLz4:
      break;
  }
  throw_unsupported<IoConfigError>(codec, "written", "UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW");
}

void compress_zstd_in_blocks(std::span<const uint8_t> input, std::optional<int> level,
                             size_t block_bytes, std::vector<uint8_t>& out) {
  check_page_size(input);
  const int zstd_level =
      checked_level(Codec::kZstd, level, kDefaultZstdLevel, ZSTD_minCLevel(), ZSTD_maxCLevel());
  block_bytes = std::max<size_t>(block_bytes, 1);
  ZSTD_CCtx* context = zstd_compress_context();
  const auto check = [](size_t result) {
    if (ZSTD_isError(result)) {
      throw IoWriteError(fmt::format("ZSTD compression failed: {}", ZSTD_getErrorName(result)));
    }
    return result;
  };
  check(ZSTD_CCtx_reset(context, ZSTD_reset_session_and_parameters));
  check(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, zstd_level));
  check(ZSTD_CCtx_setPledgedSrcSize(context, input.size()));
  // A block stored raw costs its 3-byte header (the format's Block_Header) more than its
  // input, which the one-shot bound counts only once per 128 KiB.
  constexpr size_t kBlockHeaderBytes = 3;
  const size_t blocks = input.size() / block_bytes + 1;
  out.resize(ZSTD_compressBound(input.size()) + blocks * kBlockHeaderBytes);
  ZSTD_outBuffer output{out.data(), out.size(), 0};
  size_t at = 0;
  do {
    const size_t count = std::min(block_bytes, input.size() - at);
    ZSTD_inBuffer in{input.data() + at, count, 0};
    const ZSTD_EndDirective mode = at + count == input.size() ? ZSTD_e_end : ZSTD_e_flush;
    while (check(ZSTD_compressStream2(context, &output, &in, mode)) != 0) {
      if (output.pos == output.size) throw IoWriteError("ZSTD compression outgrew its bound");
    }
    at += count;
  } while (at < input.size());
  out.resize(output.pos);
  // Leaves the context as ZSTD_compressCCtx expects it.
  check(ZSTD_CCtx_reset(context, ZSTD_reset_session_and_parameters));
}

std::vector<uint8_t> decompress(Codec codec, std::span<const uint8_t> input, size_t expected_size,
                                size_t max_size) {
  std::vector<uint8_t> out;
  decompress(codec, input, expected_size, max_size, out);
  return out;
}

void decompress(Codec codec, std::span<const uint8_t> input, size_t expected_size, size_t max_size,
                std::vector<uint8_t>& out) {
  if (expected_size > max_size || expected_size > kMaxPageSize) {
    throw IoFormatError(
        fmt::format("page header claims {} uncompressed bytes, above the limit of {}",
                    expected_size, std::min(max_size, kMaxPageSize)));
  }
  if (input.size() > kMaxPageSize) {
    throw IoFormatError(fmt::format("compressed page of {} bytes exceeds Parquet's {}-byte limit",
                                    input.size(), kMaxPageSize));
  }
  const Decompressor run = decompressor_for(codec);
  out.resize(expected_size);
  // Nothing claimed and nothing stored is an empty page, whatever the codec.
  if (expected_size == 0 && input.empty()) return;
  run(input, out);
}

}  // namespace crv::parquet
