#include "crv/core/table_name.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "crv/core/errors.hpp"
#include "crv/core/lower_snake.hpp"

namespace crv::core {
namespace {

TEST(TableName, RoundTripsEveryName) {
  const std::set<std::string> expected = {"exchange", "identity_edges",    "scenarios_seen",
                                          "messages", "decisions",         "oracle_calls",
                                          "holdings", "holdings_valuation"};
  std::set<std::string> names;
  for (TableName table : kAllTables) {
    const std::string name(to_string(table));
    names.insert(name);
    EXPECT_EQ(parse_table_name(name), table);
    EXPECT_TRUE(is_lower_snake(name)) << name;
  }
  EXPECT_EQ(names, expected);
}

TEST(TableName, UnknownNameListsTheValidOnes) {
  try {
    parse_table_name("trades");
    FAIL() << "expected GrammarError";
  } catch (const GrammarError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("'trades'"), std::string::npos) << message;
    for (TableName table : kAllTables) {
      EXPECT_NE(message.find(std::string(to_string(table))), std::string::npos) << message;
    }
  }
  EXPECT_THROW(parse_table_name(""), GrammarError);
  EXPECT_THROW(parse_table_name("Exchange"), GrammarError);
  EXPECT_THROW(parse_table_name("exchange "), GrammarError);
}

TEST(LowerSnake, AcceptsAndRejects) {
  for (const char* good : {"a", "tick", "edge_weight", "a1_b2_c3", "0", "x_9"}) {
    EXPECT_TRUE(is_lower_snake(good)) << good;
  }
  for (const char* bad : {"", "_", "a_", "_a", "a__b", "A", "aB", "a-b", "a b", "é"}) {
    EXPECT_FALSE(is_lower_snake(bad)) << bad;
  }
}

TEST(LowerSnake, RequireNamesWhatAndValue) {
  EXPECT_NO_THROW(require_lower_snake("column name", "edge_kind"));
  try {
    require_lower_snake("column name", "EdgeKind");
    FAIL() << "expected GrammarError";
  } catch (const GrammarError& error) {
    EXPECT_NE(std::string(error.what()).find("column name 'EdgeKind'"), std::string::npos);
  }
}

}  // namespace
}  // namespace crv::core
