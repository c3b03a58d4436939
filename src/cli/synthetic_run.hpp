#pragma once
// A deterministic, synthetic CRV run: realistic rows for the 8 canonical tables, for
// demos, benchmarks and conformance fixtures.
//
// Every value is a pure function of (seed, table, tick, row), so a tick can be generated
// on its own (a demo appends tick by tick) and always equals the same tick's rows in the
// whole-run frame. Columns follow the table descriptors exactly: i64 -> Int64,
// f64 -> Float64, str -> Utf8, struct -> Struct, list[struct] -> List of Struct. Required
// columns are never null; nullable columns and struct members (lists among them)
// sometimes are, and lists are sometimes empty.
//
// What happens at a tick: every agent reports its holdings and their valuation; about a
// quarter of the agents are active and each of those observes a scenario, decides (one
// oracle call per decision), emits identity edges and sometimes a message; buy and sell
// decisions reach the exchange as orders and trades, and every venue publishes a price.

#include <cstdint>
#include <string>
#include <vector>

#include "crv/core/table_name.hpp"
#include "crv/frame/frame.hpp"
#include "crv/frame/types.hpp"

namespace crv::cli {

struct SyntheticRunOptions {
  int64_t agents = 50;
  int64_t ticks = 200;
  uint64_t seed = 7;
};

class SyntheticRun {
 public:
  // IoConfigError when agents < 1, ticks < 0 or tick_bucket_size < 1.
  explicit SyntheticRun(const SyntheticRunOptions& options, int64_t tick_bucket_size = 100);

  const SyntheticRunOptions& options() const { return options_; }
  int64_t tick_bucket_size() const { return tick_bucket_size_; }

  // The rows `table` gets at `tick` (0 <= tick < ticks, else IoConfigError); may be empty.
  frame::Frame tick_rows(core::TableName table, int64_t tick) const;
  // The rows of ticks [first_tick, end_tick), in tick order (IoConfigError when the range
  // is not inside [0, ticks]).
  frame::Frame rows(core::TableName table, int64_t first_tick, int64_t end_tick) const;
  // The whole run of `table`.
  frame::Frame table_rows(core::TableName table) const { return rows(table, 0, options_.ticks); }

  // The schema to write `table` with: the descriptor's columns, in order, typed like the
  // generated frames and nullable exactly when the descriptor says so.
  static std::vector<frame::Field> fields(core::TableName table);

  // Names the generator uses, e.g. "agent-0007".
  const std::string& agent_id(int64_t agent) const;
  static std::string format_agent_id(int64_t agent);

 private:
  SyntheticRunOptions options_;
  int64_t tick_bucket_size_;
  std::vector<std::string> agent_ids_;
  // Per agent, the tokens (indices) it holds over the whole run, ascending.
  std::vector<std::vector<int>> held_tokens_;
};

}  // namespace crv::cli
