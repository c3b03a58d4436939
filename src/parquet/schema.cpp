// The Parquet schema tree built from frame fields or from a file's schema elements.

#include "parquet/schema.hpp"

#include <fmt/format.h>

#include "crv/core/errors.hpp"
#include "crv/frame/utf8.hpp"
#include "crv/parquet/reader.hpp"
#include "parquet/leaf_types.hpp"

namespace crv::parquet {
namespace {

using format::ConvertedType;
using format::FieldRepetitionType;
using format::SchemaElement;

// Names the three-level LIST layout gives its inner nodes.
constexpr std::string_view kRepeatedGroupName = "list";
constexpr std::string_view kElementName = "element";
// The item name frame lists get when read, as Arrow names it.
constexpr std::string_view kItemName = "item";

FieldRepetitionType repetition(bool nullable) {
  return nullable ? FieldRepetitionType::kOptional : FieldRepetitionType::kRequired;
}

format::Type physical_type_for(frame::TypeId id) {
  switch (id) {
    case frame::TypeId::Int64:
      return format::Type::kInt64;
    case frame::TypeId::Float64:
      return format::Type::kDouble;
    case frame::TypeId::Utf8:
      return format::Type::kByteArray;
    case frame::TypeId::Bool:
      return format::Type::kBoolean;
    case frame::TypeId::Null:
      // As Arrow writes its null type: INT32 with the NULL logical type, no values.
      return format::Type::kInt32;
    default:
      break;
  }
  return format::Type::kInt64;
}

bool has_list_annotation(const SchemaElement& element) {
  return element.converted_type == ConvertedType::kList ||
         (element.logical_type && std::holds_alternative<format::ListType>(*element.logical_type));
}

// A MAP group. Legacy writers annotate the map's repeated key_value group MAP_KEY_VALUE,
// some the map group itself; on the repeated group it marks no further level.
bool has_map_annotation(const SchemaElement& element) {
  if (element.converted_type == ConvertedType::kMapKeyValue) {
    return element.repetition_type != FieldRepetitionType::kRepeated;
  }
  return element.converted_type == ConvertedType::kMap ||
         (element.logical_type && std::holds_alternative<format::MapType>(*element.logical_type));
}

// Reads the footer's depth-first elements into schema nodes.
class ElementReader {
 public:
  ElementReader(std::span<const SchemaElement> elements, std::string_view path)
      : elements_(elements), path_(path) {}

  const SchemaElement& next(std::string_view parent) {
    if (position_ >= elements_.size()) {
      fail(fmt::format("the schema ends inside group '{}'", parent));
    }
    const SchemaElement& element = elements_[position_];
    // Names become column names, and other readers refuse files whose names are not UTF-8.
    const size_t bad = frame::first_invalid_utf8_byte(element.name);
    if (bad != std::string_view::npos) {
      fail(fmt::format("the name of schema element {} is not valid UTF-8 (byte {} of {})",
                       position_, bad, element.name.size()));
    }
    ++position_;
    return element;
  }
  bool done() const { return position_ == elements_.size(); }

  [[noreturn]] void fail(const std::string& message) const {
    throw IoFormatError("invalid Parquet schema: " + message, {.path = std::string(path_)});
  }

 private:
  std::span<const SchemaElement> elements_;
  std::string_view path_;
  size_t position_ = 0;
};

// The root element, which must be a group.
const SchemaElement& read_root(ElementReader& reader) {
  if (reader.done()) reader.fail("no root element");
  const SchemaElement& root = reader.next("");
  if (!root.num_children) reader.fail("the root element is not a group");
  return root;
}

// The three-level LIST form: the repeated group wraps a single element. In the legacy
// two-level forms (a repeated leaf, a repeated group of several fields, or one named
// "array" or "<list>_tuple") and in MAP's key_value group, the repeated node is the item.
bool is_three_level_list(const SchemaElement& group, const SchemaElement& repeated) {
  return !has_map_annotation(group) && repeated.num_children == 1 && repeated.name != "array" &&
         repeated.name != group.name + "_tuple";
}

}  // namespace

// Turns the footer's elements, consumed one by one from an ElementReader, into schema
// nodes. Each element becomes a leaf, a struct, or (with the element or elements beneath
// it that make up the form) a list; levels are assigned afterwards by Schema::finish.
class ElementTreeBuilder {
 public:
  ElementTreeBuilder(ElementReader& reader, Schema& schema, std::string_view path)
      : reader_(reader), schema_(schema), path_(path) {}

