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

constexpr char kPathSeparator = '\x1f';
constexpr std::string_view kElementName = "element";

std::string child_path(const std::string& parent, std::string_view name) {
  return parent.empty() ? std::string(name) : parent + kPathSeparator + std::string(name);
}

std::string json_kind(const ordered_json& type) {
  return type.is_string() ? type.get<std::string>() : type.at("type").get<std::string>();
}

class SchemaBuilder {
 public:
  SchemaBuilder(const IcebergFieldIds& known, int last_column_id)
      : known_(known), last_column_id_(last_column_id) {}

  int last_column_id() const { return last_column_id_; }

  // The field for `field` at `path`, or nothing when it has no Iceberg type (yet). A
  // field's id comes before its members' ids, as in a schema written by hand.
  std::optional<ordered_json> field(const frame::Field& field, const std::string& path) {
    if (!has_iceberg_type(*field.type)) return std::nullopt;
    ordered_json json;
    json["id"] = id_for(path, kind_of(*field.type));
    json["name"] = field.name;
    json["required"] = false;
    json["type"] = type_of(*field.type, path);
    return json;
  }

  ordered_json struct_fields(const std::vector<frame::Field>& members, const std::string& path) {
    ordered_json fields = ordered_json::array();
    for (const frame::Field& member : members) {
      if (std::optional<ordered_json> json = field(member, child_path(path, member.name))) {
        fields.push_back(std::move(*json));
      }
    }
    return fields;
  }

 private:
  static bool has_iceberg_type(const frame::DataType& type) {
    switch (type.id()) {
      case TypeId::Null:
        return false;
      case TypeId::Struct:
        return std::any_of(
            type.fields().begin(), type.fields().end(),
            [](const frame::Field& member) { return has_iceberg_type(*member.type); });
      case TypeId::List:
        return has_iceberg_type(*type.item_type());
      default:
        return true;
    }
  }

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

  // The type of `type`, which has_iceberg_type.
  ordered_json type_of(const frame::DataType& type, const std::string& path) {
    if (type.id() == TypeId::Struct) {
      return ordered_json{{"type", "struct"}, {"fields", struct_fields(type.fields(), path)}};
    }
    if (type.id() != TypeId::List) return kind_of(type);
    const std::string element_path = child_path(path, kElementName);
    const frame::DataType& element = *type.item_type();
    ordered_json list;
    list["type"] = "list";
    list["element-id"] = id_for(element_path, kind_of(element));
    list["element-required"] = false;
    list["element"] = type_of(element, element_path);
    return list;
  }

  int id_for(const std::string& path, const std::string& kind) {
    const auto found = known_.find(path);
    if (found != known_.end() && found->second.second == kind) return found->second.first;
    return ++last_column_id_;
  }

  const IcebergFieldIds& known_;
  int last_column_id_;
};

void collect_ids(const ordered_json& type, const std::string& path, IcebergFieldIds& ids);

void collect_field_ids(const ordered_json& fields, const std::string& parent,
                       IcebergFieldIds& ids) {
  for (const ordered_json& field : fields) {
    const std::string path = child_path(parent, field.at("name").get<std::string>());
    const ordered_json& type = field.at("type");
    ids[path] = {field.at("id").get<int>(), json_kind(type)};
    collect_ids(type, path, ids);
  }
}

void collect_ids(const ordered_json& type, const std::string& path, IcebergFieldIds& ids) {
  if (type.is_string()) return;
  const std::string kind = json_kind(type);
  if (kind == "struct") {
    collect_field_ids(type.at("fields"), path, ids);
  } else if (kind == "list") {
    const std::string element_path = child_path(path, kElementName);
    const ordered_json& element = type.at("element");
    ids[element_path] = {type.at("element-id").get<int>(), json_kind(element)};
    collect_ids(element, element_path, ids);
  }
}

ordered_json mapping_of_type(const ordered_json& type);

ordered_json mapping_of_fields(const ordered_json& fields) {
  ordered_json mapping = ordered_json::array();
  for (const ordered_json& field : fields) {
    ordered_json entry;
    entry["field-id"] = field.at("id");
    entry["names"] = ordered_json::array({field.at("name")});
    ordered_json nested = mapping_of_type(field.at("type"));
    if (!nested.empty()) entry["fields"] = std::move(nested);
    mapping.push_back(std::move(entry));
  }
  return mapping;
}

ordered_json mapping_of_type(const ordered_json& type) {
  if (type.is_string()) return ordered_json::array();
  const std::string kind = json_kind(type);
  if (kind == "struct") return mapping_of_fields(type.at("fields"));
  if (kind != "list") return ordered_json::array();
  ordered_json element;
  element["field-id"] = type.at("element-id");
  element["names"] = ordered_json::array({std::string(kElementName)});
  ordered_json nested = mapping_of_type(type.at("element"));
  if (!nested.empty()) element["fields"] = std::move(nested);
  return ordered_json::array({std::move(element)});
}

}  // namespace

IcebergFieldIds iceberg_field_ids(const ordered_json& fields) {
  IcebergFieldIds ids;
  collect_field_ids(fields, "", ids);
  return ids;
}

IcebergSchema iceberg_schema_of(const std::vector<frame::Field>& columns,
                                const IcebergFieldIds& known, int last_column_id) {
  SchemaBuilder builder(known, last_column_id);
  IcebergSchema schema;
  schema.fields = builder.struct_fields(columns, "");
  schema.last_column_id = builder.last_column_id();
  return schema;
}

ordered_json iceberg_name_mapping(const ordered_json& fields) {
  return mapping_of_fields(fields);
}

}  // namespace crv::io
