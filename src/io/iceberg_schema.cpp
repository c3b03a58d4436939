// Iceberg types of the frame's types: int64 is long, float64 double, utf8 string, bool
// boolean; structs and lists nest. Every field is optional: parts written before a
// member existed hold no value for it.

#include "io/iceberg_schema.hpp"

#include <algorithm>
#include <optional>

namespace crv::io {
namespace {

using frame::TypeId;
using nlohmann::ordered_json;

constexpr std::string_view kElementName = "element";

std::string json_kind(const ordered_json& type) {
  return type.is_string() ? type.get<std::string>() : type.at("type").get<std::string>();
}

class SchemaBuilder {
 public:
  SchemaBuilder(const FieldIds& ids, int last_column_id)
      : ids_(ids), last_column_id_(last_column_id) {}

  int last_column_id() const { return last_column_id_; }

  // The field for `field` at `path`, or nothing when it stores no values (yet).
  std::optional<ordered_json> field(const frame::Field& field, FieldPath& path) {
    if (!stores_values(*field.type)) return std::nullopt;
    path.push_back(field.name);
    ordered_json json;
    json["id"] = id_of(path);
    json["name"] = field.name;
    json["required"] = false;
    json["type"] = type_of(*field.type, path);
    path.pop_back();
    return json;
  }

  ordered_json struct_fields(const std::vector<frame::Field>& members, FieldPath& path) {
    ordered_json fields = ordered_json::array();
    for (const frame::Field& member : members) {
      if (std::optional<ordered_json> json = field(member, path))
        fields.push_back(std::move(*json));
    }
    return fields;
  }

 private:
  static std::string kind_of(const frame::DataType& type) {
    switch (type.id()) {
      case TypeId::Int64:
        return "long";
      case TypeId::Float64:
        return "double";
      case TypeId::Utf8:
        return "string";
      case TypeId::Bool:
        return "boolean";
      case TypeId::Struct:
        return "struct";
      case TypeId::List:
        return "list";
      case TypeId::Null:
        break;
    }
    return "null";
  }

  // The type of `type` (at `path`), which stores values.
  ordered_json type_of(const frame::DataType& type, FieldPath& path) {
    if (type.id() == TypeId::Struct) {
      return ordered_json{{"type", "struct"}, {"fields", struct_fields(type.fields(), path)}};
    }
    if (type.id() != TypeId::List) return kind_of(type);
    path.emplace_back(kElementName);
    ordered_json list;
    list["type"] = "list";
    list["element-id"] = id_of(path);
    list["element-required"] = false;
    list["element"] = type_of(*type.item_type(), path);
    path.pop_back();
    return list;
  }

  int id_of(const FieldPath& path) {
    const int id = ids_.at(path);
    last_column_id_ = std::max(last_column_id_, id);
    return id;
  }

  const FieldIds& ids_;
  int last_column_id_;
};

void collect_ids(const ordered_json& type, FieldPath& path, FieldIds& ids);

void collect_field_ids(const ordered_json& fields, FieldPath& path, FieldIds& ids) {
  for (const ordered_json& field : fields) {
    path.push_back(field.at("name").get<std::string>());
    ids[path] = field.at("id").get<int32_t>();
    collect_ids(field.at("type"), path, ids);
    path.pop_back();
  }
}

void collect_ids(const ordered_json& type, FieldPath& path, FieldIds& ids) {
  if (type.is_string()) return;
  const std::string kind = json_kind(type);
  if (kind == "struct") {
    collect_field_ids(type.at("fields"), path, ids);
  } else if (kind == "list") {
    path.emplace_back(kElementName);
    ids[path] = type.at("element-id").get<int32_t>();
    collect_ids(type.at("element"), path, ids);
    path.pop_back();
  }
}

// The name mapping's entry for `field` at `path` and everything beneath it.
ordered_json mapping_of(const frame::Field& field, std::string_view name, FieldPath& path,
                        const FieldIds& ids) {
  path.emplace_back(name);
  ordered_json entry;
  entry["field-id"] = ids.at(path);
  entry["names"] = ordered_json::array({std::string(name)});
  ordered_json nested = ordered_json::array();
  const frame::DataType& type = *field.type;
  if (type.id() == TypeId::Struct) {
    for (const frame::Field& member : type.fields()) {
      nested.push_back(mapping_of(member, member.name, path, ids));
    }
  } else if (type.id() == TypeId::List) {
    nested.push_back(mapping_of(type.item_field(), kElementName, path, ids));
  }
  if (!nested.empty()) entry["fields"] = std::move(nested);
  path.pop_back();
  return entry;
}

}  // namespace

FieldIds iceberg_field_ids(const ordered_json& fields) {
  FieldIds ids;
  FieldPath path;
  collect_field_ids(fields, path, ids);
  return ids;
}

IcebergSchema iceberg_schema_of(const std::vector<frame::Field>& columns, const FieldIds& ids,
                                int last_column_id) {
  SchemaBuilder builder(ids, last_column_id);
  IcebergSchema schema;
  FieldPath path;
  schema.fields = builder.struct_fields(columns, path);
  schema.last_column_id = builder.last_column_id();
  return schema;
}

ordered_json iceberg_name_mapping(const std::vector<frame::Field>& columns, const FieldIds& ids) {
  ordered_json mapping = ordered_json::array();
  FieldPath path;
  for (const frame::Field& column : columns) {
    mapping.push_back(mapping_of(column, column.name, path, ids));
  }
  return mapping;
}

}  // namespace crv::io
