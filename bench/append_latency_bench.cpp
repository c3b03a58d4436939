// Append latency as a table grows: appends of `rows` rows (one tick each) to one
// identity_edges table, reporting the 100th and the last append with a breakdown.
// Each figure is the median over a window of appends ending there, to damp noise; the
// mean over the window is shown too, since it carries the checkpoints a median hides.
// Every append is durable before it returns (parts and log entry fsynced).
// --every-commit sets manifest_every_commit, which rewrites manifest.json at each commit.
// The Iceberg metadata is updated with manifest.json (iceberg_metadata) unless
// --no-iceberg; its updates are reported apart, the first and the last ten, to show
// whether an update's cost grows with the table.
//
// usage: append_latency_bench [--appends N] [--rows R] [--window W] [--root DIR]
//                             [--every-commit] [--no-iceberg]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_options.hpp"
#include "crv/frame/builders.hpp"
#include "crv/io/dataset.hpp"

namespace {

using crv::io::AppendTimings;
using std::chrono::nanoseconds;

crv::frame::Frame one_tick(int64_t tick, int64_t rows) {
  crv::frame::Int64Builder ticks(rows);
  crv::frame::StringBuilder observers(rows), kinds(rows);
  crv::frame::Float64Builder weights(rows);
  for (int64_t i = 0; i < rows; ++i) {
    ticks.append(tick);
    observers.append("agent-" + std::to_string(1000 + i));
    kinds.append(i % 3 == 0 ? "trust" : "rivalry");
    weights.append(static_cast<double>((tick * 31 + i) % 200) / 100.0 - 1.0);
  }
  return crv::frame::Frame({{"tick", ticks.finish()},
                            {"observer_agent_id", observers.finish()},
                            {"edge_kind", kinds.finish()},
                            {"edge_weight", weights.finish()}});
}

struct Sample {
  nanoseconds total{0};
  AppendTimings timings;
};

double ms(nanoseconds value) {
  return std::chrono::duration<double, std::milli>(value).count();
}

// Mean of one measure over samples [end - window, end).
template <class Measure>
double mean(const std::vector<Sample>& samples, size_t end, size_t window, Measure&& measure) {
  double sum = 0;
  for (size_t i = end - window; i < end; ++i) sum += ms(measure(samples[i]));
  return sum / static_cast<double>(window);
}

// Median of one measure over samples [end - window, end).
template <class Measure>
double median(const std::vector<Sample>& samples, size_t end, size_t window, Measure&& measure) {
  std::vector<double> values;
  for (size_t i = end - window; i < end; ++i) values.push_back(ms(measure(samples[i])));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2),
                   values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int64_t appends = 10000;
  int64_t rows = 100;
  size_t window = 20;
  std::filesystem::path root = "bench-out/append";
  CLI::App app{"Latency of one append at the start and at the end of a long series"};
  app.add_option("--appends", appends, "Appends in the series")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--rows", rows, "Rows per append")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--window", window, "Appends per median")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--root", root, "Dataset root")->capture_default_str();
  bool every_commit = false;
  app.add_flag("--every-commit", every_commit, "Rewrite manifest.json at every commit");
  bool no_iceberg = false;
  app.add_flag("--no-iceberg", no_iceberg, "Leave the Iceberg metadata alone");
  crv::bench::parse_or_exit(app, argc, argv);
  window = std::min<size_t>(window, std::min<size_t>(100, static_cast<size_t>(appends)));
  std::filesystem::remove_all(root);
  crv::io::IoSettings settings;
  settings.root_dir = root;
  settings.manifest_every_commit = every_commit;
  settings.iceberg_metadata = !no_iceberg;
  crv::io::Dataset dataset(settings, "bench");

  std::vector<Sample> samples;
  samples.reserve(static_cast<size_t>(appends));
  for (int64_t a = 0; a < appends; ++a) {
    const crv::frame::Frame frame = one_tick(a, rows);
    const auto started = std::chrono::steady_clock::now();
    const crv::io::AppendSummary summary = dataset.append("identity_edges", frame);
    samples.push_back({std::chrono::steady_clock::now() - started, summary.timings});
  }
  const auto flush_started = std::chrono::steady_clock::now();
  dataset.flush();  // manifest.json as a closing handle writes it
  const nanoseconds flush_time = std::chrono::steady_clock::now() - flush_started;
  const std::filesystem::path table = root / "runs/bench/tables/identity_edges";
  const auto manifest_bytes = std::filesystem::file_size(table / "manifest.json");

  std::printf("%-30s %12s %12s %8s\n", "step (median ms)", "append 100",
              ("append " + std::to_string(appends)).c_str(), "ratio");
  const size_t early_end = std::min<size_t>(100, samples.size());
  auto row = [&](const char* name, auto measure) {
    const double early = median(samples, early_end, window, measure);
    const double late = median(samples, samples.size(), window, measure);
    std::printf("%-30s %12.3f %12.3f %8.2f\n", name, early, late, early > 0 ? late / early : 0.0);
  };
  row("total", [](const Sample& s) { return s.total; });
  row("validate", [](const Sample& s) { return s.timings.validate; });
  row("encode", [](const Sample& s) { return s.timings.encode; });
  row("part write + fsync", [](const Sample& s) { return s.timings.part_write; });
  row("lock + log catch-up", [](const Sample& s) { return s.timings.manifest_load; });
  row("log entry write + fsyncs", [](const Sample& s) { return s.timings.manifest_write; });
  row("manifest.json (every commit)", [](const Sample& s) { return s.timings.manifest_serialize; });
  const auto total = [](const Sample& s) { return s.total; };
  const double early_mean = mean(samples, early_end, window, total);
  const double late_mean = mean(samples, samples.size(), window, total);
  std::printf("%-30s %12.3f %12.3f %8.2f\n", "total (mean ms)", early_mean, late_mean,
              late_mean / early_mean);

  int64_t checkpoints = 0;
  nanoseconds checkpoint_time{0};
  nanoseconds slowest_checkpoint{0};
  nanoseconds all_appends{0};
  for (const Sample& sample : samples) {
    checkpoints += sample.timings.checkpoints;
    checkpoint_time += sample.timings.checkpoint;
    if (sample.timings.checkpoints > 0) {
      slowest_checkpoint = std::max(slowest_checkpoint, sample.timings.checkpoint);
    }
    all_appends += sample.total;
  }
  std::printf("checkpoints: %lld, %.1f ms in all (slowest %.1f ms), %.3f ms per append\n",
              static_cast<long long>(checkpoints), ms(checkpoint_time), ms(slowest_checkpoint),
              ms(checkpoint_time) / static_cast<double>(samples.size()));
  std::vector<double> iceberg_updates;  // ms each, in order
  for (const Sample& sample : samples) {
    if (sample.timings.iceberg_updates > 0) {
      iceberg_updates.push_back(ms(sample.timings.iceberg) /
                                static_cast<double>(sample.timings.iceberg_updates));
    }
  }
  if (!iceberg_updates.empty()) {
    const size_t ends = std::min<size_t>(10, iceberg_updates.size());
    double first = 0;
    double last = 0;
    for (size_t i = 0; i < ends; ++i) {
      first += iceberg_updates[i];
      last += iceberg_updates[iceberg_updates.size() - 1 - i];
    }
    double all = 0;
    for (const double update : iceberg_updates) all += update;
    std::printf(
        "Iceberg updates: %zu, %.1f ms in all (%.3f ms per append); mean of the first "
        "%zu %.2f ms, of the last %zu %.2f ms\n",
        iceberg_updates.size(), all, all / static_cast<double>(samples.size()), ends,
        first / static_cast<double>(ends), ends, last / static_cast<double>(ends));
  }
  std::printf("mean append over all %lld: %.3f ms\n", static_cast<long long>(appends),
              ms(all_appends) / static_cast<double>(samples.size()));
  std::printf("manifest.json after %lld appends: %.1f KB, written by flush() in %.1f ms\n",
              static_cast<long long>(appends), static_cast<double>(manifest_bytes) / 1024.0,
              ms(flush_time));
  return 0;
}
