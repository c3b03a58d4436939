// Decode benchmark: how fast crv-io's Parquet reader decodes one column of a given
// encoding, against DuckDB reading the same files in the same run.
//
// DuckDB writes the input files (tests/conformance/peers/decode_peers.mjs), so the data
// and its encodings are a peer's, not ours: one single-column file per type (BIGINT,
// INTEGER, DOUBLE, FLOAT) and data shape (random, sorted, periodic, lowcard, highcard).
// By default they are written with PARQUET_VERSION V2 and no dictionary, which makes
// DuckDB use DELTA_BINARY_PACKED for the integers and BYTE_STREAM_SPLIT for the floating
// point columns; `--encodings plain` and `--encodings dictionary` write the same data with
// V1 (PLAIN; or DuckDB's own choice of dictionary). The encodings each file's column
// chunks declare are read back from DuckDB's parquet_metadata() and printed; a file
// whose column lacks the intended encoding stops the benchmark before anything is timed.
//
// crv-io decodes every row group of each file (ParquetReader::read_row_group, the frame
// dropped after each), on the calling thread and, with --threads above 1, on a DecodePool
// whose threads claim the row groups as they become free, each task with a reader of its
// own (the pool spreads the columns of a row group in a read, and these files have one).
// Each run is timed from opening the file.
// DuckDB runs `SELECT bit_xor(v) FROM read_parquet(FILE)` (`sum(v)` for DOUBLE and FLOAT)
// with `SET threads = 1` and with the same number of threads, timed around the query
// inside Node. Both sides take the fastest of --repeat runs, the files (and crv-io's two
// modes) taking turns within each round; DuckDB's timed rounds follow an untimed one,
// crv-io's follow the checks below. The least CPU time of the runs (the process's, all
// threads) is reported too, in a second table: other processes' load disturbs it far
// less than elapsed time.
//
// Before timing, each file is decoded once in each mode and a checksum of the values
// (their 64-bit patterns in file order, see decode_peers.mjs) is compared with the one
// computed from DuckDB's reading; a file that crv-io cannot decode, or decodes to other
// values, gets no time, is reported, and makes the run fail.
//
// usage: decode_bench [--rows N] [--repeat R] [--threads N] [--encodings v2|plain|dictionary]
//                     [--compression C] [--row-group-size N] [--types T,...]
//                     [--shapes S,...] [--out DIR] [--no-peers]

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench_options.hpp"
#include "crv/parquet/decode_pool.hpp"
#include "crv/parquet/reader.hpp"
#include "peer_script.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

const std::vector<std::string> kTypes = {"BIGINT", "INTEGER", "DOUBLE", "FLOAT"};
const std::vector<std::string> kShapes = {"random", "sorted", "periodic", "lowcard", "highcard"};

struct Options {
  int64_t rows = 4'000'000;
  int repeat = 5;
  unsigned threads = 0;
  std::string encodings = "v2";
  std::string compression = "uncompressed";
  int64_t row_group_size = 122'880;  // DuckDB's default
  std::vector<std::string> types = kTypes;
  std::vector<std::string> shapes = kShapes;
  fs::path out = "bench-out/decode";
  bool peers = true;
};

constexpr const char* kFooter = R"(
Files: one per type x shape, a single column `v` of --rows values, no nulls, written by
DuckDB (tests/conformance/peers/decode_peers.mjs) into --out:
  random    integers over the type's whole range; doubles uniform in [0, 1)
  sorted    strictly increasing with jittered steps (timestamps, counters, a clock)
  periodic  a sine wave with a period of 1000 rows
  lowcard   16 distinct values at random
  highcard  values drawn from --rows distinct ones (ids; amounts in hundredths)
--encodings chooses how DuckDB writes them and which encoding each file must then have:
  v2          PARQUET_VERSION V2, no dictionary: DELTA_BINARY_PACKED for BIGINT and
              INTEGER, BYTE_STREAM_SPLIT for DOUBLE and FLOAT
  plain       PARQUET_VERSION V1, no dictionary: PLAIN
  dictionary  PARQUET_VERSION V1 with DuckDB's dictionary choice: periodic and lowcard
              must be dictionary-encoded, the other shapes may be either
