#include "cli/jsonl_input.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"

namespace crv::cli {
namespace {

using frame::Value;

[[noreturn]] void fail(const std::string& source, int64_t line, const std::string& column,
                       const std::string& message) {
  throw IoSchemaError(fmt::format("{}:{}: {}", source, line, message),
                      {.path = source, .column = column, .row = line - 1});
}

Value to_value(const nlohmann::json& json) {
  switch (json.type()) {
    case nlohmann::json::value_t::null:
      return Value();
    case nlohmann::json::value_t::boolean:
      return Value(json.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value(json.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      const auto value = json.get<uint64_t>();
      if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Value(static_cast<double>(value));
      }
      return Value(static_cast<int64_t>(value));
    }
    case nlohmann::json::value_t::number_float:
      return Value(json.get<double>());
    case nlohmann::json::value_t::string:
      return Value(json.get<std::string>());
    case nlohmann::json::value_t::array: {
      Value::List items;
      for (const auto& item : json) items.push_back(to_value(item));
      return Value::list(std::move(items));
    }
    case nlohmann::json::value_t::object: {
      Value::Record fields;
      for (const auto& [key, item] : json.items()) fields.emplace_back(key, to_value(item));
      return Value::record(std::move(fields));
    }
    default:
      return Value();
  }
}

// The value in the descriptor's scalar type when that loses nothing; otherwise as it was,
// for array building to report.
Value to_descriptor_scalar(core::DType dtype, Value value) {
  switch (dtype) {
    case core::DType::kF64:
      if (value.kind() == Value::Kind::Int64) {
        const auto converted = static_cast<double>(value.as_int64());
        if (converted < 9223372036854775808.0 &&
            static_cast<int64_t>(converted) == value.as_int64()) {
          return Value(converted);
        }
      }
      return value;
    case core::DType::kI64:
      if (value.kind() == Value::Kind::Double) {
        const double number = value.as_double();
        if (std::trunc(number) == number && number >= -9223372036854775808.0 &&
            number < 9223372036854775808.0) {
          return Value(static_cast<int64_t>(number));
        }
      }
      return value;
    case core::DType::kStr:
      if (value.kind() == Value::Kind::Int64) return Value(fmt::format("{}", value.as_int64()));
      if (value.kind() == Value::Kind::Double && std::isfinite(value.as_double())) {
        return Value(fmt::format("{}", value.as_double()));
      }
      return value;
    default:
      return value;
  }
}

frame::TypePtr scalar_type(core::DType dtype) {
  switch (dtype) {
    case core::DType::kI64:
      return frame::int64();
    case core::DType::kF64:
      return frame::float64();
    case core::DType::kStr:
      return frame::utf8();
    default:
      return nullptr;
  }
}

}  // namespace

frame::Frame read_jsonl(std::istream& input, const std::string& source,
                        const core::TableDescriptor& table) {
  // Columns in order of first appearance, each with one value per line so far.
  std::vector<std::string> names;
  std::map<std::string, std::vector<Value>, std::less<>> columns;
  std::vector<int64_t> line_of_row;
  std::string text;
  int64_t line = 0;
  while (std::getline(input, text)) {
    ++line;
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json json;
    try {
      json = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& error) {
      fail(source, line, "", fmt::format("malformed JSON: {}", error.what()));
    }
    if (!json.is_object()) fail(source, line, "", "a line must hold one JSON object");
    const size_t row = line_of_row.size();
    line_of_row.push_back(line);
    for (const auto& [key, item] : json.items()) {
      auto [found, inserted] = columns.try_emplace(key);
      if (inserted) names.push_back(key);
      std::vector<Value>& values = found->second;
      values.resize(row);  // nulls for the lines before its first appearance
      const core::ColumnDescriptor* descriptor = table.find(key);
      values.push_back(descriptor ? to_descriptor_scalar(descriptor->dtype, to_value(item))
                                  : to_value(item));
    }
  }
  std::vector<frame::ArrayPtr> arrays;
  for (const std::string& name : names) {
    std::vector<Value>& values = columns[name];
    values.resize(line_of_row.size());
    const core::ColumnDescriptor* descriptor = table.find(name);
    const frame::TypePtr type = descriptor ? scalar_type(descriptor->dtype) : nullptr;
    try {
      arrays.push_back(frame::array_from_values(values, type));
    } catch (const SchemaError& error) {
      const int64_t row = error.context().row.value_or(0);
      fail(source, line_of_row[static_cast<size_t>(row)], name,
           fmt::format("column '{}': {}", name, error.message()));
    }
  }
  return frame::Frame(std::move(names), std::move(arrays));
}

}  // namespace crv::cli
