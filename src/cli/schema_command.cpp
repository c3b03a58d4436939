// `crvio schema TABLE`: one table's columns, types and whether each is required.

#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/table_description.hpp"
#include "crv/core/table_descriptor.hpp"

namespace crv::cli {
namespace {

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

void add_schema_command(CLI::App& app) {
  auto* schema = app.add_subcommand("schema", "Show the columns of one table");
  auto table_name = std::make_shared<std::string>();
  auto schema_json = std::make_shared<bool>(false);
  schema->add_option("table", *table_name, "Table name, e.g. identity_edges")->required();
  schema->add_flag("--json", *schema_json, "Print the descriptor as JSON");
  schema->footer("Examples:\n  crvio schema identity_edges\n  crvio schema decisions --json");
  schema->callback([table_name, schema_json] { print_schema(*table_name, *schema_json); });
}

}  // namespace crv::cli
