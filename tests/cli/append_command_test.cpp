// End-to-end tests of `crvio append`: what a user sees for good and bad input, and that
// a failed append leaves the dataset exactly as it was.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/run_crvio.hpp"
#include "crv/cli/main.hpp"
#include "crv/frame/value.hpp"
#include "crv/parquet/reader.hpp"
#include "crv/parquet/writer.hpp"
#include "support/temp_dir.hpp"

namespace crv::cli {
namespace {

namespace fs = std::filesystem;
using testing::run_crvio;

class CliAppend : public ::testing::Test {
 protected:
  std::string write_input(const std::string& name, const std::string& text) {
    return scratch_.write_file(name, text).string();
  }

  // Every file under the dataset root with its contents.
  std::map<std::string, std::string> snapshot() const {
    std::map<std::string, std::string> files;
    const fs::path data = root_ / "data";
    if (!fs::exists(data)) return files;
    for (const auto& entry : fs::recursive_directory_iterator(data)) {
      std::ostringstream contents;
      if (entry.is_regular_file()) contents << std::ifstream(entry.path()).rdbuf();
      files[entry.path().string()] = contents.str();
    }
    return files;
  }

  testing::CommandResult append(const std::string& table, const std::string& input,
                                const std::string& run = "run-1",
                                const std::vector<std::string>& flags = {},
                                const std::string& standard_input = "") {
    std::vector<std::string> args = {
        "append", "--root", (root_ / "data").string(), "--run", run, "--table", table, input};
    args.insert(args.end(), flags.begin(), flags.end());
    return run_crvio(args, standard_input);
  }

  // `crvio <verb> --root .. --run run-1 --table identity_edges <rest>` for args = {verb, rest...}.
  testing::CommandResult on_edges(std::vector<std::string> args) {
    const std::vector<std::string> table = {"--root",  (root_ / "data").string(), "--run", "run-1",
                                            "--table", "identity_edges"};
    args.insert(args.begin() + 1, table.begin(), table.end());
    return run_crvio(args);
  }

  // The table's rows as `crvio read` prints them (one JSON object per line).
  std::string read_rows(const std::string& table, const std::string& run) {
    const auto result =
        run_crvio({"read", "--root", (root_ / "data").string(), "--run", run, "--table", table});
    EXPECT_EQ(result.exit_code, kExitOk) << result.err;
    return result.out;
  }

  fs::path table_dir(const std::string& table, const std::string& run = "run-1") const {
    return root_ / "data/runs" / run / "tables" / table;
  }

  // Every file in the table's bucket folders, sorted.
  std::vector<fs::path> part_files(const std::string& table, const std::string& run) const {
    std::vector<fs::path> parts;
    if (!fs::exists(table_dir(table, run))) return parts;
    for (const auto& entry : fs::recursive_directory_iterator(table_dir(table, run))) {
      // Files in bucket folders: not the table's own files, nor the commit log's or the
      // Iceberg metadata's.
      const fs::path folder = entry.path().parent_path();
      if (entry.is_regular_file() && folder != table_dir(table, run) &&
          folder.filename() != "_log" && folder.filename() != "metadata") {
        parts.push_back(entry.path());
      }
    }
    std::sort(parts.begin(), parts.end());
    return parts;
  }

  nlohmann::json manifest(const std::string& table, const std::string& run) const {
    return nlohmann::json::parse(std::ifstream(table_dir(table, run) / "manifest.json"));
  }

