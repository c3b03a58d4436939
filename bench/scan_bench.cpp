// Scan benchmark: an identity_edges-like table appended through Dataset (one frame per
// bucket, default settings: zstd, 131072-row row groups), then read back by crv-io and,
// in the same run on the same part files, by DuckDB: a 1% tick range and the whole table.
//
// Every scan streams all ten columns batch by batch and discards them, so neither side
// pays for collecting the result: crv-io through TableScanner::next(), DuckDB through a
// streamed `SELECT * ... WHERE tick BETWEEN a AND b` whose chunks are fetched but not
// converted to JavaScript values. Each scan is repeated and the fastest run is reported.
//
// usage: scan_bench [--agents N] [--ticks T] [--bucket-size B] [--repeat R] [--out DIR]
//                   [--range-start TICK] [--no-peers]
// The 1% range is ticks / 100 ticks from --range-start (default: the middle tick).

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

#include "crv/io/dataset.hpp"
#include "crv/io/paths.hpp"
#include "peer_script.hpp"
#include "synthetic_identity_edges.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr std::string_view kRun = "scan-bench";
constexpr std::string_view kTable = "identity_edges";

struct Options {
  int64_t agents = 10000;
  int64_t ticks = 1000;
  int64_t bucket_size = 100;
  int repeat = 3;
  std::optional<int64_t> range_start;
  fs::path out = "bench-out/scan";
  bool peers = true;
};

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error("missing value for " + arg);
      return argv[++i];
    };
    if (arg == "--agents")
      options.agents = std::stoll(next());
    else if (arg == "--ticks")
      options.ticks = std::stoll(next());
    else if (arg == "--bucket-size")
      options.bucket_size = std::stoll(next());
    else if (arg == "--repeat")
      options.repeat = std::max(1, std::stoi(next()));
    else if (arg == "--range-start")
      options.range_start = std::stoll(next());
    else if (arg == "--out")
      options.out = next();
    else if (arg == "--no-peers")
      options.peers = false;
    else
      throw std::runtime_error("unknown argument " + arg);
  }
  if (options.agents < 1 || options.ticks < 100) {
    throw std::runtime_error("need at least 1 agent and 100 ticks (a 1% range is a tick)");
  }
  return options;
}

struct Timing {
  double seconds = 0;
  int64_t rows = 0;
};

Timing time_scan(crv::io::Dataset& dataset, const crv::io::ScanOptions& scan, int repeat) {
  Timing best{1e300, 0};
  for (int run = 0; run < repeat; ++run) {
    const auto started = Clock::now();
    crv::io::TableScanner scanner = dataset.scan(kTable, scan);
    int64_t rows = 0;
    while (const auto batch = scanner.next()) rows += batch->num_rows();
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    if (seconds < best.seconds) best = {seconds, rows};
  }
  return best;
}

nlohmann::json run_peers(const fs::path& table, int64_t tick_min, int64_t tick_max, int repeat) {
  return crv::bench::run_peer_script("scan_peers.mjs",
                                     {fs::absolute(table).string(), std::to_string(tick_min),
                                      std::to_string(tick_max), std::to_string(repeat)});
}

void print_row(const char* name, const Timing& timing) {
  std::printf("%-26s %10.4f %12lld %14.0f\n", name, timing.seconds,
              static_cast<long long>(timing.rows),
              static_cast<double>(timing.rows) / timing.seconds);
}

}  // namespace

int main(int argc, char** argv) try {
  const Options options = parse(argc, argv);
  fs::remove_all(options.out);
  crv::io::IoSettings settings;
  settings.root_dir = fs::absolute(options.out);
  settings.tick_bucket_size = options.bucket_size;

  auto started = Clock::now();
  const crv::frame::Frame rows =
      crv::bench::synthetic_identity_edges(options.agents, options.ticks, options.bucket_size);
  std::fprintf(stderr, "generated %lld rows in %.2f s\n", static_cast<long long>(rows.num_rows()),
               std::chrono::duration<double>(Clock::now() - started).count());

  crv::io::Dataset dataset(settings, std::string(kRun));
  started = Clock::now();
  const int64_t rows_per_bucket = options.agents * options.bucket_size;
  for (int64_t begin = 0; begin < rows.num_rows(); begin += rows_per_bucket) {
    dataset.append(kTable, rows.slice(begin, std::min(rows_per_bucket, rows.num_rows() - begin)));
  }
  std::fprintf(stderr, "appended in %.2f s\n",
               std::chrono::duration<double>(Clock::now() - started).count());

  const int64_t width = options.ticks / 100;
  const int64_t tick_min = options.range_start.value_or(options.ticks / 2);
  const int64_t tick_max = tick_min + width - 1;
  const Timing narrow =
      time_scan(dataset, {.tick_min = tick_min, .tick_max = tick_max}, options.repeat);
  const Timing full = time_scan(dataset, {}, options.repeat);

  std::printf("%lld rows, %lld ticks, range %lld..%lld, all columns, best of %d\n",
              static_cast<long long>(rows.num_rows()), static_cast<long long>(options.ticks),
              static_cast<long long>(tick_min), static_cast<long long>(tick_max), options.repeat);
  std::printf("%-26s %10s %12s %14s\n", "scan", "seconds", "rows", "rows/s");
  print_row("crv-io 1% range", narrow);
  print_row("crv-io full", full);
  std::printf("crv-io full / 1%%: %.1fx\n", full.seconds / narrow.seconds);
  if (options.peers) {
    const fs::path table = crv::io::table_dir(settings, kRun, kTable);
    const nlohmann::json peers = run_peers(table, tick_min, tick_max, options.repeat);
    const Timing duck_narrow{peers["range"]["seconds"].get<double>(),
                             peers["range"]["rows"].get<int64_t>()};
    const Timing duck_full{peers["full"]["seconds"].get<double>(),
                           peers["full"]["rows"].get<int64_t>()};
    print_row("duckdb 1% range", duck_narrow);
    print_row("duckdb full", duck_full);
    if (duck_narrow.rows != narrow.rows || duck_full.rows != full.rows) {
      throw std::runtime_error("DuckDB and crv-io disagree on the row counts");
    }
    std::printf("duckdb full / 1%%: %.1fx\n", duck_full.seconds / duck_narrow.seconds);
    std::printf("crv-io vs duckdb: 1%% range %.2fx faster, full %.2fx faster\n",
                duck_narrow.seconds / narrow.seconds, duck_full.seconds / full.seconds);
  }
  return 0;
} catch (const std::exception& error) {
  std::fprintf(stderr, "scan_bench: %s\n", error.what());
  return 1;
}
