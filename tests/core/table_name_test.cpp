// Tests of table names and the lower_snake grammar.

#include "crv/core/table_name.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/core/lower_snake.hpp"
#include "support/expect_error.hpp"

namespace crv::core {
namespace {

using test_support::expect_error;

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
  std::vector<std::string> names_listed = {"'trades'"};
  for (TableName table : kAllTables) names_listed.emplace_back(to_string(table));
  expect_error<GrammarError>([] { parse_table_name("trades"); }, {.message_has = names_listed});
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
  expect_error<GrammarError>([] { require_lower_snake("column name", "EdgeKind"); },
                             {.message_has = {"column name 'EdgeKind'"}});
}

}  // namespace
}  // namespace crv::core
