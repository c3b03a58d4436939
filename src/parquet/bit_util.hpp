#pragma once
// Bit-level building blocks shared by the Parquet encodings: little-endian loads and
// stores, ULEB128 varints, LSB-first bitmaps (Arrow's validity and boolean layout,
// which is also Parquet's bit order) and the packing of 8 values of a fixed bit width
// into that many bytes, as the RLE/bit-packing hybrid and PLAIN BOOLEAN store them.

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

namespace crv::parquet {

// Parquet stores every multi-byte number little-endian; loads and stores below are
// plain memcpy, which is only correct on a little-endian host.
static_assert(std::endian::native == std::endian::little, "crv-io needs a little-endian host");

// Widest value the RLE/bit-packing hybrid carries (dictionary indices are 32-bit).
inline constexpr int kMaxBitWidth = 32;

// Smallest bit width that holds every value in [0, max_value]; 0 for max_value == 0.
constexpr int bit_width_for(uint64_t max_value) {
  return static_cast<int>(std::bit_width(max_value));
}

template <typename T>
T load_le(const uint8_t* bytes) {
  static_assert(std::is_trivially_copyable_v<T>);
  T value;
  std::memcpy(&value, bytes, sizeof value);
  return value;
}

template <typename T>
void store_le(uint8_t* bytes, T value) {
  static_assert(std::is_trivially_copyable_v<T>);
  std::memcpy(bytes, &value, sizeof value);
}

inline void append_uleb128(std::vector<uint8_t>& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<uint8_t>(value));
}

// A read-only LSB-first bitmap starting at bit `offset` of `data`. As a validity
// bitmap, a null `data` means every value is present.
struct BitmapView {
  const uint8_t* data = nullptr;
  size_t offset = 0;

  bool get(size_t index) const {
    const size_t bit = offset + index;
    return (data[bit >> 3] >> (bit & 7)) & 1;
  }
};

namespace bitmap_detail {

// Bits are scanned 56 at a time: a byte-aligned 8-byte load shifted by at most 7 bits
// still holds 57 valid bits.
inline constexpr size_t kChunkBits = 56;

// Bits [pos, pos + n) of a non-null bitmap of `length` bits, n = min(56, length - pos),
// in the low bits of the result; never reads a byte past the bitmap's last one.
inline uint64_t load_chunk(BitmapView bitmap, size_t pos, size_t length, size_t& n) {
  const size_t bit = bitmap.offset + pos;
  const size_t first_byte = bit >> 3;
  const size_t end_byte = (bitmap.offset + length + 7) >> 3;
  uint64_t word = 0;
  if (end_byte - first_byte >= 8) {
    std::memcpy(&word, bitmap.data + first_byte, 8);
  } else {
    std::memcpy(&word, bitmap.data + first_byte, end_byte - first_byte);
  }
  n = std::min(kChunkBits, length - pos);
  return (word >> (bit & 7)) & ((uint64_t{1} << n) - 1);
}

// First index in [pos, length) whose bit equals `bit_value`, or `length`.
inline size_t find_next(BitmapView bitmap, size_t pos, size_t length, bool bit_value) {
  while (pos < length) {
    size_t n = 0;
    uint64_t chunk = load_chunk(bitmap, pos, length, n);
    if (!bit_value) chunk = ~chunk & ((uint64_t{1} << n) - 1);
    if (chunk != 0) return pos + static_cast<size_t>(std::countr_zero(chunk));
    pos += n;
  }
  return length;
}

}  // namespace bitmap_detail

// Calls visit(start, length) for each maximal run of set bits among the first `length`
// bits, in order. A null bitmap is one run covering everything.
template <typename Visit>
void for_each_set_run(BitmapView bitmap, size_t length, Visit&& visit) {
  if (bitmap.data == nullptr) {
    if (length > 0) visit(size_t{0}, length);
    return;
  }
  size_t pos = bitmap_detail::find_next(bitmap, 0, length, true);
  while (pos < length) {
    const size_t end = bitmap_detail::find_next(bitmap, pos, length, false);
    visit(pos, end - pos);
    pos = bitmap_detail::find_next(bitmap, end, length, true);
  }
}

// Number of set bits among the first `length`; `length` for a null bitmap.
inline size_t count_set_bits(BitmapView bitmap, size_t length) {
  if (bitmap.data == nullptr) return length;
  size_t count = 0;
  for (size_t pos = 0; pos < length;) {
    size_t n = 0;
    count += static_cast<size_t>(std::popcount(bitmap_detail::load_chunk(bitmap, pos, length, n)));
    pos += n;
  }
  return count;
}

// ORs the first `length` bits of a non-null `source` into `destination` starting at bit
// `destination_offset`; the destination bits must be zero beforehand.
inline void or_bits(BitmapView source, size_t length, uint8_t* destination,
                    size_t destination_offset) {
  for (size_t pos = 0; pos < length;) {
    size_t n = 0;
    const uint64_t chunk = bitmap_detail::load_chunk(source, pos, length, n);
    const size_t bit = destination_offset + pos;
    const uint64_t shifted = chunk << (bit & 7);
    uint8_t* out = destination + (bit >> 3);
    const size_t bytes = ((bit & 7) + n + 7) >> 3;
    for (size_t i = 0; i < bytes; ++i) out[i] = static_cast<uint8_t>(out[i] | (shifted >> (8 * i)));
    pos += n;
  }
}

