// End-to-end tests of `crvio bundle`: the bundle written and its path printed, and --meta
// checked before anything is written.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/run_fixture.hpp"
#include "crv/cli/main.hpp"
#include "crv/io/paths.hpp"

namespace crv::cli {
namespace {

namespace fs = std::filesystem;
using ordered_json = nlohmann::ordered_json;

using CliBundle = CliRunFixture;

TEST_F(CliBundle, BundleWritesTheBundleAndPrintsItsPath) {
  append_edges(0, 150);
  const auto result = crvio({"bundle", "--meta", R"({"seed": 7})"});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const fs::path path = io::bundle_manifest_path(settings_, kRun);
  EXPECT_EQ(result.out, path.string() + "\n");
  std::ifstream file(path);
  const ordered_json bundle = ordered_json::parse(file);
  EXPECT_EQ(bundle["meta"], ordered_json({{"seed", 7}}));
  EXPECT_EQ(bundle["tables"][kEdges]["rows"], 150);

  expect_usage_error(crvio({"bundle", "--meta", "[1, 2]"}),
                     "--meta: must be a JSON object, not array");
  expect_usage_error(crvio({"bundle", "--meta", "{oops"}), "--meta: not valid JSON");
}

// The bundle is printed by a recursive serializer, which such nesting used to overflow.
TEST_F(CliBundle, BundleMetaNestingIsBounded) {
  append_edges(0, 10);
  const auto meta = [](size_t levels) {
    return "{\"a\": " + std::string(levels - 1, '[') + std::string(levels - 1, ']') + "}";
  };
  EXPECT_EQ(crvio({"bundle", "--meta", meta(64)}).exit_code, kExitOk);
  for (size_t levels : {size_t{65}, size_t{60000}}) {
    SCOPED_TRACE(levels);
    expect_usage_error(crvio({"bundle", "--meta", meta(levels)}),
                       "--meta: objects and arrays nest deeper than 64 levels");
  }
}

}  // namespace
}  // namespace crv::cli
