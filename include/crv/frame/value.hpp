#pragma once
// A dynamically typed value: null, bool, int64, double, string, record (ordered named
// fields) or list. Used to build arrays row by row (array_from_values, Frame::from_rows)
// and to read single cells back (Array::value_at) for debugging, JSON output and tests.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace crv::frame {

class Value {
 public:
  // The alternatives, in the order of the underlying variant.
  enum class Kind : uint8_t { Null, Bool, Int64, Double, String, Record, List };
  using Record = std::vector<std::pair<std::string, Value>>;
  using List = std::vector<Value>;

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool value) : data_(value) {}
  // Any integer that fits int64 exactly (uint64_t is excluded: it may not fit).
  template <std::integral T>
  requires(!std::same_as<T, bool> && (std::signed_integral<T> || sizeof(T) < sizeof(int64_t)))
      Value(T value)
      : data_(static_cast<int64_t>(value)) {}
  Value(double value) : data_(value) {}
  Value(std::string value) : data_(std::move(value)) {}
  Value(std::string_view value) : data_(std::string(value)) {}
  Value(const char* value) : data_(std::string(value)) {}

  // e.g. Value::record({{"a", 1}, {"b", "x"}}); field order is kept.
  static Value record(Record fields);
  // e.g. Value::list({1, 2, nullptr}).
  static Value list(List items);

  Kind kind() const { return static_cast<Kind>(data_.index()); }
  bool is_null() const { return kind() == Kind::Null; }

  // Typed access; a kind mismatch throws SchemaError naming both kinds.
  bool as_bool() const;
  int64_t as_int64() const;
  double as_double() const;
  const std::string& as_string() const;
  const Record& as_record() const;
  const List& as_list() const;

  // A record's field by name, or nullptr when absent or when this is not a record.
  const Value* find(std::string_view field) const;

  // Deep equality. Doubles compare bit for bit (NaN equals the same NaN, -0.0 != 0.0),
  // and Int64(1) differs from Double(1.0).
  friend bool operator==(const Value& a, const Value& b);

  // JSON-like text for messages and debugging: null, true, 3, 2.5, "text", {"a": 1}, [1, 2].
  // Non-finite doubles print as nan / inf / -inf.
  std::string to_string() const;

 private:
  std::variant<std::monostate, bool, int64_t, double, std::string, Record, List> data_;
};

// Lower-case name of a kind, e.g. "record".
std::string_view kind_name(Value::Kind kind);

}  // namespace crv::frame
