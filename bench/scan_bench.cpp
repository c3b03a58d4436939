// Scan benchmark: the identity_edges table of a synthetic run (crv/sim) appended through
// Dataset (one frame per bucket, default settings: zstd, 131072-row row groups), then read
// back by crv-io and, in the same run on the same part files, by DuckDB: two 1% tick
// ranges and the whole table. The first range starts a bucket, so it lies in that bucket's
// first row group; the second is shifted by half its width, which (with the default sizes:
// about 10,000 rows a tick) makes it straddle two row groups.
//
// Every scan streams all ten columns batch by batch and discards them, so neither side
// pays for collecting the result: crv-io through TableScanner::next(), DuckDB through a
// streamed `SELECT * ... WHERE tick BETWEEN a AND b` whose chunks are fetched but not
// converted to JavaScript values. Each scan is repeated and the fastest run is reported.
// The full scan is also timed without page checksums, and without checksums or UTF-8
// checks (ScanOptions::verification); their least CPU times give what verifying costs.
//
// usage: scan_bench [--agents N] [--ticks T] [--bucket-size B] [--seed S] [--repeat R]
//                   [--out DIR] [--range-start TICK] [--threads N] [--no-peers]
// The 1% ranges are ticks / 100 ticks from --range-start (default: the middle tick) and
// from half a range later. --threads is ScanOptions::threads (0: one per hardware thread).

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_options.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/paths.hpp"
#include "peer_script.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr std::string_view kRun = "scan-bench";
constexpr std::string_view kTable = "identity_edges";

struct Options {
  // An agent emits half an edge a tick on average: about 10 million rows.
  crv::bench::SyntheticTableOptions table{
      .agents = 20000, .ticks = 1000, .bucket_size = 100, .out = "bench-out/scan"};
  int repeat = 3;
  std::optional<int64_t> range_start;
  unsigned threads = 0;
};

Options parse(int argc, char** argv) {
  Options options;
  CLI::App app{"Scans of a 1% tick range and of the whole table, against DuckDB"};
  crv::bench::add_synthetic_table_options(app, options.table);
  app.add_option("--repeat", options.repeat, "Runs per scan; the fastest counts")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--range-start", options.range_start,
                 "First tick of the aligned range (default: ticks / 2); the straddling one starts "
                 "half a range later");
  app.add_option("--threads", options.threads, "Decoding threads (0: one per hardware thread)")
      ->capture_default_str();
  crv::bench::parse_or_exit(app, argc, argv);
  if (options.table.ticks < 100) {
    throw std::runtime_error("need at least 100 ticks (a 1% range is a tick)");
  }
  return options;
}

struct Timing {
  double seconds = 0;
  int64_t rows = 0;
  int64_t row_groups = 0;  // read by crv-io, after pruning
  // The least CPU time (all threads) of a run, which other processes' load disturbs far
  // less than elapsed time; crv-io only.
  double cpu_seconds = 0;
};

double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// The fastest of `repeat` runs of each scan. The scans take turns within each round, so a
// spell of load from other processes does not fall on one of them alone.
std::vector<Timing> time_scans(crv::io::Dataset& dataset,
                               const std::vector<crv::io::ScanOptions>& scans, int repeat) {
  std::vector<Timing> best(scans.size(), Timing{1e300, 0, 0, 1e300});
  for (int run = 0; run < repeat; ++run) {
    for (size_t i = 0; i < scans.size(); ++i) {
      const auto started = Clock::now();
      const double cpu_started = process_cpu_seconds();
      crv::io::TableScanner scanner = dataset.scan(kTable, scans[i]);
      int64_t rows = 0;
      while (const auto batch = scanner.next()) rows += batch->num_rows();
      const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
      const double cpu_seconds = process_cpu_seconds() - cpu_started;
      if (seconds < best[i].seconds) {
        best[i] = {seconds, rows, scanner.stats().row_groups_selected, best[i].cpu_seconds};
      }
      best[i].cpu_seconds = std::min(best[i].cpu_seconds, cpu_seconds);
    }
  }
  return best;
}

struct TickRange {
  int64_t min = 0;
  int64_t max = 0;
};

struct PeerTimings {
  std::vector<Timing> ranges;  // in the order of the ranges asked for
  Timing full{1e300, 0, 0};    // the fastest full scan over all peer runs
};

// One peer run per range; each also times a full scan.
PeerTimings run_peers(const fs::path& table, const std::vector<TickRange>& ranges, int repeat) {
  PeerTimings timings;
  for (const TickRange& range : ranges) {
    const nlohmann::json peers = crv::bench::run_peer_script(
        "scan_peers.mjs", {fs::absolute(table).string(), std::to_string(range.min),
                           std::to_string(range.max), std::to_string(repeat)});
    timings.ranges.push_back(
        {peers["range"]["seconds"].get<double>(), peers["range"]["rows"].get<int64_t>(), 0});
    const Timing full{peers["full"]["seconds"].get<double>(), peers["full"]["rows"].get<int64_t>(),
                      0};
    if (full.seconds < timings.full.seconds) timings.full = full;
  }
  return timings;
}

