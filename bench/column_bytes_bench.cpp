// Column bytes benchmark: one file of columns of different kinds (random, low-cardinality
// and periodic doubles, sorted and random integers, low- and high-cardinality strings, a
// nested struct), generated from a fixed seed, written as zstd Parquet by crv-io and, in
// the same run from the same rows, by DuckDB and Polars, each with its defaults. Prints
// every column's compressed bytes (the footer's total_compressed_size, summed over row
// groups) per writer, the encodings each chose, and crv-io's bytes against the smaller
// peer's.
//
// usage: column_bytes_bench [--rows N] [--seed S] [--out DIR]

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "bench_options.hpp"
#include "crv/frame/builders.hpp"
#include "crv/parquet/writer.hpp"
#include "peer_script.hpp"

namespace {

namespace fs = std::filesystem;
using crv::frame::ArrayPtr;

struct Options {
  int64_t rows = 2'000'000;
  uint64_t seed = 42;
  fs::path out = "bench-out/column-bytes";
};

Options parse(int argc, char** argv) {
  Options options;
  CLI::App app{"Compressed bytes per column kind: crv-io against DuckDB and Polars"};
  app.add_option("--rows", options.rows, "Rows")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--seed", options.seed, "Seed of the generated columns")->capture_default_str();
  app.add_option("--out", options.out, "Folder for the files written")->capture_default_str();
  crv::bench::parse_or_exit(app, argc, argv);
  return options;
}

// The columns, each drawn from its own stream of the seed so that adding one leaves the
// others unchanged. None is arranged to suit one encoding: random values are uniform,
// repeats come from pools drawn once, and the pools' values are full-precision doubles.
crv::frame::Frame make_frame(int64_t rows, uint64_t seed) {
  const auto n = static_cast<size_t>(rows);
  const auto stream = [seed](uint64_t column) { return std::mt19937_64(seed * 1000 + column); };
  const auto doubles_from_pool = [&](uint64_t column, size_t distinct, bool periodic) {
    std::mt19937_64 random = stream(column);
    std::uniform_real_distribution<double> uniform(0.0, 100.0);
    std::vector<double> pool(distinct);
    for (double& value : pool) value = uniform(random);
    std::vector<double> values(n);
    for (size_t i = 0; i < n; ++i) values[i] = pool[periodic ? i % distinct : random() % distinct];
    return crv::frame::make_float64(values);
  };

  std::mt19937_64 random = stream(0);
  std::vector<double> random_doubles(n);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (double& value : random_doubles) value = normal(random);

  // A simulation's tick: 1,000 rows a tick, in order.
  std::vector<int64_t> ticks(n);
  for (size_t i = 0; i < n; ++i) ticks[i] = static_cast<int64_t>(i / 1000);
  random = stream(4);
  std::vector<int64_t> random_ints(n);
  std::uniform_int_distribution<int64_t> ids(0, 1'000'000'000);
  for (int64_t& value : random_ints) value = ids(random);

  random = stream(5);
  const std::vector<std::string> labels = {"buy",    "sell",   "hold",   "cancel",
                                           "amend",  "quote",  "fill",   "partial_fill",
                                           "reject", "expire", "borrow", "repay"};
  std::vector<std::string> low_strings(n);
  for (std::string& value : low_strings) value = labels[random() % labels.size()];
  random = stream(6);
  std::vector<std::string> high_strings(n);
  for (std::string& value : high_strings) value = fmt::format("agent-{:07d}", random() % 1'000'000);

  // A nested struct of a price walking in cents and a small quantity, null one row in 20.
  random = stream(7);
  std::vector<std::optional<double>> prices(n);
  std::vector<std::optional<int64_t>> quantities(n);
  std::vector<bool> present(n);
  int64_t cents = 10'000;
  for (size_t i = 0; i < n; ++i) {
    cents = std::max<int64_t>(1, cents + static_cast<int64_t>(random() % 21) - 10);
    present[i] = random() % 20 != 0;
    prices[i] = static_cast<double>(cents) / 100.0;
    quantities[i] = static_cast<int64_t>(random() % 100) + 1;
  }
  const ArrayPtr order = crv::frame::make_struct({{"price", crv::frame::make_float64(prices)},
                                                  {"quantity", crv::frame::make_int64(quantities)}},
                                                 present);
  return crv::frame::Frame({
      {"random_double", crv::frame::make_float64(random_doubles)},
      {"low_cardinality_double", doubles_from_pool(1, 16, false)},
      {"periodic_double", doubles_from_pool(2, 10'000, true)},
      {"tick", crv::frame::make_int64(ticks)},
      {"random_int", crv::frame::make_int64(random_ints)},
      {"low_cardinality_string", crv::frame::make_utf8(low_strings)},
      {"high_cardinality_string", crv::frame::make_utf8(high_strings)},
      {"order", order},
  });
}

void write_bytes(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream file(path, std::ios::binary);
  file.write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  if (!file) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

int main(int argc, char** argv) try {
  const Options options = parse(argc, argv);
  fs::create_directories(options.out);
  const crv::frame::Frame frame = make_frame(options.rows, options.seed);

  const auto started = std::chrono::steady_clock::now();
  const std::vector<uint8_t> ours = crv::parquet::write_parquet(frame, {});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const fs::path ours_path = fs::absolute(options.out / "crv-io.parquet");
  write_bytes(ours_path, ours);
  std::printf("crv-io wrote %lld rows in %.3f s (%zu bytes)\n",
              static_cast<long long>(options.rows), seconds, ours.size());

  crv::parquet::WriterOptions plain;
  plain.compression = crv::parquet::Compression::kNone;
  const fs::path input = fs::absolute(options.out / "input.parquet");
  write_bytes(input, crv::parquet::write_parquet(frame, plain));
  const std::vector<std::string> writers = {"crv-io", "duckdb", "polars"};
  // The peers write the same rows, and DuckDB reads all three footers.
  const nlohmann::json sizes = crv::bench::run_peer_script(
      "column_bytes_peers.mjs",
      {ours_path.string(), input.string(), fs::absolute(options.out / "peers").string()});

  // Each writer's columns by name, printed in crv-io's file order.
  const auto entry = [&](const std::string& writer, const std::string& column) {
    for (const nlohmann::json& item : sizes[writer]["columns"]) {
      if (item["column"] == column) return item;
    }
    throw std::runtime_error(fmt::format("{} wrote no column {}", writer, column));
  };
  std::printf("\n%-26s %12s %12s %12s %17s\n", "column (compressed bytes)", "crv-io", "duckdb",
              "polars", "crv-io / smaller");
  for (const nlohmann::json& ours_entry : sizes["crv-io"]["columns"]) {
    const std::string column = ours_entry["column"];
    const auto bytes = [&](const std::string& writer) {
      return entry(writer, column)["bytes"].get<double>();
    };
    std::printf("%-26s %12.0f %12.0f %12.0f %17.2f\n", column.c_str(), bytes("crv-io"),
                bytes("duckdb"), bytes("polars"),
                bytes("crv-io") / std::min(bytes("duckdb"), bytes("polars")));
  }
  std::printf("\nencodings\n");
  for (const nlohmann::json& ours_entry : sizes["crv-io"]["columns"]) {
    const std::string column = ours_entry["column"];
    std::printf("%-26s", column.c_str());
    for (const std::string& writer : writers) {
      std::printf(" %s: %s;", writer.c_str(),
                  entry(writer, column)["encodings"].get<std::string>().c_str());
    }
    std::printf("\n");
  }
  std::printf("\nfile bytes:");
  for (const std::string& writer : writers) {
    std::printf(" %s %lld", writer.c_str(), sizes[writer]["file_bytes"].get<long long>());
  }
  std::printf("\n");
  return 0;
} catch (const std::exception& error) {
  std::fprintf(stderr, "column_bytes_bench: %s\n", error.what());
  return 1;
}
