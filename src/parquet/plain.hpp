#pragma once
// The PLAIN encoding of the Parquet format (Encodings.md, PLAIN = 0): fixed-width
// values back to back little-endian, BYTE_ARRAY as a 4-byte little-endian length
// followed by the bytes, FIXED_LEN_BYTE_ARRAY as the bytes alone, BOOLEAN bit-packed least
// significant bit first.
//
// Encoders read Arrow-layout columns and skip the slots a validity bitmap marks null
// (BitmapView with null data: no nulls). Decoders read untrusted bytes and append the
// values to the caller's buffers; running out of data throws crv::IoFormatError naming
// the value and its byte offset within `input`. Each returns the bytes it consumed.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "parquet/bit_util.hpp"

namespace crv::parquet {

// Physical types whose PLAIN form is the value's own little-endian bytes:
// INT32, INT64, FLOAT, DOUBLE.
template <typename T>
concept PlainFixedWidth = std::same_as<T, int32_t> || std::same_as<T, int64_t> ||
    std::same_as<T, float> || std::same_as<T, double>;

// Arrow's offsets of string/binary (int32) and large string/binary (int64) columns.
template <typename O>
concept ByteArrayOffset = std::same_as<O, int32_t> || std::same_as<O, int64_t>;

// The BYTE_ARRAY length prefix is read as a signed 32-bit number by common readers, so
// no value may be longer.
inline constexpr size_t kMaxByteArrayLength = 0x7FFFFFFF;

// Appends the values of the non-null slots of `values`.
template <PlainFixedWidth T>
void encode_plain(std::span<const T> values, BitmapView validity, std::vector<uint8_t>& out);

// Appends the non-null values of a string/binary column of offsets.size() - 1 slots,
// value i being data[offsets[i], offsets[i + 1]). Throws IoWriteError for a value longer
// than kMaxByteArrayLength.
template <ByteArrayOffset O>
void encode_plain_byte_array(std::span<const O> offsets, const uint8_t* data, BitmapView validity,
                             std::vector<uint8_t>& out);

// Appends the non-null values of a boolean column of `count` slots whose values are the
// bitmap `values`. Encodes one page: PLAIN booleans of separate calls do not concatenate,
// since each call starts a new byte.
void encode_plain_boolean(BitmapView values, size_t count, BitmapView validity,
                          std::vector<uint8_t>& out);

// Appends `count` values read from the front of `input`.
template <PlainFixedWidth T>
size_t decode_plain(std::span<const uint8_t> input, size_t count, std::vector<T>& out);

// The bytes that `count` values occupy at the front of `input`, checked like decode_plain:
// a reader passes over values it does not need without copying them.
template <PlainFixedWidth T>
size_t skip_plain(std::span<const uint8_t> input, size_t count);

// Appends `count` values: their bytes to `data` and their end offsets to `offsets` (an
// empty `offsets` first receives the leading 0, as Arrow's layout has offsets.size() ==
// values + 1). Throws IoFormatError if the data would overflow offset type O.
template <ByteArrayOffset O>
size_t decode_plain_byte_array(std::span<const uint8_t> input, size_t count,
                               std::vector<O>& offsets, std::vector<uint8_t>& data);

// The bytes that `count` values occupy at the front of `input`, each length checked like
// decode_plain_byte_array does.
size_t skip_plain_byte_array(std::span<const uint8_t> input, size_t count);

// FIXED_LEN_BYTE_ARRAY: `count` values of `width` (> 0) bytes each, back to back, with no
// length prefix. Appended to a string column as decode_plain_byte_array does.
size_t decode_plain_fixed_len_byte_array(std::span<const uint8_t> input, size_t count, size_t width,
                                         std::vector<int32_t>& offsets, std::vector<uint8_t>& data);
// The bytes that `count` such values occupy, checked like the decoder checks them.
size_t skip_plain_fixed_len_byte_array(std::span<const uint8_t> input, size_t count, size_t width);

// Throws IoFormatError when `added` more bytes in a string column that already holds
// `existing` would overflow offsets of type O.
template <ByteArrayOffset O>
void check_offset_capacity(size_t existing, size_t added);

// Appends `count` bits to a bitmap whose first `bit_length` bits are in use; `bitmap`
// grows to hold them and `bit_length` advances by `count`. Reads one whole page.
size_t decode_plain_boolean(std::span<const uint8_t> input, size_t count,
                            std::vector<uint8_t>& bitmap, size_t& bit_length);
// The same for the `count` bits that follow the first `skip` bits of the page.
size_t decode_plain_boolean(std::span<const uint8_t> input, size_t skip, size_t count,
                            std::vector<uint8_t>& bitmap, size_t& bit_length);

}  // namespace crv::parquet
