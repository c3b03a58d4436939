// JSON-lines input of `crvio append`: one object per line parsed into typed frame columns.

#include "cli/jsonl_input.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"
#include "crv/io/validate.hpp"

namespace crv::cli {
namespace {

using frame::Value;

// The line being parsed, for errors.
struct JsonLocation {
  const JsonlReader& reader;
  InputPosition line;
  uint64_t line_offset;  // of the line's first byte in the input
};

// Builds one line's fields as Values straight from the parser's events, so no JSON
// document is built and converted, and bounds the nesting before anything recurses over
// the values (building arrays, printing them, destroying them). A line that is not one
// object, nests too deep, repeats a key or holds a number beyond double's range is an
// IoSchemaError naming the line and the field.
class RowParser {
 public:
  using json = nlohmann::json;

  explicit RowParser(const core::TableDescriptor& table) : table_(table) {}

  // The row's fields in the order of the line, after a successful parse().
  std::vector<std::pair<std::string, Value>>& parse(std::string_view text,
                                                    const JsonLocation& where) {
    where_ = &where;
    fields_.clear();
    open_.clear();
    row_open_ = false;
    in_field_ = false;
    json::sax_parse(text.begin(), text.end(), this);
    return fields_;
  }

  bool null() { return add(Value()); }
  bool boolean(bool value) { return add(Value(value)); }
  bool number_integer(json::number_integer_t value) { return add(Value(value)); }
  bool number_unsigned(json::number_unsigned_t value) {
    if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return add_inexact(static_cast<double>(value), fmt::format("{}", value));
    }
    return add(Value(static_cast<int64_t>(value)));
  }
  // Also called for integers beyond int64 and uint64, which the parser holds as doubles.
  bool number_float(json::number_float_t value, const json::string_t& literal) {
    return add_inexact(value, literal);
  }
  bool string(json::string_t& value) { return add(Value(std::move(value))); }
  bool binary(json::binary_t&) { return add(Value()); }  // JSON text has no binary values

  bool start_object(std::size_t) {
    if (!row_open_) {
      row_open_ = true;
      return true;
    }
    return open(true);
  }
  bool key(json::string_t& name) {
    if (open_.empty()) {
      column_ = std::move(name);
      in_field_ = true;
    } else {
      open_.back().fields.emplace_back(std::move(name), Value());
    }
    return true;
  }
  bool end_object() {
    if (open_.empty()) return true;  // the row's object
    Value::Record fields = std::move(open_.back().fields);
    open_.pop_back();
    check_unique_keys(fields);
    return add(Value::record(std::move(fields)));
  }
  bool start_array(std::size_t) {
    if (!row_open_) throw fail("a line must hold one JSON object");
    return open(false);
  }
  bool end_array() {
    Value::List items = std::move(open_.back().items);
    open_.pop_back();
    return add(Value::list(std::move(items)));
  }

  // `position` counts the line's bytes read when the parser stopped: the offending byte,
  // or the end of the number it refused (`last_token`).
  bool parse_error(std::size_t position, const std::string& last_token,
                   const json::exception& error) {
    const bool overflow = error.id == kNumberOverflow;
    const size_t refused = overflow ? last_token.size() : 1;
    const size_t token_start = position - std::min(position, refused);
    const InputPosition at{fmt::format("{}:{}", where_->line.text, token_start + 1),
                           where_->line.row};
    const std::string column = in_field_ ? column_ : "";
    std::string message;
    if (overflow) {
      message = fmt::format("number {} is beyond the range of a double", last_token);
    } else {
      // The parser's own "[json.exception...] parse error at line 1, column N: " prefix
      // repeats what the position says.
      std::string_view detail = error.what();
      const size_t prefix_end = detail.find(": ");
      if (prefix_end != std::string_view::npos) detail.remove_prefix(prefix_end + 2);
      message = fmt::format("malformed JSON: {}", detail);
    }
    if (!column.empty()) message = fmt::format("column '{}': {}", column, message);
    throw where_->reader.error_at(at, column, message, where_->line_offset + token_start);
  }

 private:
  // nlohmann's out_of_range id for a number it cannot hold.
  static constexpr int kNumberOverflow = 406;

  struct Open {
    bool is_record;
    Value::Record fields;  // the last one's value is filled when it is complete
    Value::List items;
  };

