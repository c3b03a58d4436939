// `crvio export iceberg`: a run's tables published as Apache Iceberg tables in place, or
// one table of every run as a single Iceberg table.

#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/console.hpp"
#include "cli/options.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/iceberg.hpp"

namespace crv::cli {
namespace {

struct ExportArguments : RunArguments {
  std::string table;  // empty: every table of the run that has a manifest
  bool all_runs = false;
  std::string destination;  // with all_runs
};

void run_export_iceberg(const ExportArguments& arguments) {
  const io::IoSettings settings = settings_for(arguments);
  if (arguments.all_runs) {
    const io::IcebergSummary summary =
        io::publish_iceberg_across_runs(settings, arguments.table, arguments.destination);
    verbose("{} of every run: Iceberg version {}", arguments.table, summary.metadata_version);
    std::cout << summary.to_json() << '\n';
    return;
  }
  io::Dataset dataset(settings, arguments.run);
  for (const std::string& table : tables_to_visit(settings, arguments.run, arguments.table)) {
    const io::IcebergSummary summary = dataset.publish_iceberg(table);
    verbose("{}: Iceberg version {} ({})", table, summary.metadata_version,
            summary.updated ? "written" : "already current");
    std::cout << summary.to_json() << '\n';
  }
}

}  // namespace

void add_export_command(CLI::App& app) {
  auto* export_command =
      app.add_subcommand("export", "Publish tables in another table format, in place");
  export_command->require_subcommand(1);
  auto arguments = std::make_shared<ExportArguments>();
  auto* iceberg = export_command->add_subcommand(
      "iceberg", "Write the Apache Iceberg metadata of a run's tables (<table>/metadata/)");
  add_root_option(*iceberg, arguments->root);
  auto* run = iceberg->add_option("--run", arguments->run, "Run id, e.g. run-1");
  auto* all_runs = iceberg->add_flag(
      "--all-runs", arguments->all_runs,
      "One Iceberg table over --table of every run under the root, written to --to");
  run->excludes(all_runs);
  iceberg->add_option("--table", arguments->table,
                      "Only this table, e.g. identity_edges (default: every table of the run; "
                      "required with --all-runs)");
  auto* destination = iceberg->add_option(
      "--to", arguments->destination,
      "With --all-runs: the folder of the table over every run (its metadata/ goes there)");
  destination->needs(all_runs);
  iceberg->callback([arguments] {
    if (!arguments->all_runs && arguments->run.empty()) {
      throw CLI::ValidationError("--run", "a run is required (or --all-runs)");
    }
    if (arguments->all_runs && (arguments->table.empty() || arguments->destination.empty())) {
      throw CLI::ValidationError("--all-runs", "needs --table and --to");
    }
    run_export_iceberg(*arguments);
  });
  iceberg->footer(
      "Brings each table's Iceberg metadata (format version 2) up to its committed parts:\n"
      "a new metadata version and snapshot when parts were added or removed or the schema\n"
      "grew, nothing otherwise. The parts are the data files; nothing is copied. Engines\n"
      "open the table folder by path (version-hint.text names the current version). With\n"
      "the setting iceberg_metadata (on by default) every crvio command that commits does\n"
      "this by itself; this command is for runs written with it off, and for a moved root:\n"
      "paths in the metadata are absolute file:// URIs, and the metadata is written again\n"
      "for the new place. Once exported, a table's metadata is kept current by compactions\n"
      "and rewinds even with the setting off, since they delete parts.\n\n"
      "--all-runs writes one table over --table of every run under the root, in --to,\n"
      "partitioned by bucket and by a run_id column taken from the manifests (the parts do\n"
      "not hold it), so a sweep is one table. Run it again after runs change: a compaction\n"
      "or rewind of a run deletes parts that table may still list.\n\n"
      "Prints one JSON summary per table.\n\n"
      "Examples:\n"
      "  crvio export iceberg --run run-1\n"
      "  crvio export iceberg --root out --run run-1 --table identity_edges\n"
      "  crvio export iceberg --root out --all-runs --table identity_edges --to out/sweep/edges");
}

}  // namespace crv::cli
