// End-to-end tests of `crvio export iceberg`: a JSON summary per table, a new version only
// when the table changed, the table over every run, and the errors of its arguments.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/run_fixture.hpp"
#include "crv/cli/main.hpp"
#include "crv/io/paths.hpp"

namespace crv::cli {
namespace {

namespace fs = std::filesystem;

class CliExport : public CliRunFixture {
 protected:
  // Appends leave the Iceberg metadata to the command under test.
  void SetUp() override {
    CliRunFixture::SetUp();
    settings_.iceberg_metadata = false;
  }

  // `crvio export iceberg --root ROOT ARGS...`
  testing::CommandResult export_iceberg(std::vector<std::string> args) {
    args.insert(args.begin(), {"export", "iceberg", "--root", settings_.root_dir.string()});
    return testing::run_crvio(args);
  }

  fs::path metadata_dir(const std::string& run, const std::string& table) const {
    return io::table_dir(settings_, run, table) / "metadata";
  }
};

TEST_F(CliExport, PublishesEveryTableOfTheRunOnceAndAgainAfterAChange) {
  append_edges(0, 150);
  const auto first = export_iceberg({"--run", kRun});
  ASSERT_EQ(first.exit_code, kExitOk) << first.err;
  const std::vector<nlohmann::ordered_json> lines = json_lines(first.out);
  ASSERT_EQ(lines.size(), 1u) << first.out;  // the only table with a manifest
  EXPECT_EQ(lines[0]["table"], kEdges);
  EXPECT_EQ(lines[0]["updated"], true);
  EXPECT_EQ(lines[0]["metadata_version"], 1);
  EXPECT_EQ(lines[0]["data_files"], 2);
  EXPECT_EQ(lines[0]["rows"], 150);
  EXPECT_EQ(lines[0]["metadata_file"],
            "file://" + (metadata_dir(kRun, kEdges) / "v1.metadata.json").string());
  EXPECT_TRUE(fs::exists(metadata_dir(kRun, kEdges) / "version-hint.text"));

  const auto again = export_iceberg({"--run", kRun, "--table", kEdges});
  ASSERT_EQ(again.exit_code, kExitOk) << again.err;
  EXPECT_EQ(json_lines(again.out).at(0)["updated"], false);

  append_edges(150, 10);
  const auto after = export_iceberg({"--run", kRun, "--table", kEdges});
  ASSERT_EQ(after.exit_code, kExitOk) << after.err;
  EXPECT_EQ(json_lines(after.out).at(0)["metadata_version"], 2);
  EXPECT_EQ(json_lines(after.out).at(0)["files_added"], 1);
}

TEST_F(CliExport, AllRunsMakeOneTableInTheFolderGiven) {
  append_edges(0, 10);
  const fs::path to = settings_.root_dir / "sweep" / "edges";
  const auto result = export_iceberg({"--all-runs", "--table", kEdges, "--to", to.string()});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const nlohmann::ordered_json summary = json_lines(result.out).at(0);
  EXPECT_EQ(summary["rows"], 10);
  EXPECT_EQ(summary["metadata_file"], "file://" + (to / "metadata" / "v1.metadata.json").string());
  EXPECT_TRUE(fs::exists(to / "metadata" / "v1.metadata.json"));
}

TEST_F(CliExport, ArgumentsThatDoNotFitAreUsageErrors) {
  append_edges(0, 10);
  expect_usage_error(export_iceberg({}), "--run");
  expect_usage_error(export_iceberg({"--all-runs", "--table", kEdges}), "needs --table and --to");
  expect_usage_error(export_iceberg({"--run", kRun, "--all-runs", "--table", kEdges, "--to", "x"}),
                     "excludes");
  expect_usage_error(export_iceberg({"--run", kRun, "--to", "x"}), "requires");
  EXPECT_FALSE(fs::exists(metadata_dir(kRun, kEdges)));
}

TEST_F(CliExport, ADestinationInsideTheRunsIsAConfigErrorAndAMissingTableAManifestError) {
  append_edges(0, 10);
  expect_one_error_line(export_iceberg({"--all-runs", "--table", kEdges, "--to",
                                        (io::run_root(settings_, kRun) / "sweep").string()}),
                        kExitConfig, "folder of its own");
  expect_one_error_line(export_iceberg({"--run", kRun, "--table", "holdings"}), kExitManifest,
                        "has no manifest");
}

}  // namespace
}  // namespace crv::cli
