// The synthetic holdings_valuation table: the holdings valued at market, with cost and profit.

#include "sim/tables.hpp"

#include <array>
#include <optional>
#include <string_view>

#include "crv/frame/builders.hpp"
#include "sim/columns.hpp"

namespace crv::sim {
namespace {

// The holdings rows, valued at the tick's market price.
class HoldingsValuationTable {
 public:
  void append_tick(const World& world, int64_t tick) {
    static constexpr std::array<std::string_view, 3> kPriceSources = {"last_trade", "mid_quote",
                                                                      "vwap"};
    for (int64_t agent = 0; agent < world.agents; ++agent) {
      const std::optional<std::string_view> method = accounting_method(agent);
      for (int token : world.held_tokens[static_cast<size_t>(agent)]) {
        Random random(world.seed, Stream::kValuation, tick, agent * kTokenCount + token);
        const int64_t quantity = world.quantity(agent, token, tick);
        // A closed position has no cost basis left.
        std::optional<double> unit_cost;
        if (quantity > 0) {
          Random basis(world.seed, Stream::kCostBasis, agent, token);
          unit_cost =
              round_to(kBasePrices[static_cast<size_t>(token)] * basis.between(0.7, 1.3), 4);
        }
        // Now and then no price could be observed this tick.
        std::optional<double> mark;
        if (!random.one_in(25)) mark = market_price(world.seed, token, tick);
        const auto times_quantity = [&](const std::optional<double>& price) {
          return price ? std::optional(round_to(*price * static_cast<double>(quantity), 2))
                       : std::nullopt;
        };
        const std::optional<double> cost = times_quantity(unit_cost);
        const std::optional<double> value = times_quantity(mark);

        keys_.append(world, tick);
        agent_.append(world.agent(agent));
        token_.append(kTokens[static_cast<size_t>(token)]);
        quantity_.append(quantity);
        unit_cost_.append(unit_cost);
        cost_.append(cost);
        mark_.append(mark);
        value_.append(value);
        if (random.one_in(8)) {
          realized_.append_null();
        } else {
          realized_.append(round_to(random.between(-0.25, 0.25) * static_cast<double>(quantity) *
                                        kBasePrices[static_cast<size_t>(token)],
                                    2));
        }
        if (cost && value) {
          unrealized_.append(round_to(*value - *cost, 2));
        } else {
          unrealized_.append_null();
        }
        if (mark) {
          source_.append(random.pick(kPriceSources));
        } else {
          source_.append_null();
        }
        append_optional(method_, method);
      }
    }
  }

  frame::Frame finish() {
    return frame::Frame({{"bucket", keys_.bucket.finish()},
                         {"tick", keys_.tick.finish()},
                         {"agent_id", agent_.finish()},
                         {"token_id", token_.finish()},
                         {"quantity", quantity_.finish()},
                         {"avg_unit_cost", unit_cost_.finish()},
                         {"cost_value", cost_.finish()},
                         {"mark_price", mark_.finish()},
                         {"mark_value", value_.finish()},
                         {"realized_pnl", realized_.finish()},
                         {"unrealized_pnl", unrealized_.finish()},
                         {"price_source", source_.finish()},
                         {"accounting_method", method_.finish()}});
  }

 private:
  // Each agent keeps one method; a few never declared one.
  static std::optional<std::string_view> accounting_method(int64_t agent) {
    if (agent % 11 == 3) return std::nullopt;
    return agent % 2 == 0 ? "fifo" : "average_cost";
  }

  TickColumns keys_;
  frame::StringBuilder agent_, token_;
  frame::Int64Builder quantity_;
  frame::Float64Builder unit_cost_, cost_, mark_, value_, realized_, unrealized_;
  frame::StringBuilder source_, method_;
};

}  // namespace

frame::Frame build_holdings_valuation(const World* world, int64_t first_tick, int64_t end_tick) {
  return build_ticks<HoldingsValuationTable>(world, first_tick, end_tick);
}

}  // namespace crv::sim
