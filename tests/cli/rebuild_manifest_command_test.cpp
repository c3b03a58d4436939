// End-to-end tests of `crvio rebuild-manifest`: the JSON summary, and a manifest error for
// a stray file among the parts.

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

using CliRebuildManifest = CliRunFixture;

TEST_F(CliRebuildManifest, RebuildManifestPrintsASummaryWithTheIgnoredTemporaryFiles) {
  append_edges(0, 150);
  const fs::path manifest = io::manifest_path(settings_, kRun, kEdges);
  fs::remove(manifest);
  const fs::path leftover = io::bucket_dir(settings_, kRun, kEdges, 1) /
                            ("part-" + std::string(32, 'c') + ".parquet.tmp");
  std::ofstream(leftover) << "partial";

  const auto result = crvio({"rebuild-manifest", "--table", kEdges});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const ordered_json summary = ordered_json::parse(result.out);
  EXPECT_EQ(summary["rows"], 150);
  EXPECT_EQ(summary["partitions"], 2);
  EXPECT_EQ(summary["parts"], 2);
  EXPECT_EQ(summary["manifest"], manifest.string());
  EXPECT_EQ(summary["ignored_temp_files"], ordered_json::array({leftover.string()}));
  EXPECT_TRUE(fs::exists(manifest));
  EXPECT_TRUE(fs::exists(leftover));

  std::ofstream(io::bucket_dir(settings_, kRun, kEdges, 0) / "stray.parquet") << "x";
  expect_one_error_line(crvio({"rebuild-manifest", "--table", kEdges}), kExitManifest,
                        "stray.parquet");
}

}  // namespace
}  // namespace crv::cli
