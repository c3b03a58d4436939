// SyntheticRun: its option checks, per-agent facts and dispatch to the table builders.

#include "crv/sim/synthetic_run.hpp"

#include <fmt/format.h>

#include "crv/core/errors.hpp"
#include "crv/core/table_descriptor.hpp"
#include "sim/random.hpp"
#include "sim/tables.hpp"
#include "sim/world.hpp"

namespace crv::sim {
namespace {

using core::TableName;
using frame::Field;

// The frame of ticks [first_tick, end_tick); with no world, the empty frame of the table.
frame::Frame build(TableName table, const World* world, int64_t first_tick, int64_t end_tick) {
  switch (table) {
    case TableName::kExchange:
      return build_exchange(world, first_tick, end_tick);
    case TableName::kIdentityEdges:
      return build_identity_edges(world, first_tick, end_tick);
    case TableName::kScenariosSeen:
      return build_scenarios_seen(world, first_tick, end_tick);
    case TableName::kMessages:
      return build_messages(world, first_tick, end_tick);
    case TableName::kDecisions:
      return build_decisions(world, first_tick, end_tick);
    case TableName::kOracleCalls:
      return build_oracle_calls(world, first_tick, end_tick);
    case TableName::kHoldings:
      return build_holdings(world, first_tick, end_tick);
    case TableName::kHoldingsValuation:
      return build_holdings_valuation(world, first_tick, end_tick);
  }
  throw IoConfigError(fmt::format("unknown table #{}", static_cast<int>(table)));
}

}  // namespace

SyntheticRun::SyntheticRun(const SyntheticRunOptions& options, int64_t tick_bucket_size)
    : options_(options), tick_bucket_size_(tick_bucket_size) {
  if (options.agents < 1) {
    throw IoConfigError(
        fmt::format("a synthetic run needs at least 1 agent, not {}", options.agents));
  }
  if (options.ticks < 0) {
    throw IoConfigError(
        fmt::format("a synthetic run cannot have a negative tick count ({})", options.ticks));
  }
  if (tick_bucket_size < 1) {
    throw IoConfigError(
        fmt::format("tick_bucket_size must be at least 1, not {}", tick_bucket_size));
  }
  agent_ids_.reserve(static_cast<size_t>(options.agents));
  held_tokens_.resize(static_cast<size_t>(options.agents));
  for (int64_t agent = 0; agent < options.agents; ++agent) {
    agent_ids_.push_back(format_agent_id(agent));
    // Everyone holds a home token, and each other token with a chance of one in three.
    Random random(options.seed, Stream::kPortfolio, agent);
    const int home = static_cast<int>(agent % kTokenCount);
    for (int token = 0; token < kTokenCount; ++token) {
      if (token == home || random.one_in(3))
        held_tokens_[static_cast<size_t>(agent)].push_back(token);
    }
  }
}

frame::Frame SyntheticRun::tick_rows(core::TableName table, int64_t tick) const {
  if (tick < 0 || tick >= options_.ticks) {
    throw IoConfigError(
        fmt::format("tick {} is outside the run's ticks [0, {})", tick, options_.ticks));
  }
  return rows(table, tick, tick + 1);
}

frame::Frame SyntheticRun::rows(core::TableName table, int64_t first_tick, int64_t end_tick) const {
  if (first_tick < 0 || first_tick > end_tick || end_tick > options_.ticks) {
    throw IoConfigError(fmt::format("ticks [{}, {}) are not a range inside the run's [0, {})",
                                    first_tick, end_tick, options_.ticks));
  }
  const World world{options_.seed, options_.agents, tick_bucket_size_, agent_ids_, held_tokens_};
  return build(table, &world, first_tick, end_tick);
}

std::vector<frame::Field> SyntheticRun::fields(core::TableName table) {
  const frame::Frame empty = build(table, nullptr, 0, 0);
  const core::TableDescriptor& descriptor = core::get_table(table);
  std::vector<frame::Field> fields;
  fields.reserve(descriptor.columns.size());
  for (const core::ColumnDescriptor& column : descriptor.columns) {
    fields.push_back(
        Field{std::string(column.name), empty.column(column.name)->type(), column.nullable()});
  }
  return fields;
}

const std::string& SyntheticRun::agent_id(int64_t agent) const {
  if (agent < 0 || agent >= options_.agents) {
    throw IoConfigError(
        fmt::format("agent {} is outside the run's agents [0, {})", agent, options_.agents));
  }
  return agent_ids_[static_cast<size_t>(agent)];
}

std::string SyntheticRun::format_agent_id(int64_t agent) {
  return fmt::format("agent-{:04}", agent);
}

}  // namespace crv::sim
