// `crvio compact`: a run's tables rewritten into fewer, larger parts per bucket.

#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/console.hpp"
#include "cli/options.hpp"
#include "crv/io/dataset.hpp"

namespace crv::cli {
namespace {

struct CompactArguments : RunArguments {
  std::string table;  // empty: every table of the run that has a manifest
};

void run_compact(const CompactArguments& arguments) {
  const io::IoSettings settings = settings_for(arguments);
  io::Dataset dataset(settings, arguments.run);
  for (const std::string& table : tables_to_visit(settings, arguments.run, arguments.table)) {
    const io::CompactionSummary summary = dataset.compact(table);
    verbose("{}: {} parts became {}", table, summary.parts_before, summary.parts_after);
    std::cout << summary.to_json() << '\n';
  }
}

}  // namespace

void add_compact_command(CLI::App& app) {
  auto arguments = std::make_shared<CompactArguments>();
  auto* compact = app.add_subcommand("compact", "Merge each bucket's small parts into larger ones");
  add_run_options(*compact, *arguments);
  compact->add_option("--table", arguments->table,
                      "Compact only this table, e.g. identity_edges (default: every table of "
                      "the run)");
  compact->footer(
      "Rewrites each bucket's consecutive small parts as parts of about target_part_bytes\n"
      "(128 MiB by default; CRV_IO_TARGET_PART_BYTES or crv.toml), rows in the same order,\n"
      "and commits the swap through the manifest: readers see the old parts or the new ones,\n"
      "never both. Appends may go on meanwhile; compactions of one table wait for each\n"
      "other. The replaced parts are deleted after the commit; after a crash, fsck --repair\n"
      "moves the leftovers to quarantine. Prints one JSON summary per table.\n\n"
      "Examples:\n"
      "  crvio compact --run run-1\n"
      "  crvio compact --root out --run run-1 --table identity_edges");
  compact->callback([arguments] { run_compact(*arguments); });
}

}  // namespace crv::cli
