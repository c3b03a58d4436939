// The --root, --run and --table options the dataset verbs share, and the settings they give.

#include "cli/options.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "crv/core/errors.hpp"
#include "crv/core/table_descriptor.hpp"
#include "crv/core/table_name.hpp"
#include "crv/io/paths.hpp"

namespace crv::cli {

io::IoSettings settings_for(const RunArguments& arguments) {
  io::IoSettings settings = io::IoSettings::load();
  if (!arguments.root.empty()) settings.root_dir = arguments.root;
  return settings;
}

std::vector<std::string> tables_to_visit(const io::IoSettings& settings, const std::string& run,
                                         const std::string& table) {
  if (!table.empty()) return {table};
  io::validate_run_id(run);
  const std::filesystem::path root = io::run_root(settings, run);
  if (!std::filesystem::is_directory(root)) {
    throw IoError(
        fmt::format("run '{}' has no folder under the root '{}'", run, settings.root_dir.string()),
        {.path = root.string()});
  }
  std::vector<std::string> tables;
  for (const core::TableDescriptor& descriptor : core::list_tables()) {
    std::string name(core::to_string(descriptor.name));
    if (std::filesystem::exists(io::manifest_path(settings, run, name))) {
      tables.push_back(std::move(name));
    }
  }
  return tables;
}

void add_root_option(CLI::App& command, std::string& root) {
  command.add_option("--root", root,
                     "Dataset root (default: CRV_IO_ROOT_DIR, crv.toml or pyproject.toml "
                     "[tool.crv.io] root_dir, else ./out)");
}

void add_run_options(CLI::App& command, RunArguments& arguments) {
  add_root_option(command, arguments.root);
  command.add_option("--run", arguments.run, "Run id, e.g. run-1")->required();
}

CLI::Validator not_negative() {
  return CLI::Validator(
      [](const std::string& text) -> std::string {
        if (!text.empty() && text.front() == '-') return "must be 0 or more";
        return {};
      },
      ">= 0");
}

void add_table_options(CLI::App& command, TableArguments& arguments) {
  add_run_options(command, arguments);
  command.add_option("--table", arguments.table, "Table name, e.g. identity_edges")->required();
}

}  // namespace crv::cli
