#pragma once
// One builder per synthetic table. Each is a class with append_tick(world, tick), which
// adds a tick's rows, and finish(), which returns the frame; build_<table>() runs one over
// ticks [first_tick, end_tick). With no world (and no ticks) they return the table's empty
// frame, which is how the run learns the tables' column types.

#include <cstdint>

#include "crv/frame/frame.hpp"
#include "sim/world.hpp"

namespace crv::sim {

template <class Table>
frame::Frame build_ticks(const World* world, int64_t first_tick, int64_t end_tick) {
  Table table;
  for (int64_t tick = first_tick; tick < end_tick; ++tick) table.append_tick(*world, tick);
  return table.finish();
}

frame::Frame build_exchange(const World* world, int64_t first_tick, int64_t end_tick);
frame::Frame build_identity_edges(const World* world, int64_t first_tick, int64_t end_tick);
frame::Frame build_scenarios_seen(const World* world, int64_t first_tick, int64_t end_tick);
frame::Frame build_messages(const World* world, int64_t first_tick, int64_t end_tick);
frame::Frame build_decisions(const World* world, int64_t first_tick, int64_t end_tick);
frame::Frame build_oracle_calls(const World* world, int64_t first_tick, int64_t end_tick);
frame::Frame build_holdings(const World* world, int64_t first_tick, int64_t end_tick);
frame::Frame build_holdings_valuation(const World* world, int64_t first_tick, int64_t end_tick);

}  // namespace crv::sim
