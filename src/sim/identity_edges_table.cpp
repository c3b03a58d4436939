// The synthetic identity_edges table: what active agents think of other agents and tokens.

#include "sim/tables.hpp"

#include <array>
#include <string_view>

#include "crv/frame/builders.hpp"
#include "sim/columns.hpp"

namespace crv::sim {
namespace {

class IdentityEdgesTable {
 public:
  void append_tick(const World& world, int64_t tick) {
    static constexpr std::array<std::string_view, 6> kEdgeKinds = {
        "trust", "rivalry", "alliance", "kinship", "debt", "imitation"};
    for (int64_t agent = 0; agent < world.agents; ++agent) {
      if (!world.is_active(agent, tick)) continue;
      Random random(world.seed, Stream::kEdges, tick, agent);
      const int64_t edges = 1 + random.below(3);
      for (int64_t edge = 0; edge < edges; ++edge) {
        keys_.append(world, tick);
        observer_.append(world.agent(agent));
        kind_.append(random.pick(kEdgeKinds));
        append_agent_or_null(world, subject_, agent, random, 10);
        append_agent_or_null(world, object_, agent, random, 2);
        if (random.one_in(4)) {
          related_.append(world.agent(world.other_agent(agent, random)));
        } else {
          related_.append_null();
        }
        if (random.one_in(5)) {
          token_.append_null();
        } else {
          token_.append(kTokens[static_cast<size_t>(random_token(random))]);
        }
        const double weight = round_to(random.between(-1.0, 1.0), 3);
        weight_.append(weight);
        if (random.one_in(3)) {
          sign_.append_null();
        } else {
          sign_.append(weight < 0 ? -1 : 1);
        }
      }
    }
  }

  frame::Frame finish() {
    return frame::Frame({{"bucket", keys_.bucket.finish()},
                         {"tick", keys_.tick.finish()},
                         {"observer_agent_id", observer_.finish()},
                         {"edge_kind", kind_.finish()},
                         {"subject_id", subject_.finish()},
                         {"object_id", object_.finish()},
                         {"related_agent_id", related_.finish()},
                         {"token_id", token_.finish()},
                         {"edge_weight", weight_.finish()},
                         {"edge_sign", sign_.finish()}});
  }

 private:
  // Another agent, or null once in `null_one_in`.
  static void append_agent_or_null(const World& world, frame::StringBuilder& column, int64_t agent,
                                   Random& random, int64_t null_one_in) {
    if (random.one_in(null_one_in)) {
      column.append_null();
    } else {
      column.append(world.agent(world.other_agent(agent, random)));
    }
  }

  TickColumns keys_;
  frame::StringBuilder observer_, kind_, subject_, object_, related_, token_;
  frame::Float64Builder weight_;
  frame::Int64Builder sign_;
};

}  // namespace

frame::Frame build_identity_edges(const World* world, int64_t first_tick, int64_t end_tick) {
  return build_ticks<IdentityEdgesTable>(world, first_tick, end_tick);
}

}  // namespace crv::sim