A file without its intended encoding stops the benchmark before anything is timed.

Each file's column is decoded whole by crv-io (ParquetReader, every row group, on one
thread and on --threads threads sharing out the row groups) and by DuckDB (`SELECT
bit_xor(v)`, or sum(v) for DOUBLE and FLOAT, with threads = 1 and with the same thread
count), fastest of --repeat runs each, and by least CPU time (all threads). A
checksum of crv-io's values is checked against DuckDB's before timing; a file crv-io
cannot decode, or decodes wrongly, is reported without a time and the exit status is 1.
Ratio: crv-io's rows/s over DuckDB's (above 1: crv-io is faster).)";

Options parse(int argc, char** argv) {
  Options options;
  CLI::App app{
      "Decode throughput of single-column Parquet files written by DuckDB (by default "
      "DELTA_BINARY_PACKED and BYTE_STREAM_SPLIT), crv-io against DuckDB"};
  app.footer(kFooter);
  app.add_option("--rows", options.rows, "Rows per file")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}));
  app.add_option("--repeat", options.repeat, "Runs per file and mode; the fastest counts")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--threads", options.threads,
                 "Threads of the multi-threaded runs, crv-io's and DuckDB's (0: one per "
                 "hardware thread, DuckDB's default; 1: single-threaded runs only)")
      ->capture_default_str();
  app.add_option("--encodings", options.encodings, "How DuckDB writes the files (see below)")
      ->capture_default_str()
      ->check(CLI::IsMember({"v2", "plain", "dictionary"}));
  app.add_option("--compression", options.compression, "Codec DuckDB compresses pages with")
      ->capture_default_str()
      ->check(CLI::IsMember({"uncompressed", "snappy", "zstd", "gzip", "lz4_raw"}));
  app.add_option("--row-group-size", options.row_group_size, "Rows per row group")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--types", options.types, "Column types, comma-separated")
      ->delimiter(',')
      ->capture_default_str()
      ->check(CLI::IsMember(kTypes));
  app.add_option("--shapes", options.shapes, "Data shapes, comma-separated")
      ->delimiter(',')
      ->capture_default_str()
      ->check(CLI::IsMember(kShapes));
  app.add_option("--out", options.out, "Folder for the files written")->capture_default_str();
  app.add_flag("!--no-peers", options.peers,
               "Skip timing DuckDB (it still writes the files and computes the checksums)");
  crv::bench::parse_or_exit(app, argc, argv);
  if (options.threads == 0) options.threads = std::max(1u, std::thread::hardware_concurrency());
  return options;
}

bool is_integer(const std::string& type) {
  return type == "BIGINT" || type == "INTEGER";
}

// The encodings a file's column chunks may declare (DuckDB lists only value encodings);
// at least one must be declared.
struct Intended {
  std::set<std::string> allowed;
  std::string description;
};

Intended intended_encodings(const std::string& mode, const std::string& type,
                            const std::string& shape) {
  if (mode == "v2") {
    const std::string encoding = is_integer(type) ? "DELTA_BINARY_PACKED" : "BYTE_STREAM_SPLIT";
    return {{encoding}, encoding};
  }
  if (mode == "plain") return {{"PLAIN"}, "PLAIN"};
  if (shape == "periodic" || shape == "lowcard") {
    return {{"PLAIN_DICTIONARY", "RLE_DICTIONARY"}, "a dictionary encoding"};
  }
  return {{"PLAIN", "PLAIN_DICTIONARY", "RLE_DICTIONARY"}, "PLAIN or a dictionary encoding"};
}

// The checksum decode_peers.mjs computes: over the values' 64-bit patterns in file order,
// split in 32-bit halves, the xor of each half and the sum of each half times 2i + 1,
// modulo 2^32, for row i.
struct Checksum {
  int64_t rows = 0;
  uint32_t xor_lo = 0;
  uint32_t xor_hi = 0;
  uint32_t sum_lo = 0;
  uint32_t sum_hi = 0;

