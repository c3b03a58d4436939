// `crvio tables`: the canonical tables, one line each or every descriptor as JSON.

#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/table_description.hpp"
#include "crv/core/table_descriptor.hpp"

namespace crv::cli {
namespace {

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

}  // namespace

void add_tables_command(CLI::App& app) {
  auto* tables = app.add_subcommand("tables", "List the canonical tables");
  auto tables_json = std::make_shared<bool>(false);
  tables->add_flag("--json", *tables_json, "Print every descriptor as JSON");
  tables->footer("Examples:\n  crvio tables\n  crvio tables --json");
  tables->callback([tables_json] { print_tables(*tables_json); });
}

}  // namespace crv::cli
