// UTF-8 validation of string values.

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "crv/frame/bitmap.hpp"
#include "crv/frame/utf8.hpp"

namespace crv::frame {
namespace {

// Whether every byte is below 0x80, looked at 32 bytes a time: most CRV strings are ASCII.
bool all_ascii(const unsigned char* bytes, size_t size) {
  constexpr uint64_t kHighBits = 0x8080808080808080ull;
  size_t i = 0;
  for (; i + 32 <= size; i += 32) {
    uint64_t words[4];
    std::memcpy(words, bytes + i, sizeof(words));
    if (((words[0] | words[1] | words[2] | words[3]) & kHighBits) != 0) return false;
  }
  for (; i < size; ++i) {
    if (bytes[i] >= 0x80) return false;
  }
  return true;
}

}  // namespace

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

std::optional<int64_t> first_invalid_utf8_string(const int32_t* offsets, const uint8_t* data,
                                                 int64_t count, const uint8_t* validity,
                                                 int64_t validity_offset) {
  if (count <= 0) return std::nullopt;
  const auto counts = [&](int64_t i) {
    return validity == nullptr || bits::get(validity, validity_offset + i);
  };
  const auto text = [&](int32_t begin, int32_t end) {
    return std::string_view(reinterpret_cast<const char*>(data) + begin,
                            static_cast<size_t>(end - begin));
  };
  const int32_t end = offsets[count];
  // ASCII bytes are valid UTF-8 however they are split into strings.
  if (all_ascii(data + offsets[0], static_cast<size_t>(end - offsets[0]))) return std::nullopt;
  // Validating the bytes of all strings in one pass keeps the word-at-a-time path busy
  // however short the strings are. Valid as a whole, a string can still be invalid on its
  // own only by starting or ending inside a character, that is at a continuation byte.
  if (first_invalid_utf8_byte(text(offsets[0], end)) == std::string_view::npos) {
    const auto inside_character = [&](int32_t at) { return at < end && (data[at] & 0xC0) == 0x80; };
    for (int64_t i = 0; i < count; ++i) {
      if (offsets[i] == offsets[i + 1] || !counts(i)) continue;
      if (inside_character(offsets[i]) || inside_character(offsets[i + 1])) return i;
    }
    return std::nullopt;
  }
  // Some bytes are invalid, perhaps only where null strings lie: look string by string.
  for (int64_t i = 0; i < count; ++i) {
    if (counts(i) &&
        first_invalid_utf8_byte(text(offsets[i], offsets[i + 1])) != std::string_view::npos) {
      return i;
    }
  }
  return std::nullopt;
}

std::optional<InvalidUtf8> find_invalid_utf8(const Array& array) {
  switch (array.type_id()) {
    case TypeId::Utf8: {
      const std::optional<int64_t> slot = first_invalid_utf8_string(
          array.value_offsets(), reinterpret_cast<const uint8_t*>(array.string_data()),
          array.length(), array.validity_bits(), array.offset());
      if (!slot) return std::nullopt;
      return InvalidUtf8{*slot, {}};
    }
    case TypeId::Struct: {
      // A member's slot i is the struct's slot i.
      for (size_t k = 0; k < array.num_children(); ++k) {
        if (std::optional<InvalidUtf8> found = find_invalid_utf8(*array.field(k))) {
          found->path = "." + array.type()->field(k).name + found->path;
          return found;
        }
      }
      return std::nullopt;
    }
    case TypeId::List: {
      if (array.length() == 0) return std::nullopt;
      const int32_t* offsets = array.value_offsets();
      const ArrayPtr items =
          array.list_items()->slice(offsets[0], offsets[array.length()] - offsets[0]);
      std::optional<InvalidUtf8> found = find_invalid_utf8(*items);
      if (!found) return std::nullopt;
      // The list slot whose range holds the item.
      const int32_t item = offsets[0] + static_cast<int32_t>(found->slot);
      found->slot = std::upper_bound(offsets, offsets + array.length() + 1, item) - offsets - 1;
      found->path = "[]" + found->path;
      return found;
    }
    default:
      return std::nullopt;
  }
}

}  // namespace crv::frame
