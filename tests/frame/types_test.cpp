// Tests of the frame's logical types.

#include "crv/frame/types.hpp"

#include <gtest/gtest.h>

#include "crv/core/errors.hpp"
#include "support/expect_error.hpp"

namespace crv::frame {
namespace {

using test_support::expect_error;

TEST(DataTypeTest, PrimitiveFactoriesHaveTheirIds) {
  EXPECT_EQ(int64()->id(), TypeId::Int64);
  EXPECT_EQ(float64()->id(), TypeId::Float64);
  EXPECT_EQ(utf8()->id(), TypeId::Utf8);
  EXPECT_EQ(boolean()->id(), TypeId::Bool);
  EXPECT_FALSE(int64()->is_nested());
  EXPECT_EQ(int64()->to_string(), "int64");
  EXPECT_EQ(boolean()->to_string(), "bool");
}

TEST(DataTypeTest, NestedToString) {
  const TypePtr type = struct_({{"a", int64()}, {"b", list(utf8())}});
  EXPECT_EQ(type->to_string(), "struct<a: int64, b: list<utf8>>");
  EXPECT_TRUE(type->is_nested());

  const TypePtr strict =
      struct_({{"x", float64(), false}, {"y", list(Field{"item", utf8(), false})}});
  EXPECT_EQ(strict->to_string(), "struct<x: float64 not null, y: list<utf8 not null>>");
  EXPECT_EQ(list(Field{"element", boolean()})->to_string(), "list<element: bool>");
}

TEST(DataTypeTest, EqualityIsStructural) {
  const TypePtr a = struct_({{"a", int64()}, {"b", list(struct_({{"c", utf8()}}))}});
  const TypePtr b = struct_({{"a", int64()}, {"b", list(struct_({{"c", utf8()}}))}});
  EXPECT_NE(a.get(), b.get());
  EXPECT_EQ(*a, *b);
  EXPECT_TRUE(same_type(a, b));

  EXPECT_NE(*a, *struct_({{"a", int64()}, {"b", list(struct_({{"d", utf8()}}))}}));
  EXPECT_NE(*a, *struct_({{"a", int64(), false}, {"b", list(struct_({{"c", utf8()}}))}}));
  EXPECT_NE(*a, *struct_({{"b", list(struct_({{"c", utf8()}}))}, {"a", int64()}}));
  EXPECT_NE(*list(utf8()), *list(Field{"element", utf8()}));
  EXPECT_NE(*int64(), *float64());
  EXPECT_FALSE(same_type(a, nullptr));
  EXPECT_TRUE(same_type(nullptr, nullptr));
}

TEST(DataTypeTest, FieldLookupByName) {
  const TypePtr type = struct_({{"first", int64()}, {"second", utf8(), false}});
  EXPECT_EQ(type->num_fields(), 2u);
  EXPECT_EQ(type->field_index("second"), 1u);
  EXPECT_EQ(type->field_index("third"), std::nullopt);
  ASSERT_NE(type->find_field("second"), nullptr);
  EXPECT_FALSE(type->find_field("second")->nullable);
  EXPECT_EQ(type->find_field("missing"), nullptr);
  EXPECT_EQ(list(int64())->field_index("item"), std::nullopt);
}

TEST(DataTypeTest, ListItemAccess) {
  const TypePtr type = list(Field{"element", float64(), false});
  EXPECT_EQ(type->item_field().name, "element");
  EXPECT_FALSE(type->item_field().nullable);
  EXPECT_EQ(*type->item_type(), *float64());
  EXPECT_EQ(list(int64())->item_field().name, "item");
  EXPECT_TRUE(list(int64())->item_field().nullable);
  EXPECT_THROW(int64()->item_field(), SchemaError);
}

TEST(DataTypeTest, StructRejectsBadMembers) {
  expect_error<SchemaError>(
      [&] {
        struct_({{"a", int64()}, {"a", utf8()}});
      },
      {.message_has = {"'a' appears twice"}, .column = "a"});
  EXPECT_THROW(struct_({{"", int64()}}), SchemaError);
  EXPECT_THROW(struct_({{"x", nullptr}}), SchemaError);
  EXPECT_THROW(list(Field{"item", nullptr}), SchemaError);
}

TEST(FieldTest, EqualityAndText) {
  EXPECT_EQ((Field{"a", int64()}), (Field{"a", int64()}));
  EXPECT_NE((Field{"a", int64()}), (Field{"a", int64(), false}));
  EXPECT_NE((Field{"a", int64()}), (Field{"b", int64()}));
  EXPECT_EQ((Field{"a", utf8(), false}).to_string(), "a: utf8 not null");
}

}  // namespace
}  // namespace crv::frame
