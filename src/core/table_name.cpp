// The canonical table names: to_string and parsing a lower_snake name.

#include "crv/core/table_name.hpp"

#include <fmt/format.h>

#include "crv/core/errors.hpp"

namespace crv::core {

std::string_view to_string(TableName table) noexcept {
  switch (table) {
    case TableName::kExchange:
      return "exchange";
    case TableName::kIdentityEdges:
      return "identity_edges";
    case TableName::kScenariosSeen:
      return "scenarios_seen";
    case TableName::kMessages:
      return "messages";
    case TableName::kDecisions:
      return "decisions";
    case TableName::kOracleCalls:
      return "oracle_calls";
    case TableName::kHoldings:
      return "holdings";
    case TableName::kHoldingsValuation:
      return "holdings_valuation";
  }
  return "";
}

TableName parse_table_name(std::string_view name) {
  for (TableName table : kAllTables) {
    if (to_string(table) == name) return table;
  }
  std::string valid;
  for (TableName table : kAllTables) {
    if (!valid.empty()) valid += ", ";
    valid += to_string(table);
  }
  throw GrammarError(fmt::format("unknown table '{}'; valid tables: {}", name, valid));
}

}  // namespace crv::core
