#include "cli/synthetic_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <optional>
#include <string_view>

#include "crv/core/errors.hpp"
#include "crv/core/table_descriptor.hpp"
#include "crv/frame/builders.hpp"

namespace crv::cli {
namespace {

using core::TableName;
using frame::ArrayPtr;
using frame::Field;
using frame::TypePtr;

// ---- deterministic randomness ------------------------------------------------------
// Counter-based: a row's random stream is seeded from (seed, stream, tick, key), so any
// tick can be generated without generating the ticks before it.

constexpr uint64_t mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// One per kind of random choice, so unrelated choices never share random numbers.
enum class Stream : uint64_t {
  kActivity = 1,
  kPortfolio,
  kPriceShape,
  kHoldingShape,
  kCostBasis,
  kValuation,
  kDecision,
  kEstimates,
  kExchange,
  kVenueQuote,
  kEdges,
  kScenario,
  kMessage,
  kOracle,
  kContext,
  kPersona,
  kRepresentation,
};

class Random {
 public:
  Random(uint64_t seed, Stream stream, int64_t a, int64_t b = 0)
      : state_(mix(mix(mix(seed ^ static_cast<uint64_t>(stream)) + static_cast<uint64_t>(a)) +
                   static_cast<uint64_t>(b))) {}

  uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return mix(state_);
  }
  // Uniform in [0, bound), bound >= 1.
  int64_t below(int64_t bound) {
    return static_cast<int64_t>(next() % static_cast<uint64_t>(bound));
  }
  bool one_in(int64_t n) { return below(n) == 0; }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double between(double low, double high) { return low + (high - low) * unit(); }
  template <size_t N>
  std::string_view pick(const std::array<std::string_view, N>& choices) {
    return choices[static_cast<size_t>(below(N))];
  }

 private:
  uint64_t state_;
};

// Rounds to 0..4 decimal digits, as prices, weights and scores are quoted.
double round_to(double value, int digits) {
  static constexpr std::array<double, 5> kScales = {1.0, 10.0, 100.0, 1000.0, 10000.0};
  const double scale = kScales[static_cast<size_t>(digits)];
  return std::round(value * scale) / scale;
}

std::string hex_hash(uint64_t seed, Stream stream, int64_t a, int64_t b = 0) {
  return fmt::format("{:016x}", Random(seed, stream, a, b).next());
}

// ---- the world: tokens, venues, prices ----------------------------------------------

constexpr std::array<std::string_view, 6> kTokens = {"tok_amber", "tok_basalt", "tok_cobalt",
                                                     "tok_dune",  "tok_ember",  "tok_flint"};
constexpr std::array<double, 6> kBasePrices = {12.5, 48.0, 7.25, 103.0, 2.4, 31.0};
constexpr int kTokenCount = static_cast<int>(kTokens.size());
constexpr std::array<std::string_view, 3> kVenues = {"venue_main", "venue_dark", "venue_otc"};
constexpr std::array<std::string_view, 5> kGroups = {"group-harbor", "group-orchard",
                                                     "group-quarry", "group-mill", "group-ferry"};
constexpr std::array<std::string_view, 3> kChannels = {"#market", "#gossip", "#group"};
constexpr std::array<std::string_view, 3> kScopes = {"public", "group", "private"};

int random_token(Random& random) {
  return static_cast<int>(random.below(kTokenCount));
}

// A smooth, seed-dependent price path per token, rounded to cents.
double market_price(uint64_t seed, int token, int64_t tick) {
  Random shape(seed, Stream::kPriceShape, token);
  const double phase = shape.between(0.0, 2.0 * std::numbers::pi);
  const double slow_period = shape.between(25.0, 60.0);
  const auto t = static_cast<double>(tick);
  const double level =
      1.0 + 0.18 * std::sin(t / slow_period + phase) + 0.05 * std::sin(t / 6.0 + 2.0 * phase);
  return round_to(kBasePrices[static_cast<size_t>(token)] * level, 2);
}

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
  int64_t quantity(int64_t agent, int token, int64_t tick) const {
    Random shape(seed, Stream::kHoldingShape, agent, token);
    const int64_t usual = 20 + shape.below(480);
    const int64_t swing = shape.below(usual + usual / 4);
    const double period = shape.between(15.0, 75.0);
    const double phase = shape.between(0.0, 2.0 * std::numbers::pi);
    const auto swung = static_cast<int64_t>(std::llround(
        static_cast<double>(swing) * std::sin(static_cast<double>(tick) / period + phase)));
    return std::max<int64_t>(0, usual + swung);
  }
};

