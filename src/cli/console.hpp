#pragma once
// What `crvio` tells a person on standard error, as opposed to the results it prints on
// standard output: progress of long work and --verbose details.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <string>

namespace crv::cli {

enum class Verbosity { kQuiet, kNormal, kVerbose };

// --quiet and --verbose on the application; subcommands accept them too.
void add_verbosity_flags(CLI::App& app);
Verbosity verbosity();

// One detail line on stderr, printed only with --verbose.
void print_verbose(const std::string& line);

template <typename... Args>
void verbose(fmt::format_string<Args...> format, Args&&... args) {
  if (verbosity() == Verbosity::kVerbose) {
    print_verbose(fmt::format(format, std::forward<Args>(args)...));
  }
}

// A progress line for long work, redrawn in place on stderr at most ten times a second.
// It shows only when stderr is a terminal and --quiet is not given, so pipes and logs
// stay clean; the line is erased when the work ends.
class Progress {
 public:
  // `total` 0 means unknown: the line then shows only the count done.
  Progress(std::string label, int64_t total = 0);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void update(int64_t done, const std::string& detail = {});

 private:
  void draw(int64_t done, const std::string& detail);

  std::string label_;
  int64_t total_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace crv::cli
