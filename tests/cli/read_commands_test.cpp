// End-to-end tests of `crvio read`, `crvio manifest`, `crvio rebuild-manifest` and
// `crvio bundle`: output on success, one error line and the class's exit code on failure.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/run_crvio.hpp"
#include "crv/cli/main.hpp"
#include "crv/frame/builders.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/file_system.hpp"
#include "crv/io/manifest.hpp"
#include "crv/io/paths.hpp"
#include "crv/parquet/reader.hpp"
#include "io/fault_injecting_file_system.hpp"

namespace crv::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ordered_json = nlohmann::ordered_json;
using testing::run_crvio;

constexpr const char* kRun = "run-1";
constexpr const char* kEdges = "identity_edges";

double weight_of(int64_t tick) {
  return static_cast<double>(tick) / 4.0 - 3.0;
}

class CliRead : public ::testing::Test {
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

  testing::CommandResult crvio(std::vector<std::string> args) {
    args.insert(args.begin() + 1, {"--root", root_.string(), "--run", kRun});
    return run_crvio(args);
  }

  static std::vector<ordered_json> json_lines(const std::string& text) {
    std::vector<ordered_json> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(ordered_json::parse(line));
    return lines;
  }

  static void expect_one_error_line(const testing::CommandResult& result, int exit_code,
                                    const std::string& fragment) {
    EXPECT_EQ(result.exit_code, exit_code) << result.err;
    EXPECT_TRUE(result.out.empty()) << result.out;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_THAT(result.err, HasSubstr(fragment));
  }

  // Usage errors are CLI11's: the problem, then a pointer to --help.
  static void expect_usage_error(const testing::CommandResult& result,
                                 const std::string& fragment) {
    EXPECT_EQ(result.exit_code, kExitUsage) << result.err;
    EXPECT_TRUE(result.out.empty()) << result.out;
    EXPECT_THAT(result.err, HasSubstr(fragment));
  }

  io::ScratchDir scratch_;
  const fs::path root_ = scratch_.path();
  io::IoSettings settings_;
};

TEST_F(CliRead, ReadPrintsTheRowsOfATickRangeAsJsonLines) {
  append_edges(0, 150);
  const auto result = crvio({"read", "--table", kEdges, "--tick-min", "95", "--tick-max", "104",
                             "--columns", "tick,edge_weight"});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const std::vector<ordered_json> rows = json_lines(result.out);
  ASSERT_EQ(rows.size(), 10u);
  for (size_t i = 0; i < rows.size(); ++i) {
    const int64_t tick = 95 + static_cast<int64_t>(i);
    EXPECT_EQ(rows[i], ordered_json({{"tick", tick}, {"edge_weight", weight_of(tick)}}));
  }
}

TEST_F(CliRead, ReadStopsAtTheLimit) {
  append_edges(0, 50);
  const auto result = crvio({"read", "--table", kEdges, "--limit", "3"});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const std::vector<ordered_json> rows = json_lines(result.out);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2]["tick"], 2);
  EXPECT_EQ(rows[0]["observer_agent_id"], "agent");
  EXPECT_TRUE(rows[0]["subject_id"].is_null());

  expect_usage_error(crvio({"read", "--table", kEdges, "--limit", "-1"}),
                     "--limit: must be 0 or more");
}

TEST_F(CliRead, ReadKeepsInt64ExactAndSpellsOutNonFiniteDoubles) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<std::string> same(3, "agent");
  io::append(
      settings_, kRun, kEdges,
      frame::Frame({{"tick", frame::make_int64({1, 2, 3})},
                    {"observer_agent_id", frame::make_utf8(same)},
                    {"edge_kind", frame::make_utf8(same)},
                    {"edge_weight", frame::make_float64({std::nan(""), inf, -inf})},
                    {"edge_sign", frame::make_int64({int64_t{9007199254740993}, -1,
                                                     std::numeric_limits<int64_t>::min()})}}));
  const auto result = crvio({"read", "--table", kEdges, "--columns", "edge_weight,edge_sign"});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  EXPECT_EQ(result.out,
            "{\"edge_weight\":\"NaN\",\"edge_sign\":9007199254740993}\n"
            "{\"edge_weight\":\"Infinity\",\"edge_sign\":-1}\n"
            "{\"edge_weight\":\"-Infinity\",\"edge_sign\":-9223372036854775808}\n");
}

