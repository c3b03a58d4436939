// The synthetic messages table: what active agents post, to whom, and in which style.

#include "sim/tables.hpp"

#include <fmt/format.h>

#include <array>
#include <string_view>

#include "crv/frame/builders.hpp"
#include "sim/columns.hpp"

namespace crv::sim {
namespace {

using frame::ArrayPtr;

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

}  // namespace

frame::Frame build_messages(const World* world, int64_t first_tick, int64_t end_tick) {
  return build_ticks<MessagesTable>(world, first_tick, end_tick);
}

}  // namespace crv::sim
