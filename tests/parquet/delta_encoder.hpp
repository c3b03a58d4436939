#pragma once
// Encoders for the DELTA encodings and BYTE_STREAM_SPLIT, written for the tests from the
// rules of Encodings.md (crv-io's writer does not produce these encodings), plus the bytes
// of hand-made streams.

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace crv::parquet::test_encoders {

using Bytes = std::vector<uint8_t>;

inline void put_uleb128(Bytes& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<uint8_t>(value));
}

inline void put_zigzag(Bytes& out, int64_t value) {
  put_uleb128(out, (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63));
}

// Packs `values` LSB first at `width` bits into `bytes` bytes (zero padding).
inline void put_packed(Bytes& out, std::span<const uint64_t> values, int width, size_t bytes) {
  const size_t start = out.size();
  out.resize(start + bytes, 0);
  size_t bit = 0;
  for (uint64_t value : values) {
    for (int b = 0; b < width; ++b, ++bit) {
      if ((value >> b) & 1) out[start + bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
    }
  }
}

struct DeltaOptions {
  uint64_t block_size = 128;
  uint64_t miniblocks = 4;
  // 32 for INT32 (deltas and min deltas wrap in 32 bits), 64 for INT64.
  int value_bits = 64;
  // INT32 deltas computed in 64 bits, as some writers did (widths may then exceed 32).
  bool int32_deltas_in_64_bits = false;
  // The width byte of the unused miniblocks of the last block (readers must ignore it).
  uint8_t unused_width = 0;
  // Every used miniblock at this width instead of the smallest that fits.
  std::optional<int> forced_width;
};

// DELTA_BINARY_PACKED, as Encodings.md describes it.
inline Bytes encode_delta_binary_packed(std::span<const int64_t> values,
                                        const DeltaOptions& options = {}) {
  Bytes out;
  put_uleb128(out, options.block_size);
  put_uleb128(out, options.miniblocks);
  put_uleb128(out, values.size());
  put_zigzag(out, values.empty() ? 0 : values[0]);
  if (values.size() <= 1) return out;
  const bool narrow = options.value_bits == 32 && !options.int32_deltas_in_64_bits;
  const auto truncate = [&](uint64_t v) -> int64_t {
    return narrow ? static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(v)))
                  : static_cast<int64_t>(v);
  };
  std::vector<int64_t> deltas;
  for (size_t i = 1; i < values.size(); ++i) {
    deltas.push_back(
        truncate(static_cast<uint64_t>(values[i]) - static_cast<uint64_t>(values[i - 1])));
  }
  const uint64_t per_miniblock = options.block_size / options.miniblocks;
  for (size_t block = 0; block < deltas.size(); block += options.block_size) {
    const size_t end = std::min<size_t>(deltas.size(), block + options.block_size);
    const int64_t min_delta = *std::min_element(deltas.begin() + static_cast<ptrdiff_t>(block),
                                                deltas.begin() + static_cast<ptrdiff_t>(end));
    put_zigzag(out, min_delta);
    const uint64_t mask = narrow ? 0xFFFFFFFFu : ~uint64_t{0};
    std::vector<std::vector<uint64_t>> relative(options.miniblocks);
    for (size_t i = block; i < end; ++i) {
      relative[(i - block) / per_miniblock].push_back(
          (static_cast<uint64_t>(deltas[i]) - static_cast<uint64_t>(min_delta)) & mask);
    }
    std::vector<int> widths;
    for (const auto& miniblock : relative) {
      if (miniblock.empty()) {
        widths.push_back(-1);
        continue;
      }
      const uint64_t max = *std::max_element(miniblock.begin(), miniblock.end());
      widths.push_back(options.forced_width.value_or(static_cast<int>(std::bit_width(max))));
    }
    for (int width : widths) {
      out.push_back(width < 0 ? options.unused_width : static_cast<uint8_t>(width));
    }
    for (size_t m = 0; m < relative.size(); ++m) {
      if (widths[m] < 0) continue;
      put_packed(out, relative[m], widths[m],
                 static_cast<size_t>(per_miniblock) * static_cast<size_t>(widths[m]) / 8);
    }
  }
  return out;
}

inline std::vector<int64_t> lengths_of(std::span<const std::string> values) {
  std::vector<int64_t> lengths;
  for (const std::string& value : values) lengths.push_back(static_cast<int64_t>(value.size()));
  return lengths;
}

// DELTA_LENGTH_BYTE_ARRAY: the lengths (INT32 DELTA_BINARY_PACKED), then the bytes.
inline Bytes encode_delta_length_byte_array(std::span<const std::string> values) {
  Bytes out = encode_delta_binary_packed(lengths_of(values), {.value_bits = 32});
  for (const std::string& value : values) out.insert(out.end(), value.begin(), value.end());
  return out;
}

// DELTA_BYTE_ARRAY: prefix lengths shared with the value before, then the suffixes as
// DELTA_LENGTH_BYTE_ARRAY.
inline Bytes encode_delta_byte_array(std::span<const std::string> values) {
  std::vector<int64_t> prefixes;
  std::vector<std::string> suffixes;
  std::string_view previous;
  for (const std::string& value : values) {
    size_t prefix = 0;
    while (prefix < previous.size() && prefix < value.size() && previous[prefix] == value[prefix]) {
      ++prefix;
    }
    prefixes.push_back(static_cast<int64_t>(prefix));
    suffixes.push_back(value.substr(prefix));
    previous = value;
  }
  Bytes out = encode_delta_binary_packed(prefixes, {.value_bits = 32});
  const Bytes rest = encode_delta_length_byte_array(suffixes);
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

// BYTE_STREAM_SPLIT of `count` values of `width` bytes stored back to back in `plain`.
inline Bytes encode_byte_stream_split(std::span<const uint8_t> plain, size_t width) {
  const size_t count = plain.size() / width;
  Bytes out(plain.size());
  for (size_t i = 0; i < count; ++i) {
    for (size_t k = 0; k < width; ++k) out[k * count + i] = plain[i * width + k];
  }
  return out;
}

}  // namespace crv::parquet::test_encoders
