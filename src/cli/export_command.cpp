// `crvio export iceberg`: a run's tables published as Apache Iceberg tables in place.

#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/console.hpp"
#include "cli/options.hpp"
#include "crv/io/dataset.hpp"

namespace crv::cli {
namespace {

struct ExportArguments : RunArguments {
  std::string table;  // empty: every table of the run that has a manifest
};

void run_export_iceberg(const ExportArguments& arguments) {
  const io::IoSettings settings = settings_for(arguments);
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
  add_run_options(*iceberg, *arguments);
  iceberg->add_option("--table", arguments->table,
                      "Only this table, e.g. identity_edges (default: every table of the run)");
  iceberg->footer(
      "Brings each table's Iceberg metadata (format version 2) up to its committed parts:\n"
      "a new metadata version and snapshot when parts were added or removed or the schema\n"
      "grew, nothing otherwise. The parts are the data files; nothing is copied. Engines\n"
      "open the table folder by path (version-hint.text names the current version). Paths\n"
      "in the metadata are absolute file:// URIs: after moving the root, run this again and\n"
      "the metadata is written for the new place. Prints one JSON summary per table.\n\n"
      "Examples:\n"
      "  crvio export iceberg --run run-1\n"
      "  crvio export iceberg --root out --run run-1 --table identity_edges");
  iceberg->callback([arguments] { run_export_iceberg(*arguments); });
}

}  // namespace crv::cli
