// The shredder turns nested columns into the definition and repetition levels and values
// worked out by hand from the Dremel rules, views top-level columns in place, and refuses
// nulls where the schema allows none.

#include "parquet/shredder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"
#include "parquet/nested_levels.hpp"
#include "support/expect_error.hpp"

namespace crv::parquet {
namespace {

using frame::Value;
using test_support::expect_error;

std::vector<std::string> gathered_strings(const LeafValues& values) {
  std::vector<std::string> strings;
  for (int64_t i = 0; i < values.present; ++i) {
    const int32_t begin = values.string_offsets[i];
    strings.emplace_back(reinterpret_cast<const char*>(values.string_data) + begin,
                         static_cast<size_t>(values.string_offsets[i + 1] - begin));
  }
  return strings;
}

ShreddedLeaf shred(const Schema& schema, size_t leaf, const frame::Array& column, int64_t row_begin,
                   int64_t row_end) {
  ShreddedLeaf out;
  shred_leaf(schema, schema.leaves()[leaf], column, row_begin, row_end, "column", out);
  return out;
}

TEST(Shredder, NestedColumnsGiveTheLevelsOfTheDremelRules) {
  for (const testing::NestedCase& nested : testing::nested_cases()) {
    SCOPED_TRACE(nested.name);
    const Schema schema = Schema::from_fields(std::vector{nested.field});
    ASSERT_EQ(schema.leaves().size(), nested.leaves.size());
    for (size_t leaf = 0; leaf < nested.leaves.size(); ++leaf) {
      const testing::ExpectedLeaf& expected = nested.leaves[leaf];
      const ShreddedLeaf out = shred(schema, leaf, *nested.column, 0, nested.column->length());
      EXPECT_EQ(out.def_levels, expected.def_levels) << "leaf " << leaf;
      EXPECT_EQ(out.rep_levels, expected.rep_levels) << "leaf " << leaf;
      const LeafValues& values = out.values;
      EXPECT_FALSE(values.entry_indexed);
      EXPECT_EQ(values.entries, static_cast<int64_t>(expected.def_levels.size()));
      if (values.type == frame::TypeId::Utf8) {
        EXPECT_EQ(gathered_strings(values), expected.string_values) << "leaf " << leaf;
      } else {
        ASSERT_EQ(values.present, static_cast<int64_t>(expected.int64_values.size()));
        EXPECT_EQ(std::vector<int64_t>(values.int64_values, values.int64_values + values.present),
                  expected.int64_values)
            << "leaf " << leaf;
      }
    }
  }
}

TEST(Shredder, ARowRangeShredsOnlyItsRows) {
  // Rows 1..3 of list_of_structs: [null], null, [] -- the first row of the range starts
  // with repetition level 0 like any other.
  const testing::NestedCase nested = testing::nested_cases()[2];
  ASSERT_EQ(nested.name, "list_of_structs");
  const Schema schema = Schema::from_fields(std::vector{nested.field});
  const ShreddedLeaf out = shred(schema, 0, *nested.column, 1, 4);
  EXPECT_EQ(out.def_levels, (std::vector<int16_t>{2, 0, 1}));
  EXPECT_EQ(out.rep_levels, (std::vector<int16_t>{0, 0, 0}));
  EXPECT_EQ(out.values.present, 0);
}

TEST(Shredder, TopLevelScalarsAreViewedInPlace) {
  const frame::ArrayPtr column = frame::make_int64({10, std::nullopt, 30, 40});
  const Schema schema = Schema::from_fields(std::vector{frame::Field{"n", frame::int64(), true}});
  const ShreddedLeaf out = shred(schema, 0, *column, 1, 4);
  // The validity bitmap stands for the definition levels, and the values are not copied.
  EXPECT_TRUE(out.def_levels.empty());
  EXPECT_TRUE(out.rep_levels.empty());
  const LeafValues& values = out.values;
  EXPECT_TRUE(values.entry_indexed);
  EXPECT_EQ(values.entries, 3);
  EXPECT_EQ(values.present, 2);
  EXPECT_EQ(values.int64_values, column->int64_values() + 1);
  EXPECT_FALSE(values.validity.get(0));
  EXPECT_TRUE(values.validity.get(1));
  EXPECT_TRUE(values.validity.get(2));
}

TEST(Shredder, ANullInARequiredItemNamesTheColumnAndRow) {
  const frame::Field field{"r", frame::list({"item", frame::int64(), false}), true};
  const Schema schema = Schema::from_fields(std::vector{field});
  // The frame allows null items; the schema does not.
  const frame::ArrayPtr column =
      frame::array_from_values(std::vector<Value>{Value::list({1}), Value::list({2, nullptr})},
                               frame::list({"item", frame::int64(), true}));
  ShreddedLeaf out;
  expect_error<IoSchemaError>(
      [&] { shred_leaf(schema, schema.leaves()[0], *column, 0, 2, "holdings.r", out); },
      {.column = "holdings.r", .row = 1});
}

TEST(Shredder, ANullInARequiredTopLevelColumnNamesTheRow) {
  const Schema schema = Schema::from_fields(std::vector{frame::Field{"n", frame::int64(), false}});
  const frame::ArrayPtr column = frame::make_int64({1, 2, std::nullopt});
  ShreddedLeaf out;
  expect_error<IoSchemaError>(
      [&] { shred_leaf(schema, schema.leaves()[0], *column, 0, 3, "n", out); }, {.row = 2});
}

}  // namespace
}  // namespace crv::parquet