  void add(const void* values, int64_t count, int64_t first_row) {
    const auto* bytes = static_cast<const uint8_t*>(values);
    for (int64_t k = 0; k < count; ++k) {
      uint64_t bits = 0;
      std::memcpy(&bits, bytes + 8 * k, 8);
      const auto lo = static_cast<uint32_t>(bits);
      const auto hi = static_cast<uint32_t>(bits >> 32);
      const auto weight = static_cast<uint32_t>(2 * static_cast<uint64_t>(first_row + k) + 1);
      xor_lo ^= lo;
      xor_hi ^= hi;
      sum_lo += lo * weight;
      sum_hi += hi * weight;
    }
    rows += count;
  }

  void merge(const Checksum& other) {
    rows += other.rows;
    xor_lo ^= other.xor_lo;
    xor_hi ^= other.xor_hi;
    sum_lo += other.sum_lo;
    sum_hi += other.sum_hi;
  }

  std::string xor_hex() const { return fmt::format("{:08x}{:08x}", xor_hi, xor_lo); }
  std::string weighted_hex() const { return fmt::format("{:08x}{:08x}", sum_hi, sum_lo); }
};

struct InputFile {
  std::string name;
  std::string type;
  std::string shape;
  fs::path path;
  uint64_t bytes = 0;
  int64_t rows = 0;
  int64_t row_groups = 0;
  std::string physical_type;  // as the footer has it: INT64, INT32, DOUBLE, FLOAT
  std::vector<std::string> encodings;
  std::string xor_hex;
  std::string weighted_hex;
};

std::string joined(const std::vector<std::string>& parts, const char* separator) {
  std::string text;
  for (const std::string& part : parts) text += (text.empty() ? "" : separator) + part;
  return text;
}

// Called with each row group decoded: its index, its first row in the file, its rows.
using Visit = std::function<void(int, int64_t, const crv::frame::Frame&)>;

// Decodes every row group of `path` in order on the calling thread, or, with `pool`, as
// the pool's tasks, one per row group, which its threads claim as they become free (so a
// thread held up by other processes' load leaves more groups to the others). A reader
// serves one task at a time: a task borrows an idle one, or opens another when none is
// idle, so there are at most as many readers as threads. Returns the rows decoded.
int64_t decode_file(const fs::path& path, crv::parquet::DecodePool* pool, const Visit& visit) {
  using crv::parquet::ParquetReader;
  std::vector<ParquetReader> idle;
  idle.push_back(ParquetReader::open(path));
  std::vector<int64_t> first_rows{0};
  for (const crv::parquet::RowGroupInfo& group : idle.back().info().row_groups) {
    first_rows.push_back(first_rows.back() + group.num_rows);
  }
  const size_t groups = first_rows.size() - 1;
  std::vector<int64_t> rows(groups, 0);
  const auto decode_group = [&](ParquetReader& reader, size_t group) {
    const crv::frame::Frame frame = reader.read_row_group(static_cast<int>(group));
    rows[group] = frame.num_rows();
    if (visit) visit(static_cast<int>(group), first_rows[group], frame);
  };
  if (pool == nullptr) {
    for (size_t group = 0; group < groups; ++group) decode_group(idle.back(), group);
  } else {
    std::mutex mutex;
    pool->run(groups, [&](size_t group) {
      std::optional<ParquetReader> reader;
      {
        const std::lock_guard lock(mutex);
        if (!idle.empty()) {
          reader.emplace(std::move(idle.back()));
          idle.pop_back();
        }
      }
      if (!reader) reader.emplace(ParquetReader::open(path));
      decode_group(*reader, group);
      const std::lock_guard lock(mutex);
      idle.push_back(std::move(*reader));
    });
  }
  int64_t total = 0;
  for (int64_t count : rows) total += count;
  return total;
}

