// End-to-end tests of `crvio demo`: the tables, manifests and bundle it writes, what it
// prints, that a seed fixes the rows, and that it never writes into a run with tables.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/run_crvio.hpp"
#include "crv/cli/main.hpp"
#include "crv/core/table_name.hpp"
#include "support/scoped_environment.hpp"
#include "support/temp_dir.hpp"

namespace crv::cli {
namespace {

namespace fs = std::filesystem;
using test_support::ScopedEnvironment;
using ::testing::HasSubstr;
using testing::run_crvio;

// What a table's manifest.json says, summed over its partitions.
struct ManifestTotals {
  int64_t rows = 0;
  int64_t bytes = 0;
  int64_t parts = 0;
  int64_t largest_part_rows = 0;
  int64_t buckets = 0;
};

// A table's line of the summary: name, rows, parts, bytes.
struct SummaryLine {
  int64_t rows = -1;
  int64_t parts = -1;
  int64_t bytes = -1;
};

class CliDemo : public ::testing::Test {
 protected:
  testing::CommandResult demo(std::vector<std::string> args) const {
    args.insert(args.begin(), {"demo", "--root", root_.string()});
    return run_crvio(args);
  }

  // A small demo run; its rows depend on the seed only.
  testing::CommandResult small_demo(const std::string& run, int seed) const {
    return demo({"--run", run, "--agents", "20", "--ticks", "15", "--seed", std::to_string(seed)});
  }

  std::string read_table(const std::string& run, std::string_view table) const {
    const auto result =
        run_crvio({"read", "--root", root_.string(), "--run", run, "--table", std::string(table)});
    EXPECT_EQ(result.exit_code, kExitOk) << result.err;
    return result.out;
  }

  fs::path run_folder(const std::string& run) const { return root_ / "runs" / run; }

  ManifestTotals manifest_totals(const std::string& run, std::string_view table) const {
    std::ifstream file(run_folder(run) / "tables" / std::string(table) / "manifest.json");
    const nlohmann::json manifest = nlohmann::json::parse(file);
    ManifestTotals totals;
    for (const auto& [key, partition] : manifest["partitions"].items()) {
      ++totals.buckets;
      for (const auto& part : partition["parts"]) {
        ++totals.parts;
        totals.rows += part["rows"].get<int64_t>();
        totals.bytes += part["bytes"].get<int64_t>();
        totals.largest_part_rows = std::max(totals.largest_part_rows, part["rows"].get<int64_t>());
      }
    }
    return totals;
  }

  nlohmann::json bundle(const std::string& run) const {
    std::ifstream file(run_folder(run) / "bundle.manifest.json");
    return nlohmann::json::parse(file);
  }

  // Every file under the root with its contents.
  std::map<std::string, std::string> snapshot() const {
    std::map<std::string, std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(root_)) {
      std::ostringstream contents;
      if (entry.is_regular_file()) contents << std::ifstream(entry.path()).rdbuf();
      files[entry.path().string()] = contents.str();
    }
    return files;
  }

  test_support::TempDir scratch_;
  const fs::path root_ = scratch_.path();
};

int64_t line_count(const std::string& text) {
  return std::count(text.begin(), text.end(), '\n');
}

std::optional<SummaryLine> summary_line(const std::string& out, std::string_view table) {
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string name;
    SummaryLine summary;
    if (words >> name >> summary.rows >> summary.parts >> summary.bytes && name == table) {
      return summary;
    }
  }
  return std::nullopt;
}

