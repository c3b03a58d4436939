#include "cli/jsonl_input.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"

namespace crv::cli {
namespace {

using frame::Value;

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

JsonlReader::JsonlReader(std::istream& input, std::string source,
                         const core::TableDescriptor& table, size_t chunk_bytes)
    : LineBatchReader(source), input_(input, source, chunk_bytes), table_(table) {}

std::optional<std::string_view> JsonlReader::next_line() {
  while (true) {
    const size_t size = input_.size();
    const auto* found =
        static_cast<const char*>(std::memchr(input_.data() + scanned_, '\n', size - scanned_));
    if (found != nullptr) {
      const std::string_view line(input_.data(), static_cast<size_t>(found - input_.data()));
      input_.consume(line.size() + 1);
      scanned_ = 0;
      return line;
    }
    scanned_ = size;
    if (!input_.refill()) {
      // The last line may lack its LF.
      scanned_ = 0;
      if (size == 0) return std::nullopt;
      const std::string_view line(input_.data(), size);
      input_.consume(size);
      return line;
    }
  }
}

std::optional<frame::Frame> JsonlReader::next(int64_t max_rows) {
  // Columns in order of first appearance, each with one value per row so far.
  std::vector<std::string> names;
  std::map<std::string, std::vector<Value>, std::less<>> columns;
  while (static_cast<int64_t>(new_lines_.size()) < max_rows) {
    const std::optional<std::string_view> text = next_line();
    if (!text) break;
    ++line_;
    if (text->find_first_not_of(" \t\r") == std::string_view::npos) continue;
    nlohmann::json json;
    try {
      json = nlohmann::json::parse(text->begin(), text->end());
    } catch (const nlohmann::json::parse_error& error) {
      throw error_at(line_position(line_), "", fmt::format("malformed JSON: {}", error.what()));
    }
    if (!json.is_object()) {
      throw error_at(line_position(line_), "", "a line must hold one JSON object");
    }
    const size_t row = new_lines_.size();
    new_lines_.push_back(line_);
    for (const auto& [key, item] : json.items()) {
      auto [found, inserted] = columns.try_emplace(key);
      if (inserted) names.push_back(key);
      std::vector<Value>& values = found->second;
      values.resize(row);  // nulls for the rows before its first appearance
      const core::ColumnDescriptor* descriptor = table_.find(key);
      values.push_back(descriptor ? to_descriptor_scalar(descriptor->dtype, to_value(item))
                                  : to_value(item));
    }
  }
  if (new_lines_.empty()) return std::nullopt;
  const size_t rows = new_lines_.size();
  finish_batch(new_lines_.back());
  std::vector<frame::ArrayPtr> arrays;
  for (const std::string& name : names) {
    std::vector<Value>& values = columns[name];
    values.resize(rows);
    const core::ColumnDescriptor* descriptor = table_.find(name);
    const frame::TypePtr type = descriptor ? scalar_type(descriptor->dtype) : nullptr;
    try {
      arrays.push_back(frame::array_from_values(values, type));
    } catch (const SchemaError& error) {
      throw error_at(position(error.context().row.value_or(0)), name,
                     fmt::format("column '{}': {}", name, error.message()));
    }
  }
  return frame::Frame(std::move(names), std::move(arrays));
}

}  // namespace crv::cli
