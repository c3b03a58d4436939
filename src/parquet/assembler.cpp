// Assembly: nested arrays rebuilt from leaf columns' levels and values.

#include "parquet/assembler.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"

namespace crv::parquet {
namespace {

// Hands a vector's memory to a frame buffer without copying.
template <class T>
frame::BufferPtr adopt(std::vector<T>&& values) {
  auto owner = std::make_shared<std::vector<T>>(std::move(values));
  return frame::Buffer::wrap(owner->data(), static_cast<int64_t>(owner->size() * sizeof(T)), owner);
}

class Assembler {
 public:
  Assembler(const Schema& schema, std::span<LeafData> leaves, const std::string& path)
      : schema_(schema), leaves_(leaves), path_(path) {}

  frame::ArrayPtr build(int index) {
    const SchemaNode& node = schema_.node(index);
    switch (node.kind) {
      case SchemaNode::Kind::kLeaf:
        return build_leaf(node);
      case SchemaNode::Kind::kStruct:
        return build_struct(node);
      case SchemaNode::Kind::kList:
        return build_list(node);
    }
    return nullptr;
  }

 private:
  // Walks the entries of a node's leftmost leaf and reports each slot of the node.
  struct Levels {
    const LeafData& data;
    int16_t def(int64_t k) const {
      return data.def_levels.empty() ? 0 : data.def_levels[static_cast<size_t>(k)];
    }
    int16_t rep(int64_t k) const {
      return data.rep_levels.empty() ? 0 : data.rep_levels[static_cast<size_t>(k)];
    }
  };

  // The definition level at which a slot of `node` exists in the Arrow layout.
  int16_t slot_level(const SchemaNode& node) const {
    const SchemaNode* current = &node;
    while (current->parent >= 0 &&
           schema_.node(current->parent).kind == SchemaNode::Kind::kStruct) {
      current = &schema_.node(current->parent);
    }
    return current->def_slot;
  }

  LeafData& leftmost(const SchemaNode& node) {
    return leaves_[static_cast<size_t>(node.first_leaf)];
  }

  [[noreturn]] void inconsistent(const SchemaNode& node, int64_t expected, int64_t actual) const {
    throw IoFormatError(
        fmt::format("nested column '{}' is inconsistent: {} slots where its parent expects {}",
                    node.name, actual, expected),
        {.path = path_});
  }

  frame::ArrayPtr build_struct(const SchemaNode& node) {
    const Levels levels{leftmost(node)};
    const int16_t slot = slot_level(node);
    frame::ValidityBuilder validity;
    for (int64_t k = 0; k < levels.data.entries; ++k) {
      if (levels.rep(k) > node.rep_depth || levels.def(k) < slot) continue;
      validity.append(levels.def(k) >= node.def_present);
    }
    const int64_t length = validity.length();
    const int64_t null_count = validity.null_count();
    std::vector<frame::ArrayPtr> children;
    for (int child : node.children) {
      children.push_back(build(child));
      if (children.back()->length() != length) {
        inconsistent(schema_.node(child), length, children.back()->length());
      }
    }
    return frame::Array::make({.type = node.type,
                               .length = length,
                               .null_count = null_count,
                               .validity = validity.finish(),
                               .children = std::move(children)});
  }

  frame::ArrayPtr build_list(const SchemaNode& node) {
    const Levels levels{leftmost(node)};
    const int16_t slot = slot_level(node);
    const int16_t item_def = static_cast<int16_t>(node.def_present + 1);
    const int16_t item_rep = static_cast<int16_t>(node.rep_depth + 1);
    frame::ValidityBuilder validity;
    std::vector<int32_t> offsets{0};
    int32_t items = 0;
    for (int64_t k = 0; k < levels.data.entries; ++k) {
      const int16_t rep = levels.rep(k);
      const int16_t def = levels.def(k);
      if (rep <= node.rep_depth && def >= slot) {
        if (validity.length() > 0) offsets.push_back(items);
        validity.append(def >= node.def_present);
      }
      if (rep <= item_rep && def >= item_def) ++items;
    }
    if (validity.length() > 0) offsets.push_back(items);
    const int64_t length = validity.length();
    const int64_t null_count = validity.null_count();
    frame::ArrayPtr item_array = build(node.children.front());
    if (item_array->length() != items) {
      inconsistent(schema_.node(node.children.front()), items, item_array->length());
    }
    return frame::Array::make({.type = node.type,
                               .length = length,
                               .null_count = null_count,
                               .validity = validity.finish(),
                               .offsets = adopt(std::move(offsets)),
                               .children = {std::move(item_array)}});
  }

  // Calls visit(slot, valid) for each slot of a leaf, in order: every entry at or above
  // the slot level `slot`, valid when it reaches `max_def`; returns the number of slots.
  template <class Visit>
  static int64_t for_each_slot(const LeafData& data, int16_t slot, int16_t max_def, Visit&& visit) {
    const int16_t* def = data.def_levels.data();
    int64_t position = 0;
    for (int64_t k = 0; k < data.entries; ++k) {
      if (def[k] < slot) continue;
      visit(position++, def[k] == max_def);
    }
    return position;
  }

  // A leaf's slots: their number, their validity, and whether values map to them one to
  // one (no entry below the slot level, no null).
  struct LeafSlots {
    int64_t length = 0;
    int64_t null_count = 0;
    frame::BufferPtr validity;
    bool dense = true;
  };

