// Tests of the typed builders, make_* helpers and array_from_values.

#include "crv/frame/builders.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

#include "crv/core/errors.hpp"
#include "support/expect_error.hpp"

namespace crv::frame {
namespace {

using test_support::expect_error;

TEST(Int64BuilderTest, AppendsValuesAndNulls) {
  Int64Builder builder;
  builder.reserve(4);
  builder.append(10);
  builder.append_null();
  builder.append(std::optional<int64_t>(-3));
  builder.append(std::optional<int64_t>());
  EXPECT_EQ(builder.length(), 4);
  EXPECT_EQ(builder.null_count(), 2);
  const ArrayPtr array = builder.finish();
  EXPECT_EQ(*array->type(), *int64());
  ASSERT_EQ(array->length(), 4);
  EXPECT_EQ(array->null_count(), 2);
  ASSERT_NE(array->validity_bits(), nullptr);
  EXPECT_TRUE(array->is_valid(0));
  EXPECT_TRUE(array->is_null(1));
  EXPECT_TRUE(array->is_valid(2));
  EXPECT_TRUE(array->is_null(3));
  EXPECT_EQ(array->int64_values()[0], 10);
  EXPECT_EQ(array->int64_values()[2], -3);
}

TEST(Int64BuilderTest, NoNullsMeansNoBitmap) {
  Int64Builder builder(3);
  for (int64_t v : {1, 2, 3}) builder.append(v);
  const ArrayPtr array = builder.finish();
  EXPECT_EQ(array->validity_bits(), nullptr);
  EXPECT_EQ(array->validity_buffer(), nullptr);
  EXPECT_EQ(array->null_count(), 0);
}

TEST(Int64BuilderTest, BulkAppendThenNullMaterializesTheEarlierValidBits) {
  Int64Builder builder;
  const std::vector<int64_t> bulk = {5, 6, 7, 8, 9, 10, 11, 12, 13};
  builder.append_values(bulk);
  builder.append_null();
  builder.append_values(bulk);
  const ArrayPtr array = builder.finish();
  ASSERT_EQ(array->length(), 19);
  EXPECT_EQ(array->null_count(), 1);
  for (int64_t i = 0; i < 19; ++i) {
    EXPECT_EQ(array->is_valid(i), i != 9) << i;
    if (i != 9) {
      EXPECT_EQ(array->int64_values()[i], bulk[static_cast<size_t>(i % 10)]);
    }
  }
}

TEST(Int64BuilderTest, ReusableAfterFinish) {
  Int64Builder builder;
  builder.append_null();
  const ArrayPtr first = builder.finish();
  builder.append(4);
  const ArrayPtr second = builder.finish();
  EXPECT_EQ(first->length(), 1);
  EXPECT_EQ(first->null_count(), 1);
  ASSERT_EQ(second->length(), 1);
  EXPECT_EQ(second->null_count(), 0);
  EXPECT_EQ(second->int64_values()[0], 4);
}

TEST(Float64BuilderTest, KeepsExactBits) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Float64Builder builder;
  builder.append(-0.0);
  builder.append(nan);
  builder.append(1.5);
  const ArrayPtr array = builder.finish();
  EXPECT_EQ(*array->type(), *float64());
  EXPECT_EQ(std::bit_cast<uint64_t>(array->float64_values()[0]), std::bit_cast<uint64_t>(-0.0));
  EXPECT_EQ(std::bit_cast<uint64_t>(array->float64_values()[1]), std::bit_cast<uint64_t>(nan));
  EXPECT_EQ(array->float64_values()[2], 1.5);
}

TEST(BoolBuilderTest, PacksBitsAcrossBytes) {
  BoolBuilder builder;
  std::vector<std::optional<bool>> expected;
  for (int i = 0; i < 21; ++i) {
    if (i % 5 == 4) {
      expected.emplace_back();
    } else {
      expected.emplace_back(i % 3 == 0);
    }
    builder.append(expected.back());
  }
  const ArrayPtr array = builder.finish();
  ASSERT_EQ(array->length(), 21);
  EXPECT_EQ(array->null_count(), 4);
  for (int64_t i = 0; i < 21; ++i) {
    const auto& want = expected[static_cast<size_t>(i)];
    ASSERT_EQ(array->is_valid(i), want.has_value()) << i;
    if (want) {
      EXPECT_EQ(array->bool_at(i), *want) << i;
    }
  }
}

TEST(StringBuilderTest, OffsetsAndCharacters) {
  StringBuilder builder(4, 16);
  builder.append("ab");
  builder.append_null();
  builder.append("");
  builder.append(std::string("xyz"));
  EXPECT_EQ(builder.character_count(), 5);
  const ArrayPtr array = builder.finish();
  EXPECT_EQ(*array->type(), *utf8());
  ASSERT_EQ(array->length(), 4);
  const int32_t* offsets = array->value_offsets();
  EXPECT_EQ(std::vector<int32_t>(offsets, offsets + 5), (std::vector<int32_t>{0, 2, 2, 2, 5}));
  EXPECT_EQ(std::string_view(array->string_data(), 5), "abxyz");
  EXPECT_EQ(array->string_at(0), "ab");
  EXPECT_TRUE(array->is_null(1));
  EXPECT_TRUE(array->is_valid(2));
  EXPECT_EQ(array->string_at(2), "");
  EXPECT_EQ(array->string_at(3), "xyz");

  builder.append("again");
  const ArrayPtr second = builder.finish();
  ASSERT_EQ(second->length(), 1);
  EXPECT_EQ(second->string_at(0), "again");
}

TEST(MakeTest, LiteralScalars) {
  const ArrayPtr ints = make_int64({1, 2, 3});
  EXPECT_EQ(ints->to_string(), "[1, 2, 3]");
  EXPECT_EQ(make_int64({1, std::nullopt})->to_string(), "[1, null]");
  EXPECT_EQ(make_float64({0.5, 2})->to_string(), "[0.5, 2]");
  EXPECT_EQ(make_float64({std::nullopt, 1.25})->to_string(), "[null, 1.25]");
  EXPECT_EQ(make_bool({true, false})->to_string(), "[true, false]");
  EXPECT_EQ(make_bool({std::nullopt, true})->to_string(), "[null, true]");
  EXPECT_EQ(*make_bool({true})->type(), *boolean());
  EXPECT_EQ(*make_float64({1.0})->type(), *float64());
}

TEST(MakeTest, LiteralStringsFromEveryInputKind) {
  const std::vector<std::string> strings = {"a", "bc"};
  const std::vector<std::optional<std::string>> optional_strings = {"a", std::nullopt};
  const std::vector<std::string_view> views = {"a", "bc"};
  const std::vector<std::optional<std::string_view>> optional_views = {std::nullopt, "bc"};
  EXPECT_EQ(make_utf8(strings)->to_string(), R"(["a", "bc"])");
  EXPECT_EQ(make_utf8(optional_strings)->to_string(), R"(["a", null])");
  EXPECT_EQ(make_utf8(views)->to_string(), R"(["a", "bc"])");
  EXPECT_EQ(make_utf8(optional_views)->to_string(), R"([null, "bc"])");
  EXPECT_EQ(make_utf8({"x", std::nullopt, "z"})->to_string(), R"(["x", null, "z"])");
  EXPECT_EQ(make_utf8({"x", "y"})->null_count(), 0);
  EXPECT_EQ(make_utf8({"x", "y"})->validity_bits(), nullptr);
}

TEST(MakeTest, StructFromMembers) {
  const ArrayPtr array =
      make_struct({{"id", make_int64({1, 2, 3})}, {"name", make_utf8({"a", std::nullopt, "c"})}},
                  {true, false, true});
  EXPECT_EQ(array->type()->to_string(), "struct<id: int64, name: utf8>");
  ASSERT_EQ(array->length(), 3);
  EXPECT_EQ(array->null_count(), 1);
  EXPECT_EQ(array->value_at(0), Value::record({{"id", 1}, {"name", "a"}}));
  EXPECT_TRUE(array->value_at(1).is_null());
  EXPECT_EQ(array->value_at(2), Value::record({{"id", 3}, {"name", "c"}}));
  EXPECT_EQ(array->field(1)->to_string(), R"(["a", null, "c"])");
  EXPECT_EQ(array->find_field("id")->to_string(), "[1, 2, 3]");
  EXPECT_EQ(array->find_field("missing"), nullptr);
}

TEST(MakeTest, StructErrorsNameTheMember) {
  expect_error<SchemaError>(
      [&] {
        make_struct({{"a", make_int64({1, 2})}, {"b", make_int64({1})}});
      },
      {.message_has = {"'b' has 1 slots but 'a' has 2"}, .column = "b"});
  EXPECT_THROW(make_struct({{"a", make_int64({1, 2})}}, {true}), SchemaError);
  EXPECT_THROW(make_struct({{"a", nullptr}}), SchemaError);
  EXPECT_THROW(make_struct({{"a", make_int64({1})}, {"a", make_int64({2})}}), SchemaError);
}

TEST(MakeTest, StructWithoutMembersTakesItsLengthFromValidity) {
  const ArrayPtr array = make_struct({}, {true, false});
  EXPECT_EQ(array->length(), 2);
  EXPECT_EQ(array->null_count(), 1);
}

TEST(MakeTest, ListFromOffsets) {
  const ArrayPtr array =
      make_list({0, 2, 2, 3, 3}, make_int64({7, 8, 9}), {true, true, true, false});
  EXPECT_EQ(array->type()->to_string(), "list<int64>");
  EXPECT_EQ(array->to_string(), "[[7, 8], [], [9], null]");
  EXPECT_EQ(array->list_range(0).size(), 2);
  EXPECT_EQ(array->list_range(2).begin, 2);
  EXPECT_EQ(array->list_items()->length(), 3);
}

TEST(MakeTest, ListRejectsBadOffsets) {
  EXPECT_THROW(make_list({}, make_int64(std::vector<int64_t>{})), SchemaError);
  EXPECT_THROW(make_list({0, 1}, nullptr), SchemaError);
  EXPECT_THROW(make_list({0, 4}, make_int64({1, 2})), SchemaError);
  expect_error<SchemaError>(
      [&] {
        make_list({0, 2, 1, 2}, make_int64({1, 2}));
      },
      {.message_has = {"offsets decrease"}, .row = 1});
  EXPECT_THROW(make_list({-1, 0}, make_int64({1})), SchemaError);
  EXPECT_THROW(make_list({0, 1}, make_int64({1}), {true, false}), SchemaError);
}

TEST(MakeTest, NullArrayOfANestedType) {
  const TypePtr type = struct_(
      {{"a", int64()}, {"b", list(struct_({{"c", utf8()}}))}, {"d", boolean()}, {"e", float64()}});
  const ArrayPtr array = make_null_array(type, 5);
  EXPECT_EQ(*array->type(), *type);
  ASSERT_EQ(array->length(), 5);
  EXPECT_EQ(array->null_count(), 5);
  for (int64_t i = 0; i < 5; ++i) EXPECT_TRUE(array->value_at(i).is_null());
  for (size_t k = 0; k < array->num_children(); ++k) {
    EXPECT_EQ(array->child(k)->length(), 5);
    EXPECT_EQ(array->child(k)->null_count(), 5);
  }
  EXPECT_EQ(array->child(1)->list_items()->length(), 0);
  EXPECT_NO_THROW(array->validate());
  EXPECT_EQ(make_null_array(utf8(), 0)->length(), 0);
  EXPECT_THROW(make_null_array(nullptr, 1), SchemaError);
}

}  // namespace
}  // namespace crv::frame
