// Value: typed access and the JSON-like text form.

#include "crv/frame/value.hpp"

#include <fmt/format.h>

#include <bit>
#include <cmath>

#include "crv/core/errors.hpp"

namespace crv::frame {

std::string_view kind_name(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::Null:
      return "null";
    case Value::Kind::Bool:
      return "bool";
    case Value::Kind::Int64:
      return "int64";
    case Value::Kind::Double:
      return "double";
    case Value::Kind::String:
      return "string";
    case Value::Kind::Record:
      return "record";
    case Value::Kind::List:
      return "list";
  }
  return "unknown";
}

Value Value::record(Record fields) {
  Value value;
  value.data_ = std::move(fields);
  return value;
}

Value Value::list(List items) {
  Value value;
  value.data_ = std::move(items);
  return value;
}

namespace {

template <class T>
const T& expect(const auto& data, Value::Kind actual, Value::Kind wanted) {
  if (actual != wanted) {
    throw SchemaError(fmt::format("value is a {}, not a {}", kind_name(actual), kind_name(wanted)));
  }
  return std::get<T>(data);
}

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void append_text(std::string& out, const Value& value) {
  switch (value.kind()) {
    case Value::Kind::Null:
      out += "null";
      break;
    case Value::Kind::Bool:
      out += value.as_bool() ? "true" : "false";
      break;
    case Value::Kind::Int64:
      out += fmt::format("{}", value.as_int64());
      break;
    case Value::Kind::Double: {
      const double number = value.as_double();
      if (std::isfinite(number)) {
        out += fmt::format("{}", number);
      } else {
        out += std::isnan(number) ? "nan" : (number > 0 ? "inf" : "-inf");
      }
      break;
    }
    case Value::Kind::String:
      append_json_string(out, value.as_string());
      break;
    case Value::Kind::Record: {
      out += '{';
      bool first = true;
      for (const auto& [name, field] : value.as_record()) {
        if (!first) out += ", ";
        first = false;
        append_json_string(out, name);
        out += ": ";
        append_text(out, field);
      }
      out += '}';
      break;
    }
    case Value::Kind::List: {
      out += '[';
      bool first = true;
      for (const Value& item : value.as_list()) {
        if (!first) out += ", ";
        first = false;
        append_text(out, item);
      }
      out += ']';
      break;
    }
  }
}

}  // namespace

bool Value::as_bool() const {
  return expect<bool>(data_, kind(), Kind::Bool);
}
int64_t Value::as_int64() const {
  return expect<int64_t>(data_, kind(), Kind::Int64);
}
double Value::as_double() const {
  return expect<double>(data_, kind(), Kind::Double);
}
const std::string& Value::as_string() const {
  return expect<std::string>(data_, kind(), Kind::String);
}
const Value::Record& Value::as_record() const {
  return expect<Record>(data_, kind(), Kind::Record);
}
const Value::List& Value::as_list() const {
  return expect<List>(data_, kind(), Kind::List);
}

const Value* Value::find(std::string_view field) const {
  const Record* fields = std::get_if<Record>(&data_);
  if (fields == nullptr) return nullptr;
  for (const auto& [name, value] : *fields) {
    if (name == field) return &value;
  }
  return nullptr;
}

bool operator==(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  if (a.kind() == Value::Kind::Double) {
    return std::bit_cast<uint64_t>(a.as_double()) == std::bit_cast<uint64_t>(b.as_double());
  }
  // Records and lists recurse through this operator via the element comparisons.
  return a.data_ == b.data_;
}

std::string Value::to_string() const {
  std::string out;
  append_text(out, *this);
  return out;
}

}  // namespace crv::frame