// ---- decisions, shared by the decisions, oracle_calls and exchange tables ---------

enum class Action : uint8_t { kBuy, kSell, kHold, kPostMessage };
constexpr std::array<std::string_view, 4> kActionNames = {"buy", "sell", "hold", "post_message"};

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

// ---- column building blocks ---------------------------------------------------------

ArrayPtr struct_array(const TypePtr& type, frame::ValidityBuilder& validity,
                      std::vector<ArrayPtr> children) {
  const int64_t length = validity.length();
  const int64_t null_count = validity.null_count();
  return frame::Array::make({.type = type,
                             .length = length,
                             .null_count = null_count,
                             .validity = validity.finish(),
                             .children = std::move(children)});
}

// The offsets and validity of a list column; the items go to the item type's builders.
class ListSlots {
 public:
  ListSlots() { offsets_.append_value<int32_t>(0); }

  // Ends a slot whose items end at `items_end`, the item builders' length.
  void append(int64_t items_end) {
    offsets_.append_value(static_cast<int32_t>(items_end));
    validity_.append_valid();
  }
  void append_null(int64_t items_end) {
    offsets_.append_value(static_cast<int32_t>(items_end));
    validity_.append_null();
  }
  ArrayPtr finish(const TypePtr& type, ArrayPtr items) {
    const int64_t length = validity_.length();
    const int64_t null_count = validity_.null_count();
    return frame::Array::make({.type = type,
                               .length = length,
                               .null_count = null_count,
                               .validity = validity_.finish(),
                               .offsets = offsets_.finish(),
                               .children = {std::move(items)}});
  }

 private:
  frame::BufferBuilder offsets_;
  frame::ValidityBuilder validity_;
};

template <class Builder, class T>
void append_optional(Builder& builder, const std::optional<T>& value) {
  if (value) {
    builder.append(*value);
  } else {
    builder.append_null();
  }
}

Field nullable(std::string name, TypePtr type) {
  return Field{std::move(name), std::move(type)};
}

// The nested types, built once.
struct NestedTypes {
  TypePtr exchange_payload = frame::struct_(
      {nullable("order_id", frame::utf8()), nullable("fee", frame::float64()),
       nullable("liquidity", frame::utf8()), nullable("latency_us", frame::int64())});
  TypePtr agent_pair =
      frame::struct_({nullable("agent_a", frame::utf8()), nullable("agent_b", frame::utf8()),
                      nullable("weight", frame::float64())});
  TypePtr agent_pairs = frame::list(agent_pair);
  TypePtr exchange_snapshot =
      frame::struct_({nullable("venue_id", frame::utf8()), nullable("last_price", frame::float64()),
                      nullable("best_bid", frame::float64()),
                      nullable("best_ask", frame::float64()), nullable("volume", frame::int64())});
  TypePtr audience = frame::struct_({nullable("group_label", frame::utf8()),
                                     nullable("recipient_ids", frame::list(frame::utf8())),
                                     nullable("reach", frame::int64())});
  TypePtr claims = frame::struct_(
      {nullable("token_id", frame::utf8()), nullable("claimed_price", frame::float64()),
       nullable("confidence", frame::float64()), nullable("summary", frame::utf8())});
  TypePtr style = frame::struct_(
      {nullable("tone", frame::utf8()), nullable("formality", frame::float64()),
       nullable("uses_emoji", frame::boolean()), nullable("signature", frame::utf8())});
  TypePtr parameters =
      frame::struct_({nullable("token_id", frame::utf8()), nullable("quantity", frame::float64()),
                      nullable("limit_price", frame::float64())});
  TypePtr candidate =
      frame::struct_({nullable("action_type", frame::utf8()), nullable("parameters", parameters),
                      nullable("score", frame::float64()), nullable("key", frame::utf8())});
  TypePtr candidates = frame::list(candidate);
  TypePtr token_estimates = make_token_estimates();
  TypePtr tool_step =
      frame::struct_({nullable("tool", frame::utf8()), nullable("duration_ms", frame::int64()),
                      nullable("error", frame::utf8())});
  TypePtr tool_seq = frame::struct_(
      {nullable("steps", frame::list(tool_step)), nullable("planner", frame::utf8())});

