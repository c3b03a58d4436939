#pragma once
// How frame's errors name a position inside a nested column: struct members joined by
// dots, list items as "[]", e.g. "orders[].price".

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace crv::frame {

inline std::string member_path(const std::string& parent, std::string_view member) {
  return parent.empty() ? std::string(member) : fmt::format("{}.{}", parent, member);
}

inline std::string items_path(const std::string& parent) {
  return parent + "[]";
}

}  // namespace crv::frame
