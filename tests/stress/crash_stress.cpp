// Crash stress for `crvio append`: real crvio processes append to one table at the same
// time and are killed with SIGKILL at random instants. After every cycle, with all of
// them gone, the table must be exactly what the appends that got through committed:
//
//   - the committed state (`crvio manifest`, which reads the commit log) parses, its
//     totals add up, and every part it names exists with the recorded size and tick
//     range; manifest.json parses and is that state, or one a killed writer left behind
//     (fsck's manifest_behind, which --repair rewrites);
//   - `crvio read` of the whole table succeeds and returns the manifest's total;
//   - each input's rows are identifiable (agent_id "in<id>", quantity = row number), so
//     every input is seen all or nothing (one atomic append) or, with --commit-every, as
//     a prefix ending at a commit boundary, never with a row twice;
//   - an append that exited 0 is entirely visible, and with --commit-every every
//     "committed rows up to line N" it printed before being killed is visible;
//   - what an input has visible never changes once its process is gone (committed rows
//     never decrease, nothing appears late);
//   - `crvio fsck` reports only what a crash may leave (temporary files, unnamed parts,
//     bucket folders without committed parts, a manifest.json behind the log, an Iceberg
//     version-hint.text behind the newest version), exactly
//     the leftovers found by walking the folder, and nothing at all after a cycle without
//     kills on a clean table;
//   - `crvio fsck --repair` clears them without changing the committed state or a named
//     part, and a plain fsck then exits 0;
//   - a `crvio fsck --repair` killed half-way leaves the same guarantees for the next one;
//   - the next append works.
//
// Everything but the kill instants follows from --seed, so a failure replays with the
// seed it prints; Ctrl-C ends a long run after the current cycle, with its numbers. Usage:
//   crash_stress --crvio build/crvio [--cycles 100] [--seed N] [--dir DIR] [--keep]
//                [--max-processes 4] [--max-rows 100000] [--verbose] [--trace]

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr const char* kTable = "holdings";
constexpr int64_t kBucketSize = 100;  // crvio's default tick_bucket_size
constexpr int kExitFsckFindings = 11;

// Set by SIGINT / SIGTERM: the run stops after the current cycle, checks the table and
// prints its numbers.
volatile std::sig_atomic_t stop_requested = 0;

extern "C" void request_stop(int) {
  stop_requested = 1;
}

// A broken guarantee (or an unexpected result): reported with the seed, then exit 1.
class Failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <typename... Parts>
std::string cat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

void check(bool condition, const std::string& what) {
  if (!condition) throw Failure(what);
}

struct Options {
  fs::path crvio;
  uint64_t seed = 0;
  int64_t cycles = 100;
  fs::path dir;
  bool keep = false;
  int max_processes = 4;
  int64_t max_rows = 100000;
  bool verbose = false;
  bool trace = false;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "crash_stress: " << problem
            << "\nusage: crash_stress --crvio PATH [--cycles N] [--seed N] [--dir DIR] [--keep]\n"
               "                    [--max-processes N] [--max-rows N] [--verbose] [--trace]\n";
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options options;
  bool seed_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(arg + " needs a value");
      return argv[++i];
    };
    const auto number = [&]() -> int64_t {
      const std::string text = value();
      try {
        size_t used = 0;
        const long long parsed = std::stoll(text, &used);
        if (used != text.size() || parsed < 0) throw std::invalid_argument(text);
        return parsed;
      } catch (const std::exception&) {
        usage(arg + ": not a number: " + text);
      }
    };
    if (arg == "--crvio") {
      options.crvio = value();
    } else if (arg == "--cycles") {
      options.cycles = number();
    } else if (arg == "--seed") {
      options.seed = static_cast<uint64_t>(number());
      seed_given = true;
    } else if (arg == "--dir") {
      options.dir = value();
    } else if (arg == "--keep") {
      options.keep = true;
    } else if (arg == "--max-processes") {
      options.max_processes = static_cast<int>(std::clamp<int64_t>(number(), 1, 64));
    } else if (arg == "--max-rows") {
      options.max_rows = std::max<int64_t>(number(), 10);
    } else if (arg == "--verbose") {
      options.verbose = true;
    } else if (arg == "--trace") {
      options.verbose = true;
      options.trace = true;
    } else {
      usage("unknown argument " + arg);
    }
  }
  if (options.crvio.empty()) usage("--crvio is required");
  options.crvio = fs::absolute(options.crvio);
  if (!seed_given) options.seed = std::random_device{}() % 1000000000;
  if (options.dir.empty()) {
    options.dir = fs::temp_directory_path() / cat("crash-stress-", ::getpid());
  }
  options.dir = fs::absolute(options.dir);
  return options;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// ---------------------------------------------------------------------------------------
// Processes

struct Outcome {
  bool exited = false;  // else killed by a signal
  int code = 0;         // exit code, or the signal
  std::string out;
  std::string err;
};

std::string describe(const Outcome& outcome) {
  return outcome.exited ? cat("exit ", outcome.code) : cat("signal ", outcome.code);
}

Outcome outcome_of(int status) {
  Outcome outcome;
  if (WIFEXITED(status)) {
    outcome.exited = true;
    outcome.code = WEXITSTATUS(status);
  } else {
    outcome.code = WIFSIGNALED(status) ? WTERMSIG(status) : -1;
  }
  return outcome;
}

// Starts `args` (args[0] the binary) with stdin from /dev/null and stdout / stderr into
// the given files.
pid_t spawn(const std::vector<std::string>& args, const fs::path& out, const fs::path& err) {
  std::vector<std::string> copies = args;
  std::vector<char*> argv;
  for (std::string& arg : copies) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const std::string out_path = out.string();
  const std::string err_path = err.string();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) {
    // A process group of its own: Ctrl-C stops the harness, which then checks the table,
    // not the appends (which would then die of SIGINT instead of SIGKILL).
    ::setpgid(0, 0);
    const int in_fd = ::open("/dev/null", O_RDONLY);
    const int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in_fd < 0 || out_fd < 0 || err_fd < 0) ::_exit(126);
    ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitpid");
  }
  return status;
}