  // Adds the node for `element` (already consumed, at `depth` below the root, with the
  // dotted `column` path for messages) and everything beneath it; returns its index.
  int add(const SchemaElement& element, const std::string& column, bool inside_list, int depth) {
    if (depth > kMaxSchemaDepth) {
      reader_.fail(fmt::format("groups nest deeper than {} levels", kMaxSchemaDepth));
    }
    const auto repetition_type = element.repetition_type.value_or(FieldRepetitionType::kRequired);
    if (repetition_type == FieldRepetitionType::kRepeated && !inside_list) {
      return add_bare_repeated(element, column, depth);
    }
    SchemaNode node;
    node.name = element.name;
    node.nullable = repetition_type == FieldRepetitionType::kOptional;
    node.field_id = element.field_id;
    if (!element.num_children) return add_leaf(std::move(node), element, column);
    const int32_t count = *element.num_children;
    if (count <= 0) reader_.fail(fmt::format("group '{}' has no children", element.name));
    if (has_list_annotation(element) || has_map_annotation(element)) {
      return add_list_or_map(std::move(node), element, count, column, depth);
    }
    return add_struct(std::move(node), element, count, column, depth);
  }

 private:
  SchemaNode& at(int index) { return schema_.nodes_[static_cast<size_t>(index)]; }
  int add_node(SchemaNode node) { return schema_.add_node(std::move(node)); }
  void adopt_child(int parent, int child) { schema_.adopt_child(parent, child); }

  // A repeated element outside a LIST/MAP group: a required list of required items, the
  // element itself being the item.
  int add_bare_repeated(const SchemaElement& element, const std::string& column, int depth) {
    SchemaNode list;
    list.kind = SchemaNode::Kind::kList;
    list.name = element.name;
    list.nullable = false;
    const int index = add_node(std::move(list));
    const int item = add(element, column + "[]", true, depth);
    at(item).name = std::string(kItemName);
    adopt_child(index, item);
    return index;
  }

  int add_leaf(SchemaNode leaf, const SchemaElement& element, const std::string& column) {
    leaf.kind = SchemaNode::Kind::kLeaf;
    LeafTyping typing = type_leaf(element, column, path_);
    leaf.type = std::move(typing.type);
    leaf.conversion = std::move(typing.conversion);
    leaf.physical_type = *element.type;
    leaf.type_length = element.type_length.value_or(0);
    return add_node(std::move(leaf));
  }

  // A group annotated LIST or MAP: one repeated child, in one of the list forms.
  int add_list_or_map(SchemaNode list, const SchemaElement& group, int32_t count,
                      const std::string& column, int depth) {
    if (count != 1) {
      reader_.fail(fmt::format("LIST/MAP group '{}' has {} children, not 1", group.name, count));
    }
    const SchemaElement& repeated = reader_.next(group.name);
    if (repeated.repetition_type != FieldRepetitionType::kRepeated) {
      reader_.fail(fmt::format("the child of LIST/MAP group '{}' is not repeated", group.name));
    }
    list.kind = SchemaNode::Kind::kList;
    const int index = add_node(std::move(list));
    int item;
    if (is_three_level_list(group, repeated)) {
      item = add(reader_.next(repeated.name), column + "[]", true, depth + 2);
    } else {
      item = add(repeated, column + "[]", true, depth + 1);
      at(item).nullable = false;
    }
    at(item).name = std::string(kItemName);
    if (has_map_annotation(group)) name_map_entries(item);
    adopt_child(index, item);
    return index;
  }

  // Named as Arrow names a map's entries, whatever the writer called them, so that a map
  // reads the same from every writer (and a struct column can take it).
  void name_map_entries(int item) {
    SchemaNode& entries = at(item);
    if (entries.kind != SchemaNode::Kind::kStruct || entries.children.size() != 2) return;
    entries.name = std::string(kMapEntriesName);
    at(entries.children[0]).name = std::string(kMapKeyName);
    at(entries.children[1]).name = std::string(kMapValueName);
  }

  int add_struct(SchemaNode group, const SchemaElement& element, int32_t count,
                 const std::string& column, int depth) {
    group.kind = SchemaNode::Kind::kStruct;
    const int index = add_node(std::move(group));
    for (int32_t i = 0; i < count; ++i) {
      const SchemaElement& member = reader_.next(element.name);
      adopt_child(index, add(member, column + "." + member.name, false, depth + 1));
    }
    return index;
  }

