#include "parquet/assembler.hpp"

#include <fmt/format.h>

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

  frame::ArrayPtr build_leaf(const SchemaNode& node) {
    LeafData& data = leftmost(node);
    const Levels levels{data};
    const int16_t slot = slot_level(node);
    const int16_t max_def = node.def_present;
    // Slot presence, in order; `dense` when every entry is a present slot.
    frame::ValidityBuilder validity;
    bool dense = true;
    for (int64_t k = 0; k < data.entries && !data.def_levels.empty(); ++k) {
      const int16_t def = levels.def(k);
      if (def < slot) {
        dense = false;
        continue;
      }
      if (def != max_def) dense = false;
      validity.append(def == max_def);
    }
    if (data.def_levels.empty()) validity.append_valid_run(data.entries);
    const int64_t length = validity.length();
    const int64_t null_count = validity.null_count();
    frame::ArrayData array{.type = node.type, .length = length, .null_count = null_count};
    // Values are dense; spread them over the slots when some slots are null.
    std::vector<int64_t> value_slots;
    if (!dense) {
      value_slots.reserve(static_cast<size_t>(data.present));
      int64_t position = 0;
      for (int64_t k = 0; k < data.entries; ++k) {
        const int16_t def = levels.def(k);
        if (def < slot) continue;
        if (def == max_def) value_slots.push_back(position);
        ++position;
      }
    }
    array.validity = validity.finish();
    switch (node.type->id()) {
      case frame::TypeId::Int64:
        array.values = spread(std::move(data.int64_values), value_slots, length, dense);
        break;
      case frame::TypeId::Float64:
        array.values = spread(std::move(data.float64_values), value_slots, length, dense);
        break;
      case frame::TypeId::Utf8:
        array.offsets = spread_offsets(std::move(data.string_offsets), value_slots, length, dense);
        array.values = adopt(std::move(data.string_data));
        break;
      case frame::TypeId::Bool:
        array.values = spread_bits(std::move(data.bool_bits), value_slots, length, dense);
        break;
      default:
        break;
    }
    return frame::Array::make(std::move(array));
  }

  template <class T>
  static frame::BufferPtr spread(std::vector<T>&& values, const std::vector<int64_t>& slots,
                                 int64_t length, bool dense) {
    if (dense) return adopt(std::move(values));
    std::vector<T> spread_values(static_cast<size_t>(length), T{});
    for (size_t i = 0; i < slots.size(); ++i) {
      spread_values[static_cast<size_t>(slots[i])] = values[i];
    }
    return adopt(std::move(spread_values));
  }

  static frame::BufferPtr spread_offsets(std::vector<int32_t>&& offsets,
                                         const std::vector<int64_t>& slots, int64_t length,
                                         bool dense) {
    if (offsets.empty()) offsets.push_back(0);
    if (dense) return adopt(std::move(offsets));
    // A null slot is an empty string at the position of the next present one.
    std::vector<int32_t> spread_offsets(static_cast<size_t>(length) + 1, 0);
    size_t value = 0;
    for (int64_t position = 0; position < length; ++position) {
      spread_offsets[static_cast<size_t>(position)] = offsets[value];
      if (value < slots.size() && slots[value] == position) ++value;
    }
    spread_offsets[static_cast<size_t>(length)] = offsets[value];
    return adopt(std::move(spread_offsets));
  }

  static frame::BufferPtr spread_bits(std::vector<uint8_t>&& bits,
                                      const std::vector<int64_t>& slots, int64_t length,
                                      bool dense) {
    if (dense) return adopt(std::move(bits));
    std::vector<uint8_t> spread_bits(static_cast<size_t>(frame::bits::bytes_for(length)), 0);
    for (size_t i = 0; i < slots.size(); ++i) {
      if (frame::bits::get(bits.data(), static_cast<int64_t>(i))) {
        frame::bits::set(spread_bits.data(), slots[i]);
      }
    }
    return adopt(std::move(spread_bits));
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
