#pragma once
// Bit-packed bitmaps in Arrow's layout: bit i lives in byte i / 8 at position i % 8
// (least significant bit first). Used for validity bitmaps and boolean values.

#include <cstdint>

#include "crv/frame/buffer.hpp"

namespace crv::frame::bits {

inline constexpr int64_t bytes_for(int64_t bit_count) {
  return (bit_count + 7) >> 3;
}

inline bool get(const uint8_t* bitmap, int64_t index) {
  return (bitmap[index >> 3] >> (index & 7)) & 1;
}
inline void set(uint8_t* bitmap, int64_t index) {
  bitmap[index >> 3] = static_cast<uint8_t>(bitmap[index >> 3] | (1u << (index & 7)));
}
inline void clear(uint8_t* bitmap, int64_t index) {
  bitmap[index >> 3] = static_cast<uint8_t>(bitmap[index >> 3] & ~(1u << (index & 7)));
}
inline void set_to(uint8_t* bitmap, int64_t index, bool value) {
  value ? set(bitmap, index) : clear(bitmap, index);
}

// Number of set bits among `length` bits starting at bit `offset`.
int64_t count_set(const uint8_t* bitmap, int64_t offset, int64_t length);

}  // namespace crv::frame::bits

namespace crv::frame {

// Appends bits one at a time (or in runs) into a growing bitmap.
class BitmapBuilder {
 public:
  int64_t length() const { return length_; }

  void reserve(int64_t additional_bits) {
    bytes_.reserve(bits::bytes_for(length_ + additional_bits) - bytes_.size());
  }
  void append(bool bit) {
    if ((length_ & 7) == 0) bytes_.append_value<uint8_t>(0);
    if (bit) bits::set(bytes_.data(), length_);
    ++length_;
  }
  void append_run(int64_t count, bool bit);

  // The bits appended so far; unused bits of the last byte are zero. Leaves the builder empty.
  BufferPtr finish();

 private:
  BufferBuilder bytes_;
  int64_t length_ = 0;
};

}  // namespace crv::frame
