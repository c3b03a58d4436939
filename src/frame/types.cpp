// DataType and Field: construction, lookup of members, equality and names.

#include "crv/frame/types.hpp"

#include <fmt/format.h>

#include <unordered_set>

#include "crv/core/errors.hpp"

namespace crv::frame {

std::string_view type_id_name(TypeId id) {
  switch (id) {
    case TypeId::Int64:
      return "int64";
    case TypeId::Float64:
      return "float64";
    case TypeId::Utf8:
      return "utf8";
    case TypeId::Bool:
      return "bool";
    case TypeId::Struct:
      return "struct";
    case TypeId::List:
      return "list";
    case TypeId::Null:
      return "null";
  }
  return "unknown";
}

bool same_type(const TypePtr& a, const TypePtr& b) {
  if (a == b) return true;
  if (!a || !b) return false;
  return a->equals(*b);
}

bool operator==(const Field& a, const Field& b) {
  return a.name == b.name && a.nullable == b.nullable && same_type(a.type, b.type);
}

std::string Field::to_string() const {
  return fmt::format("{}: {}{}", name, type ? type->to_string() : "<no type>",
                     nullable ? "" : " not null");
}

DataType::DataType(TypeId id, std::vector<Field> fields) : id_(id), fields_(std::move(fields)) {}

std::optional<size_t> DataType::field_index(std::string_view name) const {
  if (id_ != TypeId::Struct) return std::nullopt;
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name == name) return i;
  }
  return std::nullopt;
}

const Field* DataType::find_field(std::string_view name) const {
  const auto index = field_index(name);
  return index ? &fields_[*index] : nullptr;
}

const Field& DataType::item_field() const {
  if (id_ != TypeId::List) {
    throw SchemaError(fmt::format("item_field() needs a list type, not {}", to_string()));
  }
  return fields_.front();
}

bool DataType::equals(const DataType& other) const {
  if (this == &other) return true;
  return id_ == other.id_ && fields_ == other.fields_;
}

std::string DataType::to_string() const {
  switch (id_) {
    case TypeId::Struct: {
      std::string text = "struct<";
      for (size_t i = 0; i < fields_.size(); ++i) {
        if (i > 0) text += ", ";
        text += fields_[i].to_string();
      }
      return text + ">";
    }
    case TypeId::List: {
      const Field& item = fields_.front();
      const std::string shown = item.name == "item" ? item.type->to_string() : item.to_string();
      return fmt::format("list<{}{}>", shown,
                         item.name != "item" || item.nullable ? "" : " not null");
    }
    default:
      return std::string(type_id_name(id_));
  }
}

TypePtr DataType::make(TypeId id, std::vector<Field> fields) {
  return TypePtr(new DataType(id, std::move(fields)));
}

TypePtr int64() {
  static const TypePtr type = DataType::make(TypeId::Int64, {});
  return type;
}

TypePtr float64() {
  static const TypePtr type = DataType::make(TypeId::Float64, {});
  return type;
}

TypePtr utf8() {
  static const TypePtr type = DataType::make(TypeId::Utf8, {});
  return type;
}

TypePtr boolean() {
  static const TypePtr type = DataType::make(TypeId::Bool, {});
  return type;
}

TypePtr null_type() {
  static const TypePtr type = DataType::make(TypeId::Null, {});
  return type;
}

TypePtr struct_(std::vector<Field> fields) {
  std::unordered_set<std::string_view> seen;
  for (size_t i = 0; i < fields.size(); ++i) {
    const Field& field = fields[i];
    if (field.name.empty()) {
      throw SchemaError(fmt::format("struct member {} has an empty name", i));
    }
    if (!field.type) {
      throw SchemaError(fmt::format("struct member '{}' has no type", field.name),
                        {.column = field.name});
    }
    if (!seen.insert(field.name).second) {
      throw SchemaError(fmt::format("struct member name '{}' appears twice", field.name),
                        {.column = field.name});
    }
  }
  return DataType::make(TypeId::Struct, std::move(fields));
}

TypePtr list(Field item) {
  if (!item.type) throw SchemaError(fmt::format("list item '{}' has no type", item.name));
  std::vector<Field> fields;
  fields.push_back(std::move(item));
  return DataType::make(TypeId::List, std::move(fields));
}

TypePtr list(TypePtr item_type) {
  return list(Field{"item", std::move(item_type), true});
}

}  // namespace crv::frame
