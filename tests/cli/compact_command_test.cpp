// End-to-end tests of `crvio compact`: one JSON summary per table, one part per bucket
// afterwards with the same rows, and errors for a table that cannot be compacted.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/run_fixture.hpp"
#include "crv/cli/main.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/paths.hpp"

namespace crv::cli {
namespace {

namespace fs = std::filesystem;
using ordered_json = nlohmann::ordered_json;

using CliCompact = CliRunFixture;

int64_t parts_in(const fs::path& bucket_folder) {
  int64_t parts = 0;
  for (const auto& entry : fs::directory_iterator(bucket_folder)) {
    parts += entry.path().extension() == ".parquet" ? 1 : 0;
  }
  return parts;
}

TEST_F(CliCompact, CompactsEveryTableOfTheRunAndPrintsASummaryEach) {
  for (int64_t append = 0; append < 8; ++append) append_edges(append * 25, 25);  // 2 buckets
  io::Dataset dataset(settings_, kRun);
  const frame::Frame before = dataset.read(kEdges);

  const auto result = crvio({"compact"});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const std::vector<ordered_json> lines = json_lines(result.out);
  ASSERT_EQ(lines.size(), 1u) << result.out;  // the only table with a manifest
  EXPECT_EQ(lines[0]["table"], kEdges);
  EXPECT_EQ(lines[0]["parts_before"], 8);
  EXPECT_EQ(lines[0]["parts_after"], 2);
  EXPECT_EQ(lines[0]["rows"], 200);
  EXPECT_EQ(lines[0]["buckets"], ordered_json::array({0, 1}));
  EXPECT_EQ(parts_in(io::bucket_dir(settings_, kRun, kEdges, 0)), 1);
  EXPECT_EQ(parts_in(io::bucket_dir(settings_, kRun, kEdges, 1)), 1);
  EXPECT_TRUE(dataset.read(kEdges).equals(before));
}

TEST_F(CliCompact, ANamedTableWithoutAManifestIsAManifestError) {
  append_edges(0, 10);
  expect_one_error_line(crvio({"compact", "--table", "holdings"}), kExitManifest,
                        "has no manifest");
}

// A mistyped run or root is an error, not a run with nothing to compact or publish.
TEST_F(CliCompact, ARunWithoutAFolderIsAnErrorForCompactAndExport) {
  append_edges(0, 10);
  for (const std::vector<std::string>& verb :
       {std::vector<std::string>{"compact"}, std::vector<std::string>{"export", "iceberg"}}) {
    std::vector<std::string> args = verb;
    args.insert(args.end(), {"--root", root_.string(), "--run", "no-such-run"});
    const auto result = testing::run_crvio(args);
    EXPECT_EQ(result.exit_code, kExitIo) << verb[0] << ": " << result.err;
    EXPECT_NE(result.err.find("run 'no-such-run' has no folder"), std::string::npos) << result.err;
    EXPECT_FALSE(fs::exists(root_ / "runs" / "no-such-run"));
  }
}

TEST_F(CliCompact, AnUnknownTableIsAUsageError) {
  const auto result = crvio({"compact", "--table", "no_such_table"});
  EXPECT_NE(result.exit_code, kExitOk);
  EXPECT_NE(result.err.find("no_such_table"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace crv::cli
