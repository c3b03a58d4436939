#pragma once
// Building blocks of the synthetic tables' columns: struct and list arrays from builders,
// the nested types of the canonical tables, and the bucket and tick key columns.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crv/frame/builders.hpp"
#include "crv/frame/types.hpp"
#include "sim/world.hpp"

namespace crv::sim {

// A struct array of `children`, its slots valid or null as `validity` says.
frame::ArrayPtr struct_array(const frame::TypePtr& type, frame::ValidityBuilder& validity,
                             std::vector<frame::ArrayPtr> children);

// The offsets and validity of a list column; the items go to the item type's builders.
class ListSlots {
 public:
  ListSlots();

  // Ends a slot whose items end at `items_end`, the item builders' length.
  void append(int64_t items_end);
  void append_null(int64_t items_end);
  frame::ArrayPtr finish(const frame::TypePtr& type, frame::ArrayPtr items);

 private:
  frame::BufferBuilder offsets_;
  frame::ValidityBuilder validity_;
};

// For the string builder, which takes no optional itself: a string literal would convert
// equally well to both overloads.
template <class Text>
void append_optional(frame::StringBuilder& builder, const std::optional<Text>& text) {
  if (text) {
    builder.append(*text);
  } else {
    builder.append_null();
  }
}

// The nested types of the canonical tables, built once.
struct NestedTypes {
  NestedTypes();

  frame::TypePtr exchange_payload;
  frame::TypePtr agent_pair;
  frame::TypePtr agent_pairs;
  frame::TypePtr exchange_snapshot;
  frame::TypePtr audience;
  frame::TypePtr claims;
  frame::TypePtr style;
  frame::TypePtr parameters;
  frame::TypePtr candidate;
  frame::TypePtr candidates;
  frame::TypePtr token_estimates;
  frame::TypePtr tool_step;
  frame::TypePtr tool_seq;
};

const NestedTypes& types();

// bucket and tick, the first two columns of every table.
struct TickColumns {
  frame::Int64Builder bucket;
  frame::Int64Builder tick;

  void append(const World& world, int64_t at) {
    bucket.append(at / world.tick_bucket_size);
    tick.append(at);
  }
};

}  // namespace crv::sim
