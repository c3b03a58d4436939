#pragma once
// The canonical CRV tables, by name.

#include <array>
#include <cstdint>
#include <string_view>

namespace crv::core {

enum class TableName : uint8_t {
  kExchange,
  kIdentityEdges,
  kScenariosSeen,
  kMessages,
  kDecisions,
  kOracleCalls,
  kHoldings,
  kHoldingsValuation,
};

// Every table, in canonical order.
inline constexpr std::array<TableName, 8> kAllTables = {
    TableName::kExchange, TableName::kIdentityEdges,     TableName::kScenariosSeen,
    TableName::kMessages, TableName::kDecisions,         TableName::kOracleCalls,
    TableName::kHoldings, TableName::kHoldingsValuation,
};

// The lower_snake name, e.g. "identity_edges".
std::string_view to_string(TableName table) noexcept;

// The table called `name`; GrammarError naming the valid names otherwise.
TableName parse_table_name(std::string_view name);

}  // namespace crv::core
