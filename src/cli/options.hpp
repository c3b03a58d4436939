#pragma once
// Options every dataset verb of `crvio` shares: where the dataset lives, which run and
// which table.

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "crv/io/settings.hpp"

namespace crv::cli {

struct RunArguments {
  std::string root;  // empty: the settings' root_dir
  std::string run;
};

struct TableArguments : RunArguments {
  std::string table;
};

// The io settings (environment, crv.toml, pyproject.toml, defaults) with --root applied.
io::IoSettings settings_for(const RunArguments& arguments);

// `table` alone when it is not empty, else every table of the run that has a manifest, in
// the canonical tables' order; IoError naming the folder when the run has none.
std::vector<std::string> tables_to_visit(const io::IoSettings& settings, const std::string& run,
                                         const std::string& table);

void add_root_option(CLI::App& command, std::string& root);
// --root and a required --run.
void add_run_options(CLI::App& command, RunArguments& arguments);
// --root, --run and a required --table.
void add_table_options(CLI::App& command, TableArguments& arguments);

// Refuses a negative number with "must be 0 or more". CLI11 has converted the text
// already, but would wrap a negative value around into a huge unsigned one.
CLI::Validator not_negative();

}  // namespace crv::cli