void print_row(const std::string& name, const Timing& timing) {
  std::printf("%-34s %10.4f %12lld %14.0f", name.c_str(), timing.seconds,
              static_cast<long long>(timing.rows),
              static_cast<double>(timing.rows) / timing.seconds);
  if (timing.row_groups > 0) std::printf(" %10lld", static_cast<long long>(timing.row_groups));
  std::printf("\n");
}

std::string range_name(const char* engine, const TickRange& range) {
  return fmt::format("{} 1% range {}..{}", engine, range.min, range.max);
}

}  // namespace

int main(int argc, char** argv) try {
  const Options options = parse(argc, argv);
  fs::remove_all(options.table.out);
  crv::io::IoSettings settings;
  settings.root_dir = fs::absolute(options.table.out);
  settings.tick_bucket_size = options.table.bucket_size;

  const std::vector<crv::frame::Frame> buckets =
      crv::bench::identity_edges_by_bucket(options.table);
  const int64_t row_count = crv::bench::total_rows(buckets);

  crv::io::Dataset dataset(settings, std::string(kRun));
  auto started = Clock::now();
  for (const crv::frame::Frame& bucket : buckets) dataset.append(kTable, bucket);
  std::fprintf(stderr, "appended in %.2f s\n",
               std::chrono::duration<double>(Clock::now() - started).count());

  const int64_t width = options.table.ticks / 100;
  const int64_t first = options.range_start.value_or(options.table.ticks / 2);
  const std::vector<TickRange> ranges = {{first, first + width - 1},
                                         {first + width / 2, first + width / 2 + width - 1}};
  std::vector<crv::io::ScanOptions> scans;
  for (const TickRange& range : ranges) {
    scans.push_back({.tick_min = range.min, .tick_max = range.max, .threads = options.threads});
  }
  scans.push_back({.threads = options.threads});
  scans.push_back({.threads = options.threads, .verification = {.checksums = false}});
  scans.push_back(
      {.threads = options.threads, .verification = {.checksums = false, .utf8 = false}});
  const std::vector<Timing> timings = time_scans(dataset, scans, options.repeat);
  const std::vector<Timing> narrow(timings.begin(), timings.begin() + 2);
  const Timing& full = timings[2];
  const Timing& full_without_checksums = timings[3];
  const Timing& full_unverified = timings[4];

  std::printf("%lld rows, %lld ticks, all columns, best of %d, threads %u\n",
              static_cast<long long>(row_count), static_cast<long long>(options.table.ticks),
              options.repeat, options.threads);
  std::printf("%-34s %10s %12s %14s %10s\n", "scan", "seconds", "rows", "rows/s", "row groups");
  for (size_t i = 0; i < ranges.size(); ++i) print_row(range_name("crv-io", ranges[i]), narrow[i]);
  print_row("crv-io full", full);
  print_row("crv-io full, no checksums", full_without_checksums);
  print_row("crv-io full, no checksums or UTF-8", full_unverified);
  // CPU time, being steadier than elapsed time on a shared machine, measures the cost.
  std::printf(
      "verification, full scan, least CPU seconds: %.4f verified, %.4f without checksums, "
      "%.4f without either: checksums %+.1f%%, UTF-8 %+.1f%%, both %.3fx\n",
      full.cpu_seconds, full_without_checksums.cpu_seconds, full_unverified.cpu_seconds,
      100 * (full.cpu_seconds / full_without_checksums.cpu_seconds - 1),
      100 * (full_without_checksums.cpu_seconds / full_unverified.cpu_seconds - 1),
      full.cpu_seconds / full_unverified.cpu_seconds);
  for (size_t i = 0; i < ranges.size(); ++i) {
    std::printf("crv-io full / range %lld..%lld: %.1fx\n", static_cast<long long>(ranges[i].min),
                static_cast<long long>(ranges[i].max), full.seconds / narrow[i].seconds);
  }
  if (!options.table.peers) return 0;

  const PeerTimings peers =
      run_peers(crv::io::table_dir(settings, kRun, kTable), ranges, options.repeat);
  for (size_t i = 0; i < ranges.size(); ++i) {
    print_row(range_name("duckdb", ranges[i]), peers.ranges[i]);
  }
  print_row("duckdb full", peers.full);
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (peers.ranges[i].rows != narrow[i].rows) {
      throw std::runtime_error("DuckDB and crv-io disagree on the rows of a range");
    }
    std::printf("crv-io vs duckdb, range %lld..%lld: %.2fx faster\n",
                static_cast<long long>(ranges[i].min), static_cast<long long>(ranges[i].max),
                peers.ranges[i].seconds / narrow[i].seconds);
  }
  if (peers.full.rows != full.rows) {
    throw std::runtime_error("DuckDB and crv-io disagree on the rows of the full scan");
  }
  std::printf("crv-io vs duckdb, full: %.2fx faster\n", peers.full.seconds / full.seconds);
  return 0;
} catch (const std::exception& error) {
  std::fprintf(stderr, "scan_bench: %s\n", error.what());
  return 1;
}
