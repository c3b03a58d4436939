// The synthetic decisions table: each active agent's candidates, choice and token estimates.

#include "sim/tables.hpp"

#include <fmt/format.h>

#include <array>
#include <string_view>
#include <utility>

#include "crv/frame/builders.hpp"
#include "sim/columns.hpp"
#include "sim/decisions.hpp"

namespace crv::sim {
namespace {

using frame::ArrayPtr;

// The {action_type, parameters, score, key} records of decisions.
class CandidateColumns {
 public:
  int64_t length() const { return validity_.length(); }

  void append(const Candidate& candidate, int index) {
    const std::string_view action = kActionNames[static_cast<size_t>(candidate.action)];
    const std::string_view token =
        candidate.token < 0 ? std::string_view("-") : kTokens[static_cast<size_t>(candidate.token)];
    action_.append(action);
    // A hold has no parameters; a message names at most a token.
    if (candidate.action == Action::kHold) {
      parameters_validity_.append_null();
      token_.append_null();
    } else {
      parameters_validity_.append_valid();
      token_.append(token);
    }
    quantity_.append(candidate.quantity);
    limit_price_.append(candidate.limit_price);
    score_.append(candidate.score);
    // A fallback hold was no candidate, so its key has no candidate index.
    key_.append(index < 0 ? fmt::format("{}:{}", action, token)
                          : fmt::format("{}:{}:{}", action, token, index));
    validity_.append_valid();
  }

  ArrayPtr finish() {
    const NestedTypes& nested = types();
    return struct_array(nested.candidate, validity_,
                        {action_.finish(),
                         struct_array(nested.parameters, parameters_validity_,
                                      {token_.finish(), quantity_.finish(), limit_price_.finish()}),
                         score_.finish(), key_.finish()});
  }

 private:
  frame::ValidityBuilder validity_;
  frame::StringBuilder action_;
  frame::ValidityBuilder parameters_validity_;
  frame::StringBuilder token_;
  frame::Float64Builder quantity_, limit_price_;
  frame::Float64Builder score_;
  frame::StringBuilder key_;
};

class DecisionsTable {
 public:
  void append_tick(const World& world, int64_t tick) {
    for (int64_t agent = 0; agent < world.agents; ++agent) {
      if (!world.is_active(agent, tick)) continue;
      const Decision decision = decide(world, agent, tick);
      keys_.append(world, tick);
      agent_.append(world.agent(agent));
      chosen_.append(decision.chosen, decision.chosen_index);
      for (int i = 0; i < decision.count; ++i) {
        candidates_.append(decision.candidates[static_cast<size_t>(i)], i);
      }
      candidate_slots_.append(candidates_.length());
      // Agents estimate only the tokens they have looked at.
      Random random(world.seed, Stream::kEstimates, tick, agent);
      for (size_t token = 0; token < kTokens.size(); ++token) {
        if (random.one_in(3)) {
          estimates_[token].append_null();
        } else {
          const double price = market_price(world.seed, static_cast<int>(token), tick);
          estimates_[token].append(round_to(price * random.between(0.85, 1.15), 2));
        }
      }
      estimates_validity_.append_valid();
    }
  }

  frame::Frame finish() {
    const NestedTypes& nested = types();
    std::vector<ArrayPtr> estimates;
    for (frame::Float64Builder& estimate : estimates_) estimates.push_back(estimate.finish());
    return frame::Frame(
        {{"bucket", keys_.bucket.finish()},
         {"tick", keys_.tick.finish()},
         {"agent_id", agent_.finish()},
         {"chosen_action", chosen_.finish()},
         {"action_candidates", candidate_slots_.finish(nested.candidates, candidates_.finish())},
         {"token_value_estimates",
          struct_array(nested.token_estimates, estimates_validity_, std::move(estimates))}});
  }

 private:
  TickColumns keys_;
  frame::StringBuilder agent_;
  CandidateColumns chosen_;
  ListSlots candidate_slots_;
  CandidateColumns candidates_;
  std::array<frame::Float64Builder, kTokens.size()> estimates_;
  frame::ValidityBuilder estimates_validity_;
};

}  // namespace

frame::Frame build_decisions(const World* world, int64_t first_tick, int64_t end_tick) {
  return build_ticks<DecisionsTable>(world, first_tick, end_tick);
}

}  // namespace crv::sim
