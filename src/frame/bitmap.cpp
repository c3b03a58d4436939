// Counting set bits, and BitmapBuilder's runs.

#include "crv/frame/bitmap.hpp"

#include <bit>
#include <cstring>

namespace crv::frame {
namespace bits {

int64_t count_set(const uint8_t* bitmap, int64_t offset, int64_t length) {
  int64_t count = 0;
  int64_t index = offset;
  const int64_t end = offset + length;
  // Single bits until the position is byte aligned, then whole 64-bit words, then the tail.
  for (; index < end && (index & 7) != 0; ++index) count += get(bitmap, index);
  for (; index + 64 <= end; index += 64) {
    uint64_t word;
    std::memcpy(&word, bitmap + (index >> 3), sizeof(word));
    count += std::popcount(word);
  }
  for (; index + 8 <= end; index += 8) count += std::popcount(bitmap[index >> 3]);
  for (; index < end; ++index) count += get(bitmap, index);
  return count;
}

}  // namespace bits

void BitmapBuilder::append_run(int64_t count, bool bit) {
  reserve(count);
  // Finish the partial byte bit by bit, then fill whole bytes at once.
  for (; count > 0 && (length_ & 7) != 0; --count) append(bit);
  const int64_t whole_bytes = count >> 3;
  if (whole_bytes > 0) {
    const int64_t start = bytes_.size();
    bytes_.resize(start + whole_bytes);
    std::memset(bytes_.data() + start, bit ? 0xFF : 0x00, static_cast<size_t>(whole_bytes));
    length_ += whole_bytes * 8;
    count -= whole_bytes * 8;
  }
  for (; count > 0; --count) append(bit);
}

BufferPtr BitmapBuilder::finish() {
  length_ = 0;
  return bytes_.finish();
}

}  // namespace crv::frame