TEST_F(CliDemo, WritesEveryTableTheBundleAndASummaryThatAgreeWithEachOther) {
  const auto result = demo({"--agents", "50", "--ticks", "30", "--seed", "3"});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const std::string run = "demo";  // the default run id

  const nlohmann::json written = bundle(run);
  EXPECT_EQ(written["meta"], nlohmann::json({{"agents", 50}, {"ticks", 30}, {"seed", 3}}));
  EXPECT_EQ(written["tables"].size(), core::kAllTables.size());
  SummaryLine total;
  total.rows = total.parts = total.bytes = 0;
  for (const core::TableName name : core::kAllTables) {
    const std::string_view table = core::to_string(name);
    SCOPED_TRACE(table);
    const ManifestTotals manifest = manifest_totals(run, table);
    EXPECT_GT(manifest.rows, 0);
    EXPECT_EQ(written["tables"][std::string(table)]["rows"], manifest.rows);
    EXPECT_EQ(written["tables"][std::string(table)]["tick_min"], 0);
    EXPECT_EQ(line_count(read_table(run, table)), manifest.rows);

    const std::optional<SummaryLine> printed = summary_line(result.out, table);
    ASSERT_TRUE(printed.has_value()) << result.out;
    EXPECT_EQ(printed->rows, manifest.rows);
    EXPECT_EQ(printed->parts, manifest.parts);
    EXPECT_EQ(printed->bytes, manifest.bytes);
    total.rows += manifest.rows;
    total.parts += manifest.parts;
    total.bytes += manifest.bytes;
  }
  const std::optional<SummaryLine> printed_total = summary_line(result.out, "total");
  ASSERT_TRUE(printed_total.has_value()) << result.out;
  EXPECT_EQ(printed_total->rows, total.rows);
  EXPECT_EQ(printed_total->parts, total.parts);
  EXPECT_EQ(printed_total->bytes, total.bytes);

  EXPECT_THAT(result.out, HasSubstr(" rows/s, "));
  EXPECT_THAT(result.out, HasSubstr(" MB/s"));
  const std::string tables = fs::absolute(run_folder(run) / "tables").lexically_normal().string();
  EXPECT_THAT(result.out, HasSubstr("duckdb -c \"SELECT "));
  EXPECT_THAT(result.out, HasSubstr("read_parquet('" + tables +
                                    "/exchange/bucket=*/*.parquet', hive_partitioning = false)"));
  EXPECT_THAT(result.out, HasSubstr("python -c \"import polars as pl; "));
  EXPECT_THAT(result.out,
              HasSubstr("scan_parquet('" + tables + "/holdings_valuation/bucket=*/*.parquet')"));
  EXPECT_THAT(result.out,
              HasSubstr("bundle: " + (run_folder(run) / "bundle.manifest.json").string()));
}

TEST_F(CliDemo, EachTableGetsOnePartPerBucketUnlessARowGroupFillsFirst) {
  const ScopedEnvironment bucket_size("CRV_IO_TICK_BUCKET_SIZE", "10");
  {
    ASSERT_EQ(small_demo("by-bucket", 1).exit_code, kExitOk);
    for (const core::TableName name : core::kAllTables) {
      const ManifestTotals manifest = manifest_totals("by-bucket", core::to_string(name));
      EXPECT_EQ(manifest.parts, manifest.buckets) << core::to_string(name);
    }
    EXPECT_EQ(manifest_totals("by-bucket", "holdings").buckets, 2);  // 15 ticks
  }
  // 20 agents hold 20 to 120 positions, so holdings reaches 200 rows within a few ticks.
  const ScopedEnvironment row_group_size("CRV_IO_ROW_GROUP_SIZE", "200");
  ASSERT_EQ(small_demo("by-rows", 1).exit_code, kExitOk);
  const ManifestTotals holdings = manifest_totals("by-rows", "holdings");
  EXPECT_GT(holdings.parts, holdings.buckets);
  EXPECT_LE(holdings.largest_part_rows, 200);
  EXPECT_EQ(read_table("by-rows", "holdings"), read_table("by-bucket", "holdings"));
}

TEST_F(CliDemo, TheSameSeedGivesTheSameRowsAndAnotherSeedOtherRows) {
  ASSERT_EQ(small_demo("first", 5).exit_code, kExitOk);
  ASSERT_EQ(small_demo("again", 5).exit_code, kExitOk);
  ASSERT_EQ(small_demo("other", 6).exit_code, kExitOk);
  for (const core::TableName name : core::kAllTables) {
    const std::string_view table = core::to_string(name);
    const std::string first = read_table("first", table);
    EXPECT_FALSE(first.empty()) << table;
    EXPECT_EQ(read_table("again", table), first) << table;
    EXPECT_NE(read_table("other", table), first) << table;
  }
}

