// End-to-end tests of `crvio fsck`: the JSON report, exit code 0 for consistent tables
// and kExitFsckFindings while findings remain, repair, and errors for bad names.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/run_crvio.hpp"
#include "cli/run_fixture.hpp"
#include "crv/cli/main.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/paths.hpp"
#include "io/dataset_test_util.hpp"
#include "io/part_damage.hpp"
#include "support/temp_dir.hpp"

namespace crv::cli {
namespace {

namespace fs = std::filesystem;
using io::dataset_test::edge_rows;
using io::dataset_test::snapshot_tree;
using io::dataset_test::tick_range;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::run_crvio;

constexpr const char* kHoldings = "holdings";

class CliFsck : public ::testing::Test {
 protected:
  io::AppendSummary append_edges(const std::vector<int64_t>& ticks) {
    io::Dataset dataset(settings_, kRun);
    return dataset.append(kEdges, edge_rows(ticks));
  }

  void append_holdings() {
    io::Dataset dataset(settings_, kRun);
    const std::vector<std::string> same(3, "a");
    dataset.append(kHoldings, frame::Frame({{"tick", frame::make_int64({1, 2, 3})},
                                            {"agent_id", frame::make_utf8(same)},
                                            {"token_id", frame::make_utf8(same)},
                                            {"quantity", frame::make_int64({4, 5, 6})}}));
  }

  testing::CommandResult fsck(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"fsck", "--root", settings_.root_dir.string(), "--run", kRun};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_crvio(args);
  }

  fs::path bucket(int64_t id) const { return io::bucket_dir(settings_, kRun, kEdges, id); }

  test_support::TempDir scratch_;
  io::IoSettings settings_ = io::dataset_test::test_settings(scratch_ / "data");
};

// The report printed on stdout: exactly one JSON object on one line.
nlohmann::json report_of(const testing::CommandResult& result) {
  EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 1) << result.out;
  return nlohmann::json::parse(result.out);
}

TEST_F(CliFsck, AConsistentRunExitsZeroAndPrintsTheReport) {
  append_edges(tick_range(0, 150));
  append_holdings();

  const auto result = fsck();

  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  EXPECT_EQ(result.err, "");
  const auto report = report_of(result);
  EXPECT_EQ(report["run_id"], kRun);
  EXPECT_EQ(report["repair"], false);
  EXPECT_EQ(report["consistent"], true);
  ASSERT_EQ(report["tables"].size(), 2u);
  EXPECT_EQ(report["tables"][kEdges]["parts_checked"], 2);
  EXPECT_EQ(report["tables"][kEdges]["findings"], nlohmann::json::object());
  EXPECT_EQ(report["tables"][kHoldings]["parts_checked"], 1);
}

TEST_F(CliFsck, FindingsExitWithTheirOwnCodeAndChangeNothing) {
  const io::AppendSummary summary = append_edges(tick_range(0, 150));
  fs::remove(summary.parts.back().path);
  std::ofstream(bucket(0) / ("part-" + std::string(32, 'a') + ".parquet.tmp")) << "half";
  const auto before = snapshot_tree(settings_.root_dir);

  const auto result = fsck();

  EXPECT_EQ(result.exit_code, kExitFsckFindings) << result.err;
  EXPECT_EQ(result.err, "");
  const auto report = report_of(result);
  EXPECT_EQ(report["consistent"], false);
  const auto& findings = report["tables"][kEdges]["findings"];
  ASSERT_TRUE(findings.contains("part_missing")) << findings;
  EXPECT_EQ(findings["part_missing"][0]["path"], summary.parts.back().path);
  EXPECT_EQ(findings["temporary_file"].size(), 1u);
  EXPECT_EQ(snapshot_tree(settings_.root_dir), before);
}

TEST_F(CliFsck, RepairFixesLeftoversAndThenExitsZero) {
  append_edges(tick_range(0, 150));
  const fs::path part_tmp = bucket(1) / ("part-" + std::string(32, 'a') + ".parquet.tmp");
  std::ofstream(part_tmp) << "half";
  fs::create_directories(bucket(4));

  EXPECT_EQ(fsck().exit_code, kExitFsckFindings);
  const auto repaired = fsck({"--repair"});

  ASSERT_EQ(repaired.exit_code, kExitOk) << repaired.err;
  const auto report = report_of(repaired);
  EXPECT_EQ(report["repair"], true);
  EXPECT_EQ(report["consistent"], true);
  const auto& findings = report["tables"][kEdges]["findings"];
  EXPECT_EQ(findings["temporary_file"][0]["repair"], "removed");
  EXPECT_EQ(findings["bucket_folder_without_parts"][0]["path"], bucket(4).string());
  EXPECT_EQ(findings["bucket_folder_without_parts"][0]["repair"], "removed");
  EXPECT_FALSE(fs::exists(part_tmp));
  EXPECT_FALSE(fs::exists(bucket(4)));

  const auto again = fsck();
  EXPECT_EQ(again.exit_code, kExitOk) << again.out;
}