TEST_F(CliRead, ReadPrintsStructsAsObjectsAndListsAsArrays) {
  const std::vector<std::string> same(2, "x");
  io::append(
      settings_, kRun, "decisions",
      frame::Frame(
          {{"tick", frame::make_int64({4, 5})},
           {"agent_id", frame::make_utf8(same)},
           {"chosen_action", frame::make_struct({{"kind", frame::make_utf8({"buy", "hold"})}})},
           {"action_candidates",
            frame::make_list({0, 2, 2},
                             frame::make_struct({{"score", frame::make_float64({0.5, 1.5})}}))},
           {"token_value_estimates",
            frame::make_struct({{"t1", frame::make_float64({1.0, std::nullopt})}})}}));
  const auto result = crvio({"read", "--table", "decisions", "--columns",
                             "chosen_action,action_candidates,token_value_estimates"});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const std::vector<ordered_json> rows = json_lines(result.out);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], ordered_json::parse(R"({"chosen_action": {"kind": "buy"},
      "action_candidates": [{"score": 0.5}, {"score": 1.5}], "token_value_estimates": {"t1": 1.0}})"));
  EXPECT_EQ(rows[1], ordered_json::parse(R"({"chosen_action": {"kind": "hold"},
      "action_candidates": [], "token_value_estimates": {"t1": null}})"));
}

TEST_F(CliRead, ReadErrorsNameTheProblem) {
  expect_one_error_line(crvio({"read", "--table", kEdges}), kExitManifest, "rebuild-manifest");
  append_edges(0, 5);
  expect_one_error_line(crvio({"read", "--table", kEdges, "--columns", "tick,colour"}),
                        kExitIoSchema, "colour");
}

std::string read_file(const fs::path& path) {
  std::ostringstream contents;
  contents << std::ifstream(path, std::ios::binary).rdbuf();
  return contents.str();
}

TEST_F(CliRead, ReadWritesCsvWithAHeaderQuotingWhenNeededAndNullsAsEmptyFields) {
  const std::vector<std::string> same(4, "agent");
  io::append(settings_, kRun, kEdges,
             frame::Frame(
                 {{"tick", frame::make_int64({1, 2, 3, 4})},
                  {"observer_agent_id", frame::make_utf8(same)},
                  {"edge_kind", frame::make_utf8(same)},
                  {"subject_id", frame::make_utf8({std::optional<std::string>("a,b"),
                                                   std::optional<std::string>("say \"hi\""),
                                                   std::optional<std::string>(""), std::nullopt})},
                  {"edge_weight", frame::make_float64({0.25, -1.5, 1e300, std::nan("")})}}));
  const auto result = crvio({"read", "--table", kEdges, "--columns",
                             "tick,subject_id,edge_weight,edge_sign", "--format", "csv"});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  EXPECT_EQ(result.out,
            "tick,subject_id,edge_weight,edge_sign\n"
            "1,\"a,b\",0.25,\n"
            "2,\"say \"\"hi\"\"\",-1.5,\n"
            "3,\"\",1e+300,\n"
            "4,,NaN,\n");
}

TEST_F(CliRead, ReadWritesNestedValuesAsJsonTextInOneCsvField) {
  io::append(
      settings_, kRun, "decisions",
      frame::Frame(
          {{"tick", frame::make_int64({4})},
           {"agent_id", frame::make_utf8({"x"})},
           {"chosen_action", frame::make_struct({{"kind", frame::make_utf8({"buy, now"})}})},
           {"action_candidates",
            frame::make_list({0, 0}, frame::make_struct(
                                         {{"score", frame::make_float64(std::vector<double>{})}}))},
           {"token_value_estimates", frame::make_struct({{"t1", frame::make_float64({1.0})}})}}));
  const auto result =
      crvio({"read", "--table", "decisions", "--columns", "tick,chosen_action", "--format", "csv"});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  EXPECT_EQ(result.out, "tick,chosen_action\n4,\"{\"\"kind\"\":\"\"buy, now\"\"}\"\n");
}

TEST_F(CliRead, ReadWritesAParquetFileThatHoldsExactlyTheRowsRead) {
  append_edges(0, 300);
  const fs::path output = root_ / "edges.parquet";
  const auto result = crvio(
      {"read", "--table", kEdges, "--tick-min", "40", "--tick-max", "259", "-o", output.string()});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  EXPECT_TRUE(result.out.empty());

  io::Dataset dataset(settings_, kRun);
  const frame::Frame expected = dataset.read(kEdges, {.tick_min = 40, .tick_max = 259});
  parquet::ParquetReader reader = parquet::ParquetReader::open(output);
  const frame::Frame written = reader.read();
  EXPECT_EQ(written.num_rows(), 220);
  EXPECT_TRUE(written.equals(expected));
}

