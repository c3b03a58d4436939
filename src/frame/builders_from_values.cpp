// array_from_values / infer_type: dynamic Values to columnar arrays. Inference walks the
// values once to find a type; building then works column by column (one type switch per
// nested column, not per value) on lists of pointers to the values at each position.

#include <fmt/format.h>

#include <limits>
#include <map>
#include <memory>
#include <span>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"
#include "frame/field_path.hpp"

namespace crv::frame {
namespace {

// A position inside the values (a record member or list items), rendered only for errors.
struct Path {
  const Path* parent = nullptr;
  std::string_view member;  // empty for list items
  bool items = false;

  Path member_of(std::string_view name) const { return Path{this, name, false}; }
  Path items_of() const { return Path{this, {}, true}; }

  std::string render() const {
    const std::string text = parent ? parent->render() : std::string();
    if (items) return items_path(text);
    return member.empty() ? text : member_path(text, member);
  }
  std::string describe() const {
    const std::string text = render();
    return text.empty() ? "the top level" : fmt::format("'{}'", text);
  }
};

// Long values are cut in messages; the row and position identify them fully.
std::string quote_value(const Value& value) {
  std::string text = value.to_string();
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

// --- inference ---

enum class Sketch : uint8_t { Unknown, Bool, Int64, Float64, Utf8, Record, List };

struct TypeSketch {
  Sketch kind = Sketch::Unknown;
  // Record members in order of first appearance, with a name index for wide records.
  std::vector<std::pair<std::string, std::unique_ptr<TypeSketch>>> members;
  std::map<std::string, size_t, std::less<>> member_index;
  std::unique_ptr<TypeSketch> items;
};

Sketch sketch_of(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::Bool:
      return Sketch::Bool;
    case Value::Kind::Int64:
      return Sketch::Int64;
    case Value::Kind::Double:
      return Sketch::Float64;
    case Value::Kind::String:
      return Sketch::Utf8;
    case Value::Kind::Record:
      return Sketch::Record;
    case Value::Kind::List:
      return Sketch::List;
    case Value::Kind::Null:
      break;
  }
  return Sketch::Unknown;
}

std::string_view sketch_name(Sketch kind) {
  switch (kind) {
    case Sketch::Bool:
      return "bool";
    case Sketch::Int64:
      return "int64";
    case Sketch::Float64:
      return "double";
    case Sketch::Utf8:
      return "string";
    case Sketch::Record:
      return "record";
    case Sketch::List:
      return "list";
    case Sketch::Unknown:
      break;
  }
  return "null";
}

TypeSketch& member_sketch(TypeSketch& record, const std::string& name, size_t position) {
  // Rows usually list their fields in the same order: try the same position first.
  if (position < record.members.size() && record.members[position].first == name) {
    return *record.members[position].second;
  }
  const auto found = record.member_index.find(name);
  if (found != record.member_index.end()) return *record.members[found->second].second;
  record.member_index.emplace(name, record.members.size());
  record.members.emplace_back(name, std::make_unique<TypeSketch>());
  return *record.members.back().second;
}

void unify(TypeSketch& sketch, const Value& value, const Path& path, int64_t row) {
  const Sketch kind = sketch_of(value.kind());
  if (kind == Sketch::Unknown) return;
  if (sketch.kind == Sketch::Unknown) {
    sketch.kind = kind;
  } else if (sketch.kind != kind) {
    const bool numbers = (sketch.kind == Sketch::Int64 || sketch.kind == Sketch::Float64) &&
                         (kind == Sketch::Int64 || kind == Sketch::Float64);
    if (!numbers) {
      throw SchemaError(fmt::format("cannot combine {} and {} values at {}: {} in row {}",
                                    sketch_name(sketch.kind), sketch_name(kind), path.describe(),
                                    quote_value(value), row),
                        {.column = path.render(), .row = row});
    }
    sketch.kind = Sketch::Float64;
    return;
  }
  if (kind == Sketch::Record) {
    const Value::Record& fields = value.as_record();
    for (size_t i = 0; i < fields.size(); ++i) {
      const auto& [name, member] = fields[i];
      unify(member_sketch(sketch, name, i), member, path.member_of(name), row);
    }
  } else if (kind == Sketch::List) {
    if (!sketch.items) sketch.items = std::make_unique<TypeSketch>();
    for (const Value& item : value.as_list()) unify(*sketch.items, item, path.items_of(), row);
  }
}

TypePtr type_of(const TypeSketch* sketch) {
  switch (sketch ? sketch->kind : Sketch::Unknown) {
    case Sketch::Bool:
      return boolean();
    case Sketch::Int64:
      return int64();
    case Sketch::Float64:
      return float64();
    case Sketch::Record: {
      std::vector<Field> fields;
      fields.reserve(sketch->members.size());
      for (const auto& [name, member] : sketch->members) {
        fields.push_back(Field{name, type_of(member.get()), true});
      }
      return struct_(std::move(fields));
    }
    case Sketch::List:
      return list(type_of(sketch->items.get()));
    case Sketch::Unknown:
      return null_type();
    case Sketch::Utf8:
      break;
  }
  return utf8();
}

// --- building ---

// The values at one position: values[k] belongs to top-level row rows[k]; nullptr means
// absent (a missing record member, or the member of a null record). Record members share
// their parent's rows; list items own theirs.
struct Column {
  std::vector<const Value*> values;
  std::span<const int64_t> rows;
};

[[noreturn]] void mismatch(const TypePtr& type, const Value& value, const Path& path, int64_t row) {
  throw SchemaError(fmt::format("expected {} at {}, got {} {} in row {}", type->to_string(),
                                path.describe(), kind_name(value.kind()), quote_value(value), row),
                    {.column = path.render(), .row = row});
}

bool present(const Value* value) {
  return value != nullptr && !value->is_null();
}

ArrayPtr build(const TypePtr& type, const Column& column, const Path& path);

ArrayPtr build_null(const TypePtr& type, const Column& column, const Path& path) {
  for (size_t k = 0; k < column.values.size(); ++k) {
    if (present(column.values[k])) mismatch(type, *column.values[k], path, column.rows[k]);
  }
  return make_null_array(type, static_cast<int64_t>(column.values.size()));
}

ArrayPtr build_int64(const TypePtr& type, const Column& column, const Path& path) {
  Int64Builder builder(static_cast<int64_t>(column.values.size()));
  for (size_t k = 0; k < column.values.size(); ++k) {
    const Value* value = column.values[k];
    if (!present(value)) {
      builder.append_null();
    } else if (value->kind() == Value::Kind::Int64) {
      builder.append(value->as_int64());
    } else {
      mismatch(type, *value, path, column.rows[k]);
    }
  }
  return builder.finish();
}

// 2^63 as a double: every double below it (and >= -2^63) converts to int64 without UB.
constexpr double kTwoPow63 = 9223372036854775808.0;

bool exactly_double(int64_t number) {
  const auto converted = static_cast<double>(number);
  return converted < kTwoPow63 && static_cast<int64_t>(converted) == number;
}

ArrayPtr build_float64(const TypePtr& type, const Column& column, const Path& path) {
  Float64Builder builder(static_cast<int64_t>(column.values.size()));
  for (size_t k = 0; k < column.values.size(); ++k) {
    const Value* value = column.values[k];
    if (!present(value)) {
      builder.append_null();
    } else if (value->kind() == Value::Kind::Double) {
      builder.append(value->as_double());
    } else if (value->kind() == Value::Kind::Int64) {
      const int64_t number = value->as_int64();
      if (!exactly_double(number)) {
        throw SchemaError(
            fmt::format("int64 value {} at {} in row {} has no exact float64 representation "
                        "(the position holds float64 values)",
                        number, path.describe(), column.rows[k]),
            {.column = path.render(), .row = column.rows[k]});
      }
      builder.append(static_cast<double>(number));
    } else {
      mismatch(type, *value, path, column.rows[k]);
    }
  }
  return builder.finish();
}

ArrayPtr build_bool(const TypePtr& type, const Column& column, const Path& path) {
  BoolBuilder builder(static_cast<int64_t>(column.values.size()));
  for (size_t k = 0; k < column.values.size(); ++k) {
    const Value* value = column.values[k];
    if (!present(value)) {
      builder.append_null();
    } else if (value->kind() == Value::Kind::Bool) {
      builder.append(value->as_bool());
    } else {
      mismatch(type, *value, path, column.rows[k]);
    }
  }
  return builder.finish();
}

ArrayPtr build_utf8(const TypePtr& type, const Column& column, const Path& path) {
  StringBuilder builder(static_cast<int64_t>(column.values.size()));
  for (size_t k = 0; k < column.values.size(); ++k) {
    const Value* value = column.values[k];
    if (!present(value)) {
      builder.append_null();
    } else if (value->kind() == Value::Kind::String) {
      builder.append(value->as_string());
    } else {
      mismatch(type, *value, path, column.rows[k]);
    }
  }
  return builder.finish();
}

// Validity of a nested position: valid where the value is present, which must then be of
// `kind`.
BufferPtr nested_validity(const TypePtr& type, const Column& column, Value::Kind kind,
                          const Path& path, int64_t& null_count) {
  ValidityBuilder validity;
  validity.reserve(static_cast<int64_t>(column.values.size()));
  for (size_t k = 0; k < column.values.size(); ++k) {
    const Value* value = column.values[k];
    if (present(value) && value->kind() != kind) mismatch(type, *value, path, column.rows[k]);
    validity.append(present(value));
  }
  null_count = validity.null_count();
  return validity.finish();
}

ArrayPtr build_struct(const TypePtr& type, const Column& column, const Path& path) {
  ArrayData data{.type = type, .length = static_cast<int64_t>(column.values.size())};
  data.validity = nested_validity(type, column, Value::Kind::Record, path, data.null_count);

  const std::vector<Field>& fields = type->fields();
  std::map<std::string_view, size_t, std::less<>> field_index;
  for (size_t f = 0; f < fields.size(); ++f) field_index.emplace(fields[f].name, f);

  std::vector<Column> members(fields.size());
  for (Column& member : members) {
    member.values.assign(column.values.size(), nullptr);
    member.rows = column.rows;
  }
  for (size_t k = 0; k < column.values.size(); ++k) {
    if (!present(column.values[k])) continue;
    const Value::Record& record = column.values[k]->as_record();
    for (size_t i = 0; i < record.size(); ++i) {
      const std::string& name = record[i].first;
      size_t f = i;
      if (f >= fields.size() || fields[f].name != name) {
        const auto found = field_index.find(name);
        if (found == field_index.end()) {
          throw SchemaError(fmt::format("record at {} in row {} has field '{}', which {} lacks",
                                        path.describe(), column.rows[k], name, type->to_string()),
                            {.column = path.member_of(name).render(), .row = column.rows[k]});
        }
        f = found->second;
      }
      if (members[f].values[k] != nullptr) {
        throw SchemaError(fmt::format("record at {} in row {} has field '{}' twice",
                                      path.describe(), column.rows[k], name),
                          {.column = path.member_of(name).render(), .row = column.rows[k]});
      }
      members[f].values[k] = &record[i].second;
    }
  }
  for (size_t f = 0; f < fields.size(); ++f) {
    data.children.push_back(build(fields[f].type, members[f], path.member_of(fields[f].name)));
  }
  return Array::make(std::move(data));
}

ArrayPtr build_list(const TypePtr& type, const Column& column, const Path& path) {
  ArrayData data{.type = type, .length = static_cast<int64_t>(column.values.size())};
  data.validity = nested_validity(type, column, Value::Kind::List, path, data.null_count);

  BufferBuilder offsets;
  offsets.reserve(static_cast<int64_t>((column.values.size() + 1) * sizeof(int32_t)));
  offsets.append_value<int32_t>(0);
  Column items;
  std::vector<int64_t> item_rows;
  for (size_t k = 0; k < column.values.size(); ++k) {
    if (present(column.values[k])) {
      for (const Value& item : column.values[k]->as_list()) {
        items.values.push_back(&item);
        item_rows.push_back(column.rows[k]);
      }
    }
    if (items.values.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
      throw SchemaError(fmt::format("lists at {} hold more than {} items in total", path.describe(),
                                    std::numeric_limits<int32_t>::max()),
                        {.column = path.render(), .row = column.rows[k]});
    }
    offsets.append_value(static_cast<int32_t>(items.values.size()));
  }
  data.offsets = offsets.finish();
  items.rows = item_rows;
  data.children.push_back(build(type->item_type(), items, path.items_of()));
  return Array::make(std::move(data));
}

ArrayPtr build(const TypePtr& type, const Column& column, const Path& path) {
  switch (type->id()) {
    case TypeId::Int64:
      return build_int64(type, column, path);
    case TypeId::Float64:
      return build_float64(type, column, path);
    case TypeId::Bool:
      return build_bool(type, column, path);
    case TypeId::Utf8:
      return build_utf8(type, column, path);
    case TypeId::Struct:
      return build_struct(type, column, path);
    case TypeId::List:
      return build_list(type, column, path);
    case TypeId::Null:
      return build_null(type, column, path);
  }
  throw SchemaError(fmt::format("cannot build an array of type {}", type->to_string()));
}

}  // namespace

TypePtr infer_type(std::span<const Value> values) {
  TypeSketch sketch;
  const Path root;
  for (size_t row = 0; row < values.size(); ++row) {
    unify(sketch, values[row], root, static_cast<int64_t>(row));
  }
  return type_of(&sketch);
}

ArrayPtr array_from_values(std::span<const Value> values, const TypePtr& type) {
  const TypePtr target = type ? type : infer_type(values);
  Column column;
  std::vector<int64_t> rows(values.size());
  column.values.reserve(values.size());
  for (size_t row = 0; row < values.size(); ++row) {
    column.values.push_back(&values[row]);
    rows[row] = static_cast<int64_t>(row);
  }
  column.rows = rows;
  return build(target, column, Path{});
}

}  // namespace crv::frame