  static LeafSlots leaf_slots(const LeafData& data, int16_t slot, int16_t max_def) {
    if (data.def_levels.empty()) return {data.entries, 0, nullptr, true};
    frame::BufferBuilder bits(frame::bits::bytes_for(data.entries));
    bits.resize(frame::bits::bytes_for(data.entries));
    uint8_t* out = bits.data();
    uint8_t byte = 0;
    int64_t valid = 0;
    const int64_t length = for_each_slot(data, slot, max_def, [&](int64_t position, bool present) {
      byte = static_cast<uint8_t>(byte | (present << (position & 7)));
      valid += present;
      if ((position & 7) == 7) {
        out[position >> 3] = byte;
        byte = 0;
      }
    });
    if ((length & 7) != 0) out[length >> 3] = byte;
    LeafSlots slots{length, length - valid, nullptr, length == data.entries && valid == length};
    if (slots.null_count > 0) {
      bits.resize(frame::bits::bytes_for(length));
      slots.validity = bits.finish();
    }
    return slots;
  }

  frame::ArrayPtr build_leaf(const SchemaNode& node) {
    LeafData& data = leftmost(node);
    const int16_t slot = slot_level(node);
    const int16_t max_def = node.def_present;
    LeafSlots slots = leaf_slots(data, slot, max_def);
    frame::ArrayData array{.type = node.type,
                           .length = slots.length,
                           .null_count = slots.null_count,
                           .validity = std::move(slots.validity)};
    // Values are dense; spread them over the slots when some slots are null.
    switch (node.type->id()) {
      case frame::TypeId::Int64:
        array.values = slots.dense ? adopt(std::move(data.int64_values))
                                   : spread(data.int64_values, data, slot, max_def, slots.length);
        break;
      case frame::TypeId::Float64:
        array.values = slots.dense ? adopt(std::move(data.float64_values))
                                   : spread(data.float64_values, data, slot, max_def, slots.length);
        break;
      case frame::TypeId::Utf8:
        if (data.string_offsets.empty()) data.string_offsets.push_back(0);
        array.offsets = slots.dense ? adopt(std::move(data.string_offsets))
                                    : spread_offsets(data, slot, max_def, slots.length);
        array.values = adopt(std::move(data.string_data));
        break;
      case frame::TypeId::Bool:
        array.values = slots.dense ? adopt(std::move(data.bool_bits))
                                   : spread_bits(data, slot, max_def, slots.length);
        break;
      case frame::TypeId::Null:
        if (slots.null_count != slots.length) {
          throw IoFormatError(
              fmt::format("column '{}' has the null logical type but holds {} "
                          "values",
                          node.name, slots.length - slots.null_count));
        }
        break;
      default:
        break;
    }
    return frame::Array::make(std::move(array));
  }

  // Null slots hold zero.
  template <class T>
  static frame::BufferPtr spread(const std::vector<T>& values, const LeafData& data, int16_t slot,
                                 int16_t max_def, int64_t length) {
    frame::BufferBuilder out(length * static_cast<int64_t>(sizeof(T)));
    out.resize(length * static_cast<int64_t>(sizeof(T)));
    T* slots = out.data_as<T>();
    if (values.empty()) {
      std::fill(slots, slots + length, T{});
      return out.finish();
    }
    // Branch-free, as nulls often fall at random: the load is clamped to the last value
    // and its result discarded for a null slot.
    const size_t last = values.size() - 1;
    size_t next = 0;
    for_each_slot(data, slot, max_def, [&](int64_t position, bool valid) {
      const T value = values[std::min(next, last)];
      slots[position] = valid ? value : T{};
      next += valid;
    });
    return out.finish();
  }

  // A null slot is an empty string at the position of the next present one.
  static frame::BufferPtr spread_offsets(const LeafData& data, int16_t slot, int16_t max_def,
                                         int64_t length) {
    frame::BufferBuilder out((length + 1) * static_cast<int64_t>(sizeof(int32_t)));
    out.resize((length + 1) * static_cast<int64_t>(sizeof(int32_t)));
    int32_t* offsets = out.data_as<int32_t>();
    const int32_t* next = data.string_offsets.data();
    for_each_slot(data, slot, max_def, [&](int64_t position, bool valid) {
      offsets[position] = *next;
      next += valid;
    });
    offsets[length] = *next;
    return out.finish();
  }

  static frame::BufferPtr spread_bits(const LeafData& data, int16_t slot, int16_t max_def,
                                      int64_t length) {
    frame::BufferBuilder out(frame::bits::bytes_for(length));
    out.resize_zeroed(frame::bits::bytes_for(length));
    uint8_t* bits = out.data();
    int64_t value = 0;
    for_each_slot(data, slot, max_def, [&](int64_t position, bool valid) {
      if (valid && frame::bits::get(data.bool_bits.data(), value++)) {
        frame::bits::set(bits, position);
      }
    });
    return out.finish();
  }

  const Schema& schema_;
  std::span<LeafData> leaves_;
  const std::string& path_;
};

}  // namespace

frame::ArrayPtr assemble_column(const Schema& schema, int column, std::span<LeafData> leaves,
                                const std::string& path) {
  return Assembler(schema, leaves, path).build(column);
}

}  // namespace crv::parquet
