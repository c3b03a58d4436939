#pragma once
// Values the frame tests build arrays from and compare arrays against.

#include <vector>

#include "crv/frame/array.hpp"
#include "crv/frame/types.hpp"
#include "crv/frame/value.hpp"

namespace crv::frame::testing {

// Every slot of `array`, read one by one through value_at().
inline std::vector<Value> values_of(const Array& array) {
  std::vector<Value> values;
  for (int64_t i = 0; i < array.length(); ++i) values.push_back(array.value_at(i));
  return values;
}

// Rows of type nested_type(),
// list<struct<id: int64, tags: list<utf8>, score: float64, flag: bool>>, with nulls at every
// level (list, struct, member, inner list, inner item). Every record lists all its members
// so that value_at() reproduces it exactly.
inline std::vector<Value> nested_rows() {
  auto item = [](Value id, Value tags, Value score, Value flag) {
    return Value::record({{"id", std::move(id)},
                          {"tags", std::move(tags)},
                          {"score", std::move(score)},
                          {"flag", std::move(flag)}});
  };
  return {
      Value::list({item(1, Value::list({"a", "b"}), 0.5, true), item(2, nullptr, 1.5, false)}),
      Value(),
      Value::list({}),
      Value::list({Value(), item(nullptr, Value::list({Value(), "c"}), nullptr, nullptr)}),
      Value::list({item(3, Value::list({}), -0.0, true)}),
      Value::list({item(4, Value::list({"d"}), 2.0, false),
                   item(5, Value::list({"e", "f"}), 3.0, true),
                   item(6, Value::list({"g"}), 4.0, false)}),
      Value(),
      Value::list({item(7, Value::list({"h"}), 5.0, true)}),
  };
}

inline TypePtr nested_type() {
  return list(struct_(
      {{"id", int64()}, {"tags", list(utf8())}, {"score", float64()}, {"flag", boolean()}}));
}

}  // namespace crv::frame::testing
