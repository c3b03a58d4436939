#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/run_crvio.hpp"
#include "crv/cli/main.hpp"
#include "crv/core/table_descriptor.hpp"

namespace crv::cli {
namespace {

using testing::run_crvio;

TEST(CliTables, ListsEveryTableWithItsColumnCount) {
  const auto result = run_crvio({"tables"});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  for (const core::TableDescriptor& table : core::list_tables()) {
    EXPECT_NE(result.out.find(std::string(core::to_string(table.name))), std::string::npos);
  }
  EXPECT_NE(result.out.find("identity_edges       10 columns"), std::string::npos) << result.out;
}

TEST(CliTables, JsonMatchesTheDescriptors) {
  const auto result = run_crvio({"tables", "--json"});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  ASSERT_EQ(json.size(), core::list_tables().size());
  for (size_t i = 0; i < json.size(); ++i) {
    const core::TableDescriptor& table = core::list_tables()[i];
    EXPECT_EQ(json[i]["table"], core::to_string(table.name));
    EXPECT_EQ(json[i]["version"], "0.1@2025-09-20");
    EXPECT_EQ(json[i]["partitioning"], nlohmann::json::array({"bucket"}));
    ASSERT_EQ(json[i]["columns"].size(), table.columns.size());
    for (size_t c = 0; c < table.columns.size(); ++c) {
      EXPECT_EQ(json[i]["columns"][c]["name"], table.columns[c].name);
      EXPECT_EQ(json[i]["columns"][c]["dtype"], core::to_string(table.columns[c].dtype));
      EXPECT_EQ(json[i]["columns"][c]["required"], table.columns[c].required);
      EXPECT_EQ(json[i]["columns"][c]["nullable"], !table.columns[c].required);
    }
  }
}

TEST(CliSchema, ShowsColumnsInOrder) {
  const auto result = run_crvio({"schema", "holdings"});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const char* order[] = {"bucket", "tick", "agent_id", "token_id", "quantity"};
  size_t position = 0;
  for (const char* column : order) {
    const size_t found = result.out.find(column, position);
    ASSERT_NE(found, std::string::npos) << column;
    position = found;
  }
  EXPECT_NE(result.out.find("schema 0.1@2025-09-20"), std::string::npos);
}

TEST(CliSchema, JsonForOneTable) {
  const auto result = run_crvio({"schema", "decisions", "--json"});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["table"], "decisions");
  EXPECT_EQ(json["columns"][4]["name"], "action_candidates");
  EXPECT_EQ(json["columns"][4]["dtype"], "list[struct]");
}

TEST(CliSchema, UnknownTableIsAGrammarErrorOnStderr) {
  const auto result = run_crvio({"schema", "trades"});
  EXPECT_EQ(result.exit_code, kExitGrammar);
  EXPECT_TRUE(result.out.empty());
  EXPECT_NE(result.err.find("GrammarError: unknown table 'trades'"), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("holdings_valuation"), std::string::npos);
}

TEST(CliUsage, BadInvocationsExitWithUsageCode) {
  EXPECT_EQ(run_crvio({}).exit_code, kExitUsage);
  EXPECT_EQ(run_crvio({"schema"}).exit_code, kExitUsage);
  EXPECT_EQ(run_crvio({"frobnicate"}).exit_code, kExitUsage);
  EXPECT_EQ(run_crvio({"tables", "--bogus"}).exit_code, kExitUsage);
}

TEST(CliUsage, HelpAndVersionSucceed) {
  const auto help = run_crvio({"schema", "--help"});
  EXPECT_EQ(help.exit_code, kExitOk);
  EXPECT_NE(help.out.find("Examples:"), std::string::npos) << help.out;
  const auto version = run_crvio({"--version"});
  EXPECT_EQ(version.exit_code, kExitOk);
  EXPECT_NE(version.out.find("crv-io 0.1.0"), std::string::npos) << version.out;
}

}  // namespace
}  // namespace crv::cli
