// table.json: its JSON form, and the rules by which appended columns meet the types a
// table has recorded.

#include "io/table_metadata.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"
#include "io/lossless_cast.hpp"

namespace crv::io {
namespace {

using frame::TypeId;
using frame::TypePtr;
using nlohmann::ordered_json;

// Far deeper than any canonical table; bounds the recursion over a file's contents.
constexpr int kMaxTypeDepth = 64;

std::string member_path(const std::string& parent, std::string_view member) {
  return parent + "." + std::string(member);
}

// --- JSON ---

ordered_json type_json(const frame::DataType& type) {
  switch (type.id()) {
    case TypeId::Struct: {
      ordered_json members = ordered_json::array();
      for (const frame::Field& member : type.fields()) {
        members.push_back({{"name", member.name}, {"type", type_json(*member.type)}});
      }
      return {{"struct", std::move(members)}};
    }
    case TypeId::List:
      return {{"list", type_json(*type.item_type())}};
    default:
      return std::string(frame::type_id_name(type.id()));
  }
}

class MetadataReader {
 public:
  MetadataReader(const std::filesystem::path& path) : path_(path) {}

  [[noreturn]] void fail(const std::string& message) const {
    throw IoManifestError(fmt::format("invalid table metadata: {}", message),
                          {.path = path_.string()});
  }

  const ordered_json& member(const ordered_json& object, std::string_view key,
                             std::string_view where) const {
    const auto found = object.find(key);
    if (found == object.end()) fail(fmt::format("{} has no '{}'", where, key));
    return *found;
  }

  // "field_ids": [{"path": ["a", "b"], "id": 65537}, ...], each path and id once.
  FieldIds field_ids(const ordered_json& json) const {
    if (!json.is_array()) fail("'field_ids' is not an array");
    FieldIds ids;
    std::set<int32_t> taken;
    for (const ordered_json& entry : json) {
      if (!entry.is_object()) fail("a field id is not an object");
      const ordered_json& path = member(entry, "path", "a field id");
      const bool names = path.is_array() && !path.empty() &&
                         std::all_of(path.begin(), path.end(),
                                     [](const ordered_json& name) { return name.is_string(); });
      if (!names) fail(fmt::format("field id path {} is not a list of names", path.dump()));
      const ordered_json& id = member(entry, "id", "a field id");
      if (!id.is_number_integer() || id.get<int64_t>() < 1 ||
          id.get<int64_t>() > std::numeric_limits<int32_t>::max()) {
        fail(fmt::format("field id {} of {} is not a positive 32-bit integer", id.dump(),
                         path.dump()));
      }
      const auto value = id.get<int32_t>();
      if (!taken.insert(value).second || !ids.emplace(path.get<FieldPath>(), value).second) {
        fail(fmt::format("field id {} or path {} appears twice", value, path.dump()));
      }
    }
    return ids;
  }

  TypePtr type(const ordered_json& json, const std::string& where, int depth) const {
    if (depth > kMaxTypeDepth) {
      fail(fmt::format("the type of '{}' nests deeper than {} levels", where, kMaxTypeDepth));
    }
    if (json.is_string()) {
      const std::string& name = json.get_ref<const std::string&>();
      for (const TypePtr& scalar : {frame::int64(), frame::float64(), frame::utf8(),
                                    frame::boolean(), frame::null_type()}) {
        if (name == frame::type_id_name(scalar->id())) return scalar;
      }
      fail(fmt::format("'{}' has unknown type \"{}\"", where, name));
    }
    if (json.is_object() && json.size() == 1 && json.contains("list")) {
      return frame::list(type(json.at("list"), where + "[]", depth + 1));
    }
    if (json.is_object() && json.size() == 1 && json.contains("struct") &&
        json.at("struct").is_array() && !json.at("struct").empty()) {
      std::vector<frame::Field> members;
      for (const ordered_json& entry : json.at("struct")) {
        if (!entry.is_object()) fail(fmt::format("a member of '{}' is not an object", where));
        const ordered_json& name = member(entry, "name", "a struct member");
        if (!name.is_string() || name.get_ref<const std::string&>().empty()) {
          fail(fmt::format("a member of '{}' has no name", where));
        }
        const std::string& text = name.get_ref<const std::string&>();
        members.push_back(
            {text, type(member(entry, "type", text), member_path(where, text), depth + 1), true});
      }
      try {
        return frame::struct_(std::move(members));
      } catch (const SchemaError& error) {
        fail(fmt::format("'{}': {}", where, error.message()));
      }
    }
    fail(fmt::format("'{}' has a type that is neither a name, a list nor a struct", where));
  }

