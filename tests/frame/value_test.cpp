// Tests of Value: typed access and text form.

#include "crv/frame/value.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"
#include "frame/test_values.hpp"
#include "support/expect_error.hpp"

namespace crv::frame {
namespace {

using test_support::expect_error;
using testing::values_of;

TEST(ValueTest, ConstructorsPickTheKind) {
  EXPECT_EQ(Value().kind(), Value::Kind::Null);
  EXPECT_EQ(Value(nullptr).kind(), Value::Kind::Null);
  EXPECT_EQ(Value(true).kind(), Value::Kind::Bool);
  EXPECT_EQ(Value(3).kind(), Value::Kind::Int64);
  EXPECT_EQ(Value(int64_t{3}).kind(), Value::Kind::Int64);
  EXPECT_EQ(Value(uint32_t{3}).kind(), Value::Kind::Int64);
  EXPECT_EQ(Value(2.5).kind(), Value::Kind::Double);
  EXPECT_EQ(Value(2.5f).kind(), Value::Kind::Double);
  EXPECT_EQ(Value("text").kind(), Value::Kind::String);  // not bool
  EXPECT_EQ(Value(std::string_view("v")).kind(), Value::Kind::String);
  EXPECT_EQ(Value(std::string("s")).kind(), Value::Kind::String);
  EXPECT_EQ(Value::record({}).kind(), Value::Kind::Record);
  EXPECT_EQ(Value::list({}).kind(), Value::Kind::List);
  EXPECT_TRUE(Value().is_null());
}

TEST(ValueTest, TypedAccessChecksTheKind) {
  EXPECT_EQ(Value(7).as_int64(), 7);
  EXPECT_EQ(Value("x").as_string(), "x");
  EXPECT_TRUE(Value(true).as_bool());
  EXPECT_EQ(Value(0.25).as_double(), 0.25);
  EXPECT_EQ(Value::list({1, 2}).as_list().size(), 2u);
  EXPECT_EQ(Value::record({{"a", 1}}).as_record().front().first, "a");
  expect_error<SchemaError>([&] { Value(7).as_string(); },
                            {.message = "value is a int64, not a string"});
  EXPECT_THROW(Value(1.0).as_int64(), SchemaError);
  EXPECT_THROW(Value().as_record(), SchemaError);
}

TEST(ValueTest, FindLooksUpRecordFields) {
  const Value record = Value::record({{"a", 1}, {"b", Value::list({"x"})}});
  ASSERT_NE(record.find("b"), nullptr);
  EXPECT_EQ(*record.find("b"), Value::list({"x"}));
  EXPECT_EQ(record.find("c"), nullptr);
  EXPECT_EQ(Value(1).find("a"), nullptr);
}

TEST(ValueTest, EqualityIsDeepAndBitExactForDoubles) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(Value(nan), Value(nan));
  EXPECT_NE(Value(0.0), Value(-0.0));
  EXPECT_NE(Value(1), Value(1.0));
  EXPECT_EQ(Value::record({{"a", Value::list({nan})}}), Value::record({{"a", Value::list({nan})}}));
  EXPECT_NE(Value::record({{"a", 1}, {"b", 2}}), Value::record({{"b", 2}, {"a", 1}}));
  EXPECT_NE(Value::list({1, 2}), Value::list({1}));
  EXPECT_EQ(Value(), Value(nullptr));
}

TEST(ValueTest, ToStringIsJsonLike) {
  const Value value = Value::record({{"a", Value::list({1, nullptr, 2.5, true})},
                                     {"quote\"d", "line\nbreak\x01"},
                                     {"inf", std::numeric_limits<double>::infinity()}});
  EXPECT_EQ(value.to_string(),
            R"({"a": [1, null, 2.5, true], "quote\"d": "line\nbreak\u0001", "inf": inf})");
}

TEST(InferTypeTest, Scalars) {
  EXPECT_EQ(*infer_type(std::vector<Value>{1, 2}), *int64());
  EXPECT_EQ(*infer_type(std::vector<Value>{1.5, nullptr}), *float64());
  EXPECT_EQ(*infer_type(std::vector<Value>{"a"}), *utf8());
  EXPECT_EQ(*infer_type(std::vector<Value>{false}), *boolean());
}

