#pragma once
// Runs the built `crvio` binary as a user would and captures what it prints.

#include <cstdint>
#include <string>
#include <vector>

namespace crv::cli::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `crvio ARGS...` with `input` on standard input and, when `address_space_bytes` is
// not zero, that much virtual memory at most (RLIMIT_AS).
CommandResult run_crvio(const std::vector<std::string>& args, const std::string& input = "",
                        uint64_t address_space_bytes = 0);

}  // namespace crv::cli::testing
