// End-to-end tests of `crvio schema`: one table's columns in order, as text or JSON.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "cli/run_crvio.hpp"
#include "crv/cli/main.hpp"

namespace crv::cli {
namespace {

using testing::run_crvio;

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

}  // namespace
}  // namespace crv::cli
