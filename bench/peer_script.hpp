#pragma once
// Runs one of the peer scripts (tests/conformance/peers/*.mjs) under Node and returns the
// JSON it prints: how DuckDB and Polars fared on the same data in the same run.

#include <fmt/format.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace crv::bench {

// The peers are npm packages that only the test command installs; a checkout built with
// the first set-up command has none, and Node's own error would not say so.
inline void require_installed_peers(const std::filesystem::path& conformance_dir) {
  for (const char* package : {"@duckdb/node-api", "nodejs-polars"}) {
    if (!std::filesystem::exists(conformance_dir / "node_modules" / package)) {
      throw std::runtime_error(fmt::format(
          "the JavaScript peers are not installed ({} is missing from {}): run "
          "`scripts/install-deps.sh --with-oracles` (or `npm ci` in tests/conformance), or pass "
          "--no-peers where the benchmark offers it to time crv-io alone",
          package, (conformance_dir / "node_modules").string()));
    }
  }
}

inline nlohmann::json run_peer_script(const std::string& script,
                                      const std::vector<std::string>& arguments) {
  const std::filesystem::path conformance_dir =
      std::filesystem::path(CRV_SOURCE_DIR) / "tests/conformance";
  require_installed_peers(conformance_dir);
  std::string command = fmt::format("node '{}'", (conformance_dir / "peers" / script).string());
  for (const std::string& argument : arguments) command += fmt::format(" '{}'", argument);
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), &pclose);
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe.get())) output.append(buffer, n);
  const int status = pclose(pipe.release());
  if (status != 0) {
    throw std::runtime_error(fmt::format("{} failed (exit status {}); its output began: {}",
                                         command, WIFEXITED(status) ? WEXITSTATUS(status) : status,
                                         output.substr(0, 400)));
  }
  try {
    return nlohmann::json::parse(output);
  } catch (const nlohmann::json::parse_error&) {
    throw std::runtime_error(
        fmt::format("{} printed something other than JSON: {}", command, output.substr(0, 400)));
  }
}

}  // namespace crv::bench
