#pragma once
// Synthetic CRV runs: realistic rows for the 8 canonical tables, made up deterministically
// from a seed, for demos, benchmarks, tests and conformance fixtures.
//
// A SyntheticRun stands for one simulated run of a market society: `agents` agents trade
// six tokens on three venues for `ticks` ticks. What happens at a tick:
// - every agent reports its holdings and their valuation;
// - about a quarter of the agents are active: each of those observes a scenario, decides
//   (one oracle call per decision), emits identity edges about other agents and sometimes
//   posts a message;
// - buy and sell decisions reach the exchange as orders and trades, and every venue
//   publishes a price.
//
// Determinism: every value is a pure function of (seed, table, tick, row). The same
// options give the same rows, on any machine and in any order of calls; a tick can be
// generated on its own (a demo appends tick by tick) and always equals the same tick's
// rows in the whole-run frame. Another seed gives other rows. A run holds only a few
// facts per agent; rows are made when asked for and not kept.
//
// Frames follow the table descriptors (crv/core/table_descriptor.hpp) exactly, column by
// column and in order: i64 -> Int64, f64 -> Float64, str -> Utf8, struct -> Struct,
// list[struct] -> List of Struct. Required columns are never null; nullable columns and
// struct members (lists among them) sometimes are, and lists are sometimes empty, as in
// real data. `bucket` is tick / tick_bucket_size, and rows come in ascending tick order,
// so a frame can be appended to a dataset with that bucket size as it is.

#include <cstdint>
#include <string>
#include <vector>

#include "crv/core/table_name.hpp"
#include "crv/frame/frame.hpp"
#include "crv/frame/types.hpp"

namespace crv::sim {

// The size and the seed of a run.
struct SyntheticRunOptions {
  int64_t agents = 50;  // at least 1
  int64_t ticks = 200;  // at least 0; ticks are numbered 0 .. ticks - 1
  uint64_t seed = 7;
};

// One deterministic run. The tables it generates, with the rows each gets per tick:
// - exchange: a price_update per venue (3), and for each active agent that decided to buy
//   or sell an order_placed followed by an order_cancelled, a trade, or nothing;
// - identity_edges: 1 to 3 edges (trust, rivalry, ...) per active agent;
// - scenarios_seen: one scenario per active agent, with an exchange snapshot and salient
//   agent pairs;
// - messages: one message from about half the active agents, with audience, claims and
//   style;
// - decisions: one per active agent, with its action candidates (0 to 4) and the agent's
//   token value estimates;
// - oracle_calls: one per active agent (the call behind its decision), with the tools it
//   used;
// - holdings: one row per agent and token it holds (its home token and about a third of
//   the others);
// - holdings_valuation: the holdings rows with cost basis, market value and profit.
// A SyntheticRun is immutable after construction, so one may be shared between threads.
class SyntheticRun {
 public:
  // IoConfigError when agents < 1, ticks < 0 or tick_bucket_size < 1.
  explicit SyntheticRun(const SyntheticRunOptions& options, int64_t tick_bucket_size = 100);

  const SyntheticRunOptions& options() const { return options_; }
  // The ticks per bucket that the `bucket` column is computed with.
  int64_t tick_bucket_size() const { return tick_bucket_size_; }

  // The rows `table` gets at `tick` (0 <= tick < ticks, else IoConfigError); may be empty.
  frame::Frame tick_rows(core::TableName table, int64_t tick) const;
  // The rows of ticks [first_tick, end_tick), in tick order: the tick_rows() of those ticks
  // one after the other. IoConfigError when the range is not inside [0, ticks].
  frame::Frame rows(core::TableName table, int64_t first_tick, int64_t end_tick) const;
  // The whole run of `table`: rows(table, 0, ticks).
  frame::Frame table_rows(core::TableName table) const { return rows(table, 0, options_.ticks); }

  // The schema to write `table` with: the descriptor's columns, in order, typed like the
  // generated frames and nullable exactly when the descriptor says so. The same for every
  // run.
  static std::vector<frame::Field> fields(core::TableName table);

  // The id of agent `agent` (0 <= agent < agents, else IoConfigError), as the rows spell
  // it: format_agent_id(agent).
  const std::string& agent_id(int64_t agent) const;
  // "agent-" and the number zero-padded to 4 digits, e.g. "agent-0007", "agent-12345".
  static std::string format_agent_id(int64_t agent);

 private:
  SyntheticRunOptions options_;
  int64_t tick_bucket_size_;
  std::vector<std::string> agent_ids_;
  // Per agent, the tokens (indices) it holds over the whole run, ascending.
  std::vector<std::vector<int>> held_tokens_;
};

}  // namespace crv::sim
