// `crvio tables` and `crvio schema TABLE`: the table descriptors.

#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "crv/core/table_descriptor.hpp"

namespace crv::cli {
namespace {

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

void print_tables(bool as_json) {
  if (as_json) {
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    for (const core::TableDescriptor& table : core::list_tables()) all.push_back(describe(table));
    std::cout << all.dump(2) << '\n';
    return;
  }
  for (const core::TableDescriptor& table : core::list_tables()) {
    std::cout << fmt::format("{:<20} {:>2} columns\n", core::to_string(table.name),
                             table.columns.size());
  }
}

void print_schema(const std::string& name, bool as_json) {
  const core::TableDescriptor& table = core::get_table(name);
  if (as_json) {
    std::cout << describe(table).dump(2) << '\n';
    return;
  }
  std::cout << fmt::format("{} (schema {}, partitioned by {})\n", core::to_string(table.name),
                           table.version.to_string(), table.partitioning[0]);
  for (const core::ColumnDescriptor& column : table.columns) {
    std::cout << fmt::format("  {:<24} {:<13} {}\n", column.name, core::to_string(column.dtype),
                             column.required ? "required" : "nullable");
  }
}

}  // namespace

void add_schema_commands(CLI::App& app) {
  auto* tables = app.add_subcommand("tables", "List the canonical tables");
  auto tables_json = std::make_shared<bool>(false);
  tables->add_flag("--json", *tables_json, "Print every descriptor as JSON");
  tables->footer("Examples:\n  crvio tables\n  crvio tables --json");
  tables->callback([tables_json] { print_tables(*tables_json); });

  auto* schema = app.add_subcommand("schema", "Show the columns of one table");
  auto table_name = std::make_shared<std::string>();
  auto schema_json = std::make_shared<bool>(false);
  schema->add_option("table", *table_name, "Table name, e.g. identity_edges")->required();
  schema->add_flag("--json", *schema_json, "Print the descriptor as JSON");
  schema->footer("Examples:\n  crvio schema identity_edges\n  crvio schema decisions --json");
  schema->callback([table_name, schema_json] { print_schema(*table_name, *schema_json); });
}

}  // namespace crv::cli
