// `crvio rebuild-manifest`: a table's manifest rebuilt from the footers of its parts.

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/commands.hpp"
#include "cli/console.hpp"
#include "cli/options.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/paths.hpp"

namespace crv::cli {
namespace {

using ordered_json = nlohmann::ordered_json;

void run_rebuild_manifest(const TableArguments& arguments) {
  const io::IoSettings settings = settings_for(arguments);
  io::Dataset dataset(settings, arguments.run);
  // The total is known once the parts are listed, before the first footer is read.
  std::optional<Progress> progress;
  const io::RebuildResult result =
      dataset.rebuild_manifest(arguments.table, [&](int64_t done, int64_t total) {
        if (!progress) progress.emplace("rebuild-manifest: footers read", total);
        progress->update(done);
      });
  progress.reset();
  int64_t parts = 0;
  int64_t rows = 0;
  int64_t bytes = 0;
  for (const auto& [bucket, partition] : result.manifest.partitions) {
    parts += static_cast<int64_t>(partition.parts.size());
    rows += partition.row_count;
    bytes += partition.byte_size;
  }
  ordered_json ignored = ordered_json::array();
  for (const auto& file : result.ignored_temp_files) ignored.push_back(file.string());
  ordered_json superseded = ordered_json::array();
  for (const auto& file : result.superseded_parts) superseded.push_back(file.string());
  const ordered_json summary = {
      {"table", arguments.table},
      {"run_id", arguments.run},
      {"manifest", io::manifest_path(settings, arguments.run, arguments.table).string()},
      {"partitions", result.manifest.partitions.size()},
      {"parts", parts},
      {"rows", rows},
      {"bytes", bytes},
      {"ignored_temp_files", std::move(ignored)},
      {"superseded_parts", std::move(superseded)}};
  // Paths are bytes; replacement characters keep one that is not UTF-8 printable.
  std::cout << summary.dump(-1, ' ', false, ordered_json::error_handler_t::replace) << '\n';
}

}  // namespace

void add_rebuild_manifest_command(CLI::App& app) {
  auto arguments = std::make_shared<TableArguments>();
  auto* rebuild =
      app.add_subcommand("rebuild-manifest", "Rebuild a table's manifest from the parts on disk");
  add_table_options(*rebuild, *arguments);
  rebuild->footer(
      "Reads the footers of bucket=NNNNNN/part-<hex>.parquet and writes manifest.json\n"
      "atomically. Nothing is deleted; temporary files are skipped and listed, and so are\n"
      "parts whose rows a compaction's parts hold (left by an interrupted compaction). Prints\n"
      "a JSON summary. Run it while no one appends to the table.\n\n"
      "Example:\n"
      "  crvio rebuild-manifest --root out --run run-1 --table identity_edges");
  rebuild->callback([arguments] { run_rebuild_manifest(*arguments); });
}

}  // namespace crv::cli