// A read-only bind mount of `folder` over itself, undone on destruction; needs root.
class ReadOnlyMount {
 public:
  explicit ReadOnlyMount(const fs::path& folder) : folder_(folder) {
    const std::string quoted = "'" + folder.string() + "'";
    mounted_ = std::system(("mount --bind " + quoted + " " + quoted + " 2>/dev/null").c_str()) == 0;
    if (mounted_ &&
        std::system(("mount -o remount,ro,bind " + quoted + " 2>/dev/null").c_str()) != 0) {
      unmount();
    }
  }
  ~ReadOnlyMount() { unmount(); }
  ReadOnlyMount(const ReadOnlyMount&) = delete;
  ReadOnlyMount& operator=(const ReadOnlyMount&) = delete;
  bool active() const { return mounted_; }

 private:
  void unmount() {
    if (mounted_) std::system(("umount '" + folder_.string() + "'").c_str());
    mounted_ = false;
  }
  fs::path folder_;
  bool mounted_ = false;
};

TEST_F(CliFsck, RepairWithNothingToRepairSaysSoEvenOnAReadOnlyMount) {
  append_edges(tick_range(0, 150));
  const auto writable = fsck({"--repair"});
  EXPECT_EQ(writable.exit_code, kExitOk) << writable.err;
  EXPECT_EQ(writable.err, "crvio: nothing to repair\n");

  if (::geteuid() != 0) GTEST_SKIP() << "a read-only bind mount needs root";
  const ReadOnlyMount read_only(settings_.root_dir);
  if (!read_only.active()) GTEST_SKIP() << "mount is not permitted here";
  const auto result = fsck({"--repair"});
  EXPECT_EQ(result.exit_code, kExitOk) << result.err;
  EXPECT_EQ(result.err, "crvio: nothing to repair\n");
  EXPECT_EQ(report_of(result)["consistent"], true);
}

TEST_F(CliFsck, RepairStillExitsWithFindingsWhenDataIsMissing) {
  const io::AppendSummary summary = append_edges(tick_range(0, 150));
  fs::remove(summary.parts.front().path);
  std::ofstream(bucket(1) / ("part-" + std::string(32, 'a') + ".parquet.tmp")) << "half";

  const auto result = fsck({"--repair"});

  EXPECT_EQ(result.exit_code, kExitFsckFindings) << result.err;
  const auto report = report_of(result);
  const auto& findings = report["tables"][kEdges]["findings"];
  EXPECT_EQ(findings["temporary_file"][0]["repair"], "removed");
  EXPECT_EQ(findings["part_missing"][0]["repair"], "none");
}

TEST_F(CliFsck, TableLimitsTheCheckToOneTable) {
  append_edges(tick_range(0, 10));
  append_holdings();
  fs::remove(io::manifest_path(settings_, kRun, kHoldings));

  EXPECT_EQ(fsck().exit_code, kExitFsckFindings);
  const auto result = fsck({"--table", kEdges});

  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const auto report = report_of(result);
  ASSERT_EQ(report["tables"].size(), 1u);
  EXPECT_TRUE(report["tables"].contains(kEdges));
}

TEST_F(CliFsck, ACorruptManifestIsAFindingNotAnError) {
  append_edges(tick_range(0, 10));
  // The commit log's only checkpoint, torn.
  const std::filesystem::path checkpoint =
      io::table_dir(settings_, kRun, kEdges) / "_log" / "00000000000000000000.checkpoint";
  ASSERT_TRUE(std::filesystem::exists(checkpoint));
  std::ofstream(checkpoint, std::ios::trunc) << "CRVLOG 1 900 0badf00d\n{\"table\": ";

  const auto result = fsck();

  EXPECT_EQ(result.exit_code, kExitFsckFindings) << result.err;
  const auto report = report_of(result);
  const auto& findings = report["tables"][kEdges]["findings"];
  EXPECT_THAT(findings["manifest_corrupt"][0]["message"].get<std::string>(),
              HasSubstr("rebuild-manifest"));
}

