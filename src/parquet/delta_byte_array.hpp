#pragma once
// The DELTA_BYTE_ARRAY encoding of the Parquet format (Encodings.md, = 7), also called
// incremental or front coding: each value is stored as the length of the prefix it shares
// with the value before it plus the rest (its suffix). The page holds the prefix lengths
// as a DELTA_BINARY_PACKED stream, then the suffixes as DELTA_LENGTH_BYTE_ARRAY. Read for
// BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY columns (the latter still store every length).
//
// Values depend on the ones before them, so the values a reader skips are rebuilt too.
// The input is untrusted: a negative prefix length, one longer than the value before it,
// suffix errors (see delta_length_byte_array.hpp), streams stating fewer values than
// needed, and a value of the wrong length in a fixed-length column throw
// crv::IoFormatError. Since a prefix repeats bytes already decoded, a few bytes of page
// can stand for many bytes of values; the values kept from one page are therefore sized
// first (nothing is allocated yet) and refused when they exceed the caller's `max_bytes`.
// Each value is at most as long as all the suffixes together, so the value being rebuilt
// never takes more memory than the page.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace crv::parquet {

// Appends values [skip, skip + keep) of the stream in `input` to a string column, as
// decode_plain_byte_array does (offsets first receive their leading 0). With
// `fixed_length` > 0 every value must have exactly that many bytes. The kept values'
// bytes must not exceed `max_bytes`.
void decode_delta_byte_array(std::span<const uint8_t> input, size_t skip, size_t keep,
                             int32_t fixed_length, size_t max_bytes, std::vector<int32_t>& offsets,
                             std::vector<uint8_t>& data);

}  // namespace crv::parquet
