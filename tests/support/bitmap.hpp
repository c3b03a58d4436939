#pragma once
// Validity and boolean bitmaps for the tests of code that reads them.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace crv::test_support {

// An LSB-first bitmap holding `bits` from bit `offset` on. The bits before `offset` are
// set, so that a reader ignoring the offset would go wrong.
inline std::vector<uint8_t> make_bitmap(const std::vector<bool>& bits, size_t offset) {
  std::vector<uint8_t> bitmap((offset + bits.size() + 7) / 8, 0);
  for (size_t i = 0; i < offset; ++i) bitmap[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
  for (size_t i = 0; i < bits.size(); ++i) {
    if (bits[i]) bitmap[(offset + i) / 8] |= static_cast<uint8_t>(1u << ((offset + i) % 8));
  }
  return bitmap;
}

}  // namespace crv::test_support