// Decodes the file checking every row group's column; throws when crv-io's reading
// disagrees with what DuckDB reported.
void verify(const InputFile& file, crv::parquet::DecodePool* pool) {
  std::vector<std::optional<Checksum>> groups(static_cast<size_t>(file.row_groups));
  const int64_t rows = decode_file(
      file.path, pool, [&](int group, int64_t first_row, const crv::frame::Frame& frame) {
        if (group >= file.row_groups) {
          throw std::runtime_error(
              fmt::format("crv-io sees more than DuckDB's {} row groups", file.row_groups));
        }
        if (frame.num_columns() != 1) {
          throw std::runtime_error(fmt::format("{} columns read, not 1", frame.num_columns()));
        }
        const crv::frame::Array& column = *frame.column(0);
        if (column.null_count() != 0) {
          throw std::runtime_error(
              fmt::format("{} nulls in row group {}", column.null_count(), group));
        }
        Checksum checksum;
        if (is_integer(file.type)) {
          checksum.add(column.int64_values(), column.length(), first_row);
        } else {
          checksum.add(column.float64_values(), column.length(), first_row);
        }
        groups[static_cast<size_t>(group)] = checksum;
      });
  Checksum total;
  for (const std::optional<Checksum>& group : groups) {
    if (!group) throw std::runtime_error("a row group was not read");
    total.merge(*group);
  }
  if (rows != file.rows || total.rows != file.rows) {
    throw std::runtime_error(fmt::format("{} rows decoded, DuckDB has {}", rows, file.rows));
  }
  if (total.xor_hex() != file.xor_hex || total.weighted_hex() != file.weighted_hex) {
    throw std::runtime_error(
        fmt::format("checksum {}/{} of the values decoded differs from DuckDB's {}/{}",
                    total.xor_hex(), total.weighted_hex(), file.xor_hex, file.weighted_hex));
  }
}

std::vector<InputFile> write_files(const Options& options, std::string& duckdb_version) {
  fs::remove_all(options.out);
  const nlohmann::json written = crv::bench::run_peer_script(
      "decode_peers.mjs",
      {"write", fs::absolute(options.out).string(), std::to_string(options.rows), options.encodings,
       options.compression, std::to_string(options.row_group_size), joined(options.types, ","),
       joined(options.shapes, ",")});
  duckdb_version = written["duckdb"].get<std::string>();
  std::vector<InputFile> files;
  for (const nlohmann::json& entry : written["files"]) {
    InputFile& file = files.emplace_back();
    file.name = entry["name"].get<std::string>();
    file.type = entry["type"].get<std::string>();
    file.shape = entry["shape"].get<std::string>();
    file.path = entry["path"].get<std::string>();
    file.bytes = entry["bytes"].get<uint64_t>();
    file.rows = entry["rows"].get<int64_t>();
    file.row_groups = entry["row_groups"].get<int64_t>();
    file.physical_type = entry["physical_type"].get<std::string>();
    file.encodings = entry["encodings"].get<std::vector<std::string>>();
    file.xor_hex = entry["checksum"]["xor"].get<std::string>();
    file.weighted_hex = entry["checksum"]["weighted"].get<std::string>();
    if (entry["nulls"].get<int64_t>() != 0 || file.rows != options.rows) {
      throw std::runtime_error(file.name + ": DuckDB did not write the rows asked for");
    }
  }
  return files;
}

// Stops the benchmark when a file's column lacks its intended encoding.
void check_encodings(const Options& options, const std::vector<InputFile>& files) {
  std::vector<std::string> wrong;
  for (const InputFile& file : files) {
    const Intended intended = intended_encodings(options.encodings, file.type, file.shape);
    bool fits = !file.encodings.empty();
    for (const std::string& encoding : file.encodings)
      fits = fits && intended.allowed.count(encoding);
    if (!fits) {
      wrong.push_back(fmt::format("{} has {}, not {}", file.name, joined(file.encodings, ", "),
                                  intended.description));
    }
  }
  if (!wrong.empty()) {
    throw std::runtime_error("DuckDB did not write the intended encodings (--encodings " +
                             options.encodings + "): " + joined(wrong, "; "));
  }
}

// The fastest run's elapsed time and, apart, the least CPU time of a run (the process's,
// all threads), which other processes' load disturbs far less.
struct Best {
  double seconds = 1e300;
  double cpu_seconds = 1e300;

