// How a synthetic agent weighs its candidate actions and picks one.

#include "sim/decisions.hpp"

namespace crv::sim {

Decision decide(const World& world, int64_t agent, int64_t tick) {
  Random random(world.seed, Stream::kDecision, tick, agent);
  Decision decision;
  decision.count = random.one_in(12) ? 0 : 1 + static_cast<int>(random.below(4));
  for (int i = 0; i < decision.count; ++i) {
    Candidate& candidate = decision.candidates[static_cast<size_t>(i)];
    candidate.action = static_cast<Action>(random.below(4));
    if (candidate.action != Action::kHold) candidate.token = random_token(random);
    if (candidate.trades()) {
      const double price = market_price(world.seed, candidate.token, tick);
      candidate.quantity = round_to(random.between(1.0, 50.0), 1);
      candidate.limit_price = round_to(price * random.between(0.97, 1.03), 2);
    }
    if (!random.one_in(15)) candidate.score = round_to(random.between(-1.0, 1.0), 4);
    const Candidate* best = decision.chosen_index < 0
                                ? nullptr
                                : &decision.candidates[static_cast<size_t>(decision.chosen_index)];
    if (candidate.score && (best == nullptr || !best->score || *candidate.score > *best->score)) {
      decision.chosen_index = i;
    }
  }
  if (decision.chosen_index < 0 && decision.count > 0) decision.chosen_index = 0;
  if (decision.chosen_index >= 0) {
    decision.chosen = decision.candidates[static_cast<size_t>(decision.chosen_index)];
  }
  return decision;
}

}  // namespace crv::sim
