// PLAIN encoding and decoding of every physical type.

#include "parquet/plain.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <string_view>

#include "crv/core/errors.hpp"

namespace crv::parquet {
namespace {

constexpr size_t kLengthPrefixBytes = sizeof(uint32_t);

template <PlainFixedWidth T>
constexpr std::string_view physical_type_name() {
  if constexpr (std::same_as<T, int32_t>) return "INT32";
  if constexpr (std::same_as<T, int64_t>) return "INT64";
  if constexpr (std::same_as<T, float>) return "FLOAT";
  if constexpr (std::same_as<T, double>) return "DOUBLE";
}

// Slots of a column whose offsets array has one entry more than it has values.
template <ByteArrayOffset O>
size_t slot_count(std::span<const O> offsets) {
  return offsets.empty() ? 0 : offsets.size() - 1;
}

}  // namespace

template <PlainFixedWidth T>
void encode_plain(std::span<const T> values, BitmapView validity, std::vector<uint8_t>& out) {
  const size_t present = count_set_bits(validity, values.size());
  if (present == 0) return;
  const size_t start_size = out.size();
  out.resize(start_size + present * sizeof(T));
  uint8_t* next = out.data() + start_size;
  for_each_set_run(validity, values.size(), [&](size_t start, size_t length) {
    std::memcpy(next, values.data() + start, length * sizeof(T));
    next += length * sizeof(T);
  });
}

template <ByteArrayOffset O>
void encode_plain_byte_array(std::span<const O> offsets, const uint8_t* data, BitmapView validity,
                             std::vector<uint8_t>& out) {
  const size_t slots = slot_count(offsets);
  // First pass: refuse overlong values before anything is allocated, and size the output.
  size_t total = 0;
  for_each_set_run(validity, slots, [&](size_t start, size_t length) {
    for (size_t i = start; i < start + length; ++i) {
      // A negative length wraps to a huge one and is refused with the overlong ones.
      const auto size = static_cast<size_t>(offsets[i + 1] - offsets[i]);
      if (size > kMaxByteArrayLength) {
        throw IoWriteError(
            fmt::format("BYTE_ARRAY value at slot {} has {} bytes; Parquet allows at most {}", i,
                        size, kMaxByteArrayLength));
      }
      total += kLengthPrefixBytes + size;
    }
  });
  if (total == 0) return;
  const size_t start_size = out.size();
  out.resize(start_size + total);
  uint8_t* next = out.data() + start_size;
  for_each_set_run(validity, slots, [&](size_t start, size_t length) {
    for (size_t i = start; i < start + length; ++i) {
      const auto size = static_cast<size_t>(offsets[i + 1] - offsets[i]);
      store_le(next, static_cast<uint32_t>(size));
      if (size > 0) std::memcpy(next + kLengthPrefixBytes, data + offsets[i], size);
      next += kLengthPrefixBytes + size;
    }
  });
}

void encode_plain_boolean(BitmapView values, size_t count, BitmapView validity,
                          std::vector<uint8_t>& out) {
  const size_t present = count_set_bits(validity, count);
  const size_t start_size = out.size();
  out.resize(start_size + (present + 7) / 8, 0);
  size_t written = 0;
  for_each_set_run(validity, count, [&](size_t start, size_t length) {
    or_bits(BitmapView{values.data, values.offset + start}, length, out.data() + start_size,
            written);
    written += length;
  });
}

namespace {

// Throws unless `input` holds `count` values of T.
template <PlainFixedWidth T>
void check_fixed_width_count(std::span<const uint8_t> input, size_t count) {
  const size_t available = input.size() / sizeof(T);
  if (count > available) {
    throw IoFormatError(fmt::format(
        "PLAIN {} value {} at byte {} is cut short: {} of its {} bytes remain, {} values needed",
        physical_type_name<T>(), available, available * sizeof(T),
        input.size() - available * sizeof(T), sizeof(T), count));
  }
}

}  // namespace

template <PlainFixedWidth T>
size_t decode_plain(std::span<const uint8_t> input, size_t count, std::vector<T>& out) {
  check_fixed_width_count<T>(input, count);
  if (count == 0) return 0;
  const size_t start_size = out.size();
  out.resize(start_size + count);
  std::memcpy(out.data() + start_size, input.data(), count * sizeof(T));
  return count * sizeof(T);
}

template <PlainFixedWidth T>
size_t skip_plain(std::span<const uint8_t> input, size_t count) {
  check_fixed_width_count<T>(input, count);
  return count * sizeof(T);
}

template <ByteArrayOffset O>
void check_offset_capacity(size_t existing, size_t added) {
  constexpr size_t kMaxBytes = static_cast<size_t>(std::numeric_limits<O>::max());
  if (existing > kMaxBytes || added > kMaxBytes - existing) {
    throw IoFormatError(fmt::format(
        "{} more bytes of BYTE_ARRAY values overflow the {}-bit offsets of a column already "
        "holding {} bytes",
        added, 8 * sizeof(O), existing));
  }
}

namespace {

struct ByteArrayExtent {
  size_t bytes = 0;        // consumed from the input, length prefixes included
  size_t value_bytes = 0;  // of the values alone
};

// Walks the length prefixes of `count` values, checking each against the input.
ByteArrayExtent measure_plain_byte_array(std::span<const uint8_t> input, size_t count) {
  ByteArrayExtent extent;
  size_t& pos = extent.bytes;
  for (size_t i = 0; i < count; ++i) {
    if (input.size() - pos < kLengthPrefixBytes) {
      throw IoFormatError(fmt::format(
          "PLAIN BYTE_ARRAY value {} at byte {} is cut short: its 4-byte length has {} bytes", i,
          pos, input.size() - pos));
    }
    const uint32_t size = load_le<uint32_t>(input.data() + pos);
    if (size > input.size() - pos - kLengthPrefixBytes) {
      throw IoFormatError(
          fmt::format("PLAIN BYTE_ARRAY value {} at byte {} declares {} bytes but only {} remain",
                      i, pos, size, input.size() - pos - kLengthPrefixBytes));
    }
    pos += kLengthPrefixBytes + size;
    extent.value_bytes += size;
  }
  return extent;
}

}  // namespace

size_t skip_plain_byte_array(std::span<const uint8_t> input, size_t count) {
  return measure_plain_byte_array(input, count).bytes;
}

template <ByteArrayOffset O>
size_t decode_plain_byte_array(std::span<const uint8_t> input, size_t count,
                               std::vector<O>& offsets, std::vector<uint8_t>& data) {
  if (offsets.empty()) offsets.push_back(0);
  // First pass: check every length against the input and size the output once.
  const ByteArrayExtent extent = measure_plain_byte_array(input, count);
  const size_t data_start = data.size();
  check_offset_capacity<O>(data_start, extent.value_bytes);
  const size_t offsets_start = offsets.size();
  offsets.resize(offsets_start + count);
  data.resize(data_start + extent.value_bytes);
  size_t read = 0;
  size_t written = data_start;
  for (size_t i = 0; i < count; ++i) {
    const uint32_t size = load_le<uint32_t>(input.data() + read);
    read += kLengthPrefixBytes;
    if (size > 0) std::memcpy(data.data() + written, input.data() + read, size);
    read += size;
    written += size;
    offsets[offsets_start + i] = static_cast<O>(written);
  }
  return extent.bytes;
}

size_t skip_plain_fixed_len_byte_array(std::span<const uint8_t> input, size_t count, size_t width) {
  if (width == 0) throw IoFormatError("PLAIN FIXED_LEN_BYTE_ARRAY values of 0 bytes");
  const size_t available = input.size() / width;
  if (count > available) {
    throw IoFormatError(fmt::format(
        "PLAIN FIXED_LEN_BYTE_ARRAY value {} at byte {} is cut short: {} of its {} bytes "
        "remain, {} values needed",
        available, available * width, input.size() - available * width, width, count));
  }
  return count * width;
}

size_t decode_plain_fixed_len_byte_array(std::span<const uint8_t> input, size_t count, size_t width,
                                         std::vector<int32_t>& offsets,
                                         std::vector<uint8_t>& data) {
  if (offsets.empty()) offsets.push_back(0);
  const size_t bytes = skip_plain_fixed_len_byte_array(input, count, width);
  const size_t data_start = data.size();
  check_offset_capacity<int32_t>(data_start, bytes);
  if (count == 0) return 0;
  const size_t offsets_start = offsets.size();
  offsets.resize(offsets_start + count);
  for (size_t i = 0; i < count; ++i) {
    offsets[offsets_start + i] = static_cast<int32_t>(data_start + (i + 1) * width);
  }
  data.insert(data.end(), input.begin(), input.begin() + static_cast<std::ptrdiff_t>(bytes));
  return bytes;
}

size_t decode_plain_boolean(std::span<const uint8_t> input, size_t count,
                            std::vector<uint8_t>& bitmap, size_t& bit_length) {
  return decode_plain_boolean(input, 0, count, bitmap, bit_length);
}

size_t decode_plain_boolean(std::span<const uint8_t> input, size_t skip, size_t count,
                            std::vector<uint8_t>& bitmap, size_t& bit_length) {
  const size_t bits = skip + count;
  const size_t needed = bits / 8 + (bits % 8 != 0);
  if (input.size() < needed) {
    throw IoFormatError(
        fmt::format("PLAIN BOOLEAN data has {} bytes, too few for {} values ({} bytes)",
                    input.size(), bits, needed));
  }
  const size_t used_bytes = (bit_length + 7) / 8;
  bitmap.resize((bit_length + count + 7) / 8);
  // or_bits needs the destination bits clear, including any the caller left unspecified.
  std::fill(bitmap.begin() + static_cast<std::ptrdiff_t>(used_bytes), bitmap.end(), 0);
  if (bit_length % 8 != 0) {
    bitmap[bit_length / 8] &= static_cast<uint8_t>((1u << (bit_length % 8)) - 1);
  }
  or_bits(BitmapView{input.data(), skip}, count, bitmap.data(), bit_length);
  bit_length += count;
  return needed;
}

#define CRV_INSTANTIATE_PLAIN_FIXED(T)                                                  \
  template void encode_plain<T>(std::span<const T>, BitmapView, std::vector<uint8_t>&); \
  template size_t decode_plain<T>(std::span<const uint8_t>, size_t, std::vector<T>&);   \
  template size_t skip_plain<T>(std::span<const uint8_t>, size_t);
CRV_INSTANTIATE_PLAIN_FIXED(int32_t)
CRV_INSTANTIATE_PLAIN_FIXED(int64_t)
CRV_INSTANTIATE_PLAIN_FIXED(float)
CRV_INSTANTIATE_PLAIN_FIXED(double)
#undef CRV_INSTANTIATE_PLAIN_FIXED

#define CRV_INSTANTIATE_PLAIN_BYTE_ARRAY(O)                                                     \
  template void encode_plain_byte_array<O>(std::span<const O>, const uint8_t*, BitmapView,      \
                                           std::vector<uint8_t>&);                              \
  template size_t decode_plain_byte_array<O>(std::span<const uint8_t>, size_t, std::vector<O>&, \
                                             std::vector<uint8_t>&);                            \
  template void check_offset_capacity<O>(size_t, size_t);
CRV_INSTANTIATE_PLAIN_BYTE_ARRAY(int32_t)
CRV_INSTANTIATE_PLAIN_BYTE_ARRAY(int64_t)
#undef CRV_INSTANTIATE_PLAIN_BYTE_ARRAY

}  // namespace crv::parquet
