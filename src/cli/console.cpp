// Progress and --verbose lines on standard error, and the --quiet/--verbose flags.

#include "cli/console.hpp"

#include <unistd.h>

#include <cstdio>

namespace crv::cli {
namespace {

Verbosity current_verbosity = Verbosity::kNormal;

constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

}  // namespace

void add_verbosity_flags(CLI::App& app) {
  // Fallthrough lets `crvio demo --quiet` reach the application's flags.
  app.fallthrough();
  auto* quiet = app.add_flag_callback(
      "-q,--quiet", [] { current_verbosity = Verbosity::kQuiet; },
      "No progress or details on stderr (errors still print)");
  auto* verbose = app.add_flag_callback(
      "-v,--verbose", [] { current_verbosity = Verbosity::kVerbose; },
      "Print details of the work on stderr");
  quiet->excludes(verbose);
}

Verbosity verbosity() {
  return current_verbosity;
}

void print_verbose(const std::string& line) {
  std::fprintf(stderr, "crvio: %s\n", line.c_str());
}

Progress::Progress(std::string label, int64_t total)
    : label_(std::move(label)),
      total_(total),
      enabled_(current_verbosity != Verbosity::kQuiet && isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() {
  // "\r" then erase-to-end-of-line leaves the terminal as it was before the first draw.
  if (drawn_) std::fputs("\r\033[K", stderr);
}

void Progress::update(int64_t done, const std::string& detail) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < kRedrawInterval && done != total_) return;
  last_draw_ = now;
  draw(done, detail);
}

void Progress::draw(int64_t done, const std::string& detail) {
  std::string line = total_ > 0
                         ? fmt::format("{}: {}/{} ({}%)", label_, done, total_, done * 100 / total_)
                         : fmt::format("{}: {}", label_, done);
  if (!detail.empty()) line += "  " + detail;
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace crv::cli