// Packing of 8 values of W bits into exactly W bytes: value i occupies bits
// [i*W, (i+1)*W) of the little-endian byte string, least significant bit first. The
// width is a template parameter so that every shift and mask is a constant.
namespace bitpack {

// Packing and unpacking also serve DELTA_BINARY_PACKED, whose deltas are up to 64 bits
// wide.
inline constexpr int kMaxPackWidth = 64;

// The 64-bit words 8 values of W bits occupy.
template <int W>
inline constexpr size_t kGroupWords = (W + 7) / 8;

template <int W, size_t I>
inline void place(uint64_t (&words)[kGroupWords<W>], uint64_t value) {
  constexpr size_t bit = I * W;
  constexpr size_t word = bit / 64;
  constexpr size_t shift = bit % 64;
  words[word] |= value << shift;
  if constexpr (shift + W > 64) words[word + 1] |= value >> (64 - shift);
}

template <int W, size_t I>
inline uint64_t extract(const uint64_t (&words)[kGroupWords<W>]) {
  constexpr size_t bit = I * W;
  constexpr size_t word = bit / 64;
  constexpr size_t shift = bit % 64;
  uint64_t value = words[word] >> shift;
  if constexpr (shift + W > 64) value |= words[word + 1] << (64 - shift);
  if constexpr (W < 64) value &= (uint64_t{1} << W) - 1;
  return value;
}

// Values must already fit in W bits.
template <int W, typename In>
inline void pack8(const In* values, uint8_t* out) {
  static_assert(W >= 1 && W <= kMaxPackWidth);
  uint64_t words[kGroupWords<W>] = {};
  const auto place_all = [&]<size_t... I>(std::index_sequence<I...>) {
    (place<W, I>(words, static_cast<uint64_t>(values[I])), ...);
  };
  place_all(std::make_index_sequence<8>{});
  std::memcpy(out, words, W);
}

// Bytes unpack8 reads when it may read past the group: whole 64-bit words.
template <int W>
inline constexpr size_t kWideBytes = (W + 7) / 8 * 8;

// `Wide` loads whole words, up to kWideBytes<W> bytes, so the caller must have that many;
// otherwise exactly W bytes are read. Whole words avoid copying W bytes into a zeroed
// word and loading it back, which stalls on store forwarding whenever W is not a
// multiple of 8.
template <int W, typename Out, bool Wide = false>
inline void unpack8(const uint8_t* in, Out* out) {
  static_assert(W >= 1 && W <= kMaxPackWidth);
  uint64_t words[kGroupWords<W>] = {};
  std::memcpy(words, in, Wide ? kWideBytes<W> : W);
  const auto extract_all = [&]<size_t... I>(std::index_sequence<I...>) {
    ((out[I] = static_cast<Out>(extract<W, I>(words))), ...);
  };
  extract_all(std::make_index_sequence<8>{});
}

// The 8 values of each byte at bit width 1 (levels of flat nullable columns, booleans):
// one table lookup per byte instead of eight extractions.
template <typename Out>
struct BitUnpackTable {
  Out values[256][8];
  constexpr BitUnpackTable() : values{} {
    for (int byte = 0; byte < 256; ++byte) {
      for (int bit = 0; bit < 8; ++bit) values[byte][bit] = static_cast<Out>((byte >> bit) & 1);
    }
  }
};
template <typename Out>
inline constexpr BitUnpackTable<Out> kBitUnpackTable{};

// `groups` groups of 8 values; W == 0 writes nothing.
template <int W, typename In>
void pack_groups(const In* values, size_t groups, uint8_t* out) {
  if constexpr (W > 0) {
    for (size_t g = 0; g < groups; ++g) pack8<W>(values + 8 * g, out + W * g);
  }
}

// `groups` groups of 8 values; W == 0 reads nothing and yields zeros.
template <int W, typename Out>
void unpack_groups(const uint8_t* in, size_t groups, Out* out) {
  if constexpr (W == 0) {
    std::fill_n(out, 8 * groups, Out{0});
  } else if constexpr (W == 1) {
    for (size_t g = 0; g < groups; ++g) {
      std::memcpy(out + 8 * g, kBitUnpackTable<Out>.values[in[g]], 8 * sizeof(Out));
    }
  } else {
    size_t g = 0;
    for (; g < groups && W * g + kWideBytes<W> <= W * groups; ++g) {
      unpack8<W, Out, true>(in + W * g, out + 8 * g);
    }
    for (; g < groups; ++g) unpack8<W>(in + W * g, out + 8 * g);
  }
}

template <typename In>
using PackGroupsFn = void (*)(const In*, size_t, uint8_t*);
template <typename Out>
using UnpackGroupsFn = void (*)(const uint8_t*, size_t, Out*);

template <typename In, int... W>
constexpr std::array<PackGroupsFn<In>, sizeof...(W)> pack_table(std::integer_sequence<int, W...>) {
  return {&pack_groups<W, In>...};
}
template <typename Out, int... W>
constexpr std::array<UnpackGroupsFn<Out>, sizeof...(W)> unpack_table(
    std::integer_sequence<int, W...>) {
  return {&unpack_groups<W, Out>...};
}

// Indexed by bit width 0..32: one indirect call per run, never per value.
template <typename In>
inline constexpr auto kPackGroups =
    pack_table<In>(std::make_integer_sequence<int, kMaxBitWidth + 1>{});
template <typename Out>
inline constexpr auto kUnpackGroups =
    unpack_table<Out>(std::make_integer_sequence<int, kMaxBitWidth + 1>{});

}  // namespace bitpack

}  // namespace crv::parquet
