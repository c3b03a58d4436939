// Write benchmark: the identity_edges table of a synthetic run (crv/sim) written as zstd
// Parquet, one file per bucket, by crv-io and, in the same run on the same rows, by DuckDB
// and Polars.
//
// usage: parquet_write_bench [--agents N] [--ticks T] [--bucket-size B] [--seed S]
//                            [--threads K] [--out DIR] [--no-peers]

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "bench_options.hpp"
#include "crv/core/table_name.hpp"
#include "crv/frame/concat.hpp"
#include "crv/io/paths.hpp"
#include "crv/parquet/writer.hpp"
#include "crv/sim/synthetic_run.hpp"
#include "peer_script.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

struct Options {
  // An agent emits half an edge a tick on average: about 10 million rows.
  crv::bench::SyntheticTableOptions table{
      .agents = 2000, .ticks = 10000, .bucket_size = 100, .out = "bench-out/write"};
  int threads = 2;
};

Options parse(int argc, char** argv) {
  Options options;
  CLI::App app{"Writing a synthetic table as Parquet, one file per bucket, against the peers"};
  crv::bench::add_synthetic_table_options(app, options.table);
  app.add_option("--threads", options.threads, "Encoding threads")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  crv::bench::parse_or_exit(app, argc, argv);
  return options;
}

void write_bytes(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream file(path, std::ios::binary);
  file.write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  if (!file) throw std::runtime_error("cannot write " + path.string());
}

uint64_t folder_size(const fs::path& folder) {
  uint64_t bytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  return bytes;
}

// Writes one file per bucket, with the table's fields (the descriptor's nullability).
double write_buckets(const std::vector<crv::frame::Frame>& frames, int threads,
                     const fs::path& out) {
  fs::remove_all(out);
  const auto buckets = static_cast<int64_t>(frames.size());
  for (int64_t b = 0; b < buckets; ++b)
    fs::create_directories(out / crv::io::bucket_folder_name(b));
  const std::vector<crv::frame::Field> fields =
      crv::sim::SyntheticRun::fields(crv::core::TableName::kIdentityEdges);
  crv::parquet::WriterOptions options;
  const auto started = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::vector<uint8_t> bytes;
      for (int64_t b = t; b < buckets; b += threads) {
        bytes.clear();
        crv::parquet::write_parquet(frames[static_cast<size_t>(b)], fields, options, bytes);
        write_bytes(out / crv::io::bucket_folder_name(b) / "part-0.parquet", bytes);
      }
    });
  }
  for (auto& worker : workers) worker.join();
  return std::chrono::duration<double>(Clock::now() - started).count();
}

}  // namespace

int main(int argc, char** argv) try {
  const Options options = parse(argc, argv);
  fs::create_directories(options.table.out);
  const std::vector<crv::frame::Frame> buckets =
      crv::bench::identity_edges_by_bucket(options.table);
  const auto rows = static_cast<double>(crv::bench::total_rows(buckets));

  struct Result {
    std::string name;
    double seconds;
    uint64_t bytes;
  };
  std::vector<Result> results;
  for (int threads : {1, options.threads}) {
    const fs::path out = options.table.out / fmt::format("crv-io-{}t", threads);
    const double seconds = write_buckets(buckets, threads, out);
    results.push_back({fmt::format("crv-io ({} thread{})", threads, threads > 1 ? "s" : ""),
                       seconds, folder_size(out)});
    if (options.threads == 1) break;
  }
  if (options.table.peers) {
    const fs::path input = options.table.out / "input.parquet";
    crv::parquet::WriterOptions plain;
    plain.compression = crv::parquet::Compression::kNone;
    // The peers read the whole table from one file.
    write_bytes(input, crv::parquet::write_parquet(crv::frame::concat(buckets), plain));
    const auto peers = crv::bench::run_peer_script(
        "write_peers.mjs",
        {fs::absolute(input).string(), fs::absolute(options.table.out / "peers").string()});
    for (const char* peer : {"duckdb", "polars"}) {
      results.push_back(
          {peer, peers[peer]["seconds"].get<double>(), peers[peer]["bytes"].get<uint64_t>()});
    }
  }
  std::printf("%-22s %10s %14s %12s\n", "writer", "seconds", "rows/s", "MB");
  for (const Result& result : results) {
    std::printf("%-22s %10.3f %14.0f %12.3f\n", result.name.c_str(), result.seconds,
                rows / result.seconds, static_cast<double>(result.bytes) / 1e6);
  }
  if (options.table.peers) {
    const Result& ours = results[results.size() - 3];
    const Result& duckdb = results[results.size() - 2];
    const Result& polars = results.back();
    const double fastest = std::min(duckdb.seconds, polars.seconds);
    const uint64_t smallest = std::min(duckdb.bytes, polars.bytes);
    std::printf("speed vs fastest peer: %.2fx   size vs smallest peer: %.2fx\n",
                fastest / ours.seconds,
                static_cast<double>(ours.bytes) / static_cast<double>(smallest));
  }
  return 0;
} catch (const std::exception& error) {
  std::fprintf(stderr, "parquet_write_bench: %s\n", error.what());
  return 1;
}
