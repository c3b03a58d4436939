// Shredding: a nested column's rows turned into its leaves' levels and values.

#include "parquet/shredder.hpp"

#include <fmt/format.h>

#include "crv/core/errors.hpp"

namespace crv::parquet {
namespace {

[[noreturn]] void null_in_required(const std::string& column_name, int64_t row) {
  throw IoSchemaError("null value in a non-nullable position", {.column = column_name, .row = row});
}

// Walks one leaf's path through nested arrays, entry by entry.
class NestedShredder {
 public:
  NestedShredder(const Schema& schema, const LeafColumn& leaf, const std::string& column_name,
                 ShreddedLeaf& out)
      : schema_(schema), leaf_(leaf), column_name_(column_name), out_(out) {}

  void shred_row(const frame::Array& column, int64_t row) {
    row_ = row;
    visit(0, column, row, 0, 0);
  }

 private:
  void emit(int16_t def, int16_t rep) {
    out_.def_levels.push_back(def);
    if (leaf_.max_rep > 0) out_.rep_levels.push_back(rep);
  }

  void visit(size_t depth, const frame::Array& array, int64_t index, int16_t def, int16_t rep) {
    const SchemaNode& node = schema_.node(leaf_.path[depth]);
    if (array.is_null(index)) {
      if (!node.nullable) null_in_required(column_name_, row_);
      emit(def, rep);
      return;
    }
    def = node.def_present;
    switch (node.kind) {
      case SchemaNode::Kind::kLeaf:
        emit(def, rep);
        gather(array, index);
        return;
      case SchemaNode::Kind::kStruct: {
        const int next = leaf_.path[depth + 1];
        size_t member = 0;
        while (node.children[member] != next) ++member;
        visit(depth + 1, *array.child(member), array.offset() + index, def, rep);
        return;
      }
      case SchemaNode::Kind::kList: {
        const frame::Range items = array.list_range(index);
        if (items.size() == 0) {
          emit(def, rep);
          return;
        }
        const frame::Array& item_array = *array.list_items();
        const int16_t item_rep = static_cast<int16_t>(node.rep_depth + 1);
        for (int64_t item = items.begin; item < items.end; ++item) {
          visit(depth + 1, item_array, item, static_cast<int16_t>(def + 1),
                item == items.begin ? rep : item_rep);
        }
        return;
      }
    }
  }

  void gather(const frame::Array& array, int64_t index) {
    LeafValues& values = out_.values;
    ++values.present;
    switch (array.type_id()) {
      case frame::TypeId::Int64:
        values.gathered_int64.push_back(array.int64_values()[index]);
        return;
      case frame::TypeId::Float64:
        values.gathered_float64.push_back(array.float64_values()[index]);
        return;
      case frame::TypeId::Utf8: {
        const std::string_view text = array.string_at(index);
        values.gathered_chars.insert(values.gathered_chars.end(), text.begin(), text.end());
        values.gathered_offsets.push_back(static_cast<int32_t>(values.gathered_chars.size()));
        return;
      }
      case frame::TypeId::Bool: {
        const auto bit = static_cast<size_t>(values.present - 1);
        if ((bit & 7) == 0) values.gathered_bools.push_back(0);
        if (array.bool_at(index))
          values.gathered_bools.back() |= static_cast<uint8_t>(1u << (bit & 7));
        return;
      }
      default:
        return;
    }
  }

  const Schema& schema_;
  const LeafColumn& leaf_;
  const std::string& column_name_;
  ShreddedLeaf& out_;
  int64_t row_ = 0;
};

void view_top_level(const frame::Array& column, int64_t row_begin, int64_t row_end,
                    LeafValues& values) {
  const int64_t count = row_end - row_begin;
  values.entry_indexed = true;
  values.entries = count;
  values.validity = {column.validity_bits(), static_cast<size_t>(column.offset() + row_begin)};
  values.present =
      static_cast<int64_t>(count_set_bits(values.validity, static_cast<size_t>(count)));
  switch (column.type_id()) {
    case frame::TypeId::Int64:
      values.int64_values = column.int64_values() + row_begin;
      break;
    case frame::TypeId::Float64:
      values.float64_values = column.float64_values() + row_begin;
      break;
    case frame::TypeId::Utf8:
      values.string_offsets = column.value_offsets() + row_begin;
      values.string_data = reinterpret_cast<const uint8_t*>(column.string_data());
      break;
    case frame::TypeId::Bool:
      values.bool_values = {column.bool_bits(), static_cast<size_t>(column.offset() + row_begin)};
      break;
    default:
      break;
  }
}

void bind_gathered(LeafValues& values) {
  values.entry_indexed = false;
  values.validity = {};
  values.int64_values = values.gathered_int64.data();
  values.float64_values = values.gathered_float64.data();
  values.string_offsets = values.gathered_offsets.data();
  values.string_data = values.gathered_chars.data();
  values.bool_values = {values.gathered_bools.data(), 0};
}

}  // namespace

void shred_leaf(const Schema& schema, const LeafColumn& leaf, const frame::Array& column,
                int64_t row_begin, int64_t row_end, const std::string& column_name,
                ShreddedLeaf& out) {
  out.def_levels.clear();
  out.rep_levels.clear();
  LeafValues& values = out.values;
  values.type = schema.node(leaf.node).type->id();
  values.present = 0;

  if (leaf.path.size() == 1) {
    view_top_level(column, row_begin, row_end, values);
    if (!schema.node(leaf.node).nullable && values.present != values.entries) {
      for (int64_t row = row_begin; row < row_end; ++row) {
        if (column.is_null(row)) null_in_required(column_name, row);
      }
    }
    return;
  }

  values.gathered_int64.clear();
  values.gathered_float64.clear();
  values.gathered_offsets.assign(1, 0);
  values.gathered_chars.clear();
  values.gathered_bools.clear();
  NestedShredder shredder(schema, leaf, column_name, out);
  for (int64_t row = row_begin; row < row_end; ++row) shredder.shred_row(column, row);
  values.entries = static_cast<int64_t>(out.def_levels.size());
  bind_gathered(values);
}

}  // namespace crv::parquet