  test_support::TempDir scratch_;
  const fs::path root_ = scratch_.path();
};

std::string edges(int from, int to) {
  std::string lines;
  for (int tick = from; tick < to; ++tick) {
    lines += R"({"tick": )" + std::to_string(tick) +
             R"(, "observer_agent_id": "agent-1", "edge_kind": "trust", "edge_weight": )" +
             std::to_string(tick % 3) + "}\n";
  }
  return lines;
}

TEST_F(CliAppend, AppendsJsonLinesAndPrintsTheSummary) {
  const auto result = append("identity_edges", write_input("edges.jsonl", edges(0, 150)));
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const auto summary = nlohmann::json::parse(result.out);
  EXPECT_EQ(summary["table"], "identity_edges");
  EXPECT_EQ(summary["run_id"], "run-1");
  EXPECT_EQ(summary["rows"], 150);
  EXPECT_EQ(summary["buckets"], nlohmann::json::array({0, 1}));
  ASSERT_EQ(summary["parts"].size(), 2u);
  for (const auto& part : summary["parts"]) {
    EXPECT_TRUE(fs::exists(part["path"].get<std::string>()));
    EXPECT_EQ(fs::file_size(part["path"].get<std::string>()), part["bytes"].get<uint64_t>());
  }
  EXPECT_TRUE(fs::exists(root_ / "data/runs/run-1/tables/identity_edges/manifest.json"));
}

TEST_F(CliAppend, NestedObjectsBecomeStructsAndListsOfStructs) {
  const auto result = append(
      "decisions",
      write_input(
          "decisions.jsonl",
          R"({"tick": 3, "agent_id": "a", "chosen_action": {"action_type": "buy", "qty": 2}, "action_candidates": [{"action_type": "buy", "score": 0.5}, {"action_type": "hold", "score": 0.25}], "token_value_estimates": {"tok": 1.5}})"
          "\n"));
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  EXPECT_EQ(nlohmann::json::parse(result.out)["rows"], 1);
}

TEST_F(CliAppend, AMemberThatIsNullInALaterAppendLeavesTheTableReadable) {
  const std::string decision =
      R"({"tick": TICK, "agent_id": "a", "chosen_action": {"action_type": "bid", "parameters": {"limit_price": PRICE}}, "action_candidates": [], "token_value_estimates": {"gold": 1.5}})";
  const auto line = [&](int tick, const std::string& price) {
    std::string text = decision;
    text.replace(text.find("TICK"), 4, std::to_string(tick));
    text.replace(text.find("PRICE"), 5, price);
    return text + "\n";
  };
  ASSERT_EQ(append("decisions", write_input("a.jsonl", line(1, "101.5"))).exit_code, kExitOk);
  ASSERT_EQ(append("decisions", write_input("b.jsonl", line(2, "null"))).exit_code, kExitOk);
  EXPECT_EQ(
      read_rows("decisions", "run-1"),
      R"({"bucket":0,"tick":1,"agent_id":"a","chosen_action":{"action_type":"bid","parameters":{"limit_price":101.5}},"action_candidates":[],"token_value_estimates":{"gold":1.5}})"
      "\n"
      R"({"bucket":0,"tick":2,"agent_id":"a","chosen_action":{"action_type":"bid","parameters":{"limit_price":null}},"action_candidates":[],"token_value_estimates":{"gold":1.5}})"
      "\n");

  // A string where the table holds doubles is refused up front, naming both types.
  const auto before = snapshot();
  const auto refused = append("decisions", write_input("c.jsonl", line(3, R"("cheap")")));
  EXPECT_EQ(refused.exit_code, kExitIoSchema);
  EXPECT_THAT(refused.err, ::testing::HasSubstr("holds utf8 here, but the table has recorded it "
                                                "as float64"));
  EXPECT_EQ(snapshot(), before);
}

TEST_F(CliAppend, AValueInsideAListThatDoesNotFitTheRecordedTypeNamesItsLine) {
  const auto line = [](int tick, const std::string& candidates) {
    return R"({"tick": )" + std::to_string(tick) +
           R"(, "agent_id": "a", "chosen_action": {"action_type": "bid"}, "action_candidates": [)" +
           candidates + R"(], "token_value_estimates": {"gold": 1.5}})" + "\n";
  };
  ASSERT_EQ(append("decisions", write_input("a.jsonl", line(1, R"({"score": 1})"))).exit_code,
            kExitOk);
  const auto before = snapshot();
  // The third item of the only line: its index among all items is past the last line.
  const auto one_line =
      append("decisions",
             write_input("b.jsonl", line(2, R"({"score": 1}, {"score": 2}, {"score": 2.5})")));
  EXPECT_EQ(one_line.exit_code, kExitIoSchema) << one_line.err;
  EXPECT_THAT(one_line.err, ::testing::HasSubstr("b.jsonl:1: value 2.5"));
  const auto second_line =
      append("decisions", write_input("c.jsonl", line(2, R"({"score": 1}, {"score": 2})") +
                                                     line(3, R"({"score": 2.5})") + line(4, "")));
  EXPECT_EQ(second_line.exit_code, kExitIoSchema) << second_line.err;
  EXPECT_THAT(second_line.err, ::testing::HasSubstr("c.jsonl:2: value 2.5"));
  EXPECT_EQ(snapshot(), before);
}

TEST_F(CliAppend, ADifferentBucketSizeThanTheTableWasCreatedWithIsRefused) {
  const std::string input = write_input("edges.jsonl", edges(0, 30));
  ASSERT_EQ(append("identity_edges", input, "run-1", {"--bucket-size", "100"}).exit_code, kExitOk);
  const auto before = snapshot();
  const auto refused = append("identity_edges", input, "run-1", {"--bucket-size", "50"});
  EXPECT_EQ(refused.exit_code, kExitConfig);
  EXPECT_THAT(refused.err, ::testing::HasSubstr("was created with tick_bucket_size 100"));
  EXPECT_EQ(snapshot(), before);
}

TEST_F(CliAppend, StandardInputIsAccepted) {
  const auto result = run_crvio({"append", "--root", (root_ / "data").string(), "--run", "r",
                                 "--table", "identity_edges", "-"},
                                edges(5, 7));
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  EXPECT_EQ(nlohmann::json::parse(result.out)["rows"], 2);
}

struct BadInput {
  const char* name;
  std::string table;
  std::string lines;
  int exit_code;
  std::string message;
};

TEST_F(CliAppend, BadInputIsRejectedAndTheDatasetIsUnchanged) {
  ASSERT_EQ(append("identity_edges", write_input("seed.jsonl", edges(0, 10))).exit_code, kExitOk);
  const auto before = snapshot();
  const std::vector<BadInput> cases = {
      {"malformed JSON", "identity_edges", edges(20, 22) + "{\"tick\": 3,\n", kExitIoSchema,
       ":3:12: malformed JSON"},
      {"not an object", "identity_edges", "[1, 2]\n", kExitIoSchema, "one JSON object"},
      {"wrong type", "identity_edges",
       R"({"tick": 1, "observer_agent_id": "a", "edge_kind": "k", "edge_weight": "heavy"})"
       "\n",
       kExitIoSchema, "edge_weight"},
      {"null in a required column", "identity_edges",
       R"({"tick": 1, "observer_agent_id": null, "edge_kind": "k", "edge_weight": 1})"
       "\n",
       kExitIoSchema, "null in required column 'observer_agent_id'"},
      {"negative tick", "identity_edges",
       R"({"tick": -4, "observer_agent_id": "a", "edge_kind": "k", "edge_weight": 1})"
       "\n",
       kExitIoSchema, "tick -4 is negative"},
      {"missing required column", "identity_edges",
       R"({"tick": 1, "observer_agent_id": "a", "edge_kind": "k"})"
       "\n",
       kExitIoSchema, "missing required column 'edge_weight'"},
      {"extra column in strict mode", "identity_edges",
       R"({"tick": 1, "observer_agent_id": "a", "edge_kind": "k", "edge_weight": 1, "mood": "x"})"
       "\n",
       kExitIoSchema, "mood"},
      {"unknown table", "trades", edges(1, 2), kExitGrammar, "unknown table 'trades'"},
      // Nesting this deep used to overflow the stack while the values were converted.
      {"deep nesting", "identity_edges",
       "{\"tick\": 1, \"x\": " + std::string(100000, '[') + std::string(100000, ']') + "}\n",
       kExitIoSchema, "bad.jsonl:1: column 'x': objects and arrays nest deeper than 64 levels"},
      {"number beyond double", "identity_edges",
       edges(20, 21) + R"({"tick": 1, "edge_weight": -1e400})"
                       "\n",
       kExitIoSchema, "bad.jsonl:2:28: column 'edge_weight': number -1e400 is beyond the range"},
  };
  for (const BadInput& bad : cases) {
    SCOPED_TRACE(bad.name);
    const auto result = append(bad.table, write_input("bad.jsonl", bad.lines));
    EXPECT_EQ(result.exit_code, bad.exit_code) << result.err;
    EXPECT_NE(result.err.find(bad.message), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_TRUE(result.out.empty());
    EXPECT_EQ(snapshot(), before);
  }
}

// File names are bytes; the JSON that commands print names them with replacement
// characters where they are not UTF-8, instead of failing.
TEST_F(CliAppend, PathsThatAreNotUtf8ArePrintedWithReplacementCharacters) {
  const std::string root = (root_ / "data\xff").string();
  const std::string input = write_input("edges.jsonl", edges(0, 10));
  const std::vector<std::vector<std::string>> commands = {
      {"append", "--root", root, "--run", "r", "--table", "identity_edges", input},
      {"rebuild-manifest", "--root", root, "--run", "r", "--table", "identity_edges"},
      {"fsck", "--root", root, "--run", "r"},
      {"bundle", "--root", root, "--run", "r"},
  };
  for (const auto& command : commands) {
    SCOPED_TRACE(command.front());
    const auto result = run_crvio(command);
    EXPECT_EQ(result.exit_code, kExitOk) << result.err;
    if (command.front() != "bundle") {
      EXPECT_NE(result.out.find("data\xEF\xBF\xBD"), std::string::npos) << result.out;
    }
  }
  std::ifstream bundle(fs::path(root) / "runs/r/bundle.manifest.json");
  EXPECT_NO_THROW(nlohmann::json::parse(bundle));
}

TEST_F(CliAppend, RunningOutOfMemoryIsReportedAsSuch) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer reserves more address space than the limit allows";
#endif
  // One line longer than the memory crvio may use.
  constexpr size_t kLine = size_t{64} << 20;
  const std::string input = write_input("huge.jsonl", "{\"tick\": \"" + std::string(kLine, 'a'));
  const auto result = run_crvio({"append", "--root", (root_ / "data").string(), "--run", "r",
                                 "--table", "identity_edges", input},
                                "", size_t{48} << 20);
  EXPECT_EQ(result.exit_code, kExitIo) << result.err;
  EXPECT_EQ(result.err,
            "crvio: out of memory (for crvio append, a smaller --batch-rows needs less)\n");
  fs::remove(input);
}

TEST_F(CliAppend, BadRunIdsMissingFilesAndCorruptManifests) {
  for (const char* run : {"..", ".", "a/b"}) {
    const auto result = append("identity_edges", write_input("ok.jsonl", edges(0, 2)), run);
    EXPECT_EQ(result.exit_code, kExitGrammar) << run << result.err;
  }
  const auto missing = append("identity_edges", (root_ / "nope.jsonl").string());
  EXPECT_EQ(missing.exit_code, kExitIo);
  EXPECT_NE(missing.err.find("nope.jsonl"), std::string::npos) << missing.err;

  ASSERT_EQ(append("identity_edges", write_input("seed.jsonl", edges(0, 10))).exit_code, kExitOk);
  // The commit log's only checkpoint, torn.
  const fs::path checkpoint =
      root_ / "data/runs/run-1/tables/identity_edges/_log/00000000000000000000.checkpoint";
  ASSERT_TRUE(fs::exists(checkpoint));
  std::ofstream(checkpoint, std::ios::trunc) << "CRVLOG 1 900 0badf00d\n{\"vers";
  const auto before = snapshot();
  const auto corrupt = append("identity_edges", write_input("more.jsonl", edges(10, 20)));
  EXPECT_EQ(corrupt.exit_code, kExitManifest) << corrupt.err;
  EXPECT_NE(corrupt.err.find("IoManifestError"), std::string::npos) << corrupt.err;
  EXPECT_EQ(snapshot(), before);
}

// The ticks `crvio read` returns, sorted.
std::vector<int64_t> ticks_of(const std::string& rows) {
  std::vector<int64_t> ticks;
  std::istringstream lines(rows);
  for (std::string line; std::getline(lines, line);) {
    ticks.push_back(nlohmann::json::parse(line).at("tick").get<int64_t>());
  }
  std::sort(ticks.begin(), ticks.end());
  return ticks;
}

std::vector<int64_t> range_of(int64_t from, int64_t to) {
  std::vector<int64_t> values;
  for (int64_t value = from; value < to; ++value) values.push_back(value);
  return values;
}

TEST_F(CliAppend, AWriterAndSequenceMakeARerunStoreEachRowOnce) {
  const std::string input = write_input("t.jsonl", edges(0, 30));
  const std::vector<std::string> as_sim = {"--writer", "sim-1", "--sequence", "5"};
  const auto first = append("identity_edges", input, "run-1", as_sim);
  ASSERT_EQ(first.exit_code, kExitOk) << first.err;
  EXPECT_FALSE(nlohmann::json::parse(first.out).contains("duplicate"));

  const auto again = append("identity_edges", input, "run-1", as_sim);
  ASSERT_EQ(again.exit_code, kExitOk) << again.err;
  const nlohmann::json repeated = nlohmann::json::parse(again.out);
  EXPECT_EQ(repeated.at("duplicate"), true);
  EXPECT_EQ(repeated.at("rows"), 30);
  EXPECT_EQ(repeated.at("parts"), nlohmann::json::parse(first.out).at("parts"));
  EXPECT_EQ(ticks_of(read_rows("identity_edges", "run-1")), range_of(0, 30));

  for (const std::vector<std::string>& half :
       {std::vector<std::string>{"--writer", "w"}, std::vector<std::string>{"--sequence", "1"}}) {
    EXPECT_EQ(append("identity_edges", input, "run-1", half).exit_code, kExitUsage);
  }
  const auto negative =
      append("identity_edges", input, "run-1", {"--writer", "w", "--sequence", "-1"});
  EXPECT_EQ(negative.exit_code, kExitUsage) << negative.err;
  const auto bad_name =
      append("identity_edges", input, "run-1", {"--writer", "", "--sequence", "1"});
  EXPECT_EQ(bad_name.exit_code, kExitConfig) << bad_name.err;
  EXPECT_EQ(ticks_of(read_rows("identity_edges", "run-1")), range_of(0, 30));
}

TEST_F(CliAppend, ARerunWithCommitEveryCountsOnlyTheRowsItCommitted) {
  const std::vector<std::string> chunked = {"--writer", "sim-1",          "--sequence",
                                            "10",       "--commit-every", "20"};
  const auto first =
      append("identity_edges", write_input("a.jsonl", edges(0, 60)), "run-1", chunked);
  ASSERT_EQ(first.exit_code, kExitOk) << first.err;
  EXPECT_EQ(nlohmann::json::parse(first.out).at("rows"), 60);

  const auto again =
      append("identity_edges", write_input("a.jsonl", edges(0, 60)), "run-1", chunked);
  ASSERT_EQ(again.exit_code, kExitOk) << again.err;
  const nlohmann::json repeated = nlohmann::json::parse(again.out);
  EXPECT_EQ(repeated.at("duplicate"), true);
  EXPECT_EQ(repeated.at("rows"), 0);
  EXPECT_EQ(repeated.at("parts"), nlohmann::json::array());

  // The same three chunks and a fourth: only the fourth is committed and counted.
  const auto longer =
      append("identity_edges", write_input("b.jsonl", edges(0, 70)), "run-1", chunked);
  ASSERT_EQ(longer.exit_code, kExitOk) << longer.err;
  const nlohmann::json resumed = nlohmann::json::parse(longer.out);
  EXPECT_FALSE(resumed.value("duplicate", false));
  EXPECT_EQ(resumed.at("rows"), 10);
  EXPECT_EQ(ticks_of(read_rows("identity_edges", "run-1")), range_of(0, 70));
}

// Killed at random instants, then run again to the end: with --commit-every each rerun
// skips the commits that went through (sequence N + k for the k-th) and the table holds
// every row exactly once, however the kills fell (before, during or after a commit).
TEST_F(CliAppend, ReRunningAKilledAppendWithItsWriterAndSequenceStoresEachRowOnce) {
  constexpr int64_t kRows = 60000;
  const std::string input = write_input("big.jsonl", edges(0, kRows));
  const std::vector<std::string> args = {CRVIO_BINARY,
                                         "append",
                                         "--root",
                                         (root_ / "data").string(),
                                         "--run",
                                         "run-1",
                                         "--table",
                                         "identity_edges",
                                         "--commit-every",
                                         "7000",
                                         "--batch-rows",
                                         "3000",
                                         "--writer",
                                         "job-17",
                                         "--sequence",
                                         "100",
                                         input};
  std::mt19937 random(20261205);
  for (int attempt = 0; attempt < 6; ++attempt) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, STDOUT_FILENO);
      ::dup2(null, STDERR_FILENO);
      std::vector<char*> argv;
      for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(20, 400)(random)));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
  }
  std::vector<std::string> rerun(args.begin() + 1, args.end());
  const auto finished = run_crvio(rerun);
  ASSERT_EQ(finished.exit_code, kExitOk) << finished.err;
  EXPECT_EQ(ticks_of(read_rows("identity_edges", "run-1")), range_of(0, kRows));
  // One more run finds every commit done.
  const auto repeated = run_crvio(rerun);
  ASSERT_EQ(repeated.exit_code, kExitOk) << repeated.err;
  EXPECT_EQ(nlohmann::json::parse(repeated.out).at("duplicate"), true);
  EXPECT_EQ(ticks_of(read_rows("identity_edges", "run-1")), range_of(0, kRows));
}

