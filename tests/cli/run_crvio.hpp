#pragma once
// Runs the built `crvio` binary as a user would and captures what it prints.

#include <string>
#include <vector>

namespace crv::cli::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `crvio ARGS...` with `input` on standard input.
CommandResult run_crvio(const std::vector<std::string>& args, const std::string& input = "");

}  // namespace crv::cli::testing
