// `crvio read`: a table's rows, by tick range and columns, as JSON lines, CSV or Parquet.

#include <unistd.h>

#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/console.hpp"
#include "cli/file_format.hpp"
#include "cli/options.hpp"
#include "cli/output_file.hpp"
#include "cli/row_output.hpp"
#include "crv/io/dataset.hpp"

namespace crv::cli {
namespace {

struct ReadArguments : TableArguments {
  std::optional<int64_t> tick_min;
  std::optional<int64_t> tick_max;
  std::vector<std::string> columns;
  std::optional<int64_t> limit;
  std::optional<FileFormat> format;
  std::optional<std::filesystem::path> output;
  std::optional<int64_t> as_of;
};

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
  options.as_of_version = arguments.as_of;
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

}  // namespace

void add_read_command(CLI::App& app) {
  auto arguments = std::make_shared<ReadArguments>();
  auto* read = app.add_subcommand("read", "Print a table's rows as JSON lines");
  add_table_options(*read, *arguments);
  read->add_option("--tick-min", arguments->tick_min, "Smallest tick to read (inclusive)");
  read->add_option("--tick-max", arguments->tick_max, "Largest tick to read (inclusive)");
  read->add_option("--columns", arguments->columns, "Columns to print, comma separated")
      ->delimiter(',');
  read->add_option("--limit", arguments->limit, "Print at most N rows")->check(not_negative());
  read->add_option("--as-of", arguments->as_of,
                   "Read the table as it was at this version (crvio log lists them)")
      ->option_text("VERSION")
      ->check(not_negative());
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
      "  crvio read --run run-1 --table messages --format parquet > messages.parquet\n"
      "  crvio read --run run-1 --table holdings --as-of 12");
  read->callback([arguments] { run_read(*arguments); });
}

}  // namespace crv::cli
