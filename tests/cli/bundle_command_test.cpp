// End-to-end tests of `crvio bundle`: the bundle written, its path and the lab artifacts
// it lists printed, and --meta checked before anything is written.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/run_fixture.hpp"
#include "crv/cli/main.hpp"
#include "crv/frame/builders.hpp"
#include "crv/io/artifacts.hpp"
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

TEST_F(CliBundle, BundleListsTheLabArtifactsAfterItsPath) {
  const fs::path tidy = io::lab_dir(settings_, kRun, "tidy");
  const io::FileStat results =
      io::write_parquet_atomic(settings_, tidy / "results.parquet",
                               frame::Frame({{"tick", frame::make_int64({1, 2, 3})},
                                             {"score", frame::make_float64({0.5, 1.5, 2.5})}}));
  io::write_text_atomic(tidy / "readme.txt", "three scores\n");
  io::write_text_atomic(io::lab_dir(settings_, kRun, "audit") / "broken.parquet", "PAR1");

  const auto result = crvio({"bundle"});

  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  EXPECT_EQ(result.out,
            fmt::format("{}\n"
                        "  artifacts/lab/tidy/readme.txt: 13 bytes\n"
                        "  artifacts/lab/tidy/results.parquet: {} bytes, 3 rows\n"
                        "  artifacts/lab/audit/broken.parquet: 4 bytes\n",
                        io::bundle_manifest_path(settings_, kRun).string(), results.bytes));
  std::ifstream file(io::bundle_manifest_path(settings_, kRun));
  const ordered_json lab = ordered_json::parse(file)["artifacts"]["lab"];
  EXPECT_EQ(lab["tidy"][1], ordered_json({{"path", "artifacts/lab/tidy/results.parquet"},
                                          {"bytes", results.bytes},
                                          {"rows", 3}}));
  EXPECT_EQ(lab["audit"][0],
            ordered_json({{"path", "artifacts/lab/audit/broken.parquet"}, {"bytes", 4}}));
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
