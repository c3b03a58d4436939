// `crvio demo`: a synthetic CRV run simulated tick by tick into all 8 canonical tables,
// then its bundle, a summary of what was written and the commands that open it.

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cli/commands.hpp"
#include "cli/console.hpp"
#include "cli/options.hpp"
#include "crv/core/errors.hpp"
#include "crv/core/table_name.hpp"
#include "crv/frame/concat.hpp"
#include "crv/io/bundle.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/paths.hpp"
#include "crv/parquet/writer_options.hpp"
#include "crv/sim/synthetic_run.hpp"

namespace crv::cli {
namespace {

using core::TableName;

// About 7 rows per agent and tick over the 8 tables: 2500 x 500 writes some 8.6 million
// rows (about 110 MB of zstd Parquet) in 5 to 15 seconds on two cores.
constexpr int64_t kDefaultAgents = 2500;
constexpr int64_t kDefaultTicks = 500;
constexpr uint64_t kDefaultSeed = 7;

struct DemoArguments : RunArguments {
  int64_t agents = kDefaultAgents;
  int64_t ticks = kDefaultTicks;
  uint64_t seed = kDefaultSeed;
};

// Empty when `text` is a whole number of at least 1; CLI11 itself reports text that is
// not a number.
std::string check_at_least_one(const std::string& text) {
  int64_t value = 0;
  if (CLI::detail::lexical_cast(text, value) && value < 1) return "must be 1 or more";
  return {};
}

// A demo run must start empty, so a second demo never mixes its rows into the first.
void refuse_run_with_tables(const io::IoSettings& settings, const std::string& run) {
  const std::filesystem::path tables = io::tables_root(settings, run);
  std::error_code error;
  const auto check = [&] {
    if (error) {
      throw IoError(fmt::format("cannot inspect run '{}': {}", run, error.message()),
                    {.path = tables.string()});
    }
  };
  const bool exists = std::filesystem::exists(tables, error);
  check();
  if (!exists) return;
  const bool empty =
      std::filesystem::is_directory(tables, error) && std::filesystem::is_empty(tables, error);
  check();
  if (!empty) {
    const std::filesystem::path folder = io::run_root(settings, run);
    throw IoError(fmt::format("run '{}' already has tables: pick another --run or remove the "
                              "run folder",
                              run),
                  {.path = folder.string()});
  }
}

// One table's ticks waiting to be appended, and what its appends have written so far.
class TableBuffer {
 public:
  TableBuffer(TableName table, int64_t max_part_rows)
      : table_(table), max_part_rows_(max_part_rows) {}

  TableName table() const { return table_; }
  int64_t rows() const { return rows_; }
  int64_t parts() const { return parts_; }
  int64_t bytes() const { return bytes_; }

  // Appends what is waiting first when this tick would take the part past max_part_rows,
  // so a part holds at most one row group unless a single tick is larger.
  void add(frame::Frame tick_rows, io::Dataset& dataset) {
    if (tick_rows.num_rows() == 0) return;
    if (pending_rows_ > 0 && pending_rows_ + tick_rows.num_rows() > max_part_rows_) {
      flush(dataset);
    }
    pending_rows_ += tick_rows.num_rows();
    pending_.push_back(std::move(tick_rows));
  }

  void flush(io::Dataset& dataset) {
    if (pending_rows_ == 0) return;
    const io::AppendSummary summary = dataset.append(table_, frame::concat(pending_));
    pending_.clear();
    pending_rows_ = 0;
    rows_ += summary.rows;
    for (const io::PartSummary& part : summary.parts) {
      ++parts_;
      bytes_ += part.bytes;
      verbose("{}: ticks {}..{}, {} rows, {} bytes -> {}", summary.table, part.tick_min,
              part.tick_max, part.rows, part.bytes, part.path);
    }
  }

