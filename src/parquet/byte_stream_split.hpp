#pragma once
// The BYTE_STREAM_SPLIT encoding of the Parquet format (Encodings.md, = 9), for FLOAT,
// DOUBLE, INT32, INT64 and FIXED_LEN_BYTE_ARRAY: N values of K bytes are stored as K
// streams of N bytes, stream k holding byte k of every value in order. The page has no
// header: N is its size divided by K, so a size that is not a multiple of K is damage
// (crv::IoFormatError), as is a page holding fewer values than the reader needs.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "parquet/plain.hpp"

namespace crv::parquet {

// Appends the present slots of `values` (see encode_plain) as one page's streams.
template <PlainFixedWidth T>
void encode_byte_stream_split(std::span<const T> values, BitmapView validity,
                              std::vector<uint8_t>& out);

// The number of values of `width` bytes in a page of `input`; IoFormatError when the page
// is not a whole number of values. `width` must be positive.
size_t byte_stream_split_count(std::span<const uint8_t> input, size_t width);

// Writes values [skip, skip + keep) of the page in `input`, each as its `width` bytes in
// order, to `out` (keep * width bytes). IoFormatError as byte_stream_split_count, or when
// the page holds fewer than skip + keep values.
void decode_byte_stream_split(std::span<const uint8_t> input, size_t width, size_t skip,
                              size_t keep, uint8_t* out);

}  // namespace crv::parquet
