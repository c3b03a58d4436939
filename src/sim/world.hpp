#pragma once
// The synthetic run's world: its tokens, venues, groups and channels, the market price of
// each token at each tick, and the per-agent facts every table builder reads.

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/random.hpp"

namespace crv::sim {

inline constexpr std::array<std::string_view, 6> kTokens = {"tok_amber", "tok_basalt", "tok_cobalt",
                                                            "tok_dune",  "tok_ember",  "tok_flint"};
inline constexpr std::array<double, 6> kBasePrices = {12.5, 48.0, 7.25, 103.0, 2.4, 31.0};
inline constexpr int kTokenCount = static_cast<int>(kTokens.size());
inline constexpr std::array<std::string_view, 3> kVenues = {"venue_main", "venue_dark",
                                                            "venue_otc"};
inline constexpr std::array<std::string_view, 5> kGroups = {
    "group-harbor", "group-orchard", "group-quarry", "group-mill", "group-ferry"};
inline constexpr std::array<std::string_view, 3> kChannels = {"#market", "#gossip", "#group"};
inline constexpr std::array<std::string_view, 3> kScopes = {"public", "group", "private"};

inline int random_token(Random& random) {
  return static_cast<int>(random.below(kTokenCount));
}

// A smooth, seed-dependent price path per token, rounded to cents.
double market_price(uint64_t seed, int token, int64_t tick);

// What every table builder reads: the options and the per-agent facts made once per run.
struct World {
  uint64_t seed;
  int64_t agents;
  int64_t tick_bucket_size;
  const std::vector<std::string>& agent_ids;
  const std::vector<std::vector<int>>& held_tokens;

  std::string_view agent(int64_t index) const { return agent_ids[static_cast<size_t>(index)]; }
  // Another agent than `agent` (itself only in a one-agent run).
  int64_t other_agent(int64_t agent, Random& random) const {
    if (agents == 1) return agent;
    return (agent + 1 + random.below(agents - 1)) % agents;
  }
  bool is_active(int64_t agent, int64_t tick) const {
    return Random(seed, Stream::kActivity, tick, agent).one_in(4);
  }
  bool holds(int64_t agent, int token) const {
    const auto& held = held_tokens[static_cast<size_t>(agent)];
    return std::binary_search(held.begin(), held.end(), token);
  }
  std::string context_hash(int64_t agent, int64_t tick) const {
    return hex_hash(seed, Stream::kContext, tick, agent);
  }

  // A position's size at a tick: a seasonal swing around the agent's usual size that
  // sometimes closes the position (0).
  int64_t quantity(int64_t agent, int token, int64_t tick) const;
};

}  // namespace crv::sim
