#pragma once
// UTF-8 validation for string data arriving from outside (Arrow import, validate(), files
// read, frames about to be written).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crv/frame/array.hpp"

namespace crv::frame {

// Position of the first byte that does not start or continue a well-formed UTF-8
// sequence (overlong forms, surrogates and code points above U+10FFFF are rejected),
// or std::string_view::npos when `text` is valid.
size_t first_invalid_utf8_byte(std::string_view text);

// The first of `count` strings that is not valid UTF-8, where string i is
// data[offsets[i], offsets[i + 1]); strings whose bit offset + i is clear in `validity`
// are not looked at (a null `validity` means every string counts). Offsets must not
// decrease. Nothing when every string is valid.
std::optional<int64_t> first_invalid_utf8_string(const int32_t* offsets, const uint8_t* data,
                                                 int64_t count, const uint8_t* validity = nullptr,
                                                 int64_t validity_offset = 0);

// A string that is not valid UTF-8 somewhere in an array.
struct InvalidUtf8 {
  int64_t slot = 0;  // the array's slot holding it (for a column: the row)
  // Where below the array: struct members as ".name", list items as "[]" (e.g.
  // ".claims[].text"), empty for a utf8 array itself.
  std::string path;
};

// The first slot of `array` holding a string that is not valid UTF-8: its own strings, or
// those of struct members and list items at any depth (members of null struct slots
// included, as validate() checks them). Nothing when all are valid.
std::optional<InvalidUtf8> find_invalid_utf8(const Array& array);

}  // namespace crv::frame
