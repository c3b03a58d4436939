#pragma once
// The DELTA_BINARY_PACKED encoding of the Parquet format (Encodings.md, = 5), for INT32
// and INT64 values and for the lengths inside DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY.
//
// A stream is a header
//   <block size> <miniblocks per block> <total value count> <first value>
// (ULEB128, ULEB128, ULEB128, zigzag ULEB128) followed by blocks, each
//   <min delta> <one bit-width byte per miniblock> <the miniblocks>
// where a miniblock holds (block size / miniblocks) deltas less the min delta, bit-packed
// LSB first at its width (0..64). Values are the first value plus the running sum of the
// deltas. The last miniblock used is padded to its full size; the width bytes of the
// miniblocks after it are present but unused (any value) and their bodies absent. A
// stream of 0 or 1 values has no block.
//
// Arithmetic wraps in the column's width, as the format asks (INT32 deltas wrap in 32
// bits): the decoder sums in 64 bits and an INT32 stream keeps the low 32 bits of each
// value, sign-extended. Widths up to 64 are accepted for INT32 too (some writers computed
// INT32 deltas in 64 bits); only their low 32 bits matter.
//
// The encoder writes blocks of 128 values in four miniblocks of 32, the layout the format
// asks for (block size a multiple of 128, miniblocks a multiple of 32 values), computing
// deltas modulo 2^64, with zero padding and zero widths for unused miniblocks.
//
// The decoder reads untrusted bytes: every count, width and size is checked against the
// input before it is used, nothing is allocated from a count in the stream, and any
// inconsistency throws crv::IoFormatError naming the byte within the stream.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "parquet/bit_util.hpp"

namespace crv::parquet {

// Appends the present slots of `values` (see encode_plain) as one INT64 stream.
void encode_delta_binary_packed(std::span<const int64_t> values, BitmapView validity,
                                std::vector<uint8_t>& out);

class DeltaBinaryPackedDecoder {
 public:
  // Reads the header of the stream at the front of `input`; `value_bits` is 32 (INT32)
  // or 64 (INT64). Throws IoFormatError for a truncated or malformed header.
  DeltaBinaryPackedDecoder(std::span<const uint8_t> input, int value_bits);

  // The value count the header states (unchecked against the input until decoded).
  uint64_t total_values() const { return total_; }
  // Values not yet decoded or skipped.
  uint64_t remaining() const { return total_ - consumed_; }

  // The next value; IoFormatError when none remains or the stream is damaged.
  int64_t next();
  // The next out.size() values.
  void decode(std::span<int64_t> out);
  // Passes over the next `count` values (they are still decoded: each depends on the last).
  void skip(uint64_t count);

  // The bytes the whole stream occupies at the front of the input, found by walking the
  // block headers (miniblocks are not unpacked); independent of what was decoded. The
  // encodings that put data after a stream of lengths use it to find that data.
  size_t stream_bytes() const;

 private:
  void start_miniblock();
  void refill_group();
  int64_t output(uint64_t value) const;

  std::span<const uint8_t> input_;
  size_t header_bytes_ = 0;
  size_t position_ = 0;  // next unread byte
  int shift_ = 0;        // 64 - value_bits: sign-extends an INT32 value from the low bits
  uint64_t values_per_miniblock_ = 0;
  uint64_t miniblocks_ = 0;
  uint64_t total_ = 0;
  uint64_t consumed_ = 0;
  uint64_t value_ = 0;  // the last value, as the running sum modulo 2^64
  // The current block and miniblock.
  uint64_t min_delta_ = 0;
  const uint8_t* widths_ = nullptr;  // the block's width bytes, null before the first block
  uint64_t next_miniblock_ = 0;      // index within the block of the miniblock after this one
  uint64_t left_in_miniblock_ = 0;   // deltas of the current miniblock not yet consumed
  int width_ = 0;
  // Deltas are unpacked up to kGroupsAtOnce groups of 8 at a time (never beyond the
  // current miniblock), so the bookkeeping of a refill is shared by many values.
  static constexpr int kGroupsAtOnce = 8;
  uint64_t group_[8 * kGroupsAtOnce] = {};
  int group_size_ = 0;      // deltas unpacked into group_
  int group_position_ = 0;  // the next of them; group_size_ when used up
};

}  // namespace crv::parquet