  // A number the parser holds as a double, `literal` as the line wrote it. A top-level
  // str column keeps the literal; an i64 column refuses what the double cannot give
  // exactly; anywhere else the double is the value (JSON numbers are doubles).
  bool add_inexact(double value, std::string_view literal) {
    const core::ColumnDescriptor* descriptor = open_.empty() ? table_.find(column_) : nullptr;
    if (descriptor && descriptor->dtype == core::DType::kStr)
      return add(Value(std::string(literal)));
    if (descriptor && descriptor->dtype == core::DType::kI64) {
      const bool integer_literal =
          literal.find_first_not_of("-0123456789") == std::string_view::npos;
      if (integer_literal) {
        throw fail(fmt::format("integer {} is beyond the int64 range", literal));
      }
      // Doubles are exact integers only up to 2^53; past it the literal's digits are lost.
      if (std::fabs(value) >= 9007199254740992.0) {
        throw fail(
            fmt::format("number {} cannot be stored exactly as int64: written with a "
                        "fraction or exponent, it reads as a double, whose integers are "
                        "exact only below 2^53; write it as an integer",
                        literal));
      }
    }
    return add(Value(value));
  }

  bool open(bool is_record) {
    // The row's object is the first level.
    if (open_.size() + 2 > kMaxJsonNesting) {
      throw fail(fmt::format("objects and arrays nest deeper than {} levels", kMaxJsonNesting));
    }
    open_.push_back(Open{.is_record = is_record});
    return true;
  }

  bool add(Value value) {
    if (!row_open_) throw fail("a line must hold one JSON object");
    if (open_.empty()) {
      fields_.emplace_back(column_, std::move(value));
      in_field_ = false;
    } else if (open_.back().is_record) {
      open_.back().fields.back().second = std::move(value);
    } else {
      open_.back().items.push_back(std::move(value));
    }
    return true;
  }

  void check_unique_keys(const Value::Record& fields) const {
    if (fields.size() < 2) return;
    std::vector<std::string_view> names;
    names.reserve(fields.size());
    for (const auto& field : fields) names.push_back(field.first);
    std::sort(names.begin(), names.end());
    const auto twice = std::adjacent_find(names.begin(), names.end());
    if (twice != names.end()) {
      throw fail(fmt::format("key '{}' appears twice in an object", *twice));
    }
  }

  IoSchemaError fail(const std::string& problem) const {
    const std::string column = in_field_ ? column_ : "";
    return where_->reader.error_at(
        where_->line, column,
        column.empty() ? problem : fmt::format("column '{}': {}", column, problem));
  }

  const core::TableDescriptor& table_;
  const JsonLocation* where_ = nullptr;
  std::vector<std::pair<std::string, Value>> fields_;
  std::vector<Open> open_;  // objects and arrays open below the row's object
  std::string column_;      // the key of the row's field last read
  bool in_field_ = false;   // column_'s value is being read
  bool row_open_ = false;
};

// The value in the descriptor's scalar type when that loses nothing; otherwise as it was,
// for array building to report.
Value to_descriptor_scalar(core::DType dtype, Value value) {
  switch (dtype) {
    case core::DType::kF64:
      // What `crvio read` prints for the values JSON has no number for.
      if (value.kind() == Value::Kind::String) {
        const std::string& text = value.as_string();
        if (text == "NaN") return Value(std::numeric_limits<double>::quiet_NaN());
        if (text == "Infinity") return Value(std::numeric_limits<double>::infinity());
        if (text == "-Infinity") return Value(-std::numeric_limits<double>::infinity());
      }
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
      // Numbers the parser holds as doubles arrive as their literal text already.
      if (value.kind() == Value::Kind::Int64) return Value(fmt::format("{}", value.as_int64()));
      return value;
    default:
      return value;
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
  RowParser parser(table_);
  while (static_cast<int64_t>(new_lines_.size()) < max_rows) {
    const uint64_t line_offset = static_cast<uint64_t>(input_.bytes_read()) - input_.size();
    const std::optional<std::string_view> text = next_line();
    if (!text) break;
    ++line_;
    if (text->find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const JsonLocation where{*this, line_position(line_), line_offset};
    std::vector<std::pair<std::string, Value>>& fields = parser.parse(*text, where);
    const size_t row = new_lines_.size();
    new_lines_.push_back(line_);
    for (auto& [key, item] : fields) {
      auto [found, inserted] = columns.try_emplace(key);
      if (inserted) names.push_back(key);
      std::vector<Value>& values = found->second;
      if (values.size() > row) {
        throw error_at(where.line, key, fmt::format("key '{}' appears twice in the line", key));
      }
      values.resize(row);  // nulls for the rows before its first appearance
      const core::ColumnDescriptor* descriptor = table_.find(key);
      values.push_back(descriptor ? to_descriptor_scalar(descriptor->dtype, std::move(item))
                                  : std::move(item));
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
    // Nested columns take the types of their values.
    frame::TypePtr type = descriptor ? io::descriptor_type(descriptor->dtype) : nullptr;
    if (type && type->id() == frame::TypeId::Null) type = nullptr;
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
