// The lower_snake grammar of table and column names, and the error naming a break of it.

#include "crv/core/lower_snake.hpp"

#include <fmt/format.h>

#include "crv/core/errors.hpp"

namespace crv::core {

bool is_lower_snake(std::string_view name) noexcept {
  bool previous_was_word_char = false;
  for (char c : name) {
    const bool word_char = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (word_char) {
      previous_was_word_char = true;
    } else if (c == '_' && previous_was_word_char) {
      previous_was_word_char = false;
    } else {
      return false;
    }
  }
  return previous_was_word_char;
}

void require_lower_snake(std::string_view what, std::string_view name) {
  if (!is_lower_snake(name)) {
    throw GrammarError(fmt::format(
        "{} '{}' is not lower_snake (lowercase letters and digits in words joined by single "
        "underscores)",
        what, name));
  }
}

}  // namespace crv::core