  static TypePtr make_token_estimates() {
    std::vector<Field> fields;
    for (std::string_view token : kTokens)
      fields.push_back(nullable(std::string(token), frame::float64()));
    return frame::struct_(std::move(fields));
  }
};

const NestedTypes& types() {
  static const NestedTypes nested;
  return nested;
}

// bucket and tick, the first two columns of every table.
struct TickColumns {
  frame::Int64Builder bucket;
  frame::Int64Builder tick;

  void append(const World& world, int64_t at) {
    bucket.append(at / world.tick_bucket_size);
    tick.append(at);
  }
};

// ---- one builder per table: append_tick() adds a tick's rows, finish() the frame ----

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
    const auto baseline = random.one_in(10) ? std::nullopt : std::optional<double>(market);

    append_event(world, tick, venue, token, "order_placed", side);
    quantity_.append(*order.quantity);
    price_.append(*order.limit_price);
    actor_.append(world.agent(agent));
    counterparty_.append_null();
    append_optional(baseline_, baseline);
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
      append_optional(baseline_, baseline);
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
    append_optional(fee_, fee);
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

class MessagesTable {
 public:
  void append_tick(const World& world, int64_t tick) {
    static constexpr std::array<std::string_view, 5> kSpeechActs = {"assert", "ask", "promise",
                                                                    "warn", "offer"};
    static constexpr std::array<std::string_view, 5> kTopics = {"price", "alliance", "rumor",
                                                                "trade_offer", "reputation"};
    static constexpr std::array<std::string_view, 3> kStances = {"bullish", "bearish", "neutral"};
    for (int64_t agent = 0; agent < world.agents; ++agent) {
      if (!world.is_active(agent, tick)) continue;
      Random random(world.seed, Stream::kMessage, tick, agent);
      if (!random.one_in(2)) continue;
      keys_.append(world, tick);
      sender_.append(world.agent(agent));
      channel_.append(random.pick(kChannels));
      const std::string_view scope = random.pick(kScopes);
      scope_.append(scope);
      append_audience(world, agent, scope, random);
      speech_act_.append(random.pick(kSpeechActs));
      topic_.append(random.pick(kTopics));
      if (random.one_in(4)) {
        stance_.append_null();
      } else {
        stance_.append(random.pick(kStances));
      }
      append_claims(world, tick, random);
      append_style(world, agent, random);
    }
  }

  frame::Frame finish() {
    const NestedTypes& nested = types();
    ArrayPtr recipients =
        recipient_slots_.finish(nested.audience->field(1).type, recipient_ids_.finish());
    return frame::Frame(
        {{"bucket", keys_.bucket.finish()},
         {"tick", keys_.tick.finish()},
         {"sender_agent_id", sender_.finish()},
         {"channel_name", channel_.finish()},
         {"visibility_scope", scope_.finish()},
         {"audience", struct_array(nested.audience, audience_validity_,
                                   {audience_group_.finish(), recipients, reach_.finish()})},
         {"speech_act", speech_act_.finish()},
         {"topic_label", topic_.finish()},
         {"stance_label", stance_.finish()},
         {"claims", struct_array(nested.claims, claims_validity_,
                                 {claim_token_.finish(), claim_price_.finish(),
                                  claim_confidence_.finish(), claim_summary_.finish()})},
         {"style", struct_array(nested.style, style_validity_,
                                {tone_.finish(), formality_.finish(), emoji_.finish(),
                                 signature_.finish()})}});
  }

