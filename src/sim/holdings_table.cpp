// The synthetic holdings table: every agent's position in each token it holds, every tick.

#include "sim/tables.hpp"

#include "crv/frame/builders.hpp"
#include "sim/columns.hpp"

namespace crv::sim {
namespace {

// One row per agent and held token, every tick.
class HoldingsTable {
 public:
  void append_tick(const World& world, int64_t tick) {
    for (int64_t agent = 0; agent < world.agents; ++agent) {
      for (int token : world.held_tokens[static_cast<size_t>(agent)]) {
        keys_.append(world, tick);
        agent_.append(world.agent(agent));
        token_.append(kTokens[static_cast<size_t>(token)]);
        quantity_.append(world.quantity(agent, token, tick));
      }
    }
  }

  frame::Frame finish() {
    return frame::Frame({{"bucket", keys_.bucket.finish()},
                         {"tick", keys_.tick.finish()},
                         {"agent_id", agent_.finish()},
                         {"token_id", token_.finish()},
                         {"quantity", quantity_.finish()}});
  }

 private:
  TickColumns keys_;
  frame::StringBuilder agent_, token_;
  frame::Int64Builder quantity_;
};

}  // namespace

frame::Frame build_holdings(const World* world, int64_t first_tick, int64_t end_tick) {
  return build_ticks<HoldingsTable>(world, first_tick, end_tick);
}

}  // namespace crv::sim
