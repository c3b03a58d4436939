// End-to-end tests of `crvio append`: what a user sees for good and bad input, and that
// a failed append leaves the dataset exactly as it was.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>

#include "cli/run_crvio.hpp"
#include "crv/cli/main.hpp"

namespace crv::cli {
namespace {

namespace fs = std::filesystem;
using testing::run_crvio;

class CliAppend : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("crvio-append-" + std::to_string(std::random_device{}()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string write_input(const std::string& name, const std::string& text) {
    const fs::path path = root_ / name;
    std::ofstream(path) << text;
    return path.string();
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
                                const std::string& run = "run-1") {
    return run_crvio(
        {"append", "--root", (root_ / "data").string(), "--run", run, "--table", table, input});
  }

  fs::path root_;
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
       ":3: malformed JSON"},
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

TEST_F(CliAppend, BadRunIdsMissingFilesAndCorruptManifests) {
  for (const char* run : {"..", ".", "a/b"}) {
    const auto result = append("identity_edges", write_input("ok.jsonl", edges(0, 2)), run);
    EXPECT_EQ(result.exit_code, kExitGrammar) << run << result.err;
  }
  const auto missing = append("identity_edges", (root_ / "nope.jsonl").string());
  EXPECT_EQ(missing.exit_code, kExitIo);
  EXPECT_NE(missing.err.find("nope.jsonl"), std::string::npos) << missing.err;

  ASSERT_EQ(append("identity_edges", write_input("seed.jsonl", edges(0, 10))).exit_code, kExitOk);
  const fs::path manifest = root_ / "data/runs/run-1/tables/identity_edges/manifest.json";
  std::ofstream(manifest, std::ios::trunc) << "{\"table\": \"identity_edges\", \"vers";
  const auto before = snapshot();
  const auto corrupt = append("identity_edges", write_input("more.jsonl", edges(10, 20)));
  EXPECT_EQ(corrupt.exit_code, kExitManifest) << corrupt.err;
  EXPECT_NE(corrupt.err.find("IoManifestError"), std::string::npos) << corrupt.err;
  EXPECT_EQ(snapshot(), before);
}

TEST_F(CliAppend, UnknownFlagIsAUsageError) {
  const auto result = run_crvio({"append", "--bogus"});
  EXPECT_EQ(result.exit_code, kExitUsage);
}

}  // namespace
}  // namespace crv::cli