  void add(double elapsed, double cpu) {
    seconds = std::min(seconds, elapsed);
    cpu_seconds = std::min(cpu_seconds, cpu);
  }
  double get(bool cpu) const { return cpu ? cpu_seconds : seconds; }
};

struct Result {
  std::optional<std::string> error;  // why crv-io has no time for the file
  Best ours_single;
  Best ours_multi;
  Best peer_single;
  Best peer_multi;
};

double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// Millions of rows per second.
std::string rate(int64_t rows, double seconds) {
  if (seconds <= 0 || seconds >= 1e300) return "-";
  return fmt::format("{:.1f}", static_cast<double>(rows) / seconds / 1e6);
}

std::string ratio(double peer_seconds, double our_seconds) {
  if (peer_seconds >= 1e300 || our_seconds >= 1e300) return "-";
  return fmt::format("{:.2f}", peer_seconds / our_seconds);
}

// One table of rates and ratios, by elapsed time or by CPU time, and the geometric mean
// of the ratios per encoding found.
void print_table(const Options& options, const std::vector<InputFile>& files,
                 const std::vector<Result>& results, bool cpu) {
  const bool multi = options.threads > 1;
  if (cpu) {
    std::printf("\nmillions of rows per CPU second (all threads), least CPU time of %d runs\n",
                options.repeat);
  } else {
    std::printf("\nmillions of rows/s, fastest of %d runs\n", options.repeat);
  }
  std::printf("%-18s %-20s %10s %10s %10s %7s", "file", "encoding", "rows", "crv-io 1t",
              "duckdb 1t", "ratio");
  if (multi) {
    std::printf(" %10s %10s %7s", fmt::format("crv-io {}t", options.threads).c_str(),
                fmt::format("duckdb {}t", options.threads).c_str(), "ratio");
  }
  std::printf("\n");
  std::map<std::string, std::pair<double, int>> log_ratios_single;
  std::map<std::string, std::pair<double, int>> log_ratios_multi;
  for (size_t i = 0; i < files.size(); ++i) {
    const InputFile& file = files[i];
    const Result& result = results[i];
    const std::string encoding = joined(file.encodings, ",");
    const double ours_single = result.ours_single.get(cpu);
    const double peer_single = result.peer_single.get(cpu);
    std::printf("%-18s %-20s %10lld %10s %10s %7s", file.name.c_str(), encoding.c_str(),
                static_cast<long long>(file.rows),
                result.error ? "error" : rate(file.rows, ours_single).c_str(),
                rate(file.rows, peer_single).c_str(), ratio(peer_single, ours_single).c_str());
    const double ours_multi = result.ours_multi.get(cpu);
    const double peer_multi = result.peer_multi.get(cpu);
    if (multi) {
      std::printf(" %10s %10s %7s", result.error ? "error" : rate(file.rows, ours_multi).c_str(),
                  rate(file.rows, peer_multi).c_str(), ratio(peer_multi, ours_multi).c_str());
    }
    std::printf("\n");
    if (result.error || !options.peers) continue;
    auto& single = log_ratios_single[encoding];
    single.first += std::log(peer_single / ours_single);
    single.second += 1;
    if (multi) {
      auto& many = log_ratios_multi[encoding];
      many.first += std::log(peer_multi / ours_multi);
      many.second += 1;
    }
  }
  for (const auto& [encoding, logs] : log_ratios_single) {
    std::printf("geometric mean ratio%s, %s: %.2f single-threaded", cpu ? " (CPU)" : "",
                encoding.c_str(), std::exp(logs.first / logs.second));
    if (multi) {
      const auto& many = log_ratios_multi[encoding];
      std::printf(", %.2f with %u threads", std::exp(many.first / many.second), options.threads);
    }
    std::printf(" (%d files)\n", logs.second);
  }
}

}  // namespace

