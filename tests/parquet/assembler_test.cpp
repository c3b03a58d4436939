// The assembler rebuilds nested columns from levels and values worked out by hand, and
// refuses leaves whose levels disagree about the slots they describe.

#include "parquet/assembler.hpp"

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

LeafData leaf_data(const testing::ExpectedLeaf& expected) {
  LeafData data;
  data.def_levels = expected.def_levels;
  data.rep_levels = expected.rep_levels;
  data.entries = static_cast<int64_t>(expected.def_levels.size());
  data.int64_values = expected.int64_values;
  data.present = static_cast<int64_t>(expected.int64_values.size());
  if (!expected.string_values.empty()) {
    data.present = static_cast<int64_t>(expected.string_values.size());
    data.string_offsets.push_back(0);
    for (const std::string& value : expected.string_values) {
      data.string_data.insert(data.string_data.end(), value.begin(), value.end());
      data.string_offsets.push_back(static_cast<int32_t>(data.string_data.size()));
    }
  }
  return data;
}

frame::ArrayPtr assemble(const frame::Field& field, std::vector<LeafData> leaves) {
  const Schema schema = Schema::from_fields(std::vector{field});
  return assemble_column(schema, schema.columns().front(), leaves, "file.parquet");
}

TEST(Assembler, NestedColumnsAreRebuiltFromTheLevelsOfTheDremelRules) {
  for (const testing::NestedCase& nested : testing::nested_cases()) {
    SCOPED_TRACE(nested.name);
    std::vector<LeafData> leaves;
    for (const testing::ExpectedLeaf& expected : nested.leaves) {
      leaves.push_back(leaf_data(expected));
    }
    const frame::ArrayPtr rebuilt = assemble(nested.field, std::move(leaves));
    EXPECT_TRUE(rebuilt->equals(*nested.column))
        << "expected " << nested.column->to_string() << "\nrebuilt  " << rebuilt->to_string();
  }
}

TEST(Assembler, ARequiredTopLevelLeafNeedsNoLevels) {
  LeafData data;
  data.entries = 3;
  data.present = 3;
  data.int64_values = {4, 5, 6};
  const frame::ArrayPtr rebuilt = assemble({"n", frame::int64(), false}, {std::move(data)});
  EXPECT_TRUE(rebuilt->equals(*frame::make_int64({4, 5, 6})));
  EXPECT_EQ(rebuilt->null_count(), 0);
}

TEST(Assembler, NullsSpreadTheDenseValuesOverTheSlots) {
  LeafData data;
  data.def_levels = {0, 1, 0, 1};
  data.entries = 4;
  data.present = 2;
  data.string_offsets = {0, 2, 5};
  const std::string chars = "abcde";
  data.string_data.assign(chars.begin(), chars.end());
  const frame::ArrayPtr rebuilt = assemble({"s", frame::utf8(), true}, {std::move(data)});
  EXPECT_TRUE(rebuilt->equals(*frame::make_utf8({std::nullopt, "ab", std::nullopt, "cde"})))
      << rebuilt->to_string();
}

TEST(Assembler, StructMembersWithDifferentSlotCountsAreRefused) {
  const testing::NestedCase nested = testing::nested_cases()[1];
  ASSERT_EQ(nested.name, "struct_with_nullable_members");
  std::vector<LeafData> leaves{leaf_data(nested.leaves[0]), leaf_data(nested.leaves[1])};
  // Member b loses its last row: two slots where the struct has three.
  leaves[1].def_levels.pop_back();
  leaves[1].entries = 2;
  leaves[1].present = 1;
  leaves[1].string_offsets.pop_back();
  expect_error<IoFormatError>([&] { assemble(nested.field, std::move(leaves)); },
                              {.message_has = {"inconsistent", "'b'"}, .path = "file.parquet"});
}

TEST(Assembler, ListItemsWithDifferentCountsAreRefused) {
  // A list of structs whose members disagree about the items of the one row.
  const frame::Field field{
      "ls",
      frame::list({"item",
                   frame::struct_({{"a", frame::int64(), true}, {"b", frame::int64(), true}}),
                   true}),
      true};
  LeafData a;  // [{a: 1}, {a: 2}]
  a.def_levels = {4, 4};
  a.rep_levels = {0, 1};
  a.entries = 2;
  a.present = 2;
  a.int64_values = {1, 2};
  LeafData b;  // only one item
  b.def_levels = {4};
  b.rep_levels = {0};
  b.entries = 1;
  b.present = 1;
  b.int64_values = {3};
  expect_error<IoFormatError>(
      [&] {
        assemble(field, {std::move(a), std::move(b)});
      },
      {.message_has = {"inconsistent"}, .path = "file.parquet"});
}

TEST(Assembler, ANullTypedLeafHoldingValuesIsRefused) {
  LeafData data;
  data.def_levels = {0, 1};  // the second entry claims a value
  data.entries = 2;
  data.present = 1;
  data.int64_values = {7};
  expect_error<IoFormatError>(
      [&] {
        assemble({"nothing", frame::null_type(), true}, {std::move(data)});
      },
      {.message_has = {"null logical type"}});
}

}  // namespace
}  // namespace crv::parquet
