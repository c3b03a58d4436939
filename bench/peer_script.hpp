#pragma once
// Runs one of the peer scripts (tests/conformance/peers/*.mjs) under Node and returns the
// JSON it prints: how DuckDB and Polars fared on the same data in the same run.

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace crv::bench {

inline nlohmann::json run_peer_script(const std::string& script,
                                      const std::vector<std::string>& arguments) {
  std::string command = fmt::format(
      "node '{}'",
      (std::filesystem::path(CRV_SOURCE_DIR) / "tests/conformance/peers" / script).string());
  for (const std::string& argument : arguments) command += fmt::format(" '{}'", argument);
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), &pclose);
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe.get())) output.append(buffer, n);
  return nlohmann::json::parse(output);
}

}  // namespace crv::bench