// ---------------------------------------------------------------------------------------
// Inputs: rows of the holdings table that name their input and their place in it.

enum class Format { kJsonl, kCsv, kParquet };

const char* extension(Format format) {
  switch (format) {
    case Format::kJsonl:
      return "jsonl";
    case Format::kCsv:
      return "csv";
    case Format::kParquet:
      return "parquet";
  }
  return "";
}

// One `crvio append` of one input file, and what became of it.
struct Attempt {
  int64_t id = 0;
  int64_t cycle = 0;
  int64_t rows = 0;
  Format format = Format::kJsonl;
  int64_t tick_first = 0;
  int64_t tick_span = 0;
  std::optional<int64_t> commit_every;
  std::optional<int64_t> batch_rows;
  std::optional<int64_t> row_group_size;
  std::string compression;
  bool probe = false;  // an append run to completion, never killed
  fs::path input;

  // The planned kill: `kill_after_ms` from the start or, with `kill_after_batch`, that
  // long after the append printed that it wrote batch `kill_after_batch` (its parts are
  // on disk; what follows is the next batch or the commit).
  std::optional<double> kill_after_ms;
  std::optional<int64_t> kill_after_batch;
  bool kill_sent = false;
  bool killed = false;     // died of SIGKILL
  bool succeeded = false;  // exited 0
  int64_t reported = 0;    // rows it said were committed before it died
  int64_t written = 0;     // rows of the batches it said it had written (parts on disk)
  int64_t visible = -1;    // rows of it the table held at the last check (-1: unchecked)
  double ms = 0;           // how long it ran

  std::string agent() const { return cat("in", id); }
  std::string label() const {
    return cat("append #", id, " (cycle ", cycle, ", ", rows, " rows of ", extension(format),
               commit_every ? cat(", --commit-every ", *commit_every) : std::string(),
               batch_rows ? cat(", --batch-rows ", *batch_rows) : std::string(), ")");
  }
};

int64_t tick_of(const Attempt& attempt, int64_t row) {
  return attempt.tick_first + row * attempt.tick_span / attempt.rows;
}

const char* token_of(const Attempt& attempt, int64_t row) {
  static const char* const kTokens[] = {"gold", "silver",
                                        "a-token-with-a-rather-longer-name-than-the-others"};
  return kTokens[(row * 7 + attempt.id) % 3];
}

