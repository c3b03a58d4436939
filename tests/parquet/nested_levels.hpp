#pragma once
// Nested columns with the definition and repetition levels and values of their leaves,
// worked out by hand from the Dremel rules, which the shredder must produce and from
// which the assembler must rebuild the column.
//
// The rules, for a leaf under optional and repeated ancestors: an entry's definition
// level counts the optional nodes that are non-null and the lists that are non-empty on
// its path; its repetition level is the depth of the innermost list it continues (0 when
// it starts a row). A null or an empty list ends the path with one entry at the level
// reached. Here every optional node adds 1, and a list adds 1 more for a non-empty one.

#include <cstdint>
#include <string>
#include <vector>

#include "crv/frame/builders.hpp"
#include "crv/frame/value.hpp"

namespace crv::parquet::testing {

struct ExpectedLeaf {
  std::vector<int16_t> def_levels;
  std::vector<int16_t> rep_levels;  // empty when no list encloses the leaf
  std::vector<int64_t> int64_values;
  std::vector<std::string> string_values;
};

struct NestedCase {
  std::string name;
  frame::Field field;
  frame::ArrayPtr column;
  std::vector<ExpectedLeaf> leaves;  // in the schema's leaf order
};

inline NestedCase make_case(std::string name, frame::Field field,
                            const std::vector<frame::Value>& rows,
                            std::vector<ExpectedLeaf> leaves) {
  frame::ArrayPtr column = frame::array_from_values(rows, field.type);
  return {std::move(name), std::move(field), std::move(column), std::move(leaves)};
}

inline std::vector<NestedCase> nested_cases() {
  using frame::Value;
  const frame::Field nullable_int{"item", frame::int64(), true};
  std::vector<NestedCase> cases;

  // Optional list (def 1 when present, 2 when non-empty), optional items (3 when present).
  cases.push_back(
      make_case("list_of_nullable_int64", {"l", frame::list(nullable_int), true},
                {Value::list({1, 2}), nullptr, Value::list({}), Value::list({nullptr, 3})},
                {{.def_levels = {3, 3, 0, 1, 2, 3},
                  .rep_levels = {0, 1, 0, 0, 0, 1},
                  .int64_values = {1, 2, 3}}}));

  // Optional struct (def 1), optional members (def 2); no list, so no repetition levels.
  cases.push_back(make_case(
      "struct_with_nullable_members",
      {"s", frame::struct_({{"a", frame::int64(), true}, {"b", frame::utf8(), true}}), true},
      {Value::record({{"a", 1}, {"b", "x"}}), nullptr, Value::record({{"a", nullptr}, {"b", "y"}})},
      {{.def_levels = {2, 0, 1}, .int64_values = {1}},
       {.def_levels = {2, 0, 2}, .string_values = {"x", "y"}}}));

  // Optional list (1), non-empty (2), optional struct item (3), optional member (4).
  cases.push_back(make_case(
      "list_of_structs",
      {"ls", frame::list({"item", frame::struct_({{"a", frame::int64(), true}}), true}), true},
      {Value::list({Value::record({{"a", 1}}), Value::record({{"a", nullptr}})}),
       Value::list({nullptr}), nullptr, Value::list({}), Value::list({Value::record({{"a", 4}})})},
      {{.def_levels = {4, 3, 2, 0, 1, 4},
        .rep_levels = {0, 1, 0, 0, 0, 0},
        .int64_values = {1, 4}}}));

  // Nothing optional: only a non-empty list raises the definition level.
  cases.push_back(make_case(
      "required_list_of_required_int64", {"r", frame::list({"item", frame::int64(), false}), false},
      {Value::list({7, 8}), Value::list({}), Value::list({9})},
      {{.def_levels = {1, 1, 0, 1}, .rep_levels = {0, 1, 0, 0}, .int64_values = {7, 8, 9}}}));

  // Two lists: outer optional (1), non-empty (2), inner list optional (3), non-empty (4),
  // item optional (5); repetition 1 starts an outer item, 2 continues an inner list.
  cases.push_back(make_case("list_of_lists",
                            {"ll", frame::list({"item", frame::list(nullable_int), true}), true},
                            {Value::list({Value::list({1}), Value::list({2, 3})}),
                             Value::list({Value::list({}), nullptr}), Value::list({}), nullptr},
                            {{.def_levels = {5, 5, 5, 3, 2, 1, 0},
                              .rep_levels = {0, 1, 2, 0, 1, 0, 0},
                              .int64_values = {1, 2, 3}}}));

  return cases;
}

}  // namespace crv::parquet::testing
