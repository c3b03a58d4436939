#include "utf8_validation.hpp"

#include <cstdint>
#include <cstring>

namespace crv::frame {

size_t first_invalid_utf8_byte(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  size_t i = 0;
  while (i < size) {
    // Most CRV strings are ASCII: skip eight such bytes at a time.
    if (i + 8 <= size) {
      uint64_t word;
      std::memcpy(&word, bytes + i, sizeof(word));
      if ((word & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char lead = bytes[i];
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t length = 0;
    uint32_t smallest = 0;  // below this, the sequence is an overlong encoding
    if ((lead & 0xE0) == 0xC0) {
      length = 2;
      smallest = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      smallest = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      smallest = 0x10000;
    } else {
      return i;
    }
    uint32_t code_point = lead & (0x7Fu >> length);
    if (i + length > size) return i;
    for (size_t k = 1; k < length; ++k) {
      if ((bytes[i + k] & 0xC0) != 0x80) return i;
      code_point = (code_point << 6) | (bytes[i + k] & 0x3F);
    }
    const bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
    if (code_point < smallest || code_point > 0x10FFFF || surrogate) return i;
    i += length;
  }
  return std::string_view::npos;
}

}  // namespace crv::frame