 private:
  // Public messages reach everyone and name no recipients; the others name a few agents.
  void append_audience(const World& world, int64_t agent, std::string_view scope, Random& random) {
    if (scope == "public") {
      audience_group_.append_null();
      recipient_slots_.append_null(recipient_ids_.length());
      reach_.append(world.agents);
    } else {
      audience_group_.append(kGroups[static_cast<size_t>(agent) % kGroups.size()]);
      const int64_t count = scope == "private" ? 1 : random.below(5);
      for (int64_t i = 0; i < count; ++i) {
        recipient_ids_.append(world.agent(world.other_agent(agent, random)));
      }
      recipient_slots_.append(recipient_ids_.length());
      reach_.append(count);
    }
    audience_validity_.append_valid();
  }

  void append_claims(const World& world, int64_t tick, Random& random) {
    // Free text as agents write it: several languages, symbols, quotes and line breaks.
    static constexpr std::array<std::string_view, 7> kSummaries = {
        "Price looks strong this week",
        "Prix en hausse \xe2\x80\x94 achetez t\xc3\xb4t \xe2\x9c\x93",
        "\xe4\xbe\xa1\xe6\xa0\xbc\xe3\x81\xaf\xe4\xb8\x8a\xe6\x98\x87\xe4\xb8\xad",
        "Watch the order book \xf0\x9f\x93\x88",
        "She said \"sell\"; I disagree",
        "first point\nsecond point",
        ""};
    if (random.one_in(5)) {
      claim_token_.append_null();
      claim_price_.append_null();
    } else {
      const int token = random_token(random);
      claim_token_.append(kTokens[static_cast<size_t>(token)]);
      claim_price_.append(
          round_to(market_price(world.seed, token, tick) * random.between(0.9, 1.1), 2));
    }
    claim_confidence_.append(round_to(random.unit(), 2));
    claim_summary_.append(random.pick(kSummaries));
    claims_validity_.append_valid();
  }

  void append_style(const World& world, int64_t agent, Random& random) {
    static constexpr std::array<std::string_view, 4> kTones = {"formal", "casual", "urgent",
                                                               "sarcastic"};
    tone_.append(random.pick(kTones));
    formality_.append(round_to(random.unit(), 2));
    if (random.one_in(10)) {
      emoji_.append_null();
    } else {
      emoji_.append(random.one_in(3));
    }
    if (random.one_in(2)) {
      signature_.append_null();
    } else {
      signature_.append(fmt::format("\xe2\x80\x94 {}", world.agent(agent)));
    }
    style_validity_.append_valid();
  }

  TickColumns keys_;
  frame::StringBuilder sender_, channel_, scope_, speech_act_, topic_, stance_;
  frame::ValidityBuilder audience_validity_;
  frame::StringBuilder audience_group_;
  ListSlots recipient_slots_;
  frame::StringBuilder recipient_ids_;
  frame::Int64Builder reach_;
  frame::ValidityBuilder claims_validity_;
  frame::StringBuilder claim_token_, claim_summary_;
  frame::Float64Builder claim_price_, claim_confidence_;
  frame::ValidityBuilder style_validity_;
  frame::StringBuilder tone_, signature_;
  frame::Float64Builder formality_;
  frame::BoolBuilder emoji_;
};

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
    append_optional(quantity_, candidate.quantity);
    append_optional(limit_price_, candidate.limit_price);
    append_optional(score_, candidate.score);
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
        append_optional(unit_cost_, unit_cost);
        append_optional(cost_, cost);
        append_optional(mark_, mark);
        append_optional(value_, value);
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

template <class Table>
frame::Frame build(const World* world, int64_t first_tick, int64_t end_tick) {
  Table table;
  for (int64_t tick = first_tick; tick < end_tick; ++tick) table.append_tick(*world, tick);
  return table.finish();
}