TEST_F(CliAppend, LogListsTheCommitsAndReadAsOfReadsAnEarlierVersion) {
  ASSERT_EQ(append("identity_edges", write_input("a.jsonl", edges(0, 10))).exit_code, kExitOk);
  ASSERT_EQ(append("identity_edges", write_input("b.jsonl", edges(10, 25)), "run-1",
                   {"--writer", "w", "--sequence", "3"})
                .exit_code,
            kExitOk);
  const auto log = on_edges({"log"});
  ASSERT_EQ(log.exit_code, kExitOk) << log.err;
  ASSERT_EQ(std::count(log.out.begin(), log.out.end(), '\n'), 2);
  const nlohmann::json second = nlohmann::json::parse(log.out.substr(log.out.find('\n') + 1));
  EXPECT_EQ(second.at("version"), 2);
  EXPECT_EQ(second.at("operation"), "append");
  EXPECT_EQ(second.at("writer"), "w");
  EXPECT_EQ(second.at("sequence"), 3);
  EXPECT_EQ(second.at("rows_added"), 15);

  const auto first = on_edges({"read", "--as-of", "1"});
  ASSERT_EQ(first.exit_code, kExitOk) << first.err;
  EXPECT_EQ(ticks_of(first.out), range_of(0, 10));
  const auto now = on_edges({"read", "--as-of", "2"});
  EXPECT_EQ(ticks_of(now.out), range_of(0, 25));
  const auto missing = on_edges({"read", "--as-of", "9"});
  EXPECT_EQ(missing.exit_code, kExitConfig) << missing.err;
  EXPECT_NE(missing.err.find("no version 9"), std::string::npos) << missing.err;
}