TEST_F(CliDemo, RefusesARunThatAlreadyHasTablesAndLeavesItUntouched) {
  ASSERT_EQ(small_demo("taken", 5).exit_code, kExitOk);
  const auto before = snapshot();
  for (const int seed : {5, 6}) {
    const auto result = small_demo("taken", seed);
    EXPECT_EQ(result.exit_code, kExitIo) << result.err;
    EXPECT_TRUE(result.out.empty()) << result.out;
    EXPECT_EQ(line_count(result.err), 1) << result.err;
    EXPECT_THAT(result.err, HasSubstr("crvio: IoError: run 'taken' already has tables"));
    EXPECT_THAT(result.err, HasSubstr("--run"));
    EXPECT_THAT(result.err, HasSubstr(run_folder("taken").string()));
    EXPECT_EQ(snapshot(), before);
  }
}

TEST_F(CliDemo, BadArgumentsAreUsageErrorsAndWriteNothing) {
  const std::vector<std::vector<std::string>> cases = {
      {"--agents", "0"}, {"--agents", "-3"}, {"--ticks", "0"}, {"--ticks", "many"},
      {"--seed", "-1"},  {"--seed", "x"},    {"--agents"},     {"--bogus"},
  };
  for (const auto& args : cases) {
    SCOPED_TRACE(args.front() + (args.size() > 1 ? " " + args.back() : ""));
    const auto result = demo(args);
    EXPECT_EQ(result.exit_code, kExitUsage) << result.err;
    EXPECT_TRUE(result.out.empty()) << result.out;
    EXPECT_TRUE(fs::is_empty(root_));
  }
  EXPECT_THAT(demo({"--agents", "0"}).err, HasSubstr("--agents: must be 1 or more"));
  EXPECT_THAT(demo({"--ticks", "-2"}).err, HasSubstr("--ticks: must be 1 or more"));

  const auto bad_run = demo({"--run", "..", "--agents", "2", "--ticks", "2"});
  EXPECT_EQ(bad_run.exit_code, kExitGrammar) << bad_run.err;
  EXPECT_TRUE(fs::is_empty(root_));
}

TEST_F(CliDemo, HelpExplainsTheBufferingAndHasExamples) {
  const auto result = run_crvio({"demo", "--help"});
  EXPECT_EQ(result.exit_code, kExitOk);
  EXPECT_THAT(result.out, HasSubstr("Examples:"));
  EXPECT_THAT(result.out, HasSubstr("crvio demo --"));
  EXPECT_THAT(result.out, HasSubstr("once per tick bucket"));
  for (const char* option : {"--root", "--run", "--agents", "--ticks", "--seed"}) {
    EXPECT_THAT(result.out, HasSubstr(option));
  }
}

TEST_F(CliDemo, StandardErrorStaysEmptyUnlessVerbose) {
  // Not a terminal: no progress line even without --quiet.
  const auto plain = demo({"--run", "plain", "--agents", "5", "--ticks", "3"});
  EXPECT_EQ(plain.exit_code, kExitOk) << plain.err;
  EXPECT_EQ(plain.err, "");

  const auto quiet = demo({"--quiet", "--run", "quiet", "--agents", "5", "--ticks", "3"});
  EXPECT_EQ(quiet.exit_code, kExitOk) << quiet.err;
  EXPECT_EQ(quiet.err, "");
  EXPECT_THAT(quiet.out, HasSubstr("total"));

  const auto verbose = demo({"--verbose", "--run", "verbose", "--agents", "5", "--ticks", "3"});
  EXPECT_EQ(verbose.exit_code, kExitOk) << verbose.err;
  EXPECT_THAT(verbose.err, HasSubstr("crvio: holdings: ticks 0..2, "));
}

}  // namespace
}  // namespace crv::cli