  ElementReader& reader_;
  Schema& schema_;
  std::string_view path_;
};

int Schema::add_node(SchemaNode node) {
  nodes_.push_back(std::move(node));
  return static_cast<int>(nodes_.size() - 1);
}

void Schema::adopt_child(int parent, int child) {
  nodes_[static_cast<size_t>(child)].parent = parent;
  nodes_[static_cast<size_t>(parent)].children.push_back(child);
}

Schema Schema::from_fields(std::span<const frame::Field> fields, const FieldIds& field_ids) {
  Schema schema;
  FieldPath path;  // of the field being added, for its id
  // Recursion through a lambda keeps the node-building rules in one place.
  auto add = [&](auto& self, const frame::Field& field, const std::string& where,
                 int depth) -> int {
    if (!field.type) throw IoSchemaError(fmt::format("field '{}' has no type", where));
    if (depth > kMaxSchemaDepth) {
      throw IoSchemaError(
          fmt::format("fields nest deeper than {} levels, which Parquet files here cannot hold",
                      kMaxSchemaDepth),
          {.column = where});
    }
    const size_t bad = frame::first_invalid_utf8_byte(field.name);
    if (bad != std::string_view::npos) {
      throw IoSchemaError(
          fmt::format("the field name is not valid UTF-8 (byte {} of {})", bad, field.name.size()),
          {.column = where});
    }
    SchemaNode node;
    node.name = field.name;
    node.nullable = field.nullable;
    node.type = field.type;
    path.push_back(field.name);
    const auto id = field_ids.find(path);
    if (id != field_ids.end()) node.field_id = id->second;
    // Every case returns through `added`, which takes the field's name off the path.
    auto added = [&path](int index) {
      path.pop_back();
      return index;
    };
    switch (field.type->id()) {
      case frame::TypeId::Struct: {
        if (field.type->num_fields() == 0) {
          throw IoSchemaError(
              "a struct without fields cannot be stored in Parquet; give it at least one field",
              {.column = where});
        }
        node.kind = SchemaNode::Kind::kStruct;
        const int index = schema.add_node(std::move(node));
        for (const frame::Field& member : field.type->fields()) {
          schema.adopt_child(index, self(self, member, where + "." + member.name, depth + 1));
        }
        return added(index);
      }
      case frame::TypeId::List: {
        node.kind = SchemaNode::Kind::kList;
        const int index = schema.add_node(std::move(node));
        frame::Field item = field.type->item_field();
        item.name = std::string(kElementName);
        // The repeated group and the element: two levels.
        schema.adopt_child(index, self(self, item, where + "[]", depth + 2));
        return added(index);
      }
      default:
        node.kind = SchemaNode::Kind::kLeaf;
        node.physical_type = physical_type_for(field.type->id());
        // A value of the null type is always null, so its slot must allow it.
        if (field.type->id() == frame::TypeId::Null) node.nullable = true;
        return added(schema.add_node(std::move(node)));
    }
  };
  for (const frame::Field& field : fields) {
    schema.columns_.push_back(add(add, field, field.name, 1));
  }
  schema.finish();
  return schema;
}

Schema Schema::from_elements(std::span<const SchemaElement> elements, std::string_view path) {
  ElementReader reader(elements, path);
  const SchemaElement& root = read_root(reader);
  Schema schema;
  ElementTreeBuilder builder(reader, schema, path);
  for (int32_t i = 0; i < *root.num_children; ++i) {
    const SchemaElement& top = reader.next(root.name);
    schema.columns_.push_back(builder.add(top, top.name, false, 1));
  }
  if (!reader.done()) reader.fail("elements follow the last top-level column");
  schema.finish();
  return schema;
}

void Schema::finish() {
  std::vector<int> path;
  for (int column : columns_) assign_levels(column, 0, 0, path);
  assign_footer_paths();
}

// Levels and frame types flow top-down; leaves are numbered depth-first, the order in
// which column chunks appear in a row group.
void Schema::assign_levels(int index, int16_t def_slot, int16_t rep_depth, std::vector<int>& path) {
  SchemaNode& node = nodes_[static_cast<size_t>(index)];
  node.def_slot = def_slot;
  node.def_present = static_cast<int16_t>(def_slot + (node.nullable ? 1 : 0));
  node.rep_depth = rep_depth;
  path.push_back(index);
  if (node.kind == SchemaNode::Kind::kLeaf) {
    node.leaf_index = static_cast<int>(leaves_.size());
    node.first_leaf = node.leaf_index;
    leaves_.push_back({.node = index,
                       .path = path,
                       .path_in_schema = {},
                       .max_def = node.def_present,
                       .max_rep = node.rep_depth});
  } else {
    // A list's item sits one definition and one repetition level below it.
    const bool is_list = node.kind == SchemaNode::Kind::kList;
    const auto child_def = static_cast<int16_t>(node.def_present + (is_list ? 1 : 0));
    const auto child_rep = static_cast<int16_t>(rep_depth + (is_list ? 1 : 0));
    const std::vector<int> children = node.children;
    for (int child : children) assign_levels(child, child_def, child_rep, path);
    // The recursion adds no node, so `node` still refers into nodes_.
    node.first_leaf = nodes_[static_cast<size_t>(children.front())].first_leaf;
    // Written schemas keep the frame's own type (with its item names).
    if (!node.type) node.type = group_type(node);
  }
  path.pop_back();
}

// The frame type of a group read from a file, from its children's types.
frame::TypePtr Schema::group_type(const SchemaNode& group) const {
  if (group.kind == SchemaNode::Kind::kList) {
    const SchemaNode& item = nodes_[static_cast<size_t>(group.children.front())];
    return frame::list(frame::Field{item.name, item.type, item.nullable});
  }
  std::vector<frame::Field> members;
  for (int child : group.children) {
    const SchemaNode& member = nodes_[static_cast<size_t>(child)];
    members.push_back({member.name, member.type, member.nullable});
  }
  return frame::struct_(std::move(members));
}

// Footer paths: a list contributes its repeated group and element names.
void Schema::assign_footer_paths() {
  for (LeafColumn& leaf : leaves_) {
    for (int index : leaf.path) {
      const SchemaNode& node = nodes_[static_cast<size_t>(index)];
      const bool item_of_list = node.parent >= 0 && nodes_[static_cast<size_t>(node.parent)].kind ==
                                                        SchemaNode::Kind::kList;
      if (item_of_list) {
        leaf.path_in_schema.emplace_back(kRepeatedGroupName);
        leaf.path_in_schema.emplace_back(kElementName);
      } else {
        leaf.path_in_schema.push_back(node.name);
      }
    }
  }
}

std::vector<SchemaElement> Schema::to_elements() const {
  std::vector<SchemaElement> elements;
  SchemaElement root;
  root.name = "schema";
  root.num_children = static_cast<int32_t>(columns_.size());
  elements.push_back(std::move(root));

  auto emit = [&](auto& self, int index, std::string name) -> void {
    const SchemaNode& node = nodes_[static_cast<size_t>(index)];
    SchemaElement element;
    element.name = std::move(name);
    element.repetition_type = repetition(node.nullable);
    element.field_id = node.field_id;
    switch (node.kind) {
      case SchemaNode::Kind::kLeaf:
        element.type = node.physical_type;
        if (node.type->id() == frame::TypeId::Utf8) {
          element.converted_type = ConvertedType::kUtf8;
          element.logical_type = format::StringType{};
        } else if (node.type->id() == frame::TypeId::Null) {
          element.logical_type = format::NullType{};
        }
        elements.push_back(std::move(element));
        return;
      case SchemaNode::Kind::kStruct:
        element.num_children = static_cast<int32_t>(node.children.size());
        elements.push_back(std::move(element));
        for (int child : node.children) {
          self(self, child, nodes_[static_cast<size_t>(child)].name);
        }
        return;
      case SchemaNode::Kind::kList: {
        element.num_children = 1;
        element.converted_type = ConvertedType::kList;
        element.logical_type = format::ListType{};
        elements.push_back(std::move(element));
        SchemaElement repeated;
        repeated.name = std::string(kRepeatedGroupName);
        repeated.repetition_type = FieldRepetitionType::kRepeated;
        repeated.num_children = 1;
        elements.push_back(std::move(repeated));
        self(self, node.children.front(), std::string(kElementName));
        return;
      }
    }
  };
  for (int column : columns_) emit(emit, column, nodes_[static_cast<size_t>(column)].name);
  return elements;
}

bool Schema::read_decimal_as_integer(int column) {
  SchemaNode& node = nodes_[static_cast<size_t>(column)];
  if (node.kind != SchemaNode::Kind::kLeaf ||
      node.conversion.kind != LeafConversion::Kind::kDecimal) {
    return false;
  }
  node.type = frame::int64();
  node.conversion.whole = true;
  return true;
}

std::vector<frame::Field> Schema::fields() const {
  std::vector<frame::Field> fields;
  for (int column : columns_) {
    const SchemaNode& node = nodes_[static_cast<size_t>(column)];
    fields.push_back({node.name, node.type, node.nullable});
  }
  return fields;
}

FieldIds Schema::field_ids() const {
  FieldIds ids;
  FieldPath path;
  auto visit = [&](auto& self, int index) -> void {
    const SchemaNode& node = nodes_[static_cast<size_t>(index)];
    const bool item_of_list = node.parent >= 0 && nodes_[static_cast<size_t>(node.parent)].kind ==
                                                      SchemaNode::Kind::kList;
    path.push_back(item_of_list ? std::string(kElementName) : node.name);
    if (node.field_id) ids.emplace(path, *node.field_id);
    for (int child : node.children) self(self, child);
    path.pop_back();
  };
  for (int column : columns_) visit(visit, column);
  return ids;
}

}  // namespace crv::parquet
