// The engine-neutral text form of frames and Parquet files that the oracles compare.

#include "canonical.hpp"

#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <iterator>

#include "crv/core/errors.hpp"

namespace crv::conformance {
namespace {

nlohmann::ordered_json type_json(const frame::DataType& type);

nlohmann::ordered_json field_json(const frame::Field& field) {
  return {{"name", field.name}, {"type", type_json(*field.type)}, {"nullable", field.nullable}};
}

nlohmann::ordered_json type_json(const frame::DataType& type) {
  switch (type.id()) {
    case frame::TypeId::Int64:
      return "int64";
    case frame::TypeId::Float64:
      return "float64";
    case frame::TypeId::Utf8:
      return "utf8";
    case frame::TypeId::Bool:
      return "bool";
    case frame::TypeId::Null:
      return "null";
    case frame::TypeId::Struct: {
      nlohmann::ordered_json fields = nlohmann::ordered_json::array();
      for (const frame::Field& field : type.fields()) fields.push_back(field_json(field));
      return {{"struct", std::move(fields)}};
    }
    case frame::TypeId::List:
      return {{"list",
               {{"type", type_json(*type.item_type())}, {"nullable", type.item_field().nullable}}}};
  }
  throw SchemaError(fmt::format("type {} has no canonical form", type.to_string()));
}

// '{"a":' for the first key, ',"b":' for the others.
std::vector<std::string> object_keys(const std::vector<frame::Field>& fields) {
  std::vector<std::string> keys;
  for (const frame::Field& field : fields) {
    keys.push_back(
        fmt::format("{}{}:", keys.empty() ? "{" : ",", nlohmann::json(field.name).dump()));
  }
  return keys;
}

bool needs_escaping(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f || c == '"' || c == '\\') return true;
  }
  return false;
}

}  // namespace

nlohmann::ordered_json schema_json(std::span<const frame::Field> fields) {
  nlohmann::ordered_json columns = nlohmann::ordered_json::array();
  for (const frame::Field& field : fields) columns.push_back(field_json(field));
  return {{"columns", std::move(columns)}};
}

void append_canonical_string(std::string_view text, std::string& out) {
  out += "\"s:";
  if (needs_escaping(text)) {
    // nlohmann escapes like JSON.stringify: the short escapes, \u00xx in lowercase for the
    // other control characters, and everything else (DEL, non-ASCII) as raw UTF-8.
    const std::string quoted = nlohmann::json(std::string(text)).dump();
    out.append(quoted, 1, std::string::npos);
  } else {
    out += text;
    out += '"';
  }
}

void append_canonical_double(double value, std::string& out) {
  if (std::isnan(value)) {
    out += "\"f64:nan\"";
  } else {
    fmt::format_to(std::back_inserter(out), "\"f64:{:016x}\"", std::bit_cast<uint64_t>(value));
  }
}

// One array and, for nested types, the nodes of its members or items.
struct CanonicalRowEncoder::Node {
  const frame::Array* array;
  std::vector<std::string> keys;  // struct only
  std::vector<Node> children;

  explicit Node(const frame::Array& source) : array(&source) {
    if (source.type_id() == frame::TypeId::Struct) {
      keys = object_keys(source.type()->fields());
      for (const frame::ArrayPtr& child : source.children()) children.emplace_back(*child);
    } else if (source.type_id() == frame::TypeId::List) {
      children.emplace_back(*source.list_items());
    }
  }

  void append(int64_t index, std::string& out) const {
    if (array->is_null(index)) {
      out += "null";
      return;
    }
    switch (array->type_id()) {
      case frame::TypeId::Int64:
        fmt::format_to(std::back_inserter(out), "\"{}\"", array->int64_values()[index]);
        return;
      case frame::TypeId::Float64:
        append_canonical_double(array->float64_values()[index], out);
        return;
      case frame::TypeId::Utf8:
        append_canonical_string(array->string_at(index), out);
        return;
      case frame::TypeId::Bool:
        out += array->bool_at(index) ? "true" : "false";
        return;
      case frame::TypeId::Struct:
        // Row i of a struct is row offset() + i of each member.
        for (size_t k = 0; k < children.size(); ++k) {
          out += keys[k];
          children[k].append(array->offset() + index, out);
        }
        out += keys.empty() ? "{}" : "}";
        return;
      case frame::TypeId::List: {
        const frame::Range items = array->list_range(index);
        out += '[';
        for (int64_t item = items.begin; item < items.end; ++item) {
          if (item > items.begin) out += ',';
          children.front().append(item, out);
        }
        out += ']';
        return;
      }
      case frame::TypeId::Null:
        return;  // every slot is null, and was written above
    }
  }
};

CanonicalRowEncoder::CanonicalRowEncoder(const frame::Frame& frame) {
  std::vector<frame::Field> fields;
  for (size_t i = 0; i < frame.num_columns(); ++i) {
    fields.push_back(frame::Field{frame.name(i), frame.column(i)->type()});
    columns_.emplace_back(*frame.column(i));
  }
  column_keys_ = object_keys(fields);
}

CanonicalRowEncoder::~CanonicalRowEncoder() = default;

void CanonicalRowEncoder::append_row(int64_t row, std::string& out) const {
  for (size_t k = 0; k < columns_.size(); ++k) {
    out += column_keys_[k];
    columns_[k].append(row, out);
  }
  out += columns_.empty() ? "{}" : "}";
}

namespace {

std::string compact(const nlohmann::ordered_json& value) {
  return value.dump();
}

std::optional<JsonDifference> difference_at(const nlohmann::ordered_json& expected,
                                            const nlohmann::ordered_json& actual,
                                            const std::string& path) {
  if (expected.is_object() && actual.is_object()) {
    for (const auto& [key, value] : expected.items()) {
      const std::string member = path.empty() ? key : path + "." + key;
      const auto found = actual.find(key);
      if (found == actual.end()) return JsonDifference{member, compact(value), "<missing>"};
      if (auto difference = difference_at(value, *found, member)) return difference;
    }
    for (const auto& [key, value] : actual.items()) {
      if (!expected.contains(key)) {
        return JsonDifference{path.empty() ? key : path + "." + key, "<missing>", compact(value)};
      }
    }
    return std::nullopt;
  }
  if (expected.is_array() && actual.is_array()) {
    const size_t common = std::min(expected.size(), actual.size());
    for (size_t i = 0; i < common; ++i) {
      if (auto difference = difference_at(expected[i], actual[i], fmt::format("{}[{}]", path, i))) {
        return difference;
      }
    }
    if (expected.size() != actual.size()) {
      return JsonDifference{
          fmt::format("{} (expected {} items, got {})", path, expected.size(), actual.size()),
          compact(expected), compact(actual)};
    }
    return std::nullopt;
  }
  if (expected == actual) return std::nullopt;
  return JsonDifference{path, compact(expected), compact(actual)};
}

}  // namespace

std::optional<JsonDifference> first_difference(const nlohmann::ordered_json& expected,
                                               const nlohmann::ordered_json& actual) {
  return difference_at(expected, actual, "");
}

}  // namespace crv::conformance
