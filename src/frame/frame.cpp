// Frame: building from rows or a struct array, column edits, selection, slicing and take.

#include "crv/frame/frame.hpp"

#include <fmt/format.h>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"

namespace crv::frame {
namespace {

std::string listed(const std::vector<std::string>& names) {
  if (names.empty()) return "none";
  std::string text;
  for (const std::string& name : names) {
    if (!text.empty()) text += ", ";
    text += name;
  }
  return text;
}

size_t index_or_throw(const Frame& frame, std::string_view name) {
  const auto index = frame.index_of(name);
  if (!index) {
    throw SchemaError(
        fmt::format("no column named '{}' (columns: {})", name, listed(frame.names())),
        {.column = std::string(name)});
  }
  return *index;
}

}  // namespace

Frame::Frame(std::vector<std::pair<std::string, ArrayPtr>> columns) {
  std::vector<std::string> names;
  std::vector<ArrayPtr> arrays;
  names.reserve(columns.size());
  arrays.reserve(columns.size());
  for (auto& [name, array] : columns) {
    names.push_back(std::move(name));
    arrays.push_back(std::move(array));
  }
  *this = Frame(std::move(names), std::move(arrays));
}

Frame::Frame(std::vector<std::string> names, std::vector<ArrayPtr> columns)
    : names_(std::move(names)), columns_(std::move(columns)) {
  if (names_.size() != columns_.size()) {
    throw SchemaError(fmt::format("a frame needs one name per column: {} names for {} columns",
                                  names_.size(), columns_.size()));
  }
  for (size_t i = 0; i < names_.size(); ++i) {
    const std::string& name = names_[i];
    if (name.empty()) throw SchemaError(fmt::format("column {} has an empty name", i));
    if (!columns_[i]) {
      throw SchemaError(fmt::format("column '{}' has no array", name), {.column = name});
    }
    for (size_t j = 0; j < i; ++j) {
      if (names_[j] == name) {
        throw SchemaError(fmt::format("column name '{}' appears twice", name), {.column = name});
      }
    }
    if (columns_[i]->length() != columns_.front()->length()) {
      throw SchemaError(
          fmt::format("column '{}' has {} rows but column '{}' has {}", name, columns_[i]->length(),
                      names_.front(), columns_.front()->length()),
          {.column = name});
    }
  }
  num_rows_ = columns_.empty() ? 0 : columns_.front()->length();
}

Frame Frame::from_rows(std::span<const Value> rows, const TypePtr& schema) {
  if (schema && schema->id() != TypeId::Struct) {
    throw SchemaError(
        fmt::format("a frame schema must be a struct type, not {}", schema->to_string()));
  }
  for (size_t row = 0; row < rows.size(); ++row) {
    if (rows[row].kind() != Value::Kind::Record) {
      throw SchemaError(
          fmt::format("row {} is a {}, not a record", row, kind_name(rows[row].kind())),
          {.row = static_cast<int64_t>(row)});
    }
  }
  if (rows.empty() && !schema) return Frame();
  return from_struct_array(array_from_values(rows, schema));
}

Frame Frame::from_struct_array(const ArrayPtr& array) {
  if (!array || array->type_id() != TypeId::Struct) {
    throw SchemaError(fmt::format("a frame is made from a struct array, not {}",
                                  array ? array->type()->to_string() : "nothing"));
  }
  if (array->null_count() > 0) {
    throw SchemaError(fmt::format("a frame cannot be made from a struct array with {} null rows",
                                  array->null_count()));
  }
  std::vector<std::string> names;
  std::vector<ArrayPtr> columns;
  for (size_t k = 0; k < array->num_children(); ++k) {
    names.push_back(array->type()->field(k).name);
    columns.push_back(array->field(k));
  }
  return Frame(std::move(names), std::move(columns));
}

const ArrayPtr& Frame::column(std::string_view name) const {
  return columns_[index_or_throw(*this, name)];
}

ArrayPtr Frame::find(std::string_view name) const {
  const auto index = index_of(name);
  return index ? columns_[*index] : nullptr;
}

std::optional<size_t> Frame::index_of(std::string_view name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return i;
  }
  return std::nullopt;
}

Frame Frame::add_column(std::string name, ArrayPtr column) const {
  std::vector<std::string> names = names_;
  std::vector<ArrayPtr> columns = columns_;
  names.push_back(std::move(name));
  columns.push_back(std::move(column));
  return Frame(std::move(names), std::move(columns));
}

Frame Frame::replace_column(std::string_view name, ArrayPtr column) const {
  std::vector<ArrayPtr> columns = columns_;
  columns[index_or_throw(*this, name)] = std::move(column);
  return Frame(names_, std::move(columns));
}

Frame Frame::drop_column(std::string_view name) const {
  const size_t index = index_or_throw(*this, name);
  std::vector<std::string> names = names_;
  std::vector<ArrayPtr> columns = columns_;
  names.erase(names.begin() + static_cast<std::ptrdiff_t>(index));
  columns.erase(columns.begin() + static_cast<std::ptrdiff_t>(index));
  return Frame(std::move(names), std::move(columns));
}

Frame Frame::select(const std::vector<std::string>& names) const {
  std::vector<ArrayPtr> columns;
  columns.reserve(names.size());
  for (const std::string& name : names) columns.push_back(columns_[index_or_throw(*this, name)]);
  return Frame(names, std::move(columns));
}

Frame Frame::slice(int64_t offset, int64_t length) const {
  if (offset < 0 || length < 0 || offset > num_rows_ - length) {
    throw SchemaError(fmt::format("rows [{}, {}+{}) are out of range for a frame of {} rows",
                                  offset, offset, length, num_rows_));
  }
  std::vector<ArrayPtr> columns;
  columns.reserve(columns_.size());
  for (const ArrayPtr& column : columns_) columns.push_back(column->slice(offset, length));
  return Frame(names_, std::move(columns));
}

Frame Frame::take(std::span<const int64_t> indices) const {
  if (columns_.empty() && !indices.empty()) {
    throw SchemaError(
        fmt::format("take index {} is out of range for a frame without rows", indices.front()));
  }
  std::vector<ArrayPtr> columns;
  columns.reserve(columns_.size());
  for (const ArrayPtr& column : columns_) columns.push_back(column->take(indices));
  return Frame(names_, std::move(columns));
}

std::vector<Frame> Frame::partition(std::span<const uint32_t> groups, size_t count) const {
  std::vector<std::vector<ArrayPtr>> columns(count);
  for (const ArrayPtr& column : columns_) {
    std::vector<ArrayPtr> parts = column->partition(groups, count);
    for (size_t group = 0; group < count; ++group) {
      columns[group].push_back(std::move(parts[group]));
    }
  }
  std::vector<Frame> frames;
  frames.reserve(count);
  for (std::vector<ArrayPtr>& group_columns : columns) {
    frames.emplace_back(names_, std::move(group_columns));
  }
  return frames;
}

bool Frame::equals(const Frame& other) const {
  if (names_ != other.names_ || num_rows_ != other.num_rows_) return false;
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (!columns_[i]->equals(*other.columns_[i])) return false;
  }
  return true;
}

TypePtr Frame::schema() const {
  std::vector<Field> fields;
  fields.reserve(columns_.size());
  for (size_t i = 0; i < columns_.size(); ++i) {
    fields.push_back(Field{names_[i], columns_[i]->type(), true});
  }
  return struct_(std::move(fields));
}

ArrayPtr Frame::to_struct_array() const {
  return Array::make(
      ArrayData{.type = schema(), .length = num_rows_, .null_count = 0, .children = columns_});
}

}  // namespace crv::frame
