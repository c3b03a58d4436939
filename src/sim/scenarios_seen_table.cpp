// The synthetic scenarios_seen table: the scenario each active agent observes at a tick.

#include "sim/tables.hpp"

#include <array>
#include <string_view>

#include "crv/frame/builders.hpp"
#include "sim/columns.hpp"

namespace crv::sim {
namespace {

using frame::ArrayPtr;

class ScenariosSeenTable {
 public:
  void append_tick(const World& world, int64_t tick) {
    static constexpr std::array<std::string_view, 3> kAlignments = {"aligned", "opposed",
                                                                    "neutral"};
    for (int64_t agent = 0; agent < world.agents; ++agent) {
      if (!world.is_active(agent, tick)) continue;
      Random random(world.seed, Stream::kScenario, tick, agent);
      keys_.append(world, tick);
      observer_.append(world.agent(agent));
      // Most scenarios are about one token; the snapshot then shows the agent's home token.
      const bool about_token = !random.one_in(6);
      const int token = about_token ? random_token(random) : static_cast<int>(agent % kTokenCount);
      if (about_token) {
        token_.append(kTokens[static_cast<size_t>(token)]);
        owner_status_.append(world.holds(agent, token) ? "owner"
                             : random.one_in(4)        ? "former_owner"
                                                       : "non_owner");
      } else {
        token_.append_null();
        owner_status_.append_null();
      }
      append_or_null(alignment_, random, 5, random.pick(kAlignments));
      append_or_null(group_, random, 10, kGroups[static_cast<size_t>(agent) % kGroups.size()]);
      append_or_null(scope_, random, 12, random.pick(kScopes));
      append_or_null(channel_, random, 12, random.pick(kChannels));
      append_pairs(world, agent, random);
      append_snapshot(world, tick, token, random);
      if (random.one_in(7)) {
        affect_.append_null();
      } else {
        affect_.append(round_to(random.between(-1.0, 1.0), 3));
      }
      if (random.one_in(3)) {
        salient_other_.append_null();
      } else {
        salient_other_.append(world.agent(world.other_agent(agent, random)));
      }
      context_hash_.append(world.context_hash(agent, tick));
    }
  }

  frame::Frame finish() {
    const NestedTypes& nested = types();
    ArrayPtr pair_items = struct_array(nested.agent_pair, pair_validity_,
                                       {pair_a_.finish(), pair_b_.finish(), pair_weight_.finish()});
    return frame::Frame(
        {{"bucket", keys_.bucket.finish()},
         {"tick", keys_.tick.finish()},
         {"observer_agent_id", observer_.finish()},
         {"token_id", token_.finish()},
         {"owner_status", owner_status_.finish()},
         {"peer_alignment_label", alignment_.finish()},
         {"group_label", group_.finish()},
         {"visibility_scope", scope_.finish()},
         {"channel_name", channel_.finish()},
         {"salient_agent_pairs", pairs_.finish(nested.agent_pairs, std::move(pair_items))},
         {"exchange_snapshot",
          struct_array(nested.exchange_snapshot, snapshot_validity_,
                       {snapshot_venue_.finish(), snapshot_last_.finish(), snapshot_bid_.finish(),
                        snapshot_ask_.finish(), snapshot_volume_.finish()})},
         {"recent_affect_index", affect_.finish()},
         {"salient_other_agent_id", salient_other_.finish()},
         {"context_hash", context_hash_.finish()}});
  }

 private:
  static void append_or_null(frame::StringBuilder& column, Random& random, int64_t null_one_in,
                             std::string_view value) {
    if (random.one_in(null_one_in)) {
      column.append_null();
    } else {
      column.append(value);
    }
  }

  void append_pairs(const World& world, int64_t agent, Random& random) {
    const int64_t count = random.below(4);
    for (int64_t i = 0; i < count; ++i) {
      pair_a_.append(world.agent(random.one_in(2) ? agent : world.other_agent(agent, random)));
      pair_b_.append(world.agent(world.other_agent(agent, random)));
      if (random.one_in(10)) {
        pair_weight_.append_null();
      } else {
        pair_weight_.append(round_to(random.unit(), 3));
      }
      pair_validity_.append_valid();
    }
    pairs_.append(pair_validity_.length());
  }

  void append_snapshot(const World& world, int64_t tick, int token, Random& random) {
    const double last = market_price(world.seed, token, tick);
    const double spread = round_to(last * random.between(0.001, 0.01), 2);
    snapshot_venue_.append(random.pick(kVenues));
    snapshot_last_.append(last);
    // An empty side of the book has no best price.
    if (random.one_in(10)) {
      snapshot_bid_.append_null();
    } else {
      snapshot_bid_.append(round_to(last - spread, 2));
    }
    if (random.one_in(10)) {
      snapshot_ask_.append_null();
    } else {
      snapshot_ask_.append(round_to(last + spread, 2));
    }
    if (random.one_in(15)) {
      snapshot_volume_.append_null();
    } else {
      snapshot_volume_.append(random.below(5000));
    }
    snapshot_validity_.append_valid();
  }

  TickColumns keys_;
  frame::StringBuilder observer_, token_, owner_status_, alignment_, group_, scope_, channel_;
  ListSlots pairs_;
  frame::ValidityBuilder pair_validity_;
  frame::StringBuilder pair_a_, pair_b_;
  frame::Float64Builder pair_weight_;
  frame::ValidityBuilder snapshot_validity_;
  frame::StringBuilder snapshot_venue_;
  frame::Float64Builder snapshot_last_, snapshot_bid_, snapshot_ask_;
  frame::Int64Builder snapshot_volume_;
  frame::Float64Builder affect_;
  frame::StringBuilder salient_other_, context_hash_;
};

}  // namespace

frame::Frame build_scenarios_seen(const World* world, int64_t first_tick, int64_t end_tick) {
  return build_ticks<ScenariosSeenTable>(world, first_tick, end_tick);
}

}  // namespace crv::sim