TEST_F(CliAppend, RewindRemovesTheRowsAfterATickAndLetsTheWriterAppendThemAgain) {
  ASSERT_EQ(append("identity_edges", write_input("a.jsonl", edges(0, 150)), "run-1",
                   {"--writer", "sim", "--sequence", "149"})
                .exit_code,
            kExitOk);
  ASSERT_EQ(append("identity_edges", write_input("b.jsonl", edges(150, 250)), "run-1",
                   {"--writer", "sim", "--sequence", "249"})
                .exit_code,
            kExitOk);
  const auto rewound = on_edges({"rewind", "--after-tick", "199"});
  ASSERT_EQ(rewound.exit_code, kExitOk) << rewound.err;
  const nlohmann::json summary = nlohmann::json::parse(rewound.out);
  EXPECT_EQ(summary.at("rows_removed"), 50);
  EXPECT_EQ(summary.at("version"), 3);
  EXPECT_EQ(summary.at("writers").at("sim"), 149);
  EXPECT_EQ(ticks_of(read_rows("identity_edges", "run-1")), range_of(0, 200));
  EXPECT_NE(on_edges({"log"}).out.find("\"operation\":\"rewind\""), std::string::npos);

  // The restarted simulation appends ticks 200..249 again under the same sequence.
  const auto again = append("identity_edges", write_input("c.jsonl", edges(200, 250)), "run-1",
                            {"--writer", "sim", "--sequence", "249"});
  ASSERT_EQ(again.exit_code, kExitOk) << again.err;
  EXPECT_FALSE(nlohmann::json::parse(again.out).contains("duplicate"));
  EXPECT_EQ(ticks_of(read_rows("identity_edges", "run-1")), range_of(0, 250));

  EXPECT_EQ(on_edges({"rewind", "--after-tick", "-1"}).exit_code, kExitUsage);
  EXPECT_EQ(on_edges({"rewind"}).exit_code, kExitUsage);
  const auto missing = run_crvio({"rewind", "--root", (root_ / "data").string(), "--run", "run-1",
                                  "--table", "holdings", "--after-tick", "3"});
  EXPECT_EQ(missing.exit_code, kExitManifest) << missing.err;
}

TEST_F(CliAppend, UnknownFlagIsAUsageError) {
  const auto result = run_crvio({"append", "--bogus"});
  EXPECT_EQ(result.exit_code, kExitUsage);
}

// One identity_edges row, written below as JSON lines and, independently, as CSV.
struct EdgeRow {
  int64_t tick;
  std::string observer;
  std::string kind;
  std::optional<std::string> subject;
  double weight;
  std::optional<int64_t> sign;
};

// Rows with commas, quotes and line breaks in strings, empty strings and nulls.
std::vector<EdgeRow> edge_rows(int from, int to) {
  std::vector<EdgeRow> rows;
  for (int tick = from; tick < to; ++tick) {
    std::optional<std::string> subject;
    if (tick % 3 == 1) subject = "";
    if (tick % 3 == 2) subject = "line\nbreak " + std::to_string(tick);
    rows.push_back({tick, (tick % 4 == 0 ? "agent, " : "agent-") + std::to_string(tick),
                    tick % 5 == 0 ? "say \"hi\"" : "trust", subject, tick * 0.25 - 3,
                    tick % 2 == 1 ? std::optional<int64_t>(-1) : std::nullopt});
  }
  return rows;
}

std::string to_jsonl(const std::vector<EdgeRow>& rows) {
  std::string lines;
  for (const EdgeRow& row : rows) {
    nlohmann::json object = {{"tick", row.tick},
                             {"observer_agent_id", row.observer},
                             {"edge_kind", row.kind},
                             {"edge_weight", row.weight}};
    object["subject_id"] = row.subject ? nlohmann::json(*row.subject) : nlohmann::json();
    object["edge_sign"] = row.sign ? nlohmann::json(*row.sign) : nlohmann::json();
    lines += object.dump() + "\n";
  }
  return lines;
}

