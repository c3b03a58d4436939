// The synthetic exchange table: venue price updates, and the orders and trades of decisions.

#include "sim/tables.hpp"

#include <fmt/format.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "crv/frame/builders.hpp"
#include "sim/columns.hpp"
#include "sim/decisions.hpp"

namespace crv::sim {
namespace {

class ExchangeTable {
 public:
  void append_tick(const World& world, int64_t tick) {
    for (size_t venue = 0; venue < kVenues.size(); ++venue) append_quote(world, tick, venue);
    for (int64_t agent = 0; agent < world.agents; ++agent) {
      if (!world.is_active(agent, tick)) continue;
      const Decision decision = decide(world, agent, tick);
      if (decision.chosen.trades()) append_orders(world, tick, agent, decision.chosen);
    }
  }

  frame::Frame finish() {
    return frame::Frame(
        {{"bucket", keys_.bucket.finish()},
         {"tick", keys_.tick.finish()},
         {"venue_id", venue_.finish()},
         {"token_id", token_.finish()},
         {"exchange_event_type", event_.finish()},
         {"side", side_.finish()},
         {"quantity", quantity_.finish()},
         {"price", price_.finish()},
         {"actor_agent_id", actor_.finish()},
         {"counterparty_agent_id", counterparty_.finish()},
         {"baseline_value", baseline_.finish()},
         {"additional_payload", struct_array(types().exchange_payload, payload_validity_,
                                             {order_id_.finish(), fee_.finish(),
                                              liquidity_.finish(), latency_.finish()})}});
  }

 private:
  // Every venue publishes the price of one token per tick.
  void append_quote(const World& world, int64_t tick, size_t venue) {
    Random random(world.seed, Stream::kVenueQuote, tick, static_cast<int64_t>(venue));
    const int token = static_cast<int>((tick + static_cast<int64_t>(venue)) % kTokenCount);
    keys_.append(world, tick);
    venue_.append(kVenues[venue]);
    token_.append(kTokens[static_cast<size_t>(token)]);
    event_.append("price_update");
    side_.append_null();
    quantity_.append_null();
    price_.append(market_price(world.seed, token, tick));
    actor_.append_null();
    counterparty_.append_null();
    if (tick == 0) {
      baseline_.append_null();
    } else {
      baseline_.append(market_price(world.seed, token, tick - 1));
    }
    append_payload(std::nullopt, std::nullopt, std::nullopt, 100 + random.below(900));
  }

  // A buy or sell decision becomes an order, then a fill or (rarely) a cancellation.
  void append_orders(const World& world, int64_t tick, int64_t agent, const Candidate& order) {
    Random random(world.seed, Stream::kExchange, tick, agent);
    const std::string_view venue = random.pick(kVenues);
    const std::string_view token = kTokens[static_cast<size_t>(order.token)];
    const std::string_view side = kActionNames[static_cast<size_t>(order.action)];
    const double market = market_price(world.seed, order.token, tick);
    const std::string order_id = fmt::format("ord-{}-{}", tick, agent);
    std::optional<double> baseline;
    if (!random.one_in(10)) baseline = market;

    append_event(world, tick, venue, token, "order_placed", side);
    quantity_.append(*order.quantity);
    price_.append(*order.limit_price);
    actor_.append(world.agent(agent));
    counterparty_.append_null();
    baseline_.append(baseline);
    append_payload(order_id, std::nullopt, std::nullopt, 50 + random.below(5000));

    if (random.one_in(8)) {
      append_event(world, tick, venue, token, "order_cancelled", side);
      quantity_.append_null();
      price_.append_null();
      actor_.append(world.agent(agent));
      counterparty_.append_null();
      baseline_.append_null();
      append_payload(order_id, std::nullopt, std::nullopt, 50 + random.below(5000));
    } else if (random.one_in(2)) {
      const double filled = round_to(*order.quantity * random.between(0.2, 1.0), 1);
      const double price = round_to(market * random.between(0.995, 1.005), 2);
      append_event(world, tick, venue, token, "trade", side);
      quantity_.append(filled);
      price_.append(price);
      actor_.append(world.agent(agent));
      counterparty_.append(world.agent(world.other_agent(agent, random)));
      baseline_.append(baseline);
      const std::optional<std::string_view> liquidity =
          random.one_in(3) ? std::nullopt : std::optional(random.pick(kLiquidity));
      const int64_t latency_us = 50 + random.below(5000);
      append_payload(order_id, round_to(filled * price * 0.001, 4), liquidity, latency_us);
    }
  }

  void append_event(const World& world, int64_t tick, std::string_view venue,
                    std::string_view token, std::string_view event, std::string_view side) {
    keys_.append(world, tick);
    venue_.append(venue);
    token_.append(token);
    event_.append(event);
    side_.append(side);
  }

  void append_payload(const std::optional<std::string>& order_id, std::optional<double> fee,
                      std::optional<std::string_view> liquidity, int64_t latency_us) {
    append_optional(order_id_, order_id);
    fee_.append(fee);
    append_optional(liquidity_, liquidity);
    latency_.append(latency_us);
    payload_validity_.append_valid();
  }

  static constexpr std::array<std::string_view, 2> kLiquidity = {"maker", "taker"};

  TickColumns keys_;
  frame::StringBuilder venue_, token_, event_, side_, actor_, counterparty_;
  frame::Float64Builder quantity_, price_, baseline_;
  frame::ValidityBuilder payload_validity_;
  frame::StringBuilder order_id_, liquidity_;
  frame::Float64Builder fee_;
  frame::Int64Builder latency_;
};

}  // namespace

frame::Frame build_exchange(const World* world, int64_t first_tick, int64_t end_tick) {
  return build_ticks<ExchangeTable>(world, first_tick, end_tick);
}

}  // namespace crv::sim
