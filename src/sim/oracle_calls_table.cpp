// The synthetic oracle_calls table: the model call behind each decision and the tools it used.

#include "sim/tables.hpp"

#include <fmt/format.h>

#include <array>
#include <string>
#include <string_view>

#include "crv/frame/builders.hpp"
#include "sim/columns.hpp"
#include "sim/decisions.hpp"

namespace crv::sim {
namespace {

using frame::ArrayPtr;

class OracleCallsTable {
 public:
  void append_tick(const World& world, int64_t tick) {
    static constexpr std::array<std::string_view, 3> kEngines = {"llm-large", "llm-small",
                                                                 "heuristic"};
    static constexpr std::array<std::string_view, 3> kSignatures = {
        "sig-decide-v3", "sig-appraise-v2", "sig-converse-v1"};
    static constexpr int64_t kPersonas = 12;
    for (int64_t agent = 0; agent < world.agents; ++agent) {
      if (!world.is_active(agent, tick)) continue;
      Random random(world.seed, Stream::kOracle, tick, agent);
      const Decision decision = decide(world, agent, tick);
      const int64_t persona = agent % kPersonas;
      keys_.append(world, tick);
      agent_.append(world.agent(agent));
      engine_.append(kEngines[static_cast<size_t>(agent) % kEngines.size()]);
      signature_.append(random.pick(kSignatures));
      persona_.append(fmt::format("persona-{:02}", persona));
      persona_hash_.append(hex_hash(world.seed, Stream::kPersona, persona));
      // Agents re-represent their world every few ticks.
      representation_hash_.append(hex_hash(world.seed, Stream::kRepresentation, tick / 5, agent));
      context_hash_.append(world.context_hash(agent, tick));
      value_json_.append(value_json(decision.chosen, random.unit()));
      const bool cache_hit = random.one_in(5);
      latency_.append(cache_hit ? 1 + random.below(8) : 180 + random.below(2800));
      cache_hit_.append(cache_hit ? 1 : 0);
      append_tools(cache_hit ? 0 : random.below(4), random);
    }
  }

  frame::Frame finish() {
    const NestedTypes& nested = types();
    ArrayPtr steps = struct_array(nested.tool_step, step_validity_,
                                  {tool_.finish(), duration_.finish(), error_.finish()});
    return frame::Frame(
        {{"bucket", keys_.bucket.finish()},
         {"tick", keys_.tick.finish()},
         {"agent_id", agent_.finish()},
         {"engine", engine_.finish()},
         {"signature_id", signature_.finish()},
         {"persona_id", persona_.finish()},
         {"persona_hash", persona_hash_.finish()},
         {"representation_hash", representation_hash_.finish()},
         {"context_hash", context_hash_.finish()},
         {"value_json", value_json_.finish()},
         {"latency_ms", latency_.finish()},
         {"cache_hit", cache_hit_.finish()},
         {"n_tool_calls", tool_count_.finish()},
         {"tool_seq", struct_array(nested.tool_seq, tool_seq_validity_,
                                   {step_slots_.finish(nested.tool_seq->field(0).type, steps),
                                    planner_.finish()})}});
  }

 private:
  static std::string value_json(const Candidate& chosen, double confidence) {
    const std::string token =
        chosen.token < 0 ? "null"
                         : fmt::format("\"{}\"", kTokens[static_cast<size_t>(chosen.token)]);
    return fmt::format(R"({{"action":"{}","token":{},"confidence":{:.2f}}})",
                       kActionNames[static_cast<size_t>(chosen.action)], token, confidence);
  }

  void append_tools(int64_t count, Random& random) {
    static constexpr std::array<std::string_view, 4> kTools = {"price_lookup", "memory_search",
                                                               "ledger_read", "calculator"};
    static constexpr std::array<std::string_view, 2> kPlanners = {"react", "plan-and-act"};
    for (int64_t i = 0; i < count; ++i) {
      tool_.append(random.pick(kTools));
      duration_.append(5 + random.below(400));
      if (random.one_in(12)) {
        error_.append("timeout");
      } else {
        error_.append_null();
      }
      step_validity_.append_valid();
    }
    step_slots_.append(step_validity_.length());
    if (random.one_in(3)) {
      planner_.append_null();
    } else {
      planner_.append(random.pick(kPlanners));
    }
    tool_seq_validity_.append_valid();
    tool_count_.append(count);
  }

  TickColumns keys_;
  frame::StringBuilder agent_, engine_, signature_, persona_, persona_hash_, representation_hash_,
      context_hash_, value_json_;
  frame::Int64Builder latency_, cache_hit_, tool_count_;
  frame::ValidityBuilder tool_seq_validity_;
  ListSlots step_slots_;
  frame::ValidityBuilder step_validity_;
  frame::StringBuilder tool_, error_;
  frame::Int64Builder duration_;
  frame::StringBuilder planner_;
};

}  // namespace

frame::Frame build_oracle_calls(const World* world, int64_t first_tick, int64_t end_tick) {
  return build_ticks<OracleCallsTable>(world, first_tick, end_tick);
}

}  // namespace crv::sim