// Always quoted, quotes doubled: RFC 4180's form for any text.
std::string csv_quoted(const std::string& text) {
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string to_csv(const std::vector<EdgeRow>& rows) {
  std::string text = "tick,observer_agent_id,edge_kind,subject_id,edge_weight,edge_sign\r\n";
  for (const EdgeRow& row : rows) {
    text += std::to_string(row.tick) + "," + csv_quoted(row.observer) + "," + csv_quoted(row.kind) +
            "," + (row.subject ? csv_quoted(*row.subject) : "") + "," +
            nlohmann::json(row.weight).dump() + "," + (row.sign ? std::to_string(*row.sign) : "") +
            "\r\n";
  }
  return text;
}

size_t count_lines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST_F(CliAppend, CsvAndParquetInputReadBackLikeJsonLines) {
  const std::vector<EdgeRow> rows = edge_rows(0, 120);
  ASSERT_EQ(append("identity_edges", write_input("edges.jsonl", to_jsonl(rows)), "from-jsonl",
                   {"--row-group-size", "16"})
                .exit_code,
            kExitOk);
  const std::string expected = read_rows("identity_edges", "from-jsonl");
  ASSERT_EQ(count_lines(expected), 120u);

  const auto csv = append("identity_edges", write_input("edges.csv", to_csv(rows)), "from-csv",
                          {"--batch-rows", "16"});
  ASSERT_EQ(csv.exit_code, kExitOk) << csv.err;
  EXPECT_EQ(nlohmann::json::parse(csv.out)["rows"], 120);
  EXPECT_EQ(read_rows("identity_edges", "from-csv"), expected);

  // A part written by crvio, with row groups of 16 rows, read in batches of 10.
  const std::vector<fs::path> parts = part_files("identity_edges", "from-jsonl");
  ASSERT_EQ(parts.size(), 2u);
  const fs::path bucket_zero = root_ / "edges.parquet";
  fs::copy_file(parts.front(), bucket_zero);
  ASSERT_EQ(parquet::ParquetReader::open(bucket_zero).info().row_groups.size(), 7u);
  const auto parquet = append("identity_edges", bucket_zero.string(), "from-parquet",
                              {"--batch-rows", "10", "--verbose"});
  ASSERT_EQ(parquet.exit_code, kExitOk) << parquet.err;
  EXPECT_EQ(nlohmann::json::parse(parquet.out)["rows"], 100);
  // Row groups of 16 rows are cut into batches of 10 and 6.
  EXPECT_NE(parquet.err.find("batch 11: 10 rows (" + bucket_zero.string() + ": rows 80-89)"),
            std::string::npos)
      << parquet.err;
  EXPECT_NE(parquet.err.find("batch 13: 4 rows (" + bucket_zero.string() + ": rows 96-99)"),
            std::string::npos)
      << parquet.err;
  const auto first_bucket =
      run_crvio({"read", "--root", (root_ / "data").string(), "--run", "from-jsonl", "--table",
                 "identity_edges", "--tick-max", "99"});
  EXPECT_EQ(read_rows("identity_edges", "from-parquet"), first_bucket.out);
}

TEST_F(CliAppend, ParquetInputKeepsStructsAndListsOfStructs) {
  std::string lines;
  for (int tick = 0; tick < 20; ++tick) {
    lines += R"({"tick": )" + std::to_string(tick) +
             R"(, "agent_id": "a", "chosen_action": {"action_type": "buy", "qty": )" +
             std::to_string(tick) +
             R"(}, "action_candidates": [{"action_type": "buy", "score": 0.5}], )"
             R"("token_value_estimates": {"tok": 1.5}})"
             "\n";
  }
  ASSERT_EQ(append("decisions", write_input("decisions.jsonl", lines), "source").exit_code,
            kExitOk);
  const std::vector<fs::path> parts = part_files("decisions", "source");
  ASSERT_EQ(parts.size(), 1u);
  const auto result = append("decisions", parts.front().string(), "copy");
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const std::string copied = read_rows("decisions", "copy");
  EXPECT_EQ(count_lines(copied), 20u);
  EXPECT_EQ(copied, read_rows("decisions", "source"));
}

TEST_F(CliAppend, FormatFollowsTheExtensionUnlessGiven) {
  const std::string jsonl = edges(0, 3);
  const std::string csv = "tick,observer_agent_id,edge_kind,edge_weight\n0,a,k,1\n1,a,k,2\n";
  for (const char* name : {"a.jsonl", "b.ndjson", "c.JSON", "d.txt", "e"}) {
    SCOPED_TRACE(name);
    const auto result = append("identity_edges", write_input(name, jsonl));
    EXPECT_EQ(result.exit_code, kExitOk) << result.err;
  }
  const auto csv_guessed = append("identity_edges", write_input("f.CSV", csv));
  EXPECT_EQ(csv_guessed.exit_code, kExitOk) << csv_guessed.err;

  // The wrong reader fails: CSV read as JSON lines, JSON lines read as CSV.
  const auto csv_as_jsonl = append("identity_edges", write_input("g.txt", csv));
  EXPECT_EQ(csv_as_jsonl.exit_code, kExitIoSchema);
  EXPECT_NE(csv_as_jsonl.err.find("g.txt:1:2: malformed JSON: syntax error while parsing value"),
            std::string::npos)
      << csv_as_jsonl.err;
  const std::string misnamed = write_input("h.csv", jsonl);
  const auto jsonl_as_csv = append("identity_edges", misnamed);
  EXPECT_EQ(jsonl_as_csv.exit_code, kExitIoSchema);
  EXPECT_NE(jsonl_as_csv.err.find("h.csv:1: a quote inside an unquoted field"), std::string::npos)
      << jsonl_as_csv.err;

  // --format wins over the extension, and applies to standard input.
  EXPECT_EQ(append("identity_edges", misnamed, "run-1", {"--format", "jsonl"}).exit_code, kExitOk);
  EXPECT_EQ(
      append("identity_edges", write_input("i.txt", csv), "run-1", {"--format", "csv"}).exit_code,
      kExitOk);
  const auto csv_stdin = append("identity_edges", "-", "run-1", {"--format", "csv"}, csv);
  EXPECT_EQ(csv_stdin.exit_code, kExitOk) << csv_stdin.err;
  const fs::path part = part_files("identity_edges", "run-1").front();
  fs::copy_file(part, root_ / "part.bin");
  const auto parquet =
      append("identity_edges", (root_ / "part.bin").string(), "run-2", {"--format", "parquet"});
  EXPECT_EQ(parquet.exit_code, kExitOk) << parquet.err;

  // Six files of three JSON lines, three of two CSV records.
  EXPECT_EQ(count_lines(read_rows("identity_edges", "run-1")), 6 * 3 + 3 * 2u);

  const auto parquet_stdin = append("identity_edges", "-", "run-1", {"--format", "parquet"}, csv);
  EXPECT_EQ(parquet_stdin.exit_code, kExitUsage);
  const auto unknown_format = append("identity_edges", misnamed, "run-1", {"--format", "xml"});
  EXPECT_EQ(unknown_format.exit_code, kExitUsage);
}

struct BadCsvAppend {
  const char* name;
  std::string table;
  std::string text;
  std::string message;
};

TEST_F(CliAppend, BadCsvIsRejectedWithItsLineAndTheDatasetIsUnchanged) {
  ASSERT_EQ(append("identity_edges", write_input("seed.jsonl", edges(0, 10))).exit_code, kExitOk);
  const auto before = snapshot();
  const std::string header = "tick,observer_agent_id,edge_kind,edge_weight\n";
  const std::vector<BadCsvAppend> cases = {
      {"bad int", "identity_edges", header + "1,a,k,1\n2x,a,k,1\n",
       "bad.csv:3: column 'tick': \"2x\" is not an integer"},
      {"bad float", "identity_edges", header + "1,a,k,heavy\n",
       "bad.csv:2: column 'edge_weight': \"heavy\" is not a number"},
      {"line numbers count the lines of quoted fields", "identity_edges",
       header + "1,\"a\nb\nc\",k,1\n2,a,k,one\n",
       "bad.csv:5: column 'edge_weight': \"one\" is not a number"},
      {"null in a required column", "identity_edges", header + "1,a,k,1\n2,,k,1\n",
       "bad.csv:3: null in required column 'observer_agent_id'"},
      {"struct column", "decisions", "tick,agent_id,chosen_action\n1,a,x\n",
       "bad.csv:1: column 'chosen_action' of table decisions is struct, but CSV carries scalar "
       "columns only (use jsonl or parquet)"},
      {"missing required column", "identity_edges", "tick,observer_agent_id,edge_kind\n1,a,k\n",
       "bad.csv, line 2: missing required column 'edge_weight'"},
      {"unknown column in strict mode", "identity_edges",
       "tick,observer_agent_id,edge_kind,edge_weight,mood\n1,a,k,1,calm\n2,a,k,1,calm\n",
       "bad.csv, lines 2-3: column mood not in table identity_edges"},
      {"short record", "identity_edges", header + "1,a,k\n",
       "bad.csv:2: the record has 3 fields, but the header has 4"},
  };
  for (const BadCsvAppend& bad : cases) {
    SCOPED_TRACE(bad.name);
    const std::string path = write_input("bad.csv", bad.text);
    const auto result = append(bad.table, path);
    EXPECT_EQ(result.exit_code, kExitIoSchema) << result.err;
    EXPECT_NE(result.err.find("crvio: IoSchemaError: " + root_.string() + "/" + bad.message),
              std::string::npos)
        << result.err;
    EXPECT_EQ(count_lines(result.err), 1u) << result.err;
    EXPECT_TRUE(result.out.empty());
    EXPECT_EQ(snapshot(), before);
  }
}

TEST_F(CliAppend, UnknownCsvColumnsAreKeptWithNoStrict) {
  const std::string csv =
      "tick,observer_agent_id,edge_kind,edge_weight,mood\n1,a,k,0.5,calm\n2,b,k,1,\n";
  EXPECT_EQ(append("identity_edges", write_input("mood.csv", csv)).exit_code, kExitIoSchema);
  const auto result =
      append("identity_edges", write_input("mood.csv", csv), "run-1", {"--no-strict"});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const auto read = run_crvio({"read", "--root", (root_ / "data").string(), "--run", "run-1",
                               "--table", "identity_edges", "--columns", "tick,edge_weight,mood"});
  EXPECT_EQ(read.out,
            "{\"tick\":1,\"edge_weight\":0.5,\"mood\":\"calm\"}\n"
            "{\"tick\":2,\"edge_weight\":1.0,\"mood\":null}\n");
}

TEST_F(CliAppend, CorruptParquetIsAFormatErrorAndChangesNothing) {
  ASSERT_EQ(append("identity_edges", write_input("seed.jsonl", edges(0, 10))).exit_code, kExitOk);
  const auto before = snapshot();
  const fs::path part = part_files("identity_edges", "run-1").front();
  std::string bytes;
  {
    std::ostringstream contents;
    contents << std::ifstream(part, std::ios::binary).rdbuf();
    bytes = contents.str();
  }
  const std::string truncated = write_input("truncated.parquet", bytes.substr(0, bytes.size() / 2));
  const auto result = append("identity_edges", truncated);
  EXPECT_EQ(result.exit_code, kExitFormat) << result.err;
  EXPECT_NE(result.err.find("crvio: IoFormatError: "), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(truncated), std::string::npos) << result.err;
  EXPECT_EQ(snapshot(), before);

  const auto missing = append("identity_edges", (root_ / "absent.parquet").string());
  EXPECT_EQ(missing.exit_code, kExitIo) << missing.err;
  EXPECT_NE(missing.err.find("absent.parquet"), std::string::npos) << missing.err;
}

// Row groups are decoded ahead of the batches taken from them; damage to a later one
// surfaces when its rows are due, after earlier batches were taken, and nothing commits.
TEST_F(CliAppend, DamageInALaterRowGroupOfParquetInputChangesNothing) {
  ASSERT_EQ(append("identity_edges", write_input("edges.jsonl", edges(0, 100)), "source",
                   {"--row-group-size", "16", "--compression", "none"})
                .exit_code,
            kExitOk);
  const fs::path part = part_files("identity_edges", "source").front();
  const parquet::FileInfo info = parquet::ParquetReader::open(part).info();
  ASSERT_EQ(info.row_groups.size(), 7u);
  // Row groups follow the 4-byte magic back to back; the fifth starts after four.
  uint64_t fifth = 4;
  for (int group = 0; group < 4; ++group) {
    for (const parquet::ColumnChunkInfo& chunk : info.row_groups[group].columns) {
      fifth += static_cast<uint64_t>(chunk.compressed_size);
    }
  }
  std::string bytes;
  {
    std::ostringstream contents;
    contents << std::ifstream(part, std::ios::binary).rdbuf();
    bytes = contents.str();
  }
  // Garbles the first page header of the fifth row group.
  for (uint64_t at = fifth; at < fifth + 8; ++at) bytes[at] = static_cast<char>(0xff);
  const std::string damaged = write_input("damaged.parquet", bytes);

  const auto before = snapshot();
  const auto result = append("identity_edges", damaged, "run-1", {"--batch-rows", "10"});
  EXPECT_EQ(result.exit_code, kExitFormat) << result.err;
  EXPECT_NE(result.err.find("crvio: IoFormatError: "), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(damaged), std::string::npos) << result.err;
  EXPECT_EQ(snapshot(), before);
}

// Every read of the table would fail and other readers refuse such a part, so it must
// never be committed.
TEST_F(CliAppend, ParquetWithAFieldNameThatIsNotUtf8IsAFormatErrorAndChangesNothing) {
  ASSERT_EQ(append("identity_edges", write_input("seed.jsonl", edges(0, 10))).exit_code, kExitOk);
  const auto before = snapshot();
  const std::vector<frame::Value> row{
      frame::Value::record({{"tick", int64_t{5}},
                            {"venue_id", "venue-a"},
                            {"token_id", "token-x"},
                            {"exchange_event_type", "trade"},
                            {"price", 1.5},
                            {"additional_payload", frame::Value::record({{"zzzz", "ok"}})}})};
  std::vector<uint8_t> bytes = parquet::write_parquet(frame::Frame::from_rows(row));
  const std::string_view name = "zzzz";
  const auto at = std::search(bytes.begin(), bytes.end(), name.begin(), name.end());
  ASSERT_NE(at, bytes.end());
  *at = 0xFF;
  const std::string input =
      write_input("bad-name.parquet", std::string(bytes.begin(), bytes.end()));

  const auto result = append("exchange", input);

  EXPECT_EQ(result.exit_code, kExitFormat) << result.err;
  EXPECT_NE(result.err.find("not valid UTF-8"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(input), std::string::npos) << result.err;
  EXPECT_EQ(snapshot(), before);
}

TEST_F(CliAppend, SettingsFlagsTakeEffect) {
  const std::string input = write_input("edges.jsonl", edges(0, 30));
  const auto result =
      append("identity_edges", input, "run-1",
             {"--bucket-size", "10", "--compression", "snappy", "--row-group-size", "4"});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  EXPECT_EQ(nlohmann::json::parse(result.out)["buckets"], nlohmann::json::array({0, 1, 2}));
  const std::vector<fs::path> parts = part_files("identity_edges", "run-1");
  ASSERT_EQ(parts.size(), 3u);
  for (int bucket = 0; bucket < 3; ++bucket) {
    EXPECT_EQ(parts[bucket].parent_path().filename().string(),
              "bucket=00000" + std::to_string(bucket));
    const parquet::FileInfo info = parquet::ParquetReader::open(parts[bucket]).info();
    EXPECT_EQ(info.num_rows, 10);
    ASSERT_EQ(info.row_groups.size(), 3u);  // 4 + 4 + 2 rows
    for (const parquet::ColumnChunkInfo& column : info.row_groups.front().columns) {
      EXPECT_EQ(column.codec, "SNAPPY") << column.path;
    }
  }

  // The settings' defaults, for contrast: one bucket, zstd, one row group.
  ASSERT_EQ(append("identity_edges", input, "run-2").exit_code, kExitOk);
  const std::vector<fs::path> default_parts = part_files("identity_edges", "run-2");
  ASSERT_EQ(default_parts.size(), 1u);
  const parquet::FileInfo info = parquet::ParquetReader::open(default_parts.front()).info();
  EXPECT_EQ(info.row_groups.size(), 1u);
  EXPECT_EQ(info.row_groups.front().columns.front().codec, "ZSTD");
}

TEST_F(CliAppend, BadSettingsFlagsAreConfigErrors) {
  const std::string input = write_input("edges.jsonl", edges(0, 3));
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--bucket-size", "0"}, "invalid tick_bucket_size 0: must be at least 1"},
      {{"--bucket-size", "ten"}, "--bucket-size: invalid tick_bucket_size \"ten\""},
      {{"--bucket-size", "-5"}, "invalid tick_bucket_size -5"},
      {{"--row-group-size", "0"}, "invalid row_group_size 0"},
      {{"--row-group-size", "1e3"}, "--row-group-size: invalid row_group_size \"1e3\""},
      {{"--compression", "gzip"},
       "--compression: invalid compression \"gzip\": expected one of zstd, lz4, snappy, none"},
  };
  for (const auto& [flags, message] : cases) {
    SCOPED_TRACE(flags.front() + " " + flags.back());
    const auto result = append("identity_edges", input, "run-1", flags);
    EXPECT_EQ(result.exit_code, kExitConfig) << result.err;
    EXPECT_NE(result.err.find("crvio: IoConfigError: "), std::string::npos) << result.err;
    EXPECT_NE(result.err.find(message), std::string::npos) << result.err;
    EXPECT_TRUE(snapshot().empty());
  }
  for (const char* flag : {"--batch-rows", "--commit-every"}) {
    EXPECT_EQ(append("identity_edges", input, "run-1", {flag, "0"}).exit_code, kExitUsage) << flag;
  }
}

// Every part's created_at (written with the part) before the manifest's created_at (its
// first commit) shows that the manifest did not exist while the parts were written.
bool every_part_precedes_the_manifest(const nlohmann::json& manifest) {
  for (const auto& [bucket, partition] : manifest["partitions"].items()) {
    for (const auto& part : partition["parts"]) {
      if (part["created_at"].get<std::string>() > manifest["created_at"].get<std::string>()) {
        return false;
      }
    }
  }
  return true;
}

size_t manifest_part_count(const nlohmann::json& manifest) {
  size_t parts = 0;
  for (const auto& [bucket, partition] : manifest["partitions"].items()) {
    parts += partition["parts"].size();
  }
  return parts;
}

TEST_F(CliAppend, BatchesOfAnInputAreCommittedOnce) {
  // Ticks 45-139 span buckets 0 and 1; batches of 10 rows make 10 batches, the 6th of
  // which has rows of both buckets. They stream into one part per bucket.
  const auto result = append("identity_edges", write_input("edges.jsonl", edges(45, 140)), "run-1",
                             {"--batch-rows", "10", "--verbose"});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const auto summary = nlohmann::json::parse(result.out);
  EXPECT_EQ(summary["rows"], 95);
  EXPECT_EQ(summary["buckets"], nlohmann::json::array({0, 1}));
  EXPECT_EQ(summary["parts"].size(), 2u);
  EXPECT_EQ(part_files("identity_edges", "run-1").size(), 2u);

  const nlohmann::json manifest = this->manifest("identity_edges", "run-1");
  EXPECT_EQ(manifest_part_count(manifest), 2u);
  EXPECT_TRUE(every_part_precedes_the_manifest(manifest));
  EXPECT_EQ(count_lines(read_rows("identity_edges", "run-1")), 95u);

  size_t batch_lines = 0;
  size_t commit_lines = 0;
  std::istringstream err(result.err);
  for (std::string line; std::getline(err, line);) {
    if (line.starts_with("crvio: batch ")) ++batch_lines;
    if (line.starts_with("crvio: committed ")) ++commit_lines;
  }
  EXPECT_EQ(batch_lines, 10u);
  EXPECT_EQ(commit_lines, 1u);
}

TEST_F(CliAppend, ABadLineInTheLastBatchLeavesTheRootAsItWas) {
  ASSERT_EQ(append("identity_edges", write_input("seed.jsonl", edges(0, 10))).exit_code, kExitOk);
  const auto before = snapshot();
  const std::string bad_jsonl = edges(0, 95) + R"({"tick": "soon"})" + "\n";
  const auto jsonl = append("identity_edges", write_input("edges.jsonl", bad_jsonl), "run-1",
                            {"--batch-rows", "10"});
  EXPECT_EQ(jsonl.exit_code, kExitIoSchema) << jsonl.err;
  EXPECT_NE(jsonl.err.find(":96: column 'tick'"), std::string::npos) << jsonl.err;
  EXPECT_EQ(snapshot(), before);

  std::string bad_csv = to_csv(edge_rows(0, 95)) + "95,a,k,,x,\n";
  const auto csv =
      append("identity_edges", write_input("edges.csv", bad_csv), "run-1", {"--batch-rows", "10"});
  EXPECT_EQ(csv.exit_code, kExitIoSchema) << csv.err;
  // The header, 95 records, and one extra line for each of the 31 subjects with a break.
  EXPECT_NE(csv.err.find("edges.csv:128: column 'edge_weight'"), std::string::npos) << csv.err;
  EXPECT_EQ(snapshot(), before);
}

TEST_F(CliAppend, CommitEveryCommitsChunksAndSaysHowFarAfterAFailure) {
  // 50 good lines, then a bad one: chunks of 20 rows commit lines 1-20 and 21-40; the
  // chunk of lines 41-51 fails. Batches of 7 rows are cut at the chunk boundaries.
  const std::string input =
      write_input("edges.jsonl", edges(0, 50) + R"({"tick": 50, "edge_kind": 3})" + "\n");
  const auto failed =
      append("identity_edges", input, "run-1", {"--commit-every", "20", "--batch-rows", "7"});
  EXPECT_EQ(failed.exit_code, kExitIoSchema) << failed.err;
  EXPECT_TRUE(failed.out.empty());
  EXPECT_NE(failed.err.find("crvio: rows up to line 40 of " + input + " are committed\n"),
            std::string::npos)
      << failed.err;
  EXPECT_NE(failed.err.find("crvio: IoSchemaError: " + input + ":51: "), std::string::npos)
      << failed.err;
  const nlohmann::json manifest = this->manifest("identity_edges", "run-1");
  EXPECT_EQ(manifest_part_count(manifest), part_files("identity_edges", "run-1").size());
  EXPECT_FALSE(every_part_precedes_the_manifest(manifest));  // committed chunk by chunk

  ASSERT_EQ(
      append("identity_edges", write_input("first40.jsonl", edges(0, 40)), "expected").exit_code,
      kExitOk);
  EXPECT_EQ(read_rows("identity_edges", "run-1"), read_rows("identity_edges", "expected"));

  // Without a failure the summary covers every chunk.
  const auto good = append("identity_edges", write_input("good.jsonl", edges(0, 50)), "run-2",
                           {"--commit-every", "20", "--batch-rows", "7"});
  ASSERT_EQ(good.exit_code, kExitOk) << good.err;
  const auto summary = nlohmann::json::parse(good.out);
  EXPECT_EQ(summary["rows"], 50);
  EXPECT_EQ(summary["parts"].size(), part_files("identity_edges", "run-2").size());
  EXPECT_EQ(summary["buckets"], nlohmann::json::array({0}));
}

TEST_F(CliAppend, EachCommitOfCommitEveryClosesItsParts) {
  // Chunks of ticks 0-59, 60-119, 120-179 and 180-199 in batches of 7 rows touch bucket
  // 0, both buckets, bucket 1 and bucket 1: five parts.
  const std::string input = write_input("edges.jsonl", edges(0, 200));
  const auto chunked =
      append("identity_edges", input, "run-1", {"--batch-rows", "7", "--commit-every", "60"});
  ASSERT_EQ(chunked.exit_code, kExitOk) << chunked.err;
  EXPECT_EQ(part_files("identity_edges", "run-1").size(), 5u);
  ASSERT_EQ(append("identity_edges", input, "whole").exit_code, kExitOk);
  EXPECT_EQ(read_rows("identity_edges", "run-1"), read_rows("identity_edges", "whole"));
}

TEST_F(CliAppend, CommitEverySaysHowFarForCsvAndParquet) {
  const std::string csv =
      write_input("edges.csv", to_csv(edge_rows(0, 6)) + "6,\"a\",\"k\",,nope,\n");
  const auto csv_result = append("identity_edges", csv, "run-1", {"--commit-every", "4"});
  EXPECT_EQ(csv_result.exit_code, kExitIoSchema) << csv_result.err;
  // Rows 1-4 sit on lines 2-6: the subject of tick 2 holds a line break.
  EXPECT_NE(csv_result.err.find("crvio: rows up to line 6 of " + csv + " are committed"),
            std::string::npos)
      << csv_result.err;
  EXPECT_EQ(count_lines(read_rows("identity_edges", "run-1")), 4u);

  // A part of bucket 0 (ticks 0-29) appended with buckets of 10 ticks: its `bucket`
  // column disagrees from row 10 on.
  ASSERT_EQ(append("identity_edges", write_input("edges.jsonl", edges(0, 30)), "source").exit_code,
            kExitOk);
  const fs::path part = part_files("identity_edges", "source").front();
  const auto parquet = append("identity_edges", part.string(), "run-2",
                              {"--commit-every", "4", "--bucket-size", "10"});
  EXPECT_EQ(parquet.exit_code, kExitIoSchema) << parquet.err;
  EXPECT_NE(parquet.err.find("crvio: the first 8 rows of " + part.string() + " are committed"),
            std::string::npos)
      << parquet.err;
  EXPECT_NE(parquet.err.find(part.string() + ": row 10: bucket 0 disagrees with tick 10"),
            std::string::npos)
      << parquet.err;
  EXPECT_EQ(count_lines(read_rows("identity_edges", "run-2")), 8u);

  const auto nothing = append("identity_edges", part.string(), "run-3",
                              {"--commit-every", "20", "--bucket-size", "10"});
  EXPECT_NE(nothing.err.find("crvio: no rows of " + part.string() + " are committed"),
            std::string::npos)
      << nothing.err;
}

TEST_F(CliAppend, StandardInputErrorsNameTheLine) {
  const auto result = append("identity_edges", "-", "run-1", {}, edges(0, 2) + "{\n");
  EXPECT_EQ(result.exit_code, kExitIoSchema);
  EXPECT_NE(result.err.find("<stdin>:3:2: malformed JSON"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace crv::cli