// The frame of ticks [first_tick, end_tick); with no world, the empty frame of the table.
frame::Frame build(TableName table, const World* world, int64_t first_tick, int64_t end_tick) {
  switch (table) {
    case TableName::kExchange:
      return build<ExchangeTable>(world, first_tick, end_tick);
    case TableName::kIdentityEdges:
      return build<IdentityEdgesTable>(world, first_tick, end_tick);
    case TableName::kScenariosSeen:
      return build<ScenariosSeenTable>(world, first_tick, end_tick);
    case TableName::kMessages:
      return build<MessagesTable>(world, first_tick, end_tick);
    case TableName::kDecisions:
      return build<DecisionsTable>(world, first_tick, end_tick);
    case TableName::kOracleCalls:
      return build<OracleCallsTable>(world, first_tick, end_tick);
    case TableName::kHoldings:
      return build<HoldingsTable>(world, first_tick, end_tick);
    case TableName::kHoldingsValuation:
      return build<HoldingsValuationTable>(world, first_tick, end_tick);
  }
  throw IoConfigError(fmt::format("unknown table #{}", static_cast<int>(table)));
}

}  // namespace

SyntheticRun::SyntheticRun(const SyntheticRunOptions& options, int64_t tick_bucket_size)
    : options_(options), tick_bucket_size_(tick_bucket_size) {
  if (options.agents < 1) {
    throw IoConfigError(
        fmt::format("a synthetic run needs at least 1 agent, not {}", options.agents));
  }
  if (options.ticks < 0) {
    throw IoConfigError(
        fmt::format("a synthetic run cannot have a negative tick count ({})", options.ticks));
  }
  if (tick_bucket_size < 1) {
    throw IoConfigError(
        fmt::format("tick_bucket_size must be at least 1, not {}", tick_bucket_size));
  }
  agent_ids_.reserve(static_cast<size_t>(options.agents));
  held_tokens_.resize(static_cast<size_t>(options.agents));
  for (int64_t agent = 0; agent < options.agents; ++agent) {
    agent_ids_.push_back(format_agent_id(agent));
    // Everyone holds a home token, and each other token with a chance of one in three.
    Random random(options.seed, Stream::kPortfolio, agent);
    const int home = static_cast<int>(agent % kTokenCount);
    for (int token = 0; token < kTokenCount; ++token) {
      if (token == home || random.one_in(3))
        held_tokens_[static_cast<size_t>(agent)].push_back(token);
    }
  }
}

frame::Frame SyntheticRun::tick_rows(core::TableName table, int64_t tick) const {
  if (tick < 0 || tick >= options_.ticks) {
    throw IoConfigError(
        fmt::format("tick {} is outside the run's ticks [0, {})", tick, options_.ticks));
  }
  return rows(table, tick, tick + 1);
}

frame::Frame SyntheticRun::rows(core::TableName table, int64_t first_tick, int64_t end_tick) const {
  if (first_tick < 0 || first_tick > end_tick || end_tick > options_.ticks) {
    throw IoConfigError(fmt::format("ticks [{}, {}) are not a range inside the run's [0, {})",
                                    first_tick, end_tick, options_.ticks));
  }
  const World world{options_.seed, options_.agents, tick_bucket_size_, agent_ids_, held_tokens_};
  return build(table, &world, first_tick, end_tick);
}

std::vector<frame::Field> SyntheticRun::fields(core::TableName table) {
  const frame::Frame empty = build(table, nullptr, 0, 0);
  const core::TableDescriptor& descriptor = core::get_table(table);
  std::vector<frame::Field> fields;
  fields.reserve(descriptor.columns.size());
  for (const core::ColumnDescriptor& column : descriptor.columns) {
    fields.push_back(
        Field{std::string(column.name), empty.column(column.name)->type(), column.nullable()});
  }
  return fields;
}

const std::string& SyntheticRun::agent_id(int64_t agent) const {
  return agent_ids_.at(static_cast<size_t>(agent));
}

std::string SyntheticRun::format_agent_id(int64_t agent) {
  return fmt::format("agent-{:04}", agent);
}

}  // namespace crv::cli
