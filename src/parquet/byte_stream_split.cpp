#include "parquet/byte_stream_split.hpp"

#include <fmt/format.h>

#include "crv/core/errors.hpp"

namespace crv::parquet {
namespace {

// The common widths get a loop whose stream count is a constant.
template <size_t W>
void gather_fixed(const uint8_t* streams, size_t count, size_t first, size_t keep, uint8_t* out) {
  for (size_t i = 0; i < keep; ++i) {
    for (size_t k = 0; k < W; ++k) out[i * W + k] = streams[k * count + first + i];
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
    case 4:
      return gather_fixed<4>(input.data(), count, skip, keep, out);
    case 8:
      return gather_fixed<8>(input.data(), count, skip, keep, out);
    case 16:
      return gather_fixed<16>(input.data(), count, skip, keep, out);
    default:
      return gather_any(input.data(), width, count, skip, keep, out);
  }
}

}  // namespace crv::parquet
