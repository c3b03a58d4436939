#pragma once
// lower_snake names: the grammar of every CRV table and column name.

#include <string_view>

namespace crv::core {

// True when `name` matches ^[a-z0-9]+(_[a-z0-9]+)*$.
bool is_lower_snake(std::string_view name) noexcept;

// Throws GrammarError naming `what` (e.g. "table name") and `name` when
// `name` is not lower_snake.
void require_lower_snake(std::string_view what, std::string_view name);

}  // namespace crv::core