TEST(InferTypeTest, IntAndDoubleUnifyToFloat64) {
  EXPECT_EQ(*infer_type(std::vector<Value>{1, 2.5}), *float64());
  EXPECT_EQ(*infer_type(std::vector<Value>{2.5, 1}), *float64());
  const std::vector<Value> rows = {Value::list({1, 2}), Value::list({0.5})};
  EXPECT_EQ(*infer_type(rows), *list(float64()));
}

TEST(InferTypeTest, AllNullPositionsGetTheNullType) {
  EXPECT_EQ(*infer_type(std::vector<Value>{nullptr, nullptr}), *null_type());
  EXPECT_EQ(*infer_type(std::vector<Value>{}), *null_type());
  EXPECT_EQ(*infer_type(std::vector<Value>{Value::list({})}), *list(null_type()));
  EXPECT_EQ(*infer_type(std::vector<Value>{Value::record({{"a", nullptr}})}),
            *struct_({{"a", null_type()}}));
  // A value elsewhere decides.
  EXPECT_EQ(
      *infer_type(std::vector<Value>{Value::record({{"a", nullptr}}), Value::record({{"a", 1.5}})}),
      *struct_({{"a", float64()}}));
}

TEST(InferTypeTest, RecordsUnifyByFieldNameInOrderOfFirstAppearance) {
  const std::vector<Value> rows = {
      Value::record({{"b", 1}, {"a", "x"}}),
      Value::record({{"c", true}, {"a", "y"}}),
      Value::record({{"a", nullptr}, {"d", Value::record({{"e", 1.5}})}, {"b", 2}}),
  };
  EXPECT_EQ(infer_type(rows)->to_string(),
            "struct<b: int64, a: utf8, c: bool, d: struct<e: float64>>");
}

TEST(InferTypeTest, NestedListsOfRecordsUnifyTheirItems) {
  const std::vector<Value> rows = {
      Value::record({{"pairs", Value::list({Value::record({{"x", "p"}, {"w", 1}})})}}),
      Value::record({{"pairs", Value::list({})}}),
      Value::record({{"pairs", Value::list({Value::record({{"w", 0.5}, {"y", "q"}}),
                                            Value::record({{"x", nullptr}})})}}),
  };
  EXPECT_EQ(infer_type(rows)->to_string(),
            "struct<pairs: list<struct<x: utf8, w: float64, y: utf8>>>");
}

TEST(InferTypeTest, ConflictsNameThePositionAndRow) {
  expect_error<SchemaError>(
      [&] {
        infer_type(std::vector<Value>{Value::record({{"a", 1}}), Value::record({{"a", "one"}})});
      },
      {.message_has = {"cannot combine int64 and string values at 'a'"}, .column = "a", .row = 1});
  expect_error<SchemaError>(
      [&] {
        infer_type(std::vector<Value>{
            Value::record({{"a", Value::list({Value::record({{"b", true}})})}}),
            Value::record({{"a", Value::list({Value::record({{"b", Value::list({})}})})}})});
      },
      {.column = "a[].b", .row = 1});
  expect_error<SchemaError>(
      [&] {
        infer_type(std::vector<Value>{1, Value::record({})});
      },
      {.message_has = {"at the top level"}});
}

TEST(ArrayFromValuesTest, MissingFieldsBecomeNulls) {
  const std::vector<Value> rows = {
      Value::record({{"b", 1}, {"a", "x"}}),
      Value::record({{"a", "y"}, {"c", Value::list({true})}}),
      Value(),
  };
  const ArrayPtr array = array_from_values(rows);
  // Expected rows: every member of the inferred type, missing ones null.
  const std::vector<Value> expected = {
      Value::record({{"b", 1}, {"a", "x"}, {"c", nullptr}}),
      Value::record({{"b", nullptr}, {"a", "y"}, {"c", Value::list({true})}}),
      Value(),
  };
  EXPECT_EQ(values_of(*array), expected);
  EXPECT_EQ(array->null_count(), 1);
  EXPECT_NO_THROW(array->validate());
}

TEST(ArrayFromValuesTest, IntsInAFloatPositionConvertWhenExact) {
  const ArrayPtr array = array_from_values(std::vector<Value>{1, 2.5, nullptr, -9007199254740992});
  EXPECT_EQ(values_of(*array), (std::vector<Value>{1.0, 2.5, nullptr, -9007199254740992.0}));
}