int main(int argc, char** argv) try {
  const Options options = parse(argc, argv);
  const bool multi = options.threads > 1;

  auto started = Clock::now();
  std::string duckdb_version;
  const std::vector<InputFile> files = write_files(options, duckdb_version);
  std::fprintf(stderr, "DuckDB wrote and checksummed %zu files in %.2f s\n", files.size(),
               std::chrono::duration<double>(Clock::now() - started).count());
  std::printf("%lld rows per file, --encodings %s, %s, row groups of %lld rows, DuckDB %s\n",
              static_cast<long long>(options.rows), options.encodings.c_str(),
              options.compression.c_str(), static_cast<long long>(options.row_group_size),
              duckdb_version.c_str());
  std::printf("%-18s %-8s %-24s %10s %6s\n", "file", "physical", "encodings found", "MB", "groups");
  for (const InputFile& file : files) {
    std::printf("%-18s %-8s %-24s %10.2f %6lld\n", file.name.c_str(), file.physical_type.c_str(),
                joined(file.encodings, ",").c_str(), static_cast<double>(file.bytes) / 1e6,
                static_cast<long long>(file.row_groups));
  }
  check_encodings(options, files);

  std::unique_ptr<crv::parquet::DecodePool> pool;
  if (multi) pool = std::make_unique<crv::parquet::DecodePool>(options.threads);
  std::vector<Result> results(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    try {
      verify(files[i], nullptr);
    } catch (const std::exception& error) {
      results[i].error = error.what();
      continue;
    }
    try {
      if (pool) verify(files[i], pool.get());
    } catch (const std::exception& error) {
      results[i].error = fmt::format("{} threads: {}", options.threads, error.what());
    }
  }

  // The rounds: every file once in each mode, files and modes taking turns.
  const auto time_decode = [&](const InputFile& file, crv::parquet::DecodePool* mode, Best& best) {
    const double cpu_started = process_cpu_seconds();
    const auto started = Clock::now();
    const int64_t rows = decode_file(file.path, mode, {});
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    best.add(seconds, process_cpu_seconds() - cpu_started);
    if (rows != file.rows) throw std::runtime_error(file.name + ": rows differ between runs");
  };
  for (int run = 0; run < options.repeat; ++run) {
    for (size_t i = 0; i < files.size(); ++i) {
      if (results[i].error) continue;
      time_decode(files[i], nullptr, results[i].ours_single);
      if (multi) time_decode(files[i], pool.get(), results[i].ours_multi);
    }
  }

  if (options.peers) {
    std::vector<std::string> arguments = {"time", std::to_string(options.repeat),
                                          std::to_string(options.threads)};
    for (const InputFile& file : files) arguments.push_back(file.path.string());
    const nlohmann::json peers = crv::bench::run_peer_script("decode_peers.mjs", arguments);
    for (size_t i = 0; i < files.size(); ++i) {
      const nlohmann::json& timing = peers["files"][i];
      if (timing["path"].get<std::string>() != files[i].path.string()) {
        throw std::runtime_error("the DuckDB timings are not in the order of the files");
      }
      const auto best = [](const nlohmann::json& mode) {
        return Best{mode["seconds"].get<double>(), mode["cpu_seconds"].get<double>()};
      };
      results[i].peer_single = best(timing["single"]);
      if (multi) results[i].peer_multi = best(timing["multi"]);
    }
  }

  std::printf(
      "\ncrv-io: read_row_group over all row groups; DuckDB: SELECT bit_xor(v) (integers) or "
      "sum(v) (DOUBLE, FLOAT)\nratio = crv-io's rows/s over DuckDB's (above 1: crv-io "
      "faster)\n");
  print_table(options, files, results, false);
  print_table(options, files, results, true);
  int failures = 0;
  for (const Result& result : results) failures += result.error ? 1 : 0;
  if (failures == 0) {
    std::printf("checksums: crv-io's values match DuckDB's in all %zu files\n", files.size());
    return 0;
  }
  std::fflush(stdout);
  std::fprintf(stderr, "decode_bench: %d of %zu files not timed:\n", failures, files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    if (results[i].error) {
      std::fprintf(stderr, "  %s: %s\n", files[i].name.c_str(), results[i].error->c_str());
    }
  }
  return 1;
} catch (const std::exception& error) {
  std::fprintf(stderr, "decode_bench: %s\n", error.what());
  return 1;
}
