#pragma once
// Helpers shared by the fuzz targets: how an input names the table it is for.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "crv/core/table_descriptor.hpp"
#include "crv/core/table_name.hpp"

namespace crv::fuzz {

struct TableInput {
  const core::TableDescriptor& table;
  std::string_view text;  // the input after its first line
};

// An input whose first line names a canonical table (e.g. "holdings\n{...}"), so that
// seeds stay readable text; nothing when the first line is not a table's name.
inline std::optional<TableInput> split_table_input(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t end = input.find('\n');
  if (end == std::string_view::npos) return std::nullopt;
  const std::string_view name = input.substr(0, end);
  for (const core::TableName table : core::kAllTables) {
    if (core::to_string(table) == name) {
      return TableInput{core::get_table(table), input.substr(end + 1)};
    }
  }
  return std::nullopt;
}

}  // namespace crv::fuzz