TEST_F(CliRead, ReadPipesParquetToStandardOutputAndWritesEmptyResultsWithTheirColumns) {
  append_edges(0, 10);
  const auto parquet = crvio({"read", "--table", kEdges, "--format", "parquet"});
  ASSERT_EQ(parquet.exit_code, kExitOk) << parquet.err;
  ASSERT_GT(parquet.out.size(), 8u);
  EXPECT_EQ(parquet.out.substr(0, 4), "PAR1");
  const std::vector<uint8_t> bytes(parquet.out.begin(), parquet.out.end());
  EXPECT_EQ(parquet::ParquetReader(parquet::memory_source(bytes, "<stdout>")).read().num_rows(),
            10);

  const fs::path empty = root_ / "none.parquet";
  ASSERT_EQ(crvio({"read", "--table", kEdges, "--tick-min", "500", "--columns", "tick,edge_kind",
                   "-o", empty.string()})
                .exit_code,
            kExitOk);
  const frame::Frame none = parquet::ParquetReader::open(empty).read();
  EXPECT_EQ(none.num_rows(), 0);
  EXPECT_EQ(none.names(), (std::vector<std::string>{"tick", "edge_kind"}));

  const auto csv = crvio(
      {"read", "--table", kEdges, "--tick-min", "500", "--columns", "tick", "--format", "csv"});
  EXPECT_EQ(csv.out, "tick\n");
}

TEST_F(CliRead, ReadTakesTheFormatFromTheOutputNameUnlessGiven) {
  append_edges(0, 2);
  const fs::path csv = root_ / "rows.CSV";
  ASSERT_EQ(crvio({"read", "--table", kEdges, "--columns", "tick", "-o", csv.string()}).exit_code,
            kExitOk);
  EXPECT_EQ(read_file(csv), "tick\n0\n1\n");

  const fs::path text = root_ / "rows.txt";
  ASSERT_EQ(crvio({"read", "--table", kEdges, "--columns", "tick", "-o", text.string()}).exit_code,
            kExitOk);
  EXPECT_EQ(read_file(text), "{\"tick\":0}\n{\"tick\":1}\n");

  ASSERT_EQ(crvio({"read", "--table", kEdges, "--columns", "tick", "--format", "csv", "-o",
                   text.string()})
                .exit_code,
            kExitOk);
  EXPECT_EQ(read_file(text), "tick\n0\n1\n");

  expect_usage_error(crvio({"read", "--table", kEdges, "--format", "xml"}), "--format");
}

TEST_F(CliRead, AFailedReadLeavesTheOutputFileAsItWas) {
  append_edges(0, 5);
  const fs::path output = root_ / "out" / "rows.jsonl";
  fs::create_directories(output.parent_path());
  std::ofstream(output) << "previous\n";

  expect_one_error_line(
      crvio({"read", "--table", kEdges, "--columns", "tick,colour", "-o", output.string()}),
      kExitIoSchema, "colour");
  EXPECT_EQ(read_file(output), "previous\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(output.parent_path()), fs::directory_iterator()),
            1);

  expect_one_error_line(
      crvio({"read", "--table", kEdges, "-o", (root_ / "missing" / "rows.csv").string()}),
      kExitWrite, "missing");
}

TEST_F(CliRead, ManifestPrintsTheTablesManifest) {
  append_edges(0, 150);
  const auto result = crvio({"manifest", "--table", kEdges});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const io::TableManifest printed = io::parse_manifest(result.out, "<stdout>");
  EXPECT_EQ(printed, *io::load_manifest(io::default_file_system(),
                                        io::manifest_path(settings_, kRun, kEdges)));
  EXPECT_EQ(printed.partitions.size(), 2u);

  expect_one_error_line(crvio({"manifest", "--table", "edges"}), kExitGrammar, "edges");
}

TEST_F(CliRead, ManifestNamingAMissingOrResizedPartIsAManifestError) {
  append_edges(0, 150);
  const io::TableManifest manifest =
      *io::load_manifest(io::default_file_system(), io::manifest_path(settings_, kRun, kEdges));
  const auto& [bucket, partition] = *manifest.partitions.rbegin();
  const io::PartMeta& part = partition.parts.front();
  const fs::path file = io::bucket_dir(settings_, kRun, kEdges, bucket) / part.path;

  fs::resize_file(file, 10);
  expect_one_error_line(crvio({"manifest", "--table", kEdges}), kExitManifest,
                        fmt::format("part '{}' is 10 bytes, but the manifest names it with {} "
                                    "bytes; crvio fsck --run {} lists every problem",
                                    file.string(), part.bytes, kRun));
  fs::remove(file);
  expect_one_error_line(crvio({"manifest", "--table", kEdges}), kExitManifest,
                        fmt::format("part '{}' is missing", file.string()));
}

TEST_F(CliRead, RebuildManifestPrintsASummaryWithTheIgnoredTemporaryFiles) {
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

TEST_F(CliRead, BundleWritesTheBundleAndPrintsItsPath) {
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
TEST_F(CliRead, BundleMetaNestingIsBounded) {
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

TEST_F(CliRead, EveryVerbHasHelpWithExamples) {
  for (const char* verb : {"read", "manifest", "rebuild-manifest", "bundle"}) {
    const auto result = run_crvio({verb, "--help"});
    EXPECT_EQ(result.exit_code, kExitOk) << verb;
    EXPECT_THAT(result.out, HasSubstr("crvio " + std::string(verb) + " --")) << verb;
  }
}

}  // namespace
}  // namespace crv::cli
