#pragma once
// Each verb of `crvio` registers itself on the application here.

#include <CLI/CLI.hpp>

namespace crv::cli {

void add_schema_commands(CLI::App& app);
void add_append_command(CLI::App& app);
// read, manifest, rebuild-manifest, bundle
void add_read_commands(CLI::App& app);
void add_fsck_command(CLI::App& app);
void add_demo_command(CLI::App& app);

}  // namespace crv::cli