TEST_F(CliFsck, BadNamesAndMissingFoldersAreErrorsOnOneLine) {
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--table", "trades"}, kExitGrammar, "GrammarError: unknown table 'trades'"},
      {{"--table", kHoldings}, kExitManifest, "IoManifestError: table 'holdings'"},
  };
  EXPECT_EQ(fsck().exit_code, kExitIo);
  append_edges(tick_range(0, 10));
  for (const Case& bad : cases) {
    const auto result = fsck(bad.args);
    EXPECT_EQ(result.exit_code, bad.exit_code) << result.err;
    EXPECT_THAT(result.err, HasSubstr("crvio: " + bad.message));
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_THAT(result.out, IsEmpty());
  }
  for (const char* run : {"..", "a/b"}) {
    const auto result = run_crvio({"fsck", "--root", settings_.root_dir.string(), "--run", run});
    EXPECT_EQ(result.exit_code, kExitGrammar) << run << result.err;
  }
  EXPECT_EQ(run_crvio({"fsck", "--root", settings_.root_dir.string()}).exit_code, kExitUsage);
}

TEST_F(CliFsck, VerboseTellsWhatWasChecked) {
  append_edges(tick_range(0, 150));
  const auto result = fsck({"--verbose"});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  EXPECT_THAT(result.err, HasSubstr("identity_edges: 2 parts checked, 0 findings"));
}

TEST_F(CliFsck, HelpShowsTheExitCodeAndExamples) {
  const auto result = run_crvio({"fsck", "--help"});
  EXPECT_EQ(result.exit_code, kExitOk);
  EXPECT_THAT(result.out, HasSubstr("--repair"));
  EXPECT_THAT(result.out, HasSubstr(std::to_string(kExitFsckFindings) + " when"));
  EXPECT_THAT(result.out, HasSubstr("Examples:"));
  EXPECT_THAT(result.out, HasSubstr("crvio fsck --run run-1 --repair"));
}

// Damage inside a committed part's pages: plain fsck sees nothing (sizes, footers and rows
// agree), --deep finds it, and every output format of `crvio read` fails the same way.
class CliDamagedPart : public CliFsck {
 protected:
  void expect_found_only_by_deep_checks(const std::string& expected_message) {
    EXPECT_EQ(fsck().exit_code, kExitOk);
    const auto deep = fsck({"--deep"});
    ASSERT_EQ(deep.exit_code, kExitFsckFindings) << deep.err;
    const auto findings = report_of(deep)["tables"][kEdges]["findings"];
    ASSERT_EQ(findings.size(), 1u) << findings.dump();
    ASSERT_EQ(findings["part_corrupt"].size(), 1u) << findings.dump();
    EXPECT_EQ(findings["part_corrupt"][0]["path"], part_.string());
    EXPECT_THAT(findings["part_corrupt"][0]["message"].get<std::string>(),
                HasSubstr(expected_message));
    for (const char* format : {"jsonl", "csv", "parquet"}) {
      SCOPED_TRACE(format);
      const fs::path out = scratch_ / (std::string("out.") + format);
      const auto read = run_crvio({"read", "--root", settings_.root_dir.string(), "--run", kRun,
                                   "--table", kEdges, "--format", format, "-o", out.string()});
      EXPECT_EQ(read.exit_code, kExitFormat) << read.err;
      EXPECT_THAT(read.err, HasSubstr(expected_message));
      EXPECT_THAT(read.err, HasSubstr(part_.string()));
      EXPECT_FALSE(fs::exists(out));
    }
  }

  fs::path part_;
};

TEST_F(CliDamagedPart, AFlippedPageByteIsFoundByDeepFsckAndFailsEveryRead) {
  part_ = append_edges(tick_range(100, 80)).parts.front().path;
  io::part_damage::flip_page_byte(part_, "edge_weight");
  expect_found_only_by_deep_checks("checksum mismatch");
}

TEST_F(CliDamagedPart, AStringThatIsNotUtf8IsFoundByDeepFsckAndFailsEveryRead) {
  part_ = append_edges(tick_range(100, 80)).parts.front().path;
  io::part_damage::spoil_string(part_, io::dataset_test::observer_for_tick(142));
  io::Dataset(settings_, kRun).rebuild_manifest(kEdges);
  expect_found_only_by_deep_checks("not valid UTF-8");
}

}  // namespace
}  // namespace crv::cli
