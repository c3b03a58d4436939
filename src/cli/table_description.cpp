// A table descriptor as JSON, shared by `crvio tables` and `crvio schema`.

#include "cli/table_description.hpp"

#include <string_view>
#include <vector>

namespace crv::cli {

nlohmann::ordered_json describe(const core::TableDescriptor& table) {
  nlohmann::ordered_json columns = nlohmann::ordered_json::array();
  for (const core::ColumnDescriptor& column : table.columns) {
    columns.push_back({{"name", column.name},
                       {"dtype", core::to_string(column.dtype)},
                       {"required", column.required},
                       {"nullable", column.nullable()}});
  }
  return {{"table", core::to_string(table.name)},
          {"version", table.version.to_string()},
          {"partitioning",
           std::vector<std::string_view>(table.partitioning.begin(), table.partitioning.end())},
          {"columns", std::move(columns)}};
}

}  // namespace crv::cli