TEST(ArrayFromValuesTest, InexactIntsInAFloatPositionAreAnError) {
  const int64_t inexact = (int64_t{1} << 53) + 1;
  expect_error<SchemaError>(
      [&] {
        array_from_values(std::vector<Value>{Value::list({0.5}), Value::list({1, inexact})});
      },
      {.message_has = {"9007199254740993"}, .column = "[]", .row = 1});
  EXPECT_THROW(array_from_values(std::vector<Value>{std::numeric_limits<int64_t>::max(), 0.5}),
               SchemaError);
}

TEST(ArrayFromValuesTest, WithATypeHint) {
  const TypePtr type = struct_({{"id", int64()}, {"score", float64()}, {"tags", list(utf8())}});
  const ArrayPtr array =
      array_from_values(std::vector<Value>{Value::record({{"score", 3}, {"id", 1}})}, type);
  EXPECT_EQ(*array->type(), *type);
  EXPECT_EQ(array->value_at(0), Value::record({{"id", 1}, {"score", 3.0}, {"tags", nullptr}}));

  expect_error<SchemaError>(
      [&] {
        array_from_values(std::vector<Value>{Value::record({{"id", 1}, {"extra", 2}})}, type);
      },
      {.column = "extra", .row = 0});
  expect_error<SchemaError>(
      [&] {
        array_from_values(std::vector<Value>{Value::record({{"id", 1.5}})}, type);
      },
      {.message_has = {"expected int64 at 'id', got double 1.5"}, .column = "id"});
  EXPECT_THROW(array_from_values(std::vector<Value>{Value::record({{"tags", "x"}})}, type),
               SchemaError);
}

TEST(ArrayFromValuesTest, AllNullWithATypeHintIsTyped) {
  const ArrayPtr array = array_from_values(std::vector<Value>{nullptr, nullptr}, float64());
  EXPECT_EQ(*array->type(), *float64());
  EXPECT_EQ(array->null_count(), 2);
  const ArrayPtr inferred = array_from_values(std::vector<Value>{nullptr});
  EXPECT_EQ(*inferred->type(), *null_type());
  EXPECT_EQ(inferred->null_count(), 1);
  EXPECT_EQ(inferred->to_string(), "[null]");
  EXPECT_THROW(array_from_values(std::vector<Value>{nullptr, 1}, null_type()), SchemaError);
}

TEST(ArrayFromValuesTest, DuplicateRecordFieldsAreAnError) {
  expect_error<SchemaError>(
      [&] {
        array_from_values(std::vector<Value>{Value::record({{"a", 1}, {"a", 2}})});
      },
      {.message_has = {"'a' twice"}});
}

TEST(ArrayFromValuesTest, NestedListsOfRecordsRoundTrip) {
  const std::vector<Value> rows = {
      Value::list({Value::record({{"x", Value::list({Value::list({1, 2}), Value()})}})}),
      Value::list({Value(), Value::record({{"x", nullptr}})}),
      Value::list({Value::record({{"x", Value::list({Value::list({})})}})}),
  };
  const ArrayPtr array = array_from_values(rows);
  EXPECT_EQ(array->type()->to_string(), "list<struct<x: list<list<int64>>>>");
  EXPECT_EQ(values_of(*array), rows);
}

TEST(ArrayFromValuesTest, WideRecordsInVaryingFieldOrder) {
  std::vector<Value> rows;
  for (int row = 0; row < 20; ++row) {
    Value::Record record;
    for (int k = 0; k < 40; ++k) {
      const int field = (k * 7 + row) % 40;  // a different order in every row
      record.emplace_back("f" + std::to_string(field), row * 100 + field);
    }
    rows.push_back(Value::record(std::move(record)));
  }
  const ArrayPtr array = array_from_values(rows);
  ASSERT_EQ(array->num_children(), 40u);
  for (int row = 0; row < 20; ++row) {
    const Value value = array->value_at(row);
    for (int field = 0; field < 40; ++field) {
      const Value* cell = value.find("f" + std::to_string(field));
      ASSERT_NE(cell, nullptr);
      EXPECT_EQ(cell->as_int64(), row * 100 + field);
    }
  }
}

}  // namespace
}  // namespace crv::frame
