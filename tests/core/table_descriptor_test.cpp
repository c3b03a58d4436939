// Tests of the canonical table descriptors.

#include "crv/core/table_descriptor.hpp"

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"

namespace crv::core {
namespace {

// The contract, written as the specification states it ("name dtype R|N" per
// column, comma separated), so the test does not share a representation with
// the code under test.
const std::map<std::string, std::string> kSpecification = {
    {"exchange",
     "bucket i64 R, tick i64 R, venue_id str R, token_id str R, exchange_event_type str R, side "
     "str N, quantity f64 N, price f64 N, actor_agent_id str N, counterparty_agent_id str N, "
     "baseline_value f64 N, additional_payload struct R"},
    {"identity_edges",
     "bucket i64 R, tick i64 R, observer_agent_id str R, edge_kind str R, subject_id str N, "
     "object_id str N, related_agent_id str N, token_id str N, edge_weight f64 R, edge_sign i64 "
     "N"},
    {"scenarios_seen",
     "bucket i64 R, tick i64 R, observer_agent_id str R, token_id str N, owner_status str N, "
     "peer_alignment_label str N, group_label str N, visibility_scope str N, channel_name str N, "
     "salient_agent_pairs list[struct] R, exchange_snapshot struct R, recent_affect_index f64 N, "
     "salient_other_agent_id str N, context_hash str R"},
    {"messages",
     "bucket i64 R, tick i64 R, sender_agent_id str R, channel_name str R, visibility_scope str "
     "R, audience struct R, speech_act str R, topic_label str R, stance_label str N, claims "
     "struct R, style struct R"},
    {"decisions",
     "bucket i64 R, tick i64 R, agent_id str R, chosen_action struct R, action_candidates "
     "list[struct] R, token_value_estimates struct R"},
    {"oracle_calls",
     "bucket i64 R, tick i64 R, agent_id str R, engine str R, signature_id str R, persona_id str "
     "R, persona_hash str R, representation_hash str R, context_hash str R, value_json str R, "
     "latency_ms i64 R, cache_hit i64 R, n_tool_calls i64 R, tool_seq struct R"},
    {"holdings", "bucket i64 R, tick i64 R, agent_id str R, token_id str R, quantity i64 R"},
    {"holdings_valuation",
     "bucket i64 R, tick i64 R, agent_id str R, token_id str R, quantity i64 R, avg_unit_cost "
     "f64 N, cost_value f64 N, mark_price f64 N, mark_value f64 N, realized_pnl f64 N, "
     "unrealized_pnl f64 N, price_source str N, accounting_method str N"},
};

std::vector<std::string> describe(const TableDescriptor& table) {
  std::vector<std::string> columns;
  for (const ColumnDescriptor& column : table.columns) {
    columns.push_back(std::string(column.name) + " " + std::string(to_string(column.dtype)) +
                      (column.required ? " R" : " N"));
  }
  return columns;
}

std::vector<std::string> split_specification(const std::string& text) {
  std::vector<std::string> columns;
  std::stringstream stream(text);
  std::string column;
  while (std::getline(stream, column, ',')) {
    columns.push_back(column.substr(column.find_first_not_of(' ')));
  }
  return columns;
}

TEST(TableDescriptor, EveryTableMatchesTheSpecification) {
  ASSERT_EQ(list_tables().size(), kSpecification.size());
  for (const TableDescriptor& table : list_tables()) {
    const std::string name(to_string(table.name));
    ASSERT_TRUE(kSpecification.count(name)) << name;
    EXPECT_EQ(describe(table), split_specification(kSpecification.at(name))) << name;
  }
}

TEST(TableDescriptor, PartitionedByBucketAndPinnedToSchemaV) {
  for (const TableDescriptor& table : list_tables()) {
    ASSERT_EQ(table.partitioning.size(), 1u);
    EXPECT_EQ(table.partitioning[0], "bucket");
    EXPECT_EQ(table.version, schema_v());
    EXPECT_EQ(table.columns[0].name, "bucket");
    EXPECT_EQ(table.columns[0].dtype, DType::kI64);
  }
}

TEST(TableDescriptor, NullableIsTheOppositeOfRequired) {
  const TableDescriptor& edges = get_table(TableName::kIdentityEdges);
  EXPECT_FALSE(edges.find("edge_weight")->nullable());
  EXPECT_TRUE(edges.find("edge_sign")->nullable());
}

TEST(TableDescriptor, LookupByNameAndEnumAgree) {
  for (TableName table : kAllTables) {
    EXPECT_EQ(&get_table(table), &get_table(to_string(table)));
    EXPECT_EQ(get_table(table).name, table);
  }
  EXPECT_EQ(get_table("holdings").find("no_such_column"), nullptr);
  EXPECT_THROW(get_table("Holdings"), GrammarError);
}

TEST(TableDescriptor, ColumnNamesAreUniqueAndLowerSnake) {
  for (const TableDescriptor& table : list_tables()) {
    std::map<std::string_view, int> seen;
    for (const ColumnDescriptor& column : table.columns) {
      EXPECT_EQ(++seen[column.name], 1) << column.name;
    }
  }
}

TEST(DType, Names) {
  EXPECT_EQ(to_string(DType::kI64), "i64");
  EXPECT_EQ(to_string(DType::kF64), "f64");
  EXPECT_EQ(to_string(DType::kStr), "str");
  EXPECT_EQ(to_string(DType::kStruct), "struct");
  EXPECT_EQ(to_string(DType::kListStruct), "list[struct]");
}

}  // namespace
}  // namespace crv::core
