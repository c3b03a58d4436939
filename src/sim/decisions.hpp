#pragma once
// An active agent's decision at a tick, which the decisions, oracle_calls and exchange
// tables all derive their rows from.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "sim/world.hpp"

namespace crv::sim {

enum class Action : uint8_t { kBuy, kSell, kHold, kPostMessage };
inline constexpr std::array<std::string_view, 4> kActionNames = {"buy", "sell", "hold",
                                                                 "post_message"};

struct Candidate {
  Action action = Action::kHold;
  int token = -1;  // -1: none
  std::optional<double> quantity;
  std::optional<double> limit_price;
  std::optional<double> score;
  bool trades() const { return action == Action::kBuy || action == Action::kSell; }
};

struct Decision {
  std::array<Candidate, 4> candidates;
  int count = 0;
  // The best-scored candidate; a plain hold when there were none.
  Candidate chosen;
  int chosen_index = -1;
};

// What `agent` decides at `tick`; the same every time it is asked.
Decision decide(const World& world, int64_t agent, int64_t tick);

}  // namespace crv::sim
