#pragma once
// UTF-8 validation for string data arriving from outside (Arrow import, validate()).

#include <cstddef>
#include <string_view>

namespace crv::frame {

// Position of the first byte that does not start or continue a well-formed UTF-8
// sequence (overlong forms, surrogates and code points above U+10FFFF are rejected),
// or std::string_view::npos when `text` is valid.
size_t first_invalid_utf8_byte(std::string_view text);

}  // namespace crv::frame
