// Tests of array and frame concatenation.

#include "crv/frame/concat.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"
#include "frame/test_values.hpp"
#include "support/expect_error.hpp"

namespace crv::frame {
namespace {

using test_support::expect_error;
using testing::nested_rows;
using testing::nested_type;
using testing::values_of;

// The slots of every array, read one by one: what a concatenation must hold.
std::vector<Value> joined_values(const std::vector<ArrayPtr>& arrays) {
  std::vector<Value> values;
  for (const ArrayPtr& array : arrays) {
    for (Value& value : values_of(*array)) values.push_back(std::move(value));
  }
  return values;
}

// Concatenates, checks the result in full and that it holds the inputs' slots in order.
void expect_concatenation(const std::vector<ArrayPtr>& arrays) {
  const ArrayPtr joined = concat_arrays(arrays);
  ASSERT_NO_THROW(joined->validate());
  EXPECT_TRUE(joined->type()->equals(*arrays.front()->type()));
  EXPECT_EQ(values_of(*joined), joined_values(arrays));
  int64_t nulls = 0;
  for (const ArrayPtr& array : arrays) nulls += array->null_count();
  EXPECT_EQ(joined->null_count(), nulls);
}

TEST(ConcatArrays, Int64WithNullsAndSlices) {
  const ArrayPtr a = make_int64({1, std::nullopt, 3, 4});
  const ArrayPtr b = make_int64({10, 20, 30, 40, 50})->slice(1, 3);
  const ArrayPtr c = make_int64({std::nullopt, 7})->slice(1, 1);
  expect_concatenation({a, b, c});
  EXPECT_EQ(values_of(*concat_arrays(std::vector<ArrayPtr>{b, c})),
            (std::vector<Value>{20, 30, 40, 7}));
}

TEST(ConcatArrays, InputsWithoutNullsGiveNoBitmap) {
  const ArrayPtr joined = concat_arrays(
      std::vector<ArrayPtr>{make_float64({1.5, 2.5}),
                            make_float64({std::optional<double>(3.5), std::nullopt})->slice(0, 1)});
  EXPECT_EQ(joined->validity_bits(), nullptr);
  EXPECT_EQ(values_of(*joined), (std::vector<Value>{1.5, 2.5, 3.5}));
}

TEST(ConcatArrays, Float64KeepsEveryBit) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  expect_concatenation({make_float64({-0.0, nan}), make_float64({std::nullopt, inf, 1e-300}),
                        make_float64({2.0, 3.0, 4.0})->slice(2, 1)});
}

TEST(ConcatArrays, BoolsAcrossByteBoundaries) {
  std::vector<std::optional<bool>> first;
  for (int i = 0; i < 13; ++i) {
    first.push_back(i % 5 == 0 ? std::nullopt : std::optional<bool>(i % 3 == 0));
  }
  expect_concatenation({make_bool(first)->slice(3, 9), make_bool({true, false, true}),
                        make_bool(first)->slice(7, 6)});
}

TEST(ConcatArrays, StringsRebaseOffsets) {
  const ArrayPtr a = make_utf8({"alpha", std::nullopt, "", "beta"});
  const ArrayPtr b = make_utf8({"x", "yy", std::nullopt, "zzz", "ω"})->slice(1, 4);
  expect_concatenation({a, b, a->slice(3, 1), make_utf8(std::vector<std::string>{})});
  const ArrayPtr joined = concat_arrays(std::vector<ArrayPtr>{b, a});
  EXPECT_EQ(joined->value_offsets()[0], 0);
  EXPECT_EQ(joined->string_at(2), "zzz");
}

TEST(ConcatArrays, NestedListsOfStructsWithNullsAtEveryLevel) {
  const std::vector<Value> rows = nested_rows();
  const ArrayPtr whole = array_from_values(rows, nested_type());
  expect_concatenation({whole->slice(5, 3), whole, whole->slice(1, 3), whole->slice(0, 0)});
}

TEST(ConcatArrays, SlicedStructsWithNullRows) {
  const ArrayPtr structs =
      make_struct({{"id", make_int64({1, 2, std::nullopt, 4, 5})},
                   {"name", make_utf8({"a", std::nullopt, "c", "d", "e"})},
                   {"tags", make_list({0, 1, 1, 3, 3, 4}, make_utf8({"p", "q", "r", "s"}))}},
                  {true, false, true, true, true});
  expect_concatenation({structs->slice(1, 3), structs->slice(3, 2), structs});
}

TEST(ConcatArrays, SingleArrayIsReturnedAsIs) {
  const ArrayPtr a = make_int64({1, 2, 3})->slice(1, 2);
  EXPECT_EQ(concat_arrays(std::vector<ArrayPtr>{a}), a);
}

TEST(ConcatArrays, DifferentTypesAreRejected) {
  EXPECT_THROW(concat_arrays(std::vector<ArrayPtr>{make_int64({1}), make_float64({1.0})}),
               SchemaError);
  const ArrayPtr ab = make_struct({{"a", make_int64({1})}, {"b", make_int64({2})}});
  const ArrayPtr ba = make_struct({{"b", make_int64({2})}, {"a", make_int64({1})}});
  EXPECT_THROW(concat_arrays(std::vector<ArrayPtr>{ab, ba}), SchemaError);
  EXPECT_THROW(concat_arrays(std::vector<ArrayPtr>{}), SchemaError);
}

TEST(ConcatFrames, RowsFollowEachOther) {
  const Frame a({{"tick", make_int64({1, 2})}, {"name", make_utf8({"x", std::nullopt})}});
  const Frame b({{"tick", make_int64({3, 4, 5})}, {"name", make_utf8({"y", "z", "w"})}});
  const std::vector<Frame> frames{a, b.slice(1, 2),
                                  Frame(a.names(), {make_int64({6}), make_utf8({"v"})})};
  const Frame joined = concat(frames);
  ASSERT_EQ(joined.names(), a.names());
  EXPECT_EQ(values_of(*joined.column("tick")), (std::vector<Value>{1, 2, 4, 5, 6}));
  EXPECT_EQ(values_of(*joined.column("name")), (std::vector<Value>{"x", Value(), "z", "w", "v"}));
}

TEST(ConcatFrames, NoFramesGiveAnEmptyFrame) {
  const Frame joined = concat(std::vector<Frame>{});
  EXPECT_EQ(joined.num_columns(), 0u);
  EXPECT_EQ(joined.num_rows(), 0);
}

TEST(ConcatFrames, MismatchesNameTheProblem) {
  const Frame a({{"tick", make_int64({1})}, {"name", make_utf8({"x"})}});
  const Frame swapped({{"name", make_utf8({"x"})}, {"tick", make_int64({1})}});
  EXPECT_THROW(concat(std::vector<Frame>{a, swapped}), SchemaError);
  const Frame retyped({{"tick", make_int64({1})}, {"name", make_int64({2})}});
  expect_error<SchemaError>([&] { concat(std::vector<Frame>{a, retyped}); }, {.column = "name"});
}

}  // namespace
}  // namespace crv::frame
