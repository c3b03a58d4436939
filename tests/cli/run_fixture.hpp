#pragma once
// A fixture for end-to-end tests of the verbs that work on one run: a scratch dataset
// root, identity_edges rows to put in it, `crvio` run against it, and checks of what a
// failed command prints.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/run_crvio.hpp"
#include "crv/cli/main.hpp"
#include "crv/frame/builders.hpp"
#include "crv/io/dataset.hpp"
#include "support/temp_dir.hpp"

namespace crv::cli {

inline constexpr const char* kRun = "run-1";
inline constexpr const char* kEdges = "identity_edges";

// The edge_weight of the identity_edges rows CliRunFixture appends at `tick`.
inline double weight_of(int64_t tick) {
  return static_cast<double>(tick) / 4.0 - 3.0;
}

class CliRunFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    settings_.root_dir = root_;
    settings_.compression = parquet::Compression::kNone;
  }

  // identity_edges rows for ticks [first, first + count): edge_weight derives from the tick.
  void append_edges(int64_t first, int64_t count) {
    std::vector<int64_t> ticks;
    std::vector<double> weights;
    for (int64_t tick = first; tick < first + count; ++tick) {
      ticks.push_back(tick);
      weights.push_back(weight_of(tick));
    }
    const std::vector<std::string> same(ticks.size(), "agent");
    io::append(settings_, kRun, kEdges,
               frame::Frame({{"tick", frame::make_int64(ticks)},
                             {"observer_agent_id", frame::make_utf8(same)},
                             {"edge_kind", frame::make_utf8(same)},
                             {"edge_weight", frame::make_float64(weights)}}));
  }

  // `crvio VERB --root ROOT --run run-1 ARGS...`
  testing::CommandResult crvio(std::vector<std::string> args) {
    args.insert(args.begin() + 1, {"--root", root_.string(), "--run", kRun});
    return testing::run_crvio(args);
  }

  static std::vector<nlohmann::ordered_json> json_lines(const std::string& text) {
    std::vector<nlohmann::ordered_json> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      lines.push_back(nlohmann::ordered_json::parse(line));
    }
    return lines;
  }

  static void expect_one_error_line(const testing::CommandResult& result, int exit_code,
                                    const std::string& fragment) {
    EXPECT_EQ(result.exit_code, exit_code) << result.err;
    EXPECT_TRUE(result.out.empty()) << result.out;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_THAT(result.err, ::testing::HasSubstr(fragment));
  }

  // Usage errors are CLI11's: the problem, then a pointer to --help.
  static void expect_usage_error(const testing::CommandResult& result,
                                 const std::string& fragment) {
    EXPECT_EQ(result.exit_code, kExitUsage) << result.err;
    EXPECT_TRUE(result.out.empty()) << result.out;
    EXPECT_THAT(result.err, ::testing::HasSubstr(fragment));
  }

  test_support::TempDir scratch_;
  const std::filesystem::path root_ = scratch_.path();
  io::IoSettings settings_;
};

}  // namespace crv::cli