void write_text_input(const Attempt& attempt, Format format, const fs::path& path, bool reorder) {
  std::string text;
  text.reserve(static_cast<size_t>(attempt.rows) * 80);
  if (format == Format::kCsv) {
    text += reorder ? "agent_id,quantity,tick,token_id\n" : "tick,agent_id,token_id,quantity\n";
  }
  for (int64_t row = 0; row < attempt.rows; ++row) {
    const int64_t tick = tick_of(attempt, row);
    const char* token = token_of(attempt, row);
    if (format == Format::kCsv) {
      text += reorder ? cat(attempt.agent(), ',', row, ',', tick, ',', token, '\n')
                      : cat(tick, ',', attempt.agent(), ',', token, ',', row, '\n');
    } else if (reorder) {
      text += cat("{\"quantity\": ", row, ", \"token_id\": \"", token, "\", \"agent_id\": \"",
                  attempt.agent(), "\", \"tick\": ", tick, "}\n");
    } else {
      text += cat("{\"tick\":", tick, ",\"agent_id\":\"", attempt.agent(), "\",\"token_id\":\"",
                  token, "\",\"quantity\":", row, "}\n");
    }
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error(cat("cannot write ", path));
}

// What `crvio -v append` said on stderr before it ended: the rows of the batches it had
// written ("batch K: N rows (...)"), and the rows that --commit-every commits put in the
// table: "committed rows up to line N of F" (JSON lines: N rows; CSV: the header is
// line 1) or "committed the first N rows of F" (Parquet).
void parse_progress(Attempt& attempt, const std::string& err) {
  static const std::regex kBatch(R"(^crvio: batch \d+: (\d+) rows )");
  static const std::regex kLines(R"(^crvio: committed rows up to line (\d+) of )");
  static const std::regex kRows(R"(^crvio: committed the first (\d+) rows of )");
  int64_t& reported = attempt.reported;
  std::istringstream lines(err);
  std::string line;
  std::smatch match;
  while (std::getline(lines, line)) {
    int64_t rows = -1;
    if (std::regex_search(line, match, kBatch)) {
      attempt.written += std::stoll(match[1]);
    } else if (std::regex_search(line, match, kLines)) {
      rows = std::stoll(match[1]) - (attempt.format == Format::kCsv ? 1 : 0);
    } else if (std::regex_search(line, match, kRows)) {
      rows = std::stoll(match[1]);
    }
    if (rows >= 0) {
      check(
          rows >= reported && rows <= attempt.rows,
          cat(attempt.label(), " reported ", rows, " rows committed after ", reported, ": ", line));
      reported = rows;
    }
  }
  check(attempt.written <= attempt.rows,
        cat(attempt.label(), " wrote ", attempt.written, " rows: ", err));
}

// ---------------------------------------------------------------------------------------
// The stress run

struct Stats {
  int64_t cycles = 0;
  int64_t epochs = 0;
  int64_t launched = 0;
  int64_t kills_sent = 0;
  int64_t killed = 0;
  int64_t completed = 0;            // exited 0 (including those a planned kill came too late for)
  int64_t killed_after_commit = 0;  // killed, yet the whole input was visible
  int64_t killed_partial = 0;       // killed with --commit-every, some chunks visible
  int64_t commit_reports = 0;       // killed appends that had reported a commit
  // Where the kills landed, by what the killed append had printed: no batch written yet
  // (start, reading, encoding, writing the first parts), some batches written, every
  // batch written (committing: lock, manifest write, exit).
  int64_t killed_before_parts = 0;
  int64_t killed_between_batches = 0;
  int64_t killed_committing = 0;
  int64_t appends_committed = 0;  // inputs entirely visible
  int64_t rows_committed = 0;
  int64_t probes = 0;
  int64_t repairs = 0;
  int64_t repairs_killed = 0;
  int64_t clean_cycles_checked = 0;
  std::map<std::string, int64_t> leftovers;  // by kind, as fsck names them
};

// What a look at the table folder finds, without crvio.
struct FolderState {
  std::set<fs::path> named_parts;  // absolute paths the committed state names
  int64_t manifest_rows = 0;
  std::string manifest_text;  // the committed state, as `crvio manifest` prints it
  bool manifest_json_behind = false;
  std::map<std::string, int64_t> leftovers;  // fsck's kinds
  int64_t quarantined = 0;
};

class Stress {
 public:
  explicit Stress(Options options) : options_(std::move(options)), rng_(options_.seed) {}

  void run() {
    fs::remove_all(options_.dir);
    for (const char* sub : {"root", "inputs", "logs", "scratch", "check"}) {
      fs::create_directories(options_.dir / sub);
    }
    const auto start = Clock::now();
    start_epoch();
    for (cycle_ = 1; cycle_ <= options_.cycles && stop_requested == 0; ++cycle_) {
      run_cycle();
      if (options_.verbose || cycle_ % 25 == 0 || cycle_ == options_.cycles) {
        std::cout << cat("cycle ", cycle_, ": ", stats_.launched, " appends, ", stats_.killed,
                         " killed, ", stats_.rows_committed + epoch_rows_, " rows committed")
                  << std::endl;
      }
      if (cycle_ == epoch_end_ && cycle_ < options_.cycles && stop_requested == 0) start_epoch();
    }
    if (stop_requested != 0) std::cout << "crash_stress: stopped by a signal" << std::endl;
    finish_epoch();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    print_summary(seconds);
    if (!options_.keep) fs::remove_all(options_.dir);
  }

  int64_t cycle() const { return cycle_; }
  const std::string& run_id() const { return run_id_; }

 private:
  fs::path root() const { return options_.dir / "root"; }
  fs::path table_dir() const { return root() / "runs" / run_id_ / "tables" / kTable; }
  fs::path manifest_path() const { return table_dir() / "manifest.json"; }

  std::vector<std::string> crvio(std::vector<std::string> args) const {
    args.insert(args.begin(), options_.crvio.string());
    return args;
  }
  std::vector<std::string> table_args(const std::string& verb) const {
    return crvio({verb, "--root", root().string(), "--run", run_id_, "--table", kTable});
  }

  // Runs a command to its end.
  Outcome run_command(const std::vector<std::string>& args) {
    const fs::path out = options_.dir / "logs" / "command.out";
    const fs::path err = options_.dir / "logs" / "command.err";
    Outcome outcome = outcome_of(wait_for(spawn(args, out, err)));
    outcome.out = read_file(out);
    outcome.err = read_file(err);
    return outcome;
  }

  Outcome run_expecting(const std::vector<std::string>& args, std::initializer_list<int> codes) {
    Outcome outcome = run_command(args);
    std::string command;
    for (const std::string& arg : args) command += (command.empty() ? "" : " ") + arg;
    check(outcome.exited && std::find(codes.begin(), codes.end(), outcome.code) != codes.end(),
          cat("`", command, "` ended with ", describe(outcome), "\nstderr: ", outcome.err));
    return outcome;
  }

  int64_t uniform(int64_t low, int64_t high) {  // inclusive
    return std::uniform_int_distribution<int64_t>(low, high)(rng_);
  }
  double unit() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }
  bool chance(double p) { return unit() < p; }
  // Log-uniform in [low, high], so small and large sizes are both common.
  int64_t log_uniform(int64_t low, int64_t high) {
    const double value = std::exp(
        std::log(static_cast<double>(low)) +
        unit() * (std::log(static_cast<double>(high)) - std::log(static_cast<double>(low))));
    return std::clamp<int64_t>(std::llround(value), low, high);
  }

  // ----- epochs: a fresh run every few cycles keeps the table, and each check, small.

  void start_epoch() {
    if (!run_id_.empty()) finish_epoch();
    ++stats_.epochs;
    run_id_ = cat("stress-", stats_.epochs);
    epoch_end_ = cycle_ + uniform(5, 30);
    attempts_.clear();
    epoch_rows_ = 0;
    clean_ = true;
    // A first append, never killed, so that the table has a manifest from the start:
    // without one, fsck cannot tell a killed first append's parts from committed ones.
    probe();
  }

  void finish_epoch() {
    const FolderState state = check_table();
    const FolderState after = check_fsck(state, false);
    repair(after);
    stats_.rows_committed += epoch_rows_;
    for (const Attempt& attempt : attempts_) {
      if (attempt.visible == attempt.rows) ++stats_.appends_committed;
    }
    epoch_rows_ = 0;
    attempts_.clear();
    fs::remove_all(root() / "runs" / run_id_);
  }

  // ----- inputs

  Attempt& new_attempt(bool probe) {
    Attempt attempt;
    attempt.id = ++next_id_;
    attempt.cycle = cycle_;
    attempt.probe = probe;
    attempt.rows = probe ? uniform(1, 50) : log_uniform(1, options_.max_rows);
    const int64_t format = uniform(0, 5);
    attempt.format = format < 3 ? Format::kJsonl : format < 5 ? Format::kCsv : Format::kParquet;
    attempt.tick_first = uniform(0, 3000);
    attempt.tick_span = chance(0.1) ? 0 : uniform(1, 1000);
    if (!probe && chance(0.4)) {
      attempt.commit_every = uniform(std::max<int64_t>(1, attempt.rows / 8), attempt.rows);
    }
    if (chance(0.3)) {
      attempt.batch_rows = uniform(std::max<int64_t>(1, attempt.rows / 10), attempt.rows);
    }
    if (chance(0.2)) attempt.row_group_size = uniform(1000, 20000);
    static const char* const kCompressions[] = {"", "zstd", "lz4", "snappy", "none"};
    attempt.compression = kCompressions[uniform(0, 4)];
    attempt.input = options_.dir / "inputs" / cat("in", attempt.id, ".", extension(attempt.format));
    const bool reorder = chance(0.5);
    if (attempt.format == Format::kParquet) {
      write_parquet_input(attempt, reorder);
    } else {
      write_text_input(attempt, attempt.format, attempt.input, reorder);
    }
    attempts_.push_back(attempt);
    return attempts_.back();
  }

  // Parquet inputs come from crvio itself: the rows appended to a scratch run and read
  // back with --format parquet (ticks never decrease, so the order is kept).
  void write_parquet_input(const Attempt& attempt, bool reorder) {
    const fs::path source = options_.dir / "inputs" / cat("in", attempt.id, ".source.jsonl");
    write_text_input(attempt, Format::kJsonl, source, reorder);
    const std::string run = cat("source-", attempt.id);
    const std::string scratch = (options_.dir / "scratch").string();
    run_expecting(crvio({"append", "--root", scratch, "--run", run, "--table", kTable,
                         "--batch-rows", "1000000", source.string()}),
                  {0});
    run_expecting(crvio({"read", "--root", scratch, "--run", run, "--table", kTable, "--format",
                         "parquet", "-o", attempt.input.string()}),
                  {0});
    fs::remove_all(options_.dir / "scratch" / "runs" / run);
    fs::remove(source);
  }

  std::vector<std::string> append_args(const Attempt& attempt) const {
    std::vector<std::string> args =
        crvio({"-v", "append", "--root", root().string(), "--run", run_id_, "--table", kTable});
    const auto add = [&args](const char* flag, const std::string& value) {
      args.push_back(flag);
      args.push_back(value);
    };
    if (attempt.commit_every) add("--commit-every", std::to_string(*attempt.commit_every));
    if (attempt.batch_rows) add("--batch-rows", std::to_string(*attempt.batch_rows));
    if (attempt.row_group_size) add("--row-group-size", std::to_string(*attempt.row_group_size));
    if (!attempt.compression.empty()) add("--compression", attempt.compression);
    args.push_back(attempt.input.string());
    return args;
  }

  // How long an append of `rows` rows is expected to take, learnt from the ones that ran
  // to the end; it only spreads the kill instants over the phases of an append.
  double expected_ms(int64_t rows) const {
    return base_ms_ + static_cast<double>(rows) * ms_per_row_;
  }
  void learn(const Attempt& attempt) {
    if (attempt.rows < 200) {
      base_ms_ = 0.8 * base_ms_ + 0.2 * attempt.ms;
    } else {
      const double per_row =
          std::max(0.0, attempt.ms - base_ms_) / static_cast<double>(attempt.rows);
      ms_per_row_ = 0.8 * ms_per_row_ + 0.2 * per_row;
    }
  }

  // How many batches an append reads (parts are written batch by batch).
  static int64_t batches(const Attempt& attempt) {
    constexpr int64_t kDefaultBatchRows = 65536;
    const int64_t per_batch = std::min(attempt.batch_rows.value_or(kDefaultBatchRows),
                                       attempt.commit_every.value_or(attempt.rows));
    if (!attempt.commit_every) return (attempt.rows + per_batch - 1) / per_batch;
    // Batches are cut at every commit boundary too.
    const int64_t per_chunk = (*attempt.commit_every + per_batch - 1) / per_batch;
    const int64_t chunks = attempt.rows / *attempt.commit_every;
    const int64_t rest = attempt.rows % *attempt.commit_every;
    return chunks * per_chunk + (rest + per_batch - 1) / per_batch;
  }

  // ----- one cycle

  void run_cycle() {
    ++stats_.cycles;
    const int64_t count = uniform(1, options_.max_processes);
    std::vector<size_t> indices;
    for (int64_t i = 0; i < count; ++i) {
      Attempt& attempt = new_attempt(false);
      // Most are killed: at a random instant between their start and a little after their
      // expected end, or a few milliseconds after they wrote a given batch, which lands
      // in the next batch's writes or in the commit. The rest run to the end while the
      // others die around them.
      const double plan = unit();
      if (plan < 0.45) {
        attempt.kill_after_ms = unit() * 1.2 * expected_ms(attempt.rows);
      } else if (plan < 0.8) {
        attempt.kill_after_batch = uniform(1, batches(attempt));
        attempt.kill_after_ms = unit() * unit() * 20.0;
      }
      indices.push_back(attempts_.size() - 1);
    }
    launch(indices);
    bool any_killed = false;
    for (const size_t index : indices) any_killed |= attempts_[index].killed;

    const FolderState state = check_table();
    const FolderState after_fsck = check_fsck(state, clean_ && !any_killed);
    if (clean_ && !any_killed) ++stats_.clean_cycles_checked;
    clean_ = after_fsck.leftovers.empty();
    if (chance(0.5)) {
      if (chance(0.3)) {
        // A repair killed half-way must leave a table that the next repair fixes.
        const FolderState left = interrupted_repair(after_fsck);
        repair(left, false);
        for (const auto& [kind, count] : after_fsck.leftovers) stats_.leftovers[kind] += count;
      } else {
        repair(after_fsck);
      }
    }
    probe();
    for (const size_t index : indices) fs::remove(attempts_[index].input);
  }

  // Starts the appends together and kills each at its instant, if it is still running.
  void launch(const std::vector<size_t>& indices) {
    struct Running {
      size_t index;
      pid_t pid;
      Clock::time_point start;
      bool done = false;
      fs::path err;
      uintmax_t err_size = 0;
      std::optional<Clock::time_point> batch_seen;  // when the kill batch was reported
    };
    std::vector<Running> running;
    for (const size_t index : indices) {
      Attempt& attempt = attempts_[index];
      const fs::path log = options_.dir / "logs" / cat("append-", attempt.id);
      running.push_back(
          {index, spawn(append_args(attempt), cat(log.string(), ".out"), cat(log.string(), ".err")),
           Clock::now(), false, cat(log.string(), ".err")});
      ++stats_.launched;
    }
    // On a failure, the appends still running are killed and reaped before it goes on.
    struct Reaper {
      std::vector<Running>& running;
      ~Reaper() {
        for (const Running& process : running) {
          if (process.done) continue;
          ::kill(process.pid, SIGKILL);
          int status = 0;
          ::waitpid(process.pid, &status, 0);
        }
      }
    } reaper{running};
    size_t left = running.size();
    while (left > 0) {
      for (Running& process : running) {
        if (process.done) continue;
        Attempt& attempt = attempts_[process.index];
        int status = 0;
        const pid_t reaped = ::waitpid(process.pid, &status, WNOHANG);
        if (reaped < 0 && errno != EINTR) {
          throw std::system_error(errno, std::generic_category(), "waitpid");
        }
        const Clock::time_point now = Clock::now();
        const double ms = std::chrono::duration<double, std::milli>(now - process.start).count();
        if (reaped != process.pid && attempt.kill_after_batch && !process.batch_seen) {
          std::error_code error;
          const uintmax_t size = fs::file_size(process.err, error);
          if (!error && size != process.err_size) {
            process.err_size = size;
            const std::string err = read_file(process.err);
            int64_t printed = 0;
            for (size_t at = err.find("crvio: batch "); at != std::string::npos;
                 at = err.find("crvio: batch ", at + 1)) {
              ++printed;
            }
            if (printed >= *attempt.kill_after_batch) process.batch_seen = now;
          }
        }
        const double kill_ms =
            !attempt.kill_after_ms      ? 0.0
            : !attempt.kill_after_batch ? ms
            : process.batch_seen
                ? std::chrono::duration<double, std::milli>(now - *process.batch_seen).count()
                : -1.0;
        if (reaped == process.pid) {
          process.done = true;
          --left;
          attempt.ms = ms;
          finish(attempt, outcome_of(status));
        } else if (attempt.kill_after_ms && !attempt.kill_sent &&
                   kill_ms >= *attempt.kill_after_ms) {
          // Not reaped yet, so the pid is still this child's (perhaps a zombie).
          ::kill(process.pid, SIGKILL);
          attempt.kill_sent = true;
          ++stats_.kills_sent;
        }
      }
      if (left > 0) {
        const timespec pause{0, 200000};
        ::nanosleep(&pause, nullptr);
      }
    }
  }

  void finish(Attempt& attempt, Outcome outcome) {
    const fs::path log = options_.dir / "logs" / cat("append-", attempt.id);
    outcome.out = read_file(cat(log.string(), ".out"));
    outcome.err = read_file(cat(log.string(), ".err"));
    fs::remove(cat(log.string(), ".out"));
    fs::remove(cat(log.string(), ".err"));
    parse_progress(attempt, outcome.err);
    if (!outcome.exited && outcome.code == SIGKILL && attempt.kill_sent) {
      attempt.killed = true;
      ++stats_.killed;
      if (attempt.reported > 0) ++stats_.commit_reports;
      if (attempt.written == 0) {
        ++stats_.killed_before_parts;
      } else if (attempt.written < attempt.rows) {
        ++stats_.killed_between_batches;
      } else {
        ++stats_.killed_committing;
      }
      trace(attempt);
      return;
    }
    check(outcome.exited && outcome.code == 0,
          cat(attempt.label(), " ended with ", describe(outcome), "\nstderr: ", outcome.err));
    attempt.succeeded = true;
    ++stats_.completed;
    trace(attempt);
    const json summary = json::parse(outcome.out);
    check(summary.at("rows").get<int64_t>() == attempt.rows && summary.at("table") == kTable,
          cat(attempt.label(), " printed a summary of other rows: ", outcome.out));
    check(
        !attempt.commit_every || attempt.reported == attempt.rows,
        cat(attempt.label(), " succeeded but reported only ", attempt.reported, " rows committed"));
    learn(attempt);
  }

  void trace(const Attempt& attempt) const {
    if (!options_.trace) return;
    std::cout << cat("  ", attempt.label(), ": ", attempt.killed ? "killed" : "exited 0", " after ",
                     std::llround(attempt.ms), " ms",
                     attempt.kill_after_ms
                         ? cat(" (kill planned ", std::llround(*attempt.kill_after_ms),
                               " ms after ",
                               attempt.kill_after_batch ? cat("batch ", *attempt.kill_after_batch)
                                                        : std::string("the start"),
                               ")")
                         : std::string(),
                     ", ", attempt.written, " rows written, ", attempt.reported,
                     " reported committed")
              << std::endl;
  }

  // An append run to its end: the next append after a crash (and after a repair) works.
  void probe() {
    Attempt& attempt = new_attempt(true);
    ++stats_.probes;
    ++stats_.launched;
    const auto start = Clock::now();
    const fs::path log = options_.dir / "logs" / cat("append-", attempt.id);
    const Outcome outcome = outcome_of(wait_for(
        spawn(append_args(attempt), cat(log.string(), ".out"), cat(log.string(), ".err"))));
    attempt.ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    finish(attempt, outcome);
    fs::remove(attempt.input);
  }

  // ----- checks

  // The manifest, the parts it names, and the rows `crvio read` returns, against what
  // every append of this epoch may and must have committed.
  FolderState check_table() {
    FolderState state;
    check(fs::exists(manifest_path()), cat("no manifest at ", manifest_path()));
    json written;
    try {
      written = json::parse(read_file(manifest_path()));
    } catch (const json::exception& error) {
      throw Failure(cat("manifest.json does not parse: ", error.what()));
    }
    const Outcome shown = run_expecting(table_args("manifest"), {0});
    state.manifest_text = shown.out;
    const json manifest = json::parse(shown.out);
    // A writer killed before it closed leaves manifest.json at its last checkpoint.
    state.manifest_json_behind = written.at("partitions") != manifest.at("partitions");

    static const std::regex kPartName("part-[0-9a-f]{32}\\.parquet");
    check(manifest.at("table") == kTable, "manifest of another table");
    for (const auto& [key, partition] : manifest.at("partitions").items()) {
      const int64_t bucket = partition.at("bucket_id").get<int64_t>();
      char expected_key[32];
      std::snprintf(expected_key, sizeof expected_key, "%06lld", static_cast<long long>(bucket));
      check(key == expected_key, cat("partition ", key, " holds bucket ", bucket));
      int64_t rows = 0;
      int64_t bytes = 0;
      int64_t tick_min = INT64_MAX;
      int64_t tick_max = INT64_MIN;
      check(!partition.at("parts").empty(), cat("partition ", key, " has no parts"));
      for (const json& part : partition.at("parts")) {
        const std::string name = part.at("path").get<std::string>();
        check(std::regex_match(name, kPartName), cat("part name ", name));
        const fs::path path = table_dir() / cat("bucket=", key) / name;
        std::error_code error;
        const auto size = fs::file_size(path, error);
        check(!error, cat("named part ", path, " is missing: ", error.message()));
        check(static_cast<int64_t>(size) == part.at("bytes").get<int64_t>(),
              cat("named part ", path, " has ", size, " bytes, the manifest says ",
                  part.at("bytes")));
        check(state.named_parts.insert(path).second, cat("part named twice: ", path));
        const int64_t part_min = part.at("tick_min").get<int64_t>();
        const int64_t part_max = part.at("tick_max").get<int64_t>();
        check(part_min <= part_max && part_min / kBucketSize == bucket &&
                  part_max / kBucketSize == bucket,
              cat("part ", path, " has ticks ", part_min, "..", part_max, " outside its bucket"));
        rows += part.at("rows").get<int64_t>();
        bytes += part.at("bytes").get<int64_t>();
        tick_min = std::min(tick_min, part_min);
        tick_max = std::max(tick_max, part_max);
      }
      check(rows == partition.at("row_count").get<int64_t>() &&
                bytes == partition.at("byte_size").get<int64_t>() &&
                tick_min == partition.at("tick_min").get<int64_t>() &&
                tick_max == partition.at("tick_max").get<int64_t>(),
            cat("partition ", key, " totals do not add up"));
      state.manifest_rows += rows;
    }

    const fs::path rows_file = options_.dir / "check" / "rows.csv";
    std::vector<std::string> read = table_args("read");
    for (const char* arg : {"--columns", "agent_id,quantity", "--format", "csv", "-o"}) {
      read.push_back(arg);
    }
    read.push_back(rows_file.string());
    run_expecting(read, {0});
    check_rows(rows_file, state.manifest_rows);
    fs::remove(rows_file);
    return state;
  }

  void check_rows(const fs::path& rows_file, int64_t manifest_rows) {
    std::map<std::string, size_t> by_agent;
    for (size_t i = 0; i < attempts_.size(); ++i) by_agent[attempts_[i].agent()] = i;
    std::vector<std::vector<bool>> seen(attempts_.size());
    std::vector<int64_t> counts(attempts_.size(), 0);
    std::ifstream in(rows_file);
    std::string line;
    check(std::getline(in, line) && line == "agent_id,quantity", "read: unexpected header");
    int64_t total = 0;
    while (std::getline(in, line)) {
      ++total;
      const size_t comma = line.find(',');
      check(comma != std::string::npos, cat("read: bad line ", line));
      const auto found = by_agent.find(line.substr(0, comma));
      check(found != by_agent.end(), cat("read: a row of no append: ", line));
      const Attempt& attempt = attempts_[found->second];
      const int64_t row = std::stoll(line.substr(comma + 1));
      check(row >= 0 && row < attempt.rows, cat("read: row out of range: ", line));
      std::vector<bool>& marks = seen[found->second];
      if (marks.empty()) marks.resize(static_cast<size_t>(attempt.rows));
      check(!marks[static_cast<size_t>(row)],
            cat(attempt.label(), ": row ", row, " is visible twice"));
      marks[static_cast<size_t>(row)] = true;
      ++counts[found->second];
    }
    check(total == manifest_rows,
          cat("read returned ", total, " rows, the manifest counts ", manifest_rows));

    epoch_rows_ = 0;
    for (size_t i = 0; i < attempts_.size(); ++i) {
      Attempt& attempt = attempts_[i];
      const int64_t visible = counts[i];
      epoch_rows_ += visible;
      // Visible rows are the input's first `visible` rows.
      for (int64_t row = 0; row < visible; ++row) {
        check(seen[i][static_cast<size_t>(row)],
              cat(attempt.label(), ": ", visible, " rows visible but not its first ", visible));
      }
      if (attempt.commit_every) {
        check(visible % *attempt.commit_every == 0 || visible == attempt.rows,
              cat(attempt.label(), ": ", visible, " rows visible, not a commit boundary"));
      } else {
        check(visible == 0 || visible == attempt.rows,
              cat(attempt.label(), ": partly visible, ", visible, " rows"));
      }
      check(!attempt.succeeded || visible == attempt.rows,
            cat(attempt.label(), " exited 0 but only ", visible, " rows are visible"));
      check(visible >= attempt.reported, cat(attempt.label(), " reported ", attempt.reported,
                                             " rows committed, but ", visible, " are visible"));
      // Its process is gone: what it committed is final.
      check(attempt.visible < 0 || visible == attempt.visible,
            cat(attempt.label(), ": ", attempt.visible, " rows were visible, now ", visible));
      if (attempt.visible < 0 && attempt.killed) {
        if (visible == attempt.rows) ++stats_.killed_after_commit;
        if (visible > 0 && visible < attempt.rows) ++stats_.killed_partial;
      }
      attempt.visible = visible;
    }
  }

  // What a crash may leave, found by walking the table folder.
  // The Iceberg version version-hint.text names exists, or a newer one does (a killed
  // update linked it but had not moved the hint yet).
  void check_iceberg_hint(const fs::path& folder) const {
    std::ifstream hint(folder / "version-hint.text");
    int64_t version = 0;
    if (!(hint >> version)) return;  // none yet, or cut short by the kill while replaced
    check(fs::exists(folder / cat("v", version, ".metadata.json")) ||
              fs::exists(folder / cat("v", version + 1, ".metadata.json")),
          cat("version-hint.text names Iceberg version ", version, ", which is not there"));
  }

  // Whether version-hint.text is missing or names an older version than the newest (a
  // killed update linked its version but had not moved the hint yet): fsck reports that,
  // and --repair points it at the newest.
  static bool iceberg_hint_lags(const fs::path& folder) {
    static const std::regex kVersion("v([0-9]+)\\.metadata\\.json");
    int64_t newest = 0;
    for (const fs::directory_entry& file : fs::directory_iterator(folder)) {
      std::smatch match;
      const std::string name = file.path().filename().string();
      if (std::regex_match(name, match, kVersion))
        newest = std::max<int64_t>(newest, std::stoll(match[1]));
    }
    if (newest == 0) return false;
    std::ifstream hint(folder / "version-hint.text");
    int64_t version = 0;
    return !(hint >> version) || version < newest;
  }

  FolderState walk(FolderState state) const {
    state.leftovers.clear();
    state.quarantined = 0;
    if (state.manifest_json_behind) ++state.leftovers["manifest_behind"];
    static const std::regex kBucket("bucket=[0-9]{6,}");
    for (const fs::directory_entry& entry : fs::directory_iterator(table_dir())) {
      const std::string name = entry.path().filename().string();
      if (name == "manifest.json" || name == "table.json" || name == ".lock") continue;
      if (name == "_log") {
        // Entries, checkpoints and their pointer; a killed writer's temporary files.
        for (const fs::directory_entry& file : fs::directory_iterator(entry.path())) {
          if (file.path().filename().string().find(".tmp-") != std::string::npos) {
            ++state.leftovers["temporary_file"];
            ++state.leftovers["temporary_log_file"];
          }
        }
        continue;
      }
      if (name == "metadata") {
        // The Iceberg metadata; a killed update's temporary files, and the version the
        // hint names must exist.
        for (const fs::directory_entry& file : fs::directory_iterator(entry.path())) {
          if (file.path().filename().string().find(".tmp-") != std::string::npos) {
            ++state.leftovers["temporary_file"];
            ++state.leftovers["temporary_iceberg_file"];
          }
        }
        check_iceberg_hint(entry.path());
        if (iceberg_hint_lags(entry.path())) ++state.leftovers["iceberg_hint_behind"];
        continue;
      }
      if (name.starts_with("manifest.json.tmp-") || name.starts_with("table.json.tmp-")) {
        ++state.leftovers["temporary_file"];
        ++state.leftovers["temporary_manifest"];
        continue;
      }
      if (name == "quarantine") {
        for (const auto& file : fs::recursive_directory_iterator(entry.path())) {
          if (file.is_regular_file()) ++state.quarantined;
        }
        continue;
      }
      check(entry.is_directory() && std::regex_match(name, kBucket),
            cat("unexpected entry in the table folder: ", entry.path()));
      bool committed = false;
      for (const fs::directory_entry& file : fs::directory_iterator(entry.path())) {
        const std::string file_name = file.path().filename().string();
        if (state.named_parts.contains(file.path())) {
          committed = true;
        } else if (file_name.ends_with(".tmp")) {
          ++state.leftovers["temporary_file"];
          ++state.leftovers["temporary_part"];
        } else if (file_name.ends_with(".parquet")) {
          ++state.leftovers["unnamed_part"];
        } else {
          throw Failure(cat("unexpected file in a bucket folder: ", file.path()));
        }
      }
      if (!committed) ++state.leftovers["bucket_folder_without_parts"];
    }
    return state;
  }

  static std::map<std::string, int64_t> fsck_kinds(const std::map<std::string, int64_t>& found) {
    std::map<std::string, int64_t> kinds;
    for (const auto& [kind, count] : found) {
      if (kind != "temporary_part" && kind != "temporary_manifest" &&
          kind != "temporary_log_file" && kind != "temporary_iceberg_file") {
        kinds[kind] = count;
      }
    }
    return kinds;
  }

  // `crvio fsck` (no repair): only allowed leftovers, exactly those the folder holds;
  // none at all when `expect_clean`.
  FolderState check_fsck(const FolderState& table, bool expect_clean) {
    const FolderState state = walk(table);
    const Outcome outcome = run_expecting(table_args("fsck"), {0, kExitFsckFindings});
    const json report = json::parse(outcome.out);
    const json& table_report = report.at("tables").at(kTable);
    check(report.at("consistent").get<bool>() == (outcome.code == 0),
          "fsck's exit code and its \"consistent\" disagree");
    check(table_report.at("parts_checked").get<int64_t>() ==
              static_cast<int64_t>(table.named_parts.size()),
          cat("fsck checked ", table_report.at("parts_checked"), " parts, the manifest names ",
              table.named_parts.size()));
    std::map<std::string, int64_t> reported;
    for (const auto& [kind, findings] : table_report.at("findings").items()) {
      check(kind == "temporary_file" || kind == "unnamed_part" ||
                kind == "bucket_folder_without_parts" || kind == "manifest_behind" ||
                kind == "iceberg_hint_behind",
            cat("fsck found ", kind, ": ", findings.dump()));
      for (const json& finding : findings) {
        check(finding.at("repair") == "none", cat("fsck without --repair repaired ", finding));
      }
      reported[kind] = static_cast<int64_t>(findings.size());
    }
    check(reported == fsck_kinds(state.leftovers),
          cat("fsck reports ", json(reported).dump(), ", the folder holds ",
              json(fsck_kinds(state.leftovers)).dump()));
    check(!expect_clean || outcome.code == 0,
          cat("appends that all ran to the end left ", table_report.at("findings").dump()));
    return state;
  }

  // `crvio fsck --repair`, then fsck is clean, the manifest and named parts untouched,
  // and the unnamed parts in quarantine.
  // `crvio fsck --repair` killed after a random few milliseconds: the manifest and the
  // committed rows stay as they were, and fsck still finds only allowed leftovers.
  FolderState interrupted_repair(const FolderState& before) {
    std::vector<std::string> args = table_args("fsck");
    args.push_back("--repair");
    const double kill_after_ms = unit() * 30.0;
    const fs::path log = options_.dir / "logs" / "repair";
    const pid_t pid = spawn(args, cat(log.string(), ".out"), cat(log.string(), ".err"));
    const auto start = Clock::now();
    int status = 0;
    bool kill_sent = false;
    while (true) {
      const pid_t reaped = ::waitpid(pid, &status, WNOHANG);
      if (reaped == pid) break;
      if (reaped < 0 && errno != EINTR) {
        throw std::system_error(errno, std::generic_category(), "waitpid");
      }
      if (!kill_sent && std::chrono::duration<double, std::milli>(Clock::now() - start).count() >=
                            kill_after_ms) {
        ::kill(pid, SIGKILL);  // not reaped yet, so still this child
        kill_sent = true;
      }
      const timespec pause{0, 200000};
      ::nanosleep(&pause, nullptr);
    }
    const Outcome outcome = outcome_of(status);
    check((outcome.exited && outcome.code == 0) || (!outcome.exited && outcome.code == SIGKILL),
          cat("`crvio fsck --repair` ended with ", describe(outcome),
              "\nstderr: ", read_file(cat(log.string(), ".err"))));
    if (!outcome.exited) ++stats_.repairs_killed;
    const FolderState state = check_table();
    check(state.manifest_text == before.manifest_text,
          "an interrupted repair changed the committed state");
    return check_fsck(state, false);
  }

  void repair(const FolderState& before, bool count = true) {
    ++stats_.repairs;
    std::vector<std::string> args = table_args("fsck");
    args.push_back("--repair");
    const Outcome repaired = run_expecting(args, {0});
    const json report = json::parse(repaired.out);
    for (const auto& [kind, findings] : report.at("tables").at(kTable).at("findings").items()) {
      for (const json& finding : findings) {
        check(finding.at("repair") != "none", cat("repair left ", finding));
      }
    }
    run_expecting(table_args("fsck"), {0});
    FolderState repaired_state = before;
    repaired_state.manifest_json_behind = false;  // checked against the log below
    const FolderState after = walk(repaired_state);
    check(after.leftovers.empty(),
          cat("after repair the folder still holds ", json(after.leftovers).dump()));
    const auto unnamed = before.leftovers.find("unnamed_part");
    check(after.quarantined ==
              before.quarantined + (unnamed == before.leftovers.end() ? 0 : unnamed->second),
          cat("quarantine holds ", after.quarantined, " parts, expected ", before.quarantined,
              " plus the unnamed ones"));
    const Outcome shown = run_expecting(table_args("manifest"), {0});
    check(shown.out == before.manifest_text, "repair changed the committed state");
    check(json::parse(read_file(manifest_path())) == json::parse(shown.out),
          "after repair manifest.json is not the committed state");
    for (const fs::path& part : before.named_parts) {
      check(fs::exists(part), cat("repair removed the named part ", part));
    }
    if (count) {
      for (const auto& [kind, found] : before.leftovers) stats_.leftovers[kind] += found;
    }
    clean_ = true;
  }

  void print_summary(double seconds) const {
    std::cout << cat("crash_stress: seed ", options_.seed, ", ", stats_.cycles, " cycles in ",
                     std::llround(seconds), " s, ", stats_.epochs, " tables\n",
                     "  appends: ", stats_.launched, " launched (", stats_.probes,
                     " never killed), ", stats_.kills_sent, " kills sent, ", stats_.killed,
                     " killed, ", stats_.completed, " exited 0\n",
                     "  killed appends: ", stats_.killed_after_commit,
                     " after their commit (entirely visible), ", stats_.killed_partial,
                     " with some --commit-every chunks visible, ", stats_.commit_reports,
                     " had reported a commit\n", "  kills landed: ", stats_.killed_before_parts,
                     " before any part was written, ", stats_.killed_between_batches,
                     " between batches, ", stats_.killed_committing,
                     " with every part written (committing)\n",
                     "  committed: ", stats_.appends_committed, " whole appends, ",
                     stats_.rows_committed, " rows\n", "  fsck: ", stats_.clean_cycles_checked,
                     " cycles without kills were clean, ", stats_.repairs, " repairs (and ",
                     stats_.repairs_killed, " killed half-way) cleared ",
                     json(stats_.leftovers).dump(), "\n", "  failures: 0")
              << std::endl;
  }

  Options options_;
  std::mt19937_64 rng_;
  Stats stats_;
  std::vector<Attempt> attempts_;  // of the current epoch
  std::string run_id_;
  int64_t cycle_ = 0;
  int64_t epoch_end_ = 0;
  int64_t epoch_rows_ = 0;
  int64_t next_id_ = 0;
  bool clean_ = true;  // no leftovers since the last repair
  double base_ms_ = 20.0;
  double ms_per_row_ = 0.005;
};

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  std::cout << "crash_stress: seed " << options.seed << ", " << options.cycles
            << " cycles, work folder " << options.dir << std::endl;
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  Stress stress(options);
  try {
    stress.run();
  } catch (const Failure& failure) {
    std::cerr << "crash_stress: FAILED in cycle " << stress.cycle() << " (run " << stress.run_id()
              << "): " << failure.what() << "\nreplay with --seed " << options.seed
              << "; the table is kept in " << options.dir << std::endl;
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "crash_stress: error in cycle " << stress.cycle() << ": " << error.what()
              << "\nreplay with --seed " << options.seed << "; files kept in " << options.dir
              << std::endl;
    return 1;
  }
  return 0;
}
