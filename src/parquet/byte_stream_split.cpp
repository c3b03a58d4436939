// BYTE_STREAM_SPLIT encoding and decoding.

#include "parquet/byte_stream_split.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "crv/core/errors.hpp"

namespace crv::parquet {
namespace {

// The common widths get a loop whose stream count is a constant.
#if defined(__SSE2__)
// Sixteen values at a time: each stream contributes 16 bytes, interleaved by unpacking
// pairs of streams at widths 1, 2 (and 4 for 8-byte values). Returns the values done.
size_t gather_sixteen_at_a_time_4(const uint8_t* streams, size_t count, size_t first, size_t keep,
                                  uint8_t* out) {
  const uint8_t* s = streams + first;
  size_t i = 0;
  for (; i + 16 <= keep; i += 16) {
    const auto load = [&](size_t k) {
      return _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + k * count + i));
    };
    const __m128i b0 = load(0), b1 = load(1), b2 = load(2), b3 = load(3);
    const __m128i lo01 = _mm_unpacklo_epi8(b0, b1), hi01 = _mm_unpackhi_epi8(b0, b1);
    const __m128i lo23 = _mm_unpacklo_epi8(b2, b3), hi23 = _mm_unpackhi_epi8(b2, b3);
    __m128i* o = reinterpret_cast<__m128i*>(out + i * 4);
    _mm_storeu_si128(o + 0, _mm_unpacklo_epi16(lo01, lo23));
    _mm_storeu_si128(o + 1, _mm_unpackhi_epi16(lo01, lo23));
    _mm_storeu_si128(o + 2, _mm_unpacklo_epi16(hi01, hi23));
    _mm_storeu_si128(o + 3, _mm_unpackhi_epi16(hi01, hi23));
  }
  return i;
}

size_t gather_sixteen_at_a_time_8(const uint8_t* streams, size_t count, size_t first, size_t keep,
                                  uint8_t* out) {
  const uint8_t* s = streams + first;
  size_t i = 0;
  for (; i + 16 <= keep; i += 16) {
    const auto load = [&](size_t k) {
      return _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + k * count + i));
    };
    __m128i b[8];
    for (size_t k = 0; k < 8; ++k) b[k] = load(k);
    // Bytes 0-1, 2-3, 4-5, 6-7 of values 0-7 (lo) and 8-15 (hi).
    __m128i pair_lo[4], pair_hi[4];
    for (size_t k = 0; k < 4; ++k) {
      pair_lo[k] = _mm_unpacklo_epi8(b[2 * k], b[2 * k + 1]);
      pair_hi[k] = _mm_unpackhi_epi8(b[2 * k], b[2 * k + 1]);
    }
    // Bytes 0-3 and 4-7 of values 0-3, 4-7, 8-11, 12-15.
    const __m128i low_half[4] = {
        _mm_unpacklo_epi16(pair_lo[0], pair_lo[1]), _mm_unpackhi_epi16(pair_lo[0], pair_lo[1]),
        _mm_unpacklo_epi16(pair_hi[0], pair_hi[1]), _mm_unpackhi_epi16(pair_hi[0], pair_hi[1])};
    const __m128i high_half[4] = {
        _mm_unpacklo_epi16(pair_lo[2], pair_lo[3]), _mm_unpackhi_epi16(pair_lo[2], pair_lo[3]),
        _mm_unpacklo_epi16(pair_hi[2], pair_hi[3]), _mm_unpackhi_epi16(pair_hi[2], pair_hi[3])};
    __m128i* o = reinterpret_cast<__m128i*>(out + i * 8);
    for (size_t q = 0; q < 4; ++q) {
      _mm_storeu_si128(o + 2 * q, _mm_unpacklo_epi32(low_half[q], high_half[q]));
      _mm_storeu_si128(o + 2 * q + 1, _mm_unpackhi_epi32(low_half[q], high_half[q]));
    }
  }
  return i;
}
#endif

template <size_t W>
void gather_fixed(const uint8_t* streams, size_t count, size_t first, size_t keep, uint8_t* out) {
  // Block by block, stream by stream: each stream is read in order while the block's
  // output stays in cache.
  constexpr size_t kBlock = 256;
  for (size_t begin = 0; begin < keep; begin += kBlock) {
    const size_t n = std::min(kBlock, keep - begin);
    uint8_t* block = out + begin * W;
    for (size_t k = 0; k < W; ++k) {
      const uint8_t* stream = streams + k * count + first + begin;
      for (size_t i = 0; i < n; ++i) block[i * W + k] = stream[i];
    }
  }
}

void gather_any(const uint8_t* streams, size_t width, size_t count, size_t first, size_t keep,
                uint8_t* out) {
  // Stream by stream: each is read in order.
  for (size_t k = 0; k < width; ++k) {
    const uint8_t* stream = streams + k * count + first;
    for (size_t i = 0; i < keep; ++i) out[i * width + k] = stream[i];
  }
}

}  // namespace

size_t byte_stream_split_count(std::span<const uint8_t> input, size_t width) {
  if (width == 0) throw IoFormatError("BYTE_STREAM_SPLIT values of 0 bytes");
  if (input.size() % width != 0) {
    throw IoFormatError(
        fmt::format("BYTE_STREAM_SPLIT page of {} bytes is not a whole number of {}-byte values",
                    input.size(), width));
  }
  return input.size() / width;
}

void decode_byte_stream_split(std::span<const uint8_t> input, size_t width, size_t skip,
                              size_t keep, uint8_t* out) {
  const size_t count = byte_stream_split_count(input, width);
  if (skip > count || keep > count - skip) {
    throw IoFormatError(fmt::format("BYTE_STREAM_SPLIT page holds {} values, the page needs {}",
                                    count, skip + keep));
  }
  if (keep == 0) return;
  switch (width) {
    case 2:
      return gather_fixed<2>(input.data(), count, skip, keep, out);
#if defined(__SSE2__)
    case 4: {
      const size_t done = gather_sixteen_at_a_time_4(input.data(), count, skip, keep, out);
      return gather_fixed<4>(input.data(), count, skip + done, keep - done, out + done * 4);
    }
    case 8: {
      const size_t done = gather_sixteen_at_a_time_8(input.data(), count, skip, keep, out);
      return gather_fixed<8>(input.data(), count, skip + done, keep - done, out + done * 8);
    }
#else
    case 4:
      return gather_fixed<4>(input.data(), count, skip, keep, out);
    case 8:
      return gather_fixed<8>(input.data(), count, skip, keep, out);
#endif
    case 16:
      return gather_fixed<16>(input.data(), count, skip, keep, out);
    default:
      return gather_any(input.data(), width, count, skip, keep, out);
  }
}

template <PlainFixedWidth T>
void encode_byte_stream_split(std::span<const T> values, BitmapView validity,
                              std::vector<uint8_t>& out) {
  constexpr size_t kWidth = sizeof(T);
  const size_t count = count_set_bits(validity, values.size());
  const size_t start = out.size();
  out.resize(start + kWidth * count);
  uint8_t* streams = out.data() + start;
  size_t next = 0;
  for_each_set_run(validity, values.size(), [&](size_t first, size_t length) {
    for (size_t i = first; i < first + length; ++i, ++next) {
      uint8_t bytes[kWidth];
      std::memcpy(bytes, &values[i], kWidth);
      for (size_t k = 0; k < kWidth; ++k) streams[k * count + next] = bytes[k];
    }
  });
}

template void encode_byte_stream_split<double>(std::span<const double>, BitmapView,
                                               std::vector<uint8_t>&);

}  // namespace crv::parquet
