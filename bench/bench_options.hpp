#pragma once
// Command-line options the benchmark harnesses share: the size of the synthetic table,
// where its files go, and whether the Node peers (DuckDB, Polars) run in the same pass.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>

namespace crv::bench {

struct SyntheticTableOptions {
  int64_t agents = 0;
  int64_t ticks = 0;
  int64_t bucket_size = 100;
  std::filesystem::path out;
  bool peers = true;
};

// --agents, --ticks, --bucket-size, --out and --no-peers; the values in `options` are the
// defaults.
inline void add_synthetic_table_options(CLI::App& app, SyntheticTableOptions& options) {
  app.add_option("--agents", options.agents, "Observers; one edge each per tick")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--ticks", options.ticks, "Ticks")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--bucket-size", options.bucket_size, "Ticks per bucket")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--out", options.out, "Folder for the files written")->capture_default_str();
  app.add_flag("!--no-peers", options.peers, "Skip the DuckDB and Polars peers");
}

// Parses the command line; on --help or a bad flag prints what CLI11 says and exits.
inline void parse_or_exit(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    std::exit(app.exit(error));
  }
}

}  // namespace crv::bench
