// Time of one Dataset::append of an in-memory frame through the C++ API: the baseline
// that bench/python_append_bench.py divides the Python binding's append times by.
//
// The frame is read once, before any timing: the whole table of a run (--root and
// --source-run), or one Parquet file (--file). Its `bucket` column, if any, is dropped,
// so the append computes the buckets itself as it does for a frame built in memory. The
// frame is then appended --repeat times, each time into a new run under --out-root
// (runs frame-append-0, frame-append-1, ...; each is removed first), so every append does
// the same work: validation, encoding, part writes with their fsyncs, and a new manifest.
// Before them, --warmup untimed appends (runs frame-append-warmup-N) take the first
// append's extra costs, such as the allocator growing the heap, out of the figures.
//
// Prints one JSON line per timed append ({"repeat", "run_id", "rows", "seconds", and the
// append's own breakdown in seconds}) and a last line {"table", "rows", "repeat",
// "warmup", "min_seconds", "median_seconds"}.
//
// usage: frame_append_bench (--source-run RUN [--root DIR] | --file PART.parquet)
//                           [--table NAME] [--repeat R] [--warmup W] [--out-root DIR]
//                           [--bucket-size B]

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "bench_options.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/paths.hpp"
#include "crv/parquet/reader.hpp"

namespace {

double seconds(std::chrono::nanoseconds duration) {
  return std::chrono::duration<double>(duration).count();
}

// The middle value; the mean of the two middle ones for an even count.
double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2.0;
}

// A part stores `bucket`, which an append derives from `tick`; keeping it would make the
// append check the stored buckets instead of computing them, unlike a frame made in memory.
crv::frame::Frame without_bucket(const crv::frame::Frame& frame) {
  return frame.has_column("bucket") ? frame.drop_column("bucket") : frame;
}

}  // namespace

int main(int argc, char** argv) try {
  std::filesystem::path root = "out";
  std::string source_run;
  std::filesystem::path file;
  std::string table = "holdings";
  int repeat = 5;
  int warmup = 1;
  std::filesystem::path out_root = "bench-out/frame_append";
  int64_t bucket_size = 100;
  CLI::App app{"Seconds per Dataset::append of one in-memory frame into a fresh run"};
  app.add_option("--root", root, "Dataset root holding --source-run")->capture_default_str();
  auto* source_option =
      app.add_option("--source-run", source_run, "Run whose whole --table is the frame");
  auto* file_option = app.add_option("--file", file, "Parquet file whose rows are the frame")
                          ->check(CLI::ExistingFile);
  source_option->excludes(file_option);
  app.add_option("--table", table, "Table appended to")->capture_default_str();
  app.add_option("--repeat", repeat, "Appends timed, each into a new run")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--warmup", warmup, "Untimed appends before the timed ones")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--out-root", out_root, "Dataset root of the runs appended to")
      ->capture_default_str();
  app.add_option("--bucket-size", bucket_size,
                 "Ticks per bucket, of the source run and the appends")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  crv::bench::parse_or_exit(app, argc, argv);
  if (source_run.empty() && file.empty()) {
    std::fprintf(stderr, "frame_append_bench: give --source-run or --file\n");
    return 2;
  }

  const auto load_started = std::chrono::steady_clock::now();
  crv::frame::Frame frame;
  if (file.empty()) {
    crv::io::IoSettings source_settings;
    source_settings.root_dir = root;
    source_settings.tick_bucket_size = bucket_size;
    crv::io::Dataset source(source_settings, source_run);
    frame = without_bucket(source.read(table));
  } else {
    frame = without_bucket(crv::parquet::ParquetReader::open(file).read());
  }
  std::fprintf(stderr, "frame_append_bench: read %lld rows, %zu columns in %.2f s\n",
               static_cast<long long>(frame.num_rows()), frame.num_columns(),
               seconds(std::chrono::steady_clock::now() - load_started));

  crv::io::IoSettings settings;
  settings.root_dir = out_root;
  settings.tick_bucket_size = bucket_size;
  // Times one append of `frame` into the new run `run_id`.
  const auto timed_append = [&](const std::string& run_id) {
    std::filesystem::remove_all(crv::io::run_root(settings, run_id));
    crv::io::Dataset dataset(settings, run_id);
    const auto started = std::chrono::steady_clock::now();
    crv::io::AppendSummary summary = dataset.append(table, frame);
    return std::pair{seconds(std::chrono::steady_clock::now() - started), std::move(summary)};
  };
  for (int i = 0; i < warmup; ++i) timed_append(fmt::format("frame-append-warmup-{}", i));
  std::vector<double> totals;
  for (int i = 0; i < repeat; ++i) {
    const std::string run_id = fmt::format("frame-append-{}", i);
    const auto [total, summary] = timed_append(run_id);
    totals.push_back(total);
    const crv::io::AppendTimings& timings = summary.timings;
    const nlohmann::ordered_json line = {
        {"repeat", i},
        {"run_id", run_id},
        {"rows", summary.rows},
        {"parts", summary.parts.size()},
        {"seconds", total},
        {"validate_seconds", seconds(timings.validate)},
        {"encode_seconds", seconds(timings.encode)},
        {"part_write_seconds", seconds(timings.part_write)},
        {"manifest_seconds",
         seconds(timings.manifest_load + timings.manifest_serialize + timings.manifest_write)},
    };
    std::printf("%s\n", line.dump().c_str());
  }
  const nlohmann::ordered_json result = {
      {"table", table},
      {"rows", frame.num_rows()},
      {"repeat", repeat},
      {"warmup", warmup},
      {"min_seconds", *std::min_element(totals.begin(), totals.end())},
      {"median_seconds", median(totals)},
  };
  std::printf("%s\n", result.dump().c_str());
  return 0;
} catch (const std::exception& error) {
  std::fprintf(stderr, "frame_append_bench: %s\n", error.what());
  return 1;
}
