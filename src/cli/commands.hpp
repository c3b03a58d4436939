#pragma once
// Each verb of `crvio` registers itself on the application here.

#include <CLI/CLI.hpp>

namespace crv::cli {

void add_tables_command(CLI::App& app);
void add_schema_command(CLI::App& app);
void add_append_command(CLI::App& app);
void add_read_command(CLI::App& app);
void add_manifest_command(CLI::App& app);
void add_log_command(CLI::App& app);
void add_rewind_command(CLI::App& app);
void add_rebuild_manifest_command(CLI::App& app);
void add_bundle_command(CLI::App& app);
void add_fsck_command(CLI::App& app);
void add_compact_command(CLI::App& app);
void add_export_command(CLI::App& app);
void add_demo_command(CLI::App& app);

}  // namespace crv::cli
