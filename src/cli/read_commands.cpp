// `crvio read`, `crvio manifest`, `crvio rebuild-manifest` and `crvio bundle`: a run's
// tables, manifests and bundle as JSON.

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/console.hpp"
#include "cli/file_format.hpp"
#include "cli/jsonl_input.hpp"
#include "cli/options.hpp"
#include "cli/output_file.hpp"
#include "cli/row_output.hpp"
#include "crv/io/bundle.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/file_system.hpp"
#include "crv/io/paths.hpp"

namespace crv::cli {
namespace {

using ordered_json = nlohmann::ordered_json;

struct ReadArguments : TableArguments {
  std::optional<int64_t> tick_min;
  std::optional<int64_t> tick_max;
  std::vector<std::string> columns;
  std::optional<int64_t> limit;
  std::optional<FileFormat> format;
  std::optional<std::filesystem::path> output;
};

// Empty when `text` is a JSON object, else what is wrong with it. Nesting is bounded
// like a JSON line's, since the bundle is printed by a recursive serializer.
std::string check_meta(const std::string& text) {
  size_t deepest = 0;
  const auto track_depth = [&deepest](int depth, nlohmann::json::parse_event_t event,
                                      const nlohmann::json&) {
    // The parser's depth counts the containers around the one starting.
    if (event == nlohmann::json::parse_event_t::object_start ||
        event == nlohmann::json::parse_event_t::array_start) {
      deepest = std::max(deepest, static_cast<size_t>(depth) + 1);
    }
    return true;
  };
  const nlohmann::json meta = nlohmann::json::parse(text, track_depth, false);
  if (meta.is_discarded()) return "not valid JSON";
  if (deepest > kMaxJsonNesting) {
    return fmt::format("objects and arrays nest deeper than {} levels", kMaxJsonNesting);
  }
  if (!meta.is_object()) return std::string("must be a JSON object, not ") + meta.type_name();
  return {};
}

void run_read(const ReadArguments& arguments) {
  const FileFormat format = choose_format(arguments.format, arguments.output.value_or("-"));
  if (format == FileFormat::kParquet && !arguments.output && isatty(STDOUT_FILENO) == 1) {
    throw CLI::ValidationError("--format parquet",
                               "will not print Parquet to a terminal; use -o FILE or a pipe");
  }
  io::Dataset dataset(settings_for(arguments), arguments.run);
  io::ScanOptions options;
  options.tick_min = arguments.tick_min;
  options.tick_max = arguments.tick_max;
  options.columns = arguments.columns;
  io::TableScanner scanner = dataset.scan(arguments.table, std::move(options));

  OutputFile output(arguments.output);
  const std::unique_ptr<RowWriter> writer = make_row_writer(
      format, output.stream(), scanner.fields(), dataset.part_writer_options(arguments.table));
  int64_t remaining = arguments.limit.value_or(std::numeric_limits<int64_t>::max());
  while (remaining > 0) {
    std::optional<frame::Frame> batch = scanner.next();
    if (!batch) break;
    if (batch->num_rows() > remaining) *batch = batch->slice(0, remaining);
    writer->write(*batch);
    remaining -= batch->num_rows();
  }
  writer->finish();
  output.commit();
  const io::ScanStats& stats = scanner.stats();
  verbose("{} parts selected by the manifest, {} row groups read, {} pruned by statistics",
          stats.parts_selected, stats.row_groups_selected, stats.row_groups_pruned);
}

// A cheap look at the files a manifest names: each must exist with its recorded size.
// What the files hold is fsck's to check.
void check_parts_exist(const io::IoSettings& settings, const TableArguments& arguments,
                       const io::TableManifest& manifest) {
  io::FileSystem& fs = io::default_file_system();
  for (const auto& [bucket, partition] : manifest.partitions) {
    for (const io::PartMeta& part : partition.parts) {
      const std::filesystem::path file =
          io::bucket_dir(settings, arguments.run, arguments.table, bucket) / part.path;
      const std::optional<io::FileIdentity> found = fs.stat(file);
      std::string problem;
      if (!found || found->is_directory) {
        problem = "is missing";
      } else if (found->size != static_cast<uint64_t>(part.bytes)) {
        problem = fmt::format("is {} bytes", found->size);
      } else {
        continue;
      }
      throw IoManifestError(
          fmt::format("part '{}' {}, but the manifest names it with {} bytes; crvio fsck --run "
                      "{} lists every problem of the run",
                      file.string(), problem, part.bytes, arguments.run),
          {.path = file.string()});
    }
  }
}

void run_manifest(const TableArguments& arguments) {
  const io::IoSettings settings = settings_for(arguments);
  io::Dataset dataset(settings, arguments.run);
  const io::TableManifest manifest = dataset.manifest(arguments.table);
  check_parts_exist(settings, arguments, manifest);
  std::string json = io::to_json_bytes(manifest);
  if (json.empty() || json.back() != '\n') json += '\n';
  std::cout << json;
}

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
  const ordered_json summary = {
      {"table", arguments.table},
      {"run_id", arguments.run},
      {"manifest", io::manifest_path(settings, arguments.run, arguments.table).string()},
      {"partitions", result.manifest.partitions.size()},
      {"parts", parts},
      {"rows", rows},
      {"bytes", bytes},
      {"ignored_temp_files", std::move(ignored)}};
  // Paths are bytes; replacement characters keep one that is not UTF-8 printable.
  std::cout << summary.dump(-1, ' ', false, ordered_json::error_handler_t::replace) << '\n';
}

void add_read_command(CLI::App& app) {
  auto arguments = std::make_shared<ReadArguments>();
  auto* read = app.add_subcommand("read", "Print a table's rows as JSON lines");
  add_table_options(*read, *arguments);
  read->add_option("--tick-min", arguments->tick_min, "Smallest tick to read (inclusive)");
  read->add_option("--tick-max", arguments->tick_max, "Largest tick to read (inclusive)");
  read->add_option("--columns", arguments->columns, "Columns to print, comma separated")
      ->delimiter(',');
  read->add_option("--limit", arguments->limit, "Print at most N rows")->check(not_negative());
  add_format_option(*read, arguments->format,
                    "Output format (default: from the -o file's extension, else jsonl)");
  read->add_option_function<std::string>(
      "-o,--output", [arguments](const std::string& path) { arguments->output = path; },
      "Write to FILE (replaced only once the read succeeded) instead of standard output");
  read->footer(
      "Columns in table order (or --columns order).\n"
      "jsonl: one object per row; structs print as objects, lists as arrays, int64 values\n"
      "  exactly. JSON has no NaN or infinity: such doubles print as the strings \"NaN\",\n"
      "  \"Infinity\" and \"-Infinity\".\n"
      "csv: a header line; null is an empty field, an empty string is \"\"; structs and lists\n"
      "  are JSON text in one field.\n"
      "parquet: one file (the rows are collected in memory first); not to a terminal.\n\n"
      "Examples:\n"
      "  crvio read --run run-1 --table identity_edges --tick-min 100 --tick-max 199\n"
      "  crvio read --root out --run run-1 --table decisions --columns tick,agent_id --limit 5\n"
      "  crvio read --run run-1 --table holdings -o holdings.csv\n"
      "  crvio read --run run-1 --table messages --format parquet > messages.parquet");
  read->callback([arguments] { run_read(*arguments); });
}

void add_manifest_command(CLI::App& app) {
  auto arguments = std::make_shared<TableArguments>();
  auto* manifest = app.add_subcommand("manifest", "Print a table's manifest");
  add_table_options(*manifest, *arguments);
  manifest->footer(
      "Prints manifest.json after checking it: a corrupt manifest, or one naming a part\n"
      "that is missing or not of its recorded size, is an error (crvio fsck checks more).\n\n"
      "Example:\n"
      "  crvio manifest --run run-1 --table holdings");
  manifest->callback([arguments] { run_manifest(*arguments); });
}

void add_rebuild_manifest_command(CLI::App& app) {
  auto arguments = std::make_shared<TableArguments>();
  auto* rebuild =
      app.add_subcommand("rebuild-manifest", "Rebuild a table's manifest from the parts on disk");
  add_table_options(*rebuild, *arguments);
  rebuild->footer(
      "Reads the footers of bucket=NNNNNN/part-<hex>.parquet and writes manifest.json\n"
      "atomically. Nothing is deleted; temporary files are skipped and listed. Prints a JSON\n"
      "summary. Run it while no one appends to the table.\n\n"
      "Example:\n"
      "  crvio rebuild-manifest --root out --run run-1 --table identity_edges");
  rebuild->callback([arguments] { run_rebuild_manifest(*arguments); });
}

void add_bundle_command(CLI::App& app) {
  struct BundleArguments : RunArguments {
    std::string meta = "{}";
  };
  auto arguments = std::make_shared<BundleArguments>();
  auto* bundle = app.add_subcommand("bundle", "Write the run's bundle.manifest.json");
  add_run_options(*bundle, *arguments);
  bundle->add_option("--meta", arguments->meta, "A JSON object stored as the bundle's meta")
      ->check(CLI::Validator(check_meta, "JSON object"));
  bundle->footer(
      "Lists every table with a manifest (statistics from the manifests only), the io\n"
      "settings and library versions; git state from CRV_GIT_SHA and CRV_GIT_DIRTY.\n"
      "Prints the bundle's path.\n\n"
      "Examples:\n"
      "  crvio bundle --run run-1\n"
      "  CRV_GIT_SHA=$(git rev-parse HEAD) crvio bundle --run run-1 --meta '{\"seed\": 7}'");
  bundle->callback([arguments] {
    const std::filesystem::path path = io::write_run_bundle_manifest(
        settings_for(*arguments), arguments->run, nlohmann::json::parse(arguments->meta));
    std::cout << path.string() << '\n';
  });
}

}  // namespace

void add_read_commands(CLI::App& app) {
  add_read_command(app);
  add_manifest_command(app);
  add_rebuild_manifest_command(app);
  add_bundle_command(app);
}

}  // namespace crv::cli