 private:
  const std::filesystem::path& path_;
};

// --- merging types ---

[[noreturn]] void conflict(const std::string& column, const frame::DataType& recorded,
                           const frame::DataType& incoming) {
  throw IoSchemaError(fmt::format("'{}' holds {} here, but the table has recorded it as {} "
                                  "(from earlier appends); convert the values, or write them "
                                  "under another name",
                                  column, incoming.to_string(), recorded.to_string()),
                      {.column = column});
}

// The same types but for nullability.
bool same_shape(const frame::DataType& a, const frame::DataType& b) {
  if (a.id() != b.id() || a.num_fields() != b.num_fields()) return false;
  for (size_t i = 0; i < a.num_fields(); ++i) {
    if (a.field(i).name != b.field(i).name || !same_shape(*a.field(i).type, *b.field(i).type)) {
      return false;
    }
  }
  return true;
}

// `type` with every nested member nullable, as recorded types are.
TypePtr all_nullable(const TypePtr& type) {
  switch (type->id()) {
    case TypeId::Struct: {
      std::vector<frame::Field> members;
      for (const frame::Field& member : type->fields()) {
        members.push_back({member.name, all_nullable(member.type), true});
      }
      return frame::struct_(std::move(members));
    }
    case TypeId::List:
      return frame::list(all_nullable(type->item_type()));
    default:
      return type;
  }
}

// The array of struct `array`'s member `name`, spanning the rows its members span.
frame::ArrayPtr raw_member(const frame::Array& array, std::string_view name) {
  const auto index = array.type()->field_index(name);
  return index ? array.child(*index) : nullptr;
}

}  // namespace

const frame::Field* TableMetadata::find(std::string_view name) const {
  const auto found = std::find_if(columns.begin(), columns.end(),
                                  [&](const frame::Field& column) { return column.name == name; });
  return found == columns.end() ? nullptr : &*found;
}

std::string to_json_bytes(const TableMetadata& metadata) {
  ordered_json columns = ordered_json::array();
  for (const frame::Field& column : metadata.columns) {
    columns.push_back({{"name", column.name}, {"type", type_json(*column.type)}});
  }
  ordered_json json = {{"table", metadata.table},
                       {"format_version", kTableMetadataFormatVersion},
                       {"tick_bucket_size", metadata.tick_bucket_size},
                       {"columns", std::move(columns)}};
  if (!metadata.field_ids.empty()) {
    ordered_json ids = ordered_json::array();
    for (const auto& [path, id] : metadata.field_ids) ids.push_back({{"path", path}, {"id", id}});
    json["field_ids"] = std::move(ids);
  }
  return json.dump() + "\n";
}

TableMetadata parse_table_metadata(std::string_view bytes, const std::filesystem::path& path,
                                   std::string_view table) {
  const MetadataReader reader(path);
  // The callback bounds nesting before anything recursive sees the document.
  const auto depth_limit = [&](int depth, ordered_json::parse_event_t, ordered_json&) {
    if (depth > 2 * kMaxTypeDepth + 8) reader.fail("the document nests too deeply");
    return true;
  };
  ordered_json json;
  try {
    json = ordered_json::parse(bytes.begin(), bytes.end(), depth_limit);
  } catch (const ordered_json::exception& error) {
    reader.fail(fmt::format("not valid JSON: {}", error.what()));
  }
  if (!json.is_object()) reader.fail("the document is not an object");
  TableMetadata metadata;
  const ordered_json& name = reader.member(json, "table", "the document");
  if (!name.is_string() || name.get_ref<const std::string&>() != table) {
    reader.fail(
        fmt::format("it names table {} but sits in the folder of table '{}'", name.dump(), table));
  }
  metadata.table = std::string(table);
  const ordered_json& version = reader.member(json, "format_version", "the document");
  if (!version.is_number_integer() || version.get<int64_t>() < kTableMetadataFirstFormatVersion ||
      version.get<int64_t>() > kTableMetadataFormatVersion) {
    reader.fail(fmt::format("format_version {} is not {} to {} (a newer crv-io wrote it?)",
                            version.dump(), kTableMetadataFirstFormatVersion,
                            kTableMetadataFormatVersion));
  }
  const ordered_json& bucket_size = reader.member(json, "tick_bucket_size", "the document");
  if (!bucket_size.is_number_integer() || bucket_size.get<int64_t>() < 1) {
    reader.fail(fmt::format("tick_bucket_size {} is not a positive integer", bucket_size.dump()));
  }
  metadata.tick_bucket_size = bucket_size.get<int64_t>();
  const ordered_json& columns = reader.member(json, "columns", "the document");
  if (!columns.is_array()) reader.fail("'columns' is not an array");
  for (const ordered_json& column : columns) {
    if (!column.is_object()) reader.fail("a column is not an object");
    const ordered_json& column_name = reader.member(column, "name", "a column");
    if (!column_name.is_string()) reader.fail("a column name is not a string");
    const std::string& text = column_name.get_ref<const std::string&>();
    if (metadata.find(text) != nullptr) reader.fail(fmt::format("column '{}' appears twice", text));
    metadata.columns.push_back(
        {text, reader.type(reader.member(column, "type", text), text, 1), true});
  }
  if (json.contains("field_ids")) metadata.field_ids = reader.field_ids(json.at("field_ids"));
  return metadata;
}

std::optional<TableMetadata> load_table_metadata(FileSystem& fs, const std::filesystem::path& path,
                                                 std::string_view table) {
  std::optional<std::string> bytes;
  try {
    bytes = fs.read_file_if_exists(path);
  } catch (const IoError& error) {
    throw IoManifestError(fmt::format("cannot read table metadata: {}", error.what()),
                          {.path = path.string()});
  }
  if (!bytes) return std::nullopt;
  return parse_table_metadata(*bytes, path, table);
}

void write_table_metadata(FileSystem& fs, const std::filesystem::path& path,
                          const TableMetadata& metadata) {
  try {
    fs.replace_file(path, to_json_bytes(metadata), "table metadata");
  } catch (const IoWriteError& error) {
    throw IoManifestError(error.message(), error.context());
  }
}

TypePtr merge_recorded_type(const TypePtr& recorded, const TypePtr& incoming,
                            const std::string& column) {
  if (!recorded || recorded->id() == TypeId::Null) return all_nullable(incoming);
  if (incoming->id() == TypeId::Null || same_shape(*recorded, *incoming)) return recorded;
  if (recorded->id() != incoming->id()) conflict(column, *recorded, *incoming);
  if (recorded->id() == TypeId::List) {
    return frame::list(
        merge_recorded_type(recorded->item_type(), incoming->item_type(), column + "[]"));
  }
  if (recorded->id() != TypeId::Struct) conflict(column, *recorded, *incoming);
  std::vector<frame::Field> members = recorded->fields();
  for (const frame::Field& member : incoming->fields()) {
    const auto found = std::find_if(members.begin(), members.end(),
                                    [&](const frame::Field& m) { return m.name == member.name; });
    if (found == members.end()) {
      members.push_back({member.name, all_nullable(member.type), true});
    } else {
      found->type = merge_recorded_type(found->type, member.type, member_path(column, member.name));
    }
  }
  return frame::struct_(std::move(members));
}

bool merge_recorded_columns(std::vector<frame::Field>& columns,
                            const std::vector<frame::Field>& incoming) {
  bool changed = false;
  for (const frame::Field& column : incoming) {
    const auto found = std::find_if(columns.begin(), columns.end(),
                                    [&](const frame::Field& c) { return c.name == column.name; });
    if (found == columns.end()) {
      columns.push_back({column.name, all_nullable(column.type), true});
      changed = true;
      continue;
    }
    TypePtr merged = merge_recorded_type(found->type, column.type, column.name);
    if (!merged->equals(*found->type)) {
      found->type = std::move(merged);
      changed = true;
    }
  }
  return changed;
}

namespace {

// conform_to_recorded of a nested array's `child`, whose failure names the row of the
// nested array holding the failing slot (`row_of` maps a child slot to it, or to nothing
// for a slot outside the array), since callers point users at rows, not at item slots.
template <class RowOf>
frame::ArrayPtr conform_child(const frame::ArrayPtr& child, const TypePtr& recorded,
                              const std::string& column, RowOf&& row_of) {
  try {
    return conform_to_recorded(child, recorded, column);
  } catch (const IoSchemaError& error) {
    ErrorContext context = error.context();
    if (context.row) context.row = row_of(*context.row);
    throw IoSchemaError(error.message(), std::move(context));
  }
}

}  // namespace

frame::ArrayPtr conform_to_recorded(const frame::ArrayPtr& array, const TypePtr& recorded,
                                    const std::string& column) {
  const frame::DataType& type = *array->type();
  if (!recorded || recorded->id() == TypeId::Null || same_shape(*recorded, type)) return array;
  if (type.id() == TypeId::Null) return frame::make_null_array(recorded, array->length());
  if (recorded->id() == TypeId::Int64 && type.id() == TypeId::Float64) {
    return float64_to_int64(column, *array);
  }
  if (recorded->id() == TypeId::Float64 && type.id() == TypeId::Int64) {
    return int64_to_float64(column, *array);
  }
  if (recorded->id() != type.id() || !type.is_nested()) conflict(column, *recorded, type);

  frame::ArrayData data = array->data();
  data.children.clear();
  if (type.id() == TypeId::List) {
    const frame::Field& item = type.item_field();
    const auto row_of_item = [&](int64_t item) -> std::optional<int64_t> {
      // The last slot starting at or before the item holds it (empty slots start there too).
      const int32_t* offsets = array->value_offsets();
      const int64_t row =
          std::upper_bound(offsets, offsets + array->length() + 1, item) - offsets - 1;
      if (row < 0 || row >= array->length()) return std::nullopt;
      return row;
    };
    frame::ArrayPtr items =
        conform_child(array->list_items(), recorded->item_type(), column + "[]", row_of_item);
    data.type = frame::list(frame::Field{item.name, items->type(), item.nullable});
    data.children.push_back(std::move(items));
    return frame::Array::make(std::move(data));
  }
  // Struct: the recorded members first, in their order (those the array lacks as nulls),
  // then members seen for the first time.
  std::vector<frame::Field> members;
  const int64_t member_length = array->offset() + array->length();
  const auto row_of_member_slot = [&](int64_t slot) -> std::optional<int64_t> {
    const int64_t row = slot - array->offset();
    if (row < 0 || row >= array->length()) return std::nullopt;
    return row;
  };
  for (const frame::Field& member : recorded->fields()) {
    const frame::ArrayPtr given = raw_member(*array, member.name);
    const frame::Field* given_field = type.find_field(member.name);
    frame::ArrayPtr conformed =
        given ? conform_child(given, member.type, member_path(column, member.name),
                              row_of_member_slot)
              : frame::make_null_array(member.type, member_length);
    members.push_back({member.name, conformed->type(), given_field ? given_field->nullable : true});
    data.children.push_back(std::move(conformed));
  }
  for (size_t i = 0; i < type.num_fields(); ++i) {
    if (recorded->find_field(type.field(i).name) != nullptr) continue;
    members.push_back(type.field(i));
    data.children.push_back(array->child(i));
  }
  data.type = frame::struct_(std::move(members));
  return frame::Array::make(std::move(data));
}

void conform_to_recorded(ValidatedFrame& validated, std::vector<frame::Field>& recorded) {
  std::vector<frame::ArrayPtr> columns;
  columns.reserve(validated.fields.size());
  for (size_t i = 0; i < validated.fields.size(); ++i) {
    frame::Field& field = validated.fields[i];
    const auto known = std::find_if(recorded.begin(), recorded.end(),
                                    [&](const frame::Field& c) { return c.name == field.name; });
    frame::ArrayPtr column = validated.frame.column(i);
    if (known != recorded.end()) column = conform_to_recorded(column, known->type, field.name);
    field.type = column->type();
    columns.push_back(std::move(column));
  }
  validated.frame = frame::Frame(validated.frame.names(), std::move(columns));
  merge_recorded_columns(recorded, validated.fields);
}

}  // namespace crv::io
