#pragma once
// 64-bit hashes of column values, shared by the dictionary builders (whose slots come
// from a hash's high bits) and the distinct-value estimate (whose bitmap positions do).

#include <cstddef>
#include <cstdint>

#include "parquet/bit_util.hpp"

namespace crv::parquet {

// 2^64 divided by the golden ratio: multiplying by it spreads any input over the high
// bits (Fibonacci hashing).
inline constexpr uint64_t kGoldenMultiplier = 0x9E3779B97F4A7C15;
// A second odd constant with bits spread evenly, so the two mix independently.
inline constexpr uint64_t kSecondMultiplier = 0xD6E8FEB86659FD93;

// The 128-bit product of a and b folded to 64 bits: one multiplication mixes every bit of
// both inputs into the result.
inline uint64_t folded_multiply(uint64_t a, uint64_t b) {
  __extension__ using Uint128 = unsigned __int128;  // a GCC/Clang extension, hence the marker
  const Uint128 product = static_cast<Uint128>(a) * b;
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

// A hash of a fixed-width value's bits whose high bits depend on every bit. One folded
// multiply leaves the high bits of values that differ only in their low bits (small
// integers, multiples of 1,000) unevenly spread; a second spreads them.
inline uint64_t hash_word(uint64_t bits) {
  const uint64_t once = folded_multiply(bits ^ kGoldenMultiplier, kSecondMultiplier);
  return folded_multiply(once ^ kSecondMultiplier, kGoldenMultiplier);
}

// A hash of a byte string whose high bits depend on every byte.
inline uint64_t hash_bytes(const uint8_t* bytes, size_t size) {
  uint64_t low = 0;
  uint64_t high = 0;
  if (size <= 16) {
    // Short values (most ids and labels): two overlapping loads cover every byte.
    if (size >= 8) {
      low = load_le<uint64_t>(bytes);
      high = load_le<uint64_t>(bytes + size - 8);
    } else if (size >= 4) {
      low = load_le<uint32_t>(bytes);
      high = load_le<uint32_t>(bytes + size - 4);
    } else if (size > 0) {
      low = (uint64_t{bytes[0]} << 16) | (uint64_t{bytes[size / 2]} << 8) | bytes[size - 1];
    }
  } else {
    uint64_t state = size * kGoldenMultiplier;
    size_t position = 0;
    for (; position + 16 <= size; position += 16) {
      state = folded_multiply(load_le<uint64_t>(bytes + position) ^ kGoldenMultiplier,
                              load_le<uint64_t>(bytes + position + 8) ^ state);
    }
    low = load_le<uint64_t>(bytes + size - 16) ^ state;
    high = load_le<uint64_t>(bytes + size - 8);
  }
  return folded_multiply(low ^ kGoldenMultiplier, high ^ kSecondMultiplier ^ size);
}

}  // namespace crv::parquet
