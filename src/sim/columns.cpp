// Struct and list arrays and the nested types the synthetic tables are built from.

#include "sim/columns.hpp"

#include <string_view>
#include <utility>

namespace crv::sim {
namespace {

using frame::Field;
using frame::TypePtr;

Field nullable(std::string name, TypePtr type) {
  return Field{std::move(name), std::move(type)};
}

TypePtr make_token_estimates() {
  std::vector<Field> fields;
  for (std::string_view token : kTokens)
    fields.push_back(nullable(std::string(token), frame::float64()));
  return frame::struct_(std::move(fields));
}

}  // namespace

frame::ArrayPtr struct_array(const TypePtr& type, frame::ValidityBuilder& validity,
                             std::vector<frame::ArrayPtr> children) {
  const int64_t length = validity.length();
  const int64_t null_count = validity.null_count();
  return frame::Array::make({.type = type,
                             .length = length,
                             .null_count = null_count,
                             .validity = validity.finish(),
                             .children = std::move(children)});
}

ListSlots::ListSlots() {
  offsets_.append_value<int32_t>(0);
}

void ListSlots::append(int64_t items_end) {
  offsets_.append_value(static_cast<int32_t>(items_end));
  validity_.append_valid();
}

void ListSlots::append_null(int64_t items_end) {
  offsets_.append_value(static_cast<int32_t>(items_end));
  validity_.append_null();
}

frame::ArrayPtr ListSlots::finish(const TypePtr& type, frame::ArrayPtr items) {
  const int64_t length = validity_.length();
  const int64_t null_count = validity_.null_count();
  return frame::Array::make({.type = type,
                             .length = length,
                             .null_count = null_count,
                             .validity = validity_.finish(),
                             .offsets = offsets_.finish(),
                             .children = {std::move(items)}});
}

NestedTypes::NestedTypes()
    : exchange_payload(frame::struct_(
          {nullable("order_id", frame::utf8()), nullable("fee", frame::float64()),
           nullable("liquidity", frame::utf8()), nullable("latency_us", frame::int64())})),
      agent_pair(
          frame::struct_({nullable("agent_a", frame::utf8()), nullable("agent_b", frame::utf8()),
                          nullable("weight", frame::float64())})),
      agent_pairs(frame::list(agent_pair)),
      exchange_snapshot(frame::struct_(
          {nullable("venue_id", frame::utf8()), nullable("last_price", frame::float64()),
           nullable("best_bid", frame::float64()), nullable("best_ask", frame::float64()),
           nullable("volume", frame::int64())})),
      audience(frame::struct_({nullable("group_label", frame::utf8()),
                               nullable("recipient_ids", frame::list(frame::utf8())),
                               nullable("reach", frame::int64())})),
      claims(frame::struct_(
          {nullable("token_id", frame::utf8()), nullable("claimed_price", frame::float64()),
           nullable("confidence", frame::float64()), nullable("summary", frame::utf8())})),
      style(frame::struct_(
          {nullable("tone", frame::utf8()), nullable("formality", frame::float64()),
           nullable("uses_emoji", frame::boolean()), nullable("signature", frame::utf8())})),
      parameters(frame::struct_({nullable("token_id", frame::utf8()),
                                 nullable("quantity", frame::float64()),
                                 nullable("limit_price", frame::float64())})),
      candidate(frame::struct_(
          {nullable("action_type", frame::utf8()), nullable("parameters", parameters),
           nullable("score", frame::float64()), nullable("key", frame::utf8())})),
      candidates(frame::list(candidate)),
      token_estimates(make_token_estimates()),
      tool_step(
          frame::struct_({nullable("tool", frame::utf8()), nullable("duration_ms", frame::int64()),
                          nullable("error", frame::utf8())})),
      tool_seq(frame::struct_(
          {nullable("steps", frame::list(tool_step)), nullable("planner", frame::utf8())})) {}

const NestedTypes& types() {
  static const NestedTypes nested;
  return nested;
}

}  // namespace crv::sim
