// `crvio append`: JSON lines, CSV or Parquet into a canonical table, streamed batch by
// batch, as one atomic append or in chunks committed one after the other.

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "cli/batch_reader.hpp"
#include "cli/commands.hpp"
#include "cli/console.hpp"
#include "cli/csv_input.hpp"
#include "cli/file_format.hpp"
#include "cli/jsonl_input.hpp"
#include "cli/options.hpp"
#include "cli/parquet_input.hpp"
#include "crv/core/errors.hpp"
#include "crv/io/dataset.hpp"

namespace crv::cli {
namespace {

constexpr int64_t kDefaultBatchRows = 65536;

struct AppendArguments : TableArguments {
  std::string input = "-";
  std::optional<FileFormat> format;
  int64_t batch_rows = kDefaultBatchRows;
  std::optional<int64_t> commit_every;
  // Settings overrides, kept as text so that a bad value is an IoConfigError like a bad
  // value in the environment or crv.toml, not a usage error.
  std::optional<std::string> bucket_size;
  std::optional<std::string> compression;
  std::optional<std::string> row_group_size;
  bool no_strict = false;
  // Exactly-once: the writer's name and the sequence of the first commit.
  std::optional<std::string> writer;
  std::optional<int64_t> sequence;
};

// The settings with the command line's overrides, parsed and checked like environment
// values, so a bad value is an IoConfigError naming its flag.
io::IoSettings settings_with_flags(const AppendArguments& arguments) {
  std::vector<io::SettingOverride> overrides;
  const auto add = [&overrides](const char* key, const std::optional<std::string>& value,
                                const char* flag) {
    if (value) overrides.push_back({.key = key, .value = *value, .origin = flag});
  };
  add("tick_bucket_size", arguments.bucket_size, "--bucket-size");
  add("row_group_size", arguments.row_group_size, "--row-group-size");
  add("compression", arguments.compression, "--compression");
  if (arguments.no_strict) add("strict_schema", "false", "--no-strict");
  io::IoSettings settings = settings_for(arguments);
  settings.apply_overrides(overrides);
  return settings;
}

// The rows of `path` ("-" for standard input) in `format`; `file` holds a text file open
// while the reader uses it.
std::unique_ptr<BatchReader> open_input(const std::string& path, FileFormat format,
                                        const core::TableDescriptor& table, std::ifstream& file) {
  const bool standard_input = path == "-";
  if (format == FileFormat::kParquet) {
    if (standard_input) {
      throw CLI::ValidationError("input", "Parquet is read from a file, not standard input");
    }
    return std::make_unique<ParquetBatchReader>(path, table);
  }
  std::istream* stream = &std::cin;
  std::string source = "<stdin>";
  if (!standard_input) {
    file.open(path, std::ios::binary);
    if (!file) throw IoError("cannot open input file", {.path = path});
    stream = &file;
    source = path;
  }
  if (format == FileFormat::kCsv) return csv_reader_for(*stream, std::move(source), table);
  return std::make_unique<JsonlReader>(*stream, std::move(source), table);
}

// Validates and writes one batch; a rule the batch breaks is reported at its input line.
void add_batch(io::Dataset::Transaction& transaction, const frame::Frame& batch,
               const BatchReader& reader) {
  try {
    transaction.add(batch);
  } catch (const IoSchemaError& error) {
    throw reader.error_at(reader.position(error.context().row), error.context().column,
                          error.message());
  }
}

// The size of the input file, or 0 (unknown) for standard input.
int64_t input_size(const std::string& path) {
  std::error_code error;
  const std::uintmax_t size = path == "-" ? 0 : std::filesystem::file_size(path, error);
  return error ? 0 : static_cast<int64_t>(size);
}

void add_to_summary(io::AppendSummary& total, io::AppendSummary chunk, bool first) {
  total.duplicate = chunk.duplicate && (first || total.duplicate);
  total.version = chunk.version;
  total.rows += chunk.rows;
  for (io::PartSummary& part : chunk.parts) total.parts.push_back(std::move(part));
  std::set<int64_t> buckets(total.buckets.begin(), total.buckets.end());
  buckets.insert(chunk.buckets.begin(), chunk.buckets.end());
  total.buckets.assign(buckets.begin(), buckets.end());
}

// Appends every batch of `reader`: one transaction for the whole input, or, with
// --commit-every, one per that many rows (batches are cut at the boundaries). On failure
// the current transaction rolls back and, with --commit-every, stderr says how far the
// earlier ones got.
io::AppendSummary append_batches(io::Dataset& dataset, const std::string& table,
                                 BatchReader& reader, const AppendArguments& arguments) {
  io::AppendSummary total{.table = table, .run_id = dataset.run_id()};
  std::string committed;  // the input the commits so far cover, as a phrase
  try {
    Progress progress("append " + reader.source(), input_size(arguments.input));
    const int64_t chunk_rows = arguments.commit_every.value_or(std::numeric_limits<int64_t>::max());
    std::optional<io::Dataset::Transaction> transaction(dataset.begin(table));
    int64_t commits = 0;
    const auto commit = [&] {
      // The k-th commit of an input takes sequence N + k, so a rerun of the same command
      // skips the commits that went through and resumes with the first that did not.
      std::optional<io::CommitIdentity> identity;
      if (arguments.writer) {
        if (*arguments.sequence > std::numeric_limits<int64_t>::max() - commits) {
          throw IoConfigError(
              fmt::format("commit {} of this input would take sequence {} + {}, "
                          "beyond the largest int64",
                          commits, *arguments.sequence, commits));
        }
        identity = io::CommitIdentity{*arguments.writer, *arguments.sequence + commits};
      }
      io::AppendSummary summary = transaction->commit(identity);
      if (summary.duplicate && arguments.commit_every) {
        // What answers is the writer's last commit, another chunk's: a chunk committed
        // before adds only the flag.
        summary.rows = 0;
        summary.parts.clear();
        summary.buckets.clear();
      }
      add_to_summary(total, std::move(summary), commits == 0);
      ++commits;
      committed = reader.rows_so_far();
      verbose("committed {}", committed);
    };
    int64_t batches = 0;
    while (const std::optional<frame::Frame> batch = reader.next(
               std::min(arguments.batch_rows, chunk_rows - transaction->pending_rows()))) {
      add_batch(*transaction, *batch, reader);
      verbose("batch {}: {} rows ({})", ++batches, batch->num_rows(), reader.position({}).text);
      progress.update(reader.bytes_read(),
                      fmt::format("{} rows", total.rows + transaction->pending_rows()));
      if (transaction->pending_rows() == chunk_rows) {
        commit();
        transaction.emplace(dataset.begin(table));
      }
    }
    if (transaction->pending_rows() > 0) commit();
  } catch (const Error&) {
    if (arguments.commit_every) {
      const std::string note = committed.empty()
                                   ? fmt::format("no rows of {} are committed", reader.source())
                                   : committed + " are committed";
      std::fprintf(stderr, "crvio: %s\n", note.c_str());
    }
    throw;
  }
  return total;
}

void run_append(const AppendArguments& arguments) {
  io::Dataset dataset(settings_with_flags(arguments), arguments.run);
  const core::TableDescriptor& table = core::get_table(arguments.table);
  std::ifstream file;
  const std::unique_ptr<BatchReader> reader =
      open_input(arguments.input, choose_format(arguments.format, arguments.input), table, file);
  std::cout << append_batches(dataset, arguments.table, *reader, arguments).to_json() << '\n';
}

}  // namespace

void add_append_command(CLI::App& app) {
  auto arguments = std::make_shared<AppendArguments>();
  auto* append = app.add_subcommand("append", "Append JSON lines, CSV or Parquet to a table");
  add_table_options(*append, *arguments);
  append->add_option("input", arguments->input, "Input file, or - for standard input");
  add_format_option(*append, arguments->format,
                    "Input format (default: from the file's extension, else jsonl)");
  append
      ->add_option("--batch-rows", arguments->batch_rows,
                   "Rows read, checked and written at a time (bounds memory)")
      ->default_val(kDefaultBatchRows)
      ->check(CLI::PositiveNumber);
  append
      ->add_option("--commit-every", arguments->commit_every,
                   "Commit every ROWS rows instead of once at the end")
      ->option_text("ROWS")
      ->check(CLI::PositiveNumber);
  append
      ->add_option("--bucket-size", arguments->bucket_size,
                   "Ticks per bucket (setting tick_bucket_size)")
      ->option_text("N");
  append
      ->add_option("--compression", arguments->compression,
                   "zstd, lz4, snappy or none (setting compression)")
      ->option_text("NAME");
  append
      ->add_option("--row-group-size", arguments->row_group_size,
                   "Rows per Parquet row group (setting row_group_size)")
      ->option_text("N");
  append->add_flag("--no-strict", arguments->no_strict,
                   "Keep columns the table does not define (setting strict_schema)");
  CLI::Option* writer = append
                            ->add_option("--writer", arguments->writer,
                                         "Exactly-once: who appends (with --sequence); see below")
                            ->option_text("NAME");
  CLI::Option* sequence =
      append
          ->add_option("--sequence", arguments->sequence,
                       "Exactly-once: this append's number for --writer (e.g. the tick)")
          ->option_text("N")
          ->check(CLI::NonNegativeNumber);
  writer->needs(sequence);
  sequence->needs(writer);
  append->footer(
      "Formats:\n"
      "  jsonl    one JSON object per line; objects become structs, arrays of objects lists\n"
      "           of structs. Integers beyond int64 are refused in int64 columns, kept as\n"
      "           written in str columns and read as doubles elsewhere; the strings \"NaN\",\n"
      "           \"Infinity\" and \"-Infinity\" are doubles in float64 columns (crvio read\n"
      "           prints them so). A struct member's type is set by the first batch that\n"
      "           holds it: 100 there and 100.5 in a later batch is refused (write 100.0).\n"
      "  csv      a header line, then RFC 4180 records (quoted fields may hold commas, \"\"\n"
      "           and line breaks); scalar columns only, typed by the table; an empty\n"
      "           unquoted field is null; with --no-strict, columns the table lacks are\n"
      "           kept as strings.\n"
      "  parquet  a file (not standard input), read row group by row group.\n"
      "The input is read and checked --batch-rows rows at a time; each bucket's rows stream\n"
      "into one open part (max_buffered_rows buffered in all, max_open_parts parts at\n"
      "once), so a commit writes one part per bucket whatever the batches or row order\n"
      "(a struct member first seen in a later batch starts a new part in its buckets).\n"
      "By default the whole input is one atomic append: the table changes only if\n"
      "every row is good. With --commit-every ROWS, every ROWS rows are committed as they\n"
      "are reached; after a failure stderr says up to which line (or row) the input is\n"
      "committed, so the rest can be appended again. Errors name the file and line (CSV:\n"
      "the header is line 1) or, for Parquet, the row (from 0). The summary of everything\n"
      "appended is printed as JSON.\n"
      "With --writer W --sequence N the append commits only if W's last committed sequence\n"
      "is below N (the table's commit log records it); otherwise it writes nothing\n"
      "and prints W's last commit with \"duplicate\": true. A restarted or retried\n"
      "job that runs the same command again never stores a row twice. With --commit-every\n"
      "the k-th commit (from 0) takes sequence N + k, so a rerun resumes after the last\n"
      "commit that went through; the summary then counts only the rows it committed, and\n"
      "says \"duplicate\": true when every commit had gone through before.\n\n"
      "Examples:\n"
      "  crvio append --root out --run run-1 --table holdings holdings.jsonl\n"
      "  generate_rows | crvio append --run run-1 --table messages -\n"
      "  crvio append --run run-1 --table holdings_valuation valuations.csv\n"
      "  crvio append --run run-1 --table holdings --format csv holdings.txt\n"
      "  crvio append --run run-2 --table decisions part-0123.parquet\n"
      "  crvio append --run run-1 --table exchange --compression snappy --bucket-size 50 x.jsonl\n"
      "  crvio append --run run-1 --table exchange --commit-every 1000000 big.jsonl\n"
      "  crvio append --run run-1 --table holdings --writer sim-3 --sequence 1200 t1200.jsonl");
  append->callback([arguments] { run_append(*arguments); });
}

}  // namespace crv::cli
