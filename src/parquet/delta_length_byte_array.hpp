#pragma once
// The DELTA_LENGTH_BYTE_ARRAY encoding of the Parquet format (Encodings.md, = 6): the
// lengths of all the values as one DELTA_BINARY_PACKED stream (of INT32), then the values'
// bytes back to back. Read here for BYTE_ARRAY and, each value then having to be exactly
// the type length, FIXED_LEN_BYTE_ARRAY columns; DELTA_BYTE_ARRAY stores its suffixes in
// this form too.
//
// The input is untrusted: a negative length, one running past the data, a length stream
// that is cut short or states fewer values than needed throw crv::IoFormatError. Values
// are copied out of the page, so what is appended never exceeds the page's size.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "parquet/delta_binary_packed.hpp"

namespace crv::parquet {

// Reads the values of a stream one after the other, as spans of the input.
class DeltaLengthByteArrayReader {
 public:
  // Reads the length stream's header and finds where the bytes start.
  explicit DeltaLengthByteArrayReader(std::span<const uint8_t> input);

  uint64_t total_values() const { return lengths_.total_values(); }
  // The next value's bytes; IoFormatError when no value remains, its length is negative
  // or it runs past the end of the data.
  std::span<const uint8_t> next();
  // Where the next value starts within the bytes after the lengths.
  size_t data_position() const { return position_; }

 private:
  DeltaBinaryPackedDecoder lengths_;
  std::span<const uint8_t> data_;  // the bytes after the length stream
  size_t position_ = 0;
  uint64_t index_ = 0;
};

// Appends values [skip, skip + keep) of the stream in `input` to a string column, as
// decode_plain_byte_array does (offsets first receive their leading 0). With
// `fixed_length` > 0 every value read must have exactly that many bytes.
void decode_delta_length_byte_array(std::span<const uint8_t> input, size_t skip, size_t keep,
                                    int32_t fixed_length, std::vector<int32_t>& offsets,
                                    std::vector<uint8_t>& data);

}  // namespace crv::parquet
