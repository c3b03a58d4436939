// The descriptor of every canonical table: its columns, their types and nullability.

#include "crv/core/table_descriptor.hpp"

#include <array>

namespace crv::core {
namespace {

// Shorthands that keep each table's definition on a few readable lines.
constexpr bool R = true;   // required
constexpr bool N = false;  // nullable
constexpr DType I64 = DType::kI64;
constexpr DType F64 = DType::kF64;
constexpr DType STR = DType::kStr;
constexpr DType STRUCT = DType::kStruct;
constexpr DType LIST_STRUCT = DType::kListStruct;

constexpr std::array<std::string_view, 1> kPartitioning = {"bucket"};

constexpr ColumnDescriptor kExchange[] = {
    {"bucket", I64, R},
    {"tick", I64, R},
    {"venue_id", STR, R},
    {"token_id", STR, R},
    {"exchange_event_type", STR, R},
    {"side", STR, N},
    {"quantity", F64, N},
    {"price", F64, N},
    {"actor_agent_id", STR, N},
    {"counterparty_agent_id", STR, N},
    {"baseline_value", F64, N},
    {"additional_payload", STRUCT, R},
};

constexpr ColumnDescriptor kIdentityEdges[] = {
    {"bucket", I64, R},           {"tick", I64, R},       {"observer_agent_id", STR, R},
    {"edge_kind", STR, R},        {"subject_id", STR, N}, {"object_id", STR, N},
    {"related_agent_id", STR, N}, {"token_id", STR, N},   {"edge_weight", F64, R},
    {"edge_sign", I64, N},
};

constexpr ColumnDescriptor kScenariosSeen[] = {
    {"bucket", I64, R},
    {"tick", I64, R},
    {"observer_agent_id", STR, R},
    {"token_id", STR, N},
    {"owner_status", STR, N},
    {"peer_alignment_label", STR, N},
    {"group_label", STR, N},
    {"visibility_scope", STR, N},
    {"channel_name", STR, N},
    {"salient_agent_pairs", LIST_STRUCT, R},
    {"exchange_snapshot", STRUCT, R},
    {"recent_affect_index", F64, N},
    {"salient_other_agent_id", STR, N},
    {"context_hash", STR, R},
};

constexpr ColumnDescriptor kMessages[] = {
    {"bucket", I64, R},           {"tick", I64, R},
    {"sender_agent_id", STR, R},  {"channel_name", STR, R},
    {"visibility_scope", STR, R}, {"audience", STRUCT, R},
    {"speech_act", STR, R},       {"topic_label", STR, R},
    {"stance_label", STR, N},     {"claims", STRUCT, R},
    {"style", STRUCT, R},
};

constexpr ColumnDescriptor kDecisions[] = {
    {"bucket", I64, R},
    {"tick", I64, R},
    {"agent_id", STR, R},
    {"chosen_action", STRUCT, R},
    {"action_candidates", LIST_STRUCT, R},
    {"token_value_estimates", STRUCT, R},
};

constexpr ColumnDescriptor kOracleCalls[] = {
    {"bucket", I64, R},       {"tick", I64, R},
    {"agent_id", STR, R},     {"engine", STR, R},
    {"signature_id", STR, R}, {"persona_id", STR, R},
    {"persona_hash", STR, R}, {"representation_hash", STR, R},
    {"context_hash", STR, R}, {"value_json", STR, R},
    {"latency_ms", I64, R},   {"cache_hit", I64, R},
    {"n_tool_calls", I64, R}, {"tool_seq", STRUCT, R},
};

constexpr ColumnDescriptor kHoldings[] = {
    {"bucket", I64, R},   {"tick", I64, R},     {"agent_id", STR, R},
    {"token_id", STR, R}, {"quantity", I64, R},
};

constexpr ColumnDescriptor kHoldingsValuation[] = {
    {"bucket", I64, R},
    {"tick", I64, R},
    {"agent_id", STR, R},
    {"token_id", STR, R},
    {"quantity", I64, R},
    {"avg_unit_cost", F64, N},
    {"cost_value", F64, N},
    {"mark_price", F64, N},
    {"mark_value", F64, N},
    {"realized_pnl", F64, N},
    {"unrealized_pnl", F64, N},
    {"price_source", STR, N},
    {"accounting_method", STR, N},
};

const std::array<TableDescriptor, kAllTables.size()>& descriptors() {
  static const std::array<TableDescriptor, kAllTables.size()> all = {{
      {TableName::kExchange, kExchange, kPartitioning, schema_v()},
      {TableName::kIdentityEdges, kIdentityEdges, kPartitioning, schema_v()},
      {TableName::kScenariosSeen, kScenariosSeen, kPartitioning, schema_v()},
      {TableName::kMessages, kMessages, kPartitioning, schema_v()},
      {TableName::kDecisions, kDecisions, kPartitioning, schema_v()},
      {TableName::kOracleCalls, kOracleCalls, kPartitioning, schema_v()},
      {TableName::kHoldings, kHoldings, kPartitioning, schema_v()},
      {TableName::kHoldingsValuation, kHoldingsValuation, kPartitioning, schema_v()},
  }};
  return all;
}

}  // namespace

std::string_view to_string(DType dtype) noexcept {
  switch (dtype) {
    case DType::kI64:
      return "i64";
    case DType::kF64:
      return "f64";
    case DType::kStr:
      return "str";
    case DType::kStruct:
      return "struct";
    case DType::kListStruct:
      return "list[struct]";
  }
  return "";
}

const ColumnDescriptor* TableDescriptor::find(std::string_view column) const noexcept {
  for (const ColumnDescriptor& descriptor : columns) {
    if (descriptor.name == column) return &descriptor;
  }
  return nullptr;
}

const TableDescriptor& get_table(TableName table) {
  return descriptors()[static_cast<size_t>(table)];
}

const TableDescriptor& get_table(std::string_view table) {
  return get_table(parse_table_name(table));
}

std::span<const TableDescriptor> list_tables() {
  return descriptors();
}

}  // namespace crv::core