 private:
  TableName table_;
  int64_t max_part_rows_;
  std::vector<frame::Frame> pending_;
  int64_t pending_rows_ = 0;
  int64_t rows_ = 0;
  int64_t parts_ = 0;
  int64_t bytes_ = 0;
};

// `text` as one shell word: unchanged when it is plainly safe, else double-quoted.
std::string shell_word(std::string_view text) {
  constexpr std::string_view kSafe =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:=@%+,";
  if (!text.empty() && text.find_first_not_of(kSafe) == std::string_view::npos) {
    return std::string(text);
  }
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\' || c == '$' || c == '`') quoted += '\\';
    quoted += c;
  }
  return quoted + '"';
}

std::string sql_string(std::string_view text) {
  std::string quoted = "'";
  for (const char c : text) {
    quoted += c;
    if (c == '\'') quoted += '\'';
  }
  return quoted + '\'';
}

std::string python_string(std::string_view text) {
  std::string quoted = "'";
  for (const char c : text) {
    if (c == '\n') {
      quoted += "\\n";
      continue;
    }
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + '\'';
}

// Every part of `table`, as DuckDB and Polars globs spell it.
std::string parts_glob(const io::IoSettings& settings, const std::string& run, TableName table) {
  return (io::table_dir(settings, run, core::to_string(table)) / "bucket=*" / "*.parquet").string();
}

void print_summary(const DemoArguments& arguments, const io::IoSettings& settings,
                   const std::vector<TableBuffer>& tables, double seconds,
                   const std::filesystem::path& bundle) {
  std::string out = fmt::format("run '{}': {} agents x {} ticks, seed {}\n\n", arguments.run,
                                arguments.agents, arguments.ticks, arguments.seed);
  out += fmt::format("  {:<20} {:>12} {:>7} {:>14}\n", "table", "rows", "parts", "bytes");
  int64_t rows = 0;
  int64_t parts = 0;
  int64_t bytes = 0;
  for (const TableBuffer& table : tables) {
    out += fmt::format("  {:<20} {:>12} {:>7} {:>14}\n", core::to_string(table.table()),
                       table.rows(), table.parts(), table.bytes());
    rows += table.rows();
    parts += table.parts();
    bytes += table.bytes();
  }
  out += fmt::format("  {:<20} {:>12} {:>7} {:>14}\n\n", "total", rows, parts, bytes);
  const double safe_seconds = std::max(seconds, 1e-9);
  out += fmt::format("elapsed {:.2f} s: {:.0f} rows/s, {:.1f} MB/s of Parquet\n", seconds,
                     static_cast<double>(rows) / safe_seconds,
                     static_cast<double>(bytes) / 1e6 / safe_seconds);
  out += fmt::format("bundle: {}\n\n", bundle.string());

  // Absolute paths, so the commands work from any folder.
  io::IoSettings absolute = settings;
  absolute.root_dir = std::filesystem::absolute(settings.root_dir).lexically_normal();
  // Without hive_partitioning = false DuckDB replaces the file's BIGINT bucket column with
  // the folder name's zero-padded text.
  const std::string trades_sql = fmt::format(
      "SELECT token_id, count(*) AS trades, round(sum(quantity * price), 2) AS notional "
      "FROM read_parquet({}, hive_partitioning = false) "
      "WHERE exchange_event_type = 'trade' GROUP BY token_id ORDER BY token_id",
      sql_string(parts_glob(absolute, arguments.run, TableName::kExchange)));
  const std::string pnl_python = fmt::format(
      "import polars as pl; print(pl.scan_parquet({}).filter(pl.col('tick') == {})"
      ".group_by('token_id').agg(pl.col('unrealized_pnl').sum()).sort('token_id').collect())",
      python_string(parts_glob(absolute, arguments.run, TableName::kHoldingsValuation)),
      arguments.ticks - 1);
  out += "Open it:\n";
  out += fmt::format("  duckdb -c {}\n", shell_word(trades_sql));
  out += fmt::format("  python -c {}\n", shell_word(pnl_python));
  out += fmt::format("  crvio read --root {} --run {} --table decisions --limit 5\n",
                     shell_word(absolute.root_dir.string()), shell_word(arguments.run));
  std::cout << out << std::flush;
}

void run_demo(const DemoArguments& arguments) {
  const auto started = std::chrono::steady_clock::now();
  const io::IoSettings settings = settings_for(arguments);
  io::Dataset dataset(settings, arguments.run);
  refuse_run_with_tables(settings, arguments.run);
  verbose("writing run '{}' under {} (tick_bucket_size {}, row_group_size {}, {})", arguments.run,
          settings.root_dir.string(), settings.tick_bucket_size, settings.row_group_size,
          parquet::to_string(settings.compression));

  const sim::SyntheticRun run(
      {.agents = arguments.agents, .ticks = arguments.ticks, .seed = arguments.seed},
      settings.tick_bucket_size);
  std::vector<TableBuffer> tables;
  tables.reserve(core::kAllTables.size());
  for (const TableName table : core::kAllTables)
    tables.emplace_back(table, settings.row_group_size);

  Progress progress("demo: ticks", arguments.ticks);
  for (int64_t tick = 0; tick < arguments.ticks; ++tick) {
    for (TableBuffer& table : tables) table.add(run.tick_rows(table.table(), tick), dataset);
    const bool bucket_ends = (tick + 1) % settings.tick_bucket_size == 0;
    if (bucket_ends || tick + 1 == arguments.ticks) {
      for (TableBuffer& table : tables) table.flush(dataset);
    }
    progress.update(tick + 1);
  }
  dataset.flush();

  const std::filesystem::path bundle = io::write_run_bundle_manifest(
      settings, arguments.run,
      {{"agents", arguments.agents}, {"ticks", arguments.ticks}, {"seed", arguments.seed}});
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
  print_summary(arguments, settings, tables, elapsed.count(), bundle);
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto arguments = std::make_shared<DemoArguments>();
  arguments->run = "demo";
  auto* demo = app.add_subcommand(
      "demo", "Simulate a synthetic CRV run and write all 8 tables and its bundle");
  add_root_option(*demo, arguments->root);
  demo->add_option("--run", arguments->run, "Run id; must not have tables yet")
      ->capture_default_str();
  demo->add_option("--agents", arguments->agents, "Number of agents, at least 1")
      ->check(CLI::Validator(check_at_least_one, ""))
      ->capture_default_str();
  demo->add_option("--ticks", arguments->ticks, "Number of ticks, at least 1")
      ->check(CLI::Validator(check_at_least_one, ""))
      ->capture_default_str();
  demo->add_option("--seed", arguments->seed, "Random seed; the same seed gives the same rows")
      ->check(not_negative())
      ->capture_default_str();
  demo->footer(
      "Each table's rows are buffered and appended once per tick bucket, or earlier when the\n"
      "next tick would take them past row_group_size rows, so a bucket usually gets one part\n"
      "per table and no part needs more than one row group. Prints rows, parts and bytes per\n"
      "table, the throughput, and commands that open the result with DuckDB, Polars and\n"
      "crvio. Refuses a run that already has tables.\n\n"
      "Examples:\n"
      "  crvio demo\n"
      "  crvio demo --root /tmp/crv --run small --agents 50 --ticks 30 --seed 11");
  demo->callback([arguments] { run_demo(*arguments); });
}

}  // namespace crv::cli
