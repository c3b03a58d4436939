// Tests of Array construction, layout checks, slicing and values.

#include "crv/frame/array.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

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

using Record = Value::Record;

std::vector<Value> pick(const std::vector<Value>& rows, const std::vector<int64_t>& indices) {
  std::vector<Value> picked;
  for (int64_t index : indices) picked.push_back(rows[static_cast<size_t>(index)]);
  return picked;
}

std::vector<Value> range_of(const std::vector<Value>& rows, size_t offset, size_t length) {
  return {rows.begin() + static_cast<std::ptrdiff_t>(offset),
          rows.begin() + static_cast<std::ptrdiff_t>(offset + length)};
}

TEST(ArrayTest, TypedPointerAccessorsCheckTheType) {
  const ArrayPtr strings = make_utf8({"a"});
  EXPECT_THROW(strings->int64_values(), SchemaError);
  EXPECT_THROW(strings->float64_values(), SchemaError);
  EXPECT_THROW(strings->bool_bits(), SchemaError);
  EXPECT_THROW(strings->list_items(), SchemaError);
  EXPECT_THROW(strings->field(0), SchemaError);
  EXPECT_THROW(make_int64({1})->value_offsets(), SchemaError);
  EXPECT_THROW(make_int64({1})->string_data(), SchemaError);
  EXPECT_NO_THROW(make_list({0, 1}, make_int64({1}))->value_offsets());
}

TEST(ArrayTest, NullCountIsCountedFromTheBitmapWhenUnknown) {
  BufferBuilder values;
  values.resize_zeroed(10 * 8);
  uint8_t validity[2] = {0b10110101, 0b00000011};
  const ArrayPtr array = Array::make({.type = int64(),
                                      .length = 10,
                                      .validity = Buffer::copy(validity, 2),
                                      .values = values.finish()});
  int64_t expected = 0;
  for (int64_t i = 0; i < 10; ++i) expected += array->is_null(i);
  EXPECT_EQ(array->null_count(), expected);
  int64_t expected_in_slice = 0;
  for (int64_t i = 2; i < 7; ++i) expected_in_slice += array->is_null(i);
  EXPECT_EQ(array->slice(2, 5)->null_count(), expected_in_slice);
}

TEST(ArrayTest, MakeChecksBufferSizes) {
  const BufferPtr eight_bytes = Buffer::copy("01234567", 8);
  EXPECT_THROW(Array::make({.type = int64(), .length = 2, .values = eight_bytes}), SchemaError);
  EXPECT_NO_THROW(Array::make({.type = int64(), .length = 1, .values = eight_bytes}));
  EXPECT_THROW(Array::make({.type = int64(), .length = 1, .offset = 1, .values = eight_bytes}),
               SchemaError);
  EXPECT_THROW(Array::make({.type = int64(), .length = 1}), SchemaError);
  EXPECT_THROW(Array::make({.type = nullptr, .length = 0}), SchemaError);
  EXPECT_THROW(Array::make({.type = int64(), .length = -1}), SchemaError);
  expect_error<SchemaError>(
      [&] { Array::make({.type = int64(), .length = 1, .null_count = 1, .values = eight_bytes}); },
      {.message_has = {"no validity bitmap"}});
  EXPECT_THROW(
      Array::make(
          {.type = int64(), .length = 1, .validity = Buffer::empty(), .values = eight_bytes}),
      SchemaError);
  EXPECT_THROW(
      Array::make({.type = int64(), .length = 1, .offsets = eight_bytes, .values = eight_bytes}),
      SchemaError);
}

TEST(ArrayTest, MakeRejectsMisalignedValues) {
  const BufferPtr bytes = Buffer::copy("0123456789abcdef", 16);
  const BufferPtr shifted = Buffer::wrap(bytes->data() + 1, 8, bytes);
  EXPECT_THROW(Array::make({.type = int64(), .length = 1, .values = shifted}), SchemaError);
}

TEST(ArrayTest, MakeChecksChildren) {
  const TypePtr type = struct_({{"a", int64()}});
  EXPECT_THROW(Array::make({.type = type, .length = 1}), SchemaError);
  EXPECT_THROW(Array::make({.type = type, .length = 1, .children = {make_utf8({"x"})}}),
               SchemaError);
  EXPECT_THROW(Array::make({.type = type, .length = 2, .children = {make_int64({1})}}),
               SchemaError);
  EXPECT_THROW(Array::make({.type = type, .length = 1, .offset = 1, .children = {make_int64({1})}}),
               SchemaError);
  EXPECT_NO_THROW(
      Array::make({.type = type, .length = 1, .offset = 1, .children = {make_int64({1, 2})}}));
  EXPECT_THROW(Array::make({.type = int64(),
                            .length = 1,
                            .values = make_int64({1})->values_buffer(),
                            .children = {make_int64({1})}}),
               SchemaError);
  const int32_t offsets[] = {0, 3};
  EXPECT_THROW(Array::make({.type = list(int64()),
                            .length = 1,
                            .offsets = Buffer::copy(offsets, 8),
                            .children = {make_int64({1, 2})}}),
               SchemaError);
}

TEST(ArrayTest, EmptyStringAndListArraysNeedNoOffsets) {
  const ArrayPtr strings = Array::make({.type = utf8(), .length = 0});
  EXPECT_EQ(strings->value_offsets()[0], 0);
  const ArrayPtr lists = Array::make(
      {.type = list(int64()), .length = 0, .children = {make_int64(std::vector<int64_t>{})}});
  EXPECT_EQ(lists->length(), 0);
  EXPECT_NO_THROW(lists->validate());
}

TEST(ArrayTest, ValueAtAndToString) {
  const ArrayPtr array = array_from_values(nested_rows(), nested_type());
  EXPECT_EQ(values_of(*array), nested_rows());
  EXPECT_THROW(array->value_at(-1), SchemaError);
  EXPECT_THROW(array->value_at(array->length()), SchemaError);
  EXPECT_EQ(make_utf8({"a\"b", std::nullopt})->to_string(), R"(["a\"b", null])");
}

TEST(ArraySliceTest, PrimitiveSlicesShareBuffers) {
  const ArrayPtr array = make_int64({0, 1, std::nullopt, 3, 4, 5});
  const ArrayPtr slice = array->slice(2, 3);
  EXPECT_EQ(slice->offset(), 2);
  EXPECT_EQ(slice->length(), 3);
  EXPECT_EQ(slice->values_buffer(), array->values_buffer());
  EXPECT_EQ(slice->int64_values(), array->int64_values() + 2);
  EXPECT_EQ(slice->to_string(), "[null, 3, 4]");
  EXPECT_EQ(slice->null_count(), 1);
  const ArrayPtr inner = slice->slice(1, 2);
  EXPECT_EQ(inner->offset(), 3);
  EXPECT_EQ(inner->to_string(), "[3, 4]");
  EXPECT_EQ(inner->null_count(), 0);
  EXPECT_EQ(array->slice(6, 0)->length(), 0);
}

TEST(ArraySliceTest, OutOfRangeIsAnError) {
  const ArrayPtr array = make_int64({1, 2, 3});
  EXPECT_THROW(array->slice(2, 2), SchemaError);
  EXPECT_THROW(array->slice(-1, 1), SchemaError);
  EXPECT_THROW(array->slice(0, -1), SchemaError);
  EXPECT_THROW(array->slice(4, 0), SchemaError);
  EXPECT_THROW(array->slice(1, std::numeric_limits<int64_t>::max()), SchemaError);
}

TEST(ArraySliceTest, StringAndBoolSlices) {
  const ArrayPtr strings = make_utf8({"zero", "one", std::nullopt, "three"});
  EXPECT_EQ(strings->slice(1, 3)->to_string(), R"(["one", null, "three"])");
  EXPECT_EQ(strings->slice(1, 3)->string_at(2), "three");
  const ArrayPtr flags = make_bool({true, false, true, true, false, false, true, false, true});
  EXPECT_EQ(flags->slice(6, 3)->to_string(), "[true, false, true]");
  EXPECT_TRUE(flags->slice(6, 3)->bool_at(2));
}

TEST(ArraySliceTest, StructSliceAddressesChildrenThroughTheParentOffset) {
  const ArrayPtr array =
      make_struct({{"a", make_int64({1, 2, 3, 4})}, {"b", make_utf8({"w", "x", "y", "z"})}},
                  {true, false, true, true});
  const ArrayPtr slice = array->slice(1, 2);
  EXPECT_EQ(slice->child(0), array->child(0));  // children are not sliced
  EXPECT_TRUE(slice->value_at(0).is_null());
  EXPECT_EQ(slice->value_at(1), Value::record({{"a", 3}, {"b", "y"}}));
  EXPECT_EQ(slice->field(0)->to_string(), "[2, 3]");
  EXPECT_EQ(slice->find_field("b")->to_string(), R"(["x", "y"])");
}

TEST(ArraySliceTest, ListOfStructSlicesMatchTheRows) {
  const std::vector<Value> rows = nested_rows();
  const ArrayPtr array = array_from_values(rows, nested_type());
  for (size_t offset = 0; offset <= rows.size(); ++offset) {
    for (size_t length = 0; offset + length <= rows.size(); ++length) {
      const ArrayPtr slice =
          array->slice(static_cast<int64_t>(offset), static_cast<int64_t>(length));
      ASSERT_EQ(values_of(*slice), range_of(rows, offset, length))
          << "slice " << offset << "+" << length;
      ASSERT_TRUE(slice->equals(*array_from_values(range_of(rows, offset, length), nested_type())));
    }
  }
}

TEST(ArrayTakeTest, PrimitivesWithNulls) {
  const ArrayPtr array = make_float64({0.5, std::nullopt, 2.5, 3.5});
  const std::vector<int64_t> indices = {3, 1, 0, 3};
  const ArrayPtr taken = array->take(indices);
  EXPECT_EQ(taken->offset(), 0);
  EXPECT_EQ(taken->to_string(), "[3.5, null, 0.5, 3.5]");
  EXPECT_EQ(taken->null_count(), 1);
  const ArrayPtr no_nulls = array->take(std::vector<int64_t>{0, 2});
  EXPECT_EQ(no_nulls->validity_bits(), nullptr);
  EXPECT_EQ(array->take({})->length(), 0);
}

TEST(ArrayTakeTest, StringsAndBools) {
  const ArrayPtr strings = make_utf8({"a", std::nullopt, "ccc", ""});
  EXPECT_EQ(strings->take(std::vector<int64_t>{2, 2, 1, 3, 0})->to_string(),
            R"(["ccc", "ccc", null, "", "a"])");
  const ArrayPtr flags = make_bool({true, std::nullopt, false});
  EXPECT_EQ(flags->take(std::vector<int64_t>{2, 0, 1})->to_string(), "[false, true, null]");
}

// Strings of every length from empty to 40 bytes, taken out of order and twice over,
// between nulls: each keeps exactly its bytes.
TEST(ArrayTakeTest, StringsOfEveryLengthKeepTheirBytes) {
  std::vector<std::optional<std::string>> values;
  for (int length = 0; length <= 40; ++length) {
    std::string text;
    for (int i = 0; i < length; ++i) text.push_back(static_cast<char>('a' + (length + i) % 26));
    values.emplace_back(text);
    values.emplace_back(std::nullopt);
  }
  std::vector<std::optional<std::string_view>> views(values.begin(), values.end());
  const ArrayPtr strings = make_utf8(views);
  std::vector<int64_t> indices;
  for (int64_t i = strings->length() - 1; i >= 0; --i) indices.push_back(i);
  for (int64_t i = 0; i < strings->length(); i += 3) indices.push_back(i);
  const ArrayPtr taken = strings->take(indices);
  ASSERT_EQ(taken->length(), static_cast<int64_t>(indices.size()));
  for (size_t k = 0; k < indices.size(); ++k) {
    const auto& expected = values[static_cast<size_t>(indices[k])];
    ASSERT_EQ(taken->is_valid(static_cast<int64_t>(k)), expected.has_value()) << k;
    if (expected) {
      EXPECT_EQ(taken->string_at(static_cast<int64_t>(k)), *expected) << k;
    }
  }
}

// Every type, sliced so its slots do not start at its buffers' start, split into four
// groups (one of them empty): each group is what take() of its slots gives.
TEST(ArrayPartitionTest, EachGroupIsTheTakeOfItsSlots) {
  const std::vector<ArrayPtr> arrays = {
      make_int64({1, std::nullopt, 3, 4, 5, std::nullopt, 7, 8, 9, 10})->slice(1, 8),
      make_float64({0.5, 1.5, -0.0, std::nullopt, 4.5, 5.5, 6.5, 7.5, 8.5})->slice(1, 8),
      make_bool({true, false, std::nullopt, true, true, false, std::nullopt, false, true})
          ->slice(1, 8),
      make_utf8({"x", "", "agent-0000001", std::nullopt, "a label longer than sixteen", "b",
                 std::nullopt, "é", "cc"})
          ->slice(1, 8),
      make_utf8({"no", "nulls", "at", "all", "in", "these", "eight", "strings"}),
      array_from_values(nested_rows(), nested_type())->slice(0, 8),
      make_null_array(int64(), 8),
  };
  const std::vector<uint32_t> groups = {2, 0, 2, 1, 0, 0, 2, 1};
  for (const ArrayPtr& array : arrays) {
    SCOPED_TRACE(array->type()->to_string());
    ASSERT_EQ(array->length(), 8);
    const std::vector<ArrayPtr> parts = array->partition(groups, 4);
    ASSERT_EQ(parts.size(), 4u);
    for (uint32_t group = 0; group < 4; ++group) {
      std::vector<int64_t> slots;
      for (size_t i = 0; i < groups.size(); ++i) {
        if (groups[i] == group) slots.push_back(static_cast<int64_t>(i));
      }
      const ArrayPtr expected = array->take(slots);
      EXPECT_TRUE(parts[group]->equals(*expected))
          << "group " << group << ": " << parts[group]->to_string() << " against "
          << expected->to_string();
      EXPECT_EQ(parts[group]->null_count(), expected->null_count()) << "group " << group;
      EXPECT_EQ(parts[group]->offset(), 0);
    }
  }
}

// A thousand slots from an odd offset into 37 groups at random: validity and values
// cross byte boundaries in every group, and null strings keep no characters even where
// the source's null slots span some.
TEST(ArrayPartitionTest, ManySlotsIntoManyGroupsMatchTake) {
  std::vector<std::optional<std::string>> texts;
  std::vector<std::optional<int64_t>> numbers;
  std::vector<std::optional<bool>> flags;
  for (int i = 0; i < 1003; ++i) {
    const bool null = i % 7 == 3;
    texts.push_back(null ? std::nullopt : std::optional(std::string(i % 23, 'a' + i % 26)));
    numbers.push_back(null ? std::nullopt : std::optional<int64_t>(i * 31));
    flags.push_back(i % 5 == 1 ? std::nullopt : std::optional(i % 3 == 0));
  }
  std::vector<std::optional<std::string_view>> views(texts.begin(), texts.end());
  const ArrayPtr strings = make_utf8(views);
  // The same strings with characters under the null slots: 'n' repeated.
  BufferBuilder characters;
  std::vector<int32_t> offsets = {0};
  for (const auto& text : texts) {
    const std::string bytes = text ? *text : std::string(5, 'n');
    characters.append(bytes.data(), static_cast<int64_t>(bytes.size()));
    offsets.push_back(offsets.back() + static_cast<int32_t>(bytes.size()));
  }
  BufferBuilder offset_bytes;
  offset_bytes.append(offsets.data(), static_cast<int64_t>(offsets.size() * sizeof(int32_t)));
  const ArrayPtr filled_nulls = Array::make({.type = utf8(),
                                             .length = strings->length(),
                                             .validity = strings->validity_buffer(),
                                             .offsets = offset_bytes.finish(),
                                             .values = characters.finish()});
  std::mt19937 random(5);
  std::vector<uint32_t> groups(1000);
  for (uint32_t& group : groups) group = random() % 37;
  for (const ArrayPtr& array : {strings, filled_nulls, make_int64(numbers), make_bool(flags)}) {
    SCOPED_TRACE(array->type()->to_string());
    const ArrayPtr sliced = array->slice(3, 1000);
    const std::vector<ArrayPtr> parts = sliced->partition(groups, 37);
    for (uint32_t group = 0; group < 37; ++group) {
      std::vector<int64_t> slots;
      for (size_t i = 0; i < groups.size(); ++i) {
        if (groups[i] == group) slots.push_back(static_cast<int64_t>(i));
      }
      const ArrayPtr expected = sliced->take(slots);
      ASSERT_TRUE(parts[group]->equals(*expected)) << "group " << group;
      if (array->type_id() == TypeId::Utf8) {
        EXPECT_EQ(parts[group]->values_buffer()->size(), expected->values_buffer()->size())
            << "group " << group;
      }
    }
  }
}

TEST(ArrayPartitionTest, GroupsMustCoverEverySlotWithinTheirCount) {
  const ArrayPtr array = make_int64({1, 2, 3});
  expect_error<SchemaError>(
      [&] {
        array->partition(std::vector<uint32_t>{0, 1}, 2);
      },
      {.message_has = {"a group for each of the 3 slots, got 2"}});
  expect_error<SchemaError>(
      [&] {
        array->partition(std::vector<uint32_t>{0, 2, 1}, 2);
      },
      {.message_has = {"group 2 (slot 1) is out of range for 2 groups"}});
}

TEST(ArrayTakeTest, OutOfRangeIndexNamesThePosition) {
  const ArrayPtr array = make_int64({1, 2});
  expect_error<SchemaError>(
      [&] {
        array->take(std::vector<int64_t>{0, 2});
      },
      {.message_has = {"take index 2"}, .row = 1});
  EXPECT_THROW(array->take(std::vector<int64_t>{-1}), SchemaError);
}

TEST(ArrayTakeTest, StructFromASliceUsesTheParentOffset) {
  const ArrayPtr array =
      make_struct({{"a", make_int64({1, 2, 3, 4, 5})}, {"b", make_utf8({"v", "w", "x", "y", "z"})}},
                  {true, true, false, true, true});
  const ArrayPtr slice = array->slice(1, 4);  // rows 2, null, 4, 5
  const ArrayPtr taken = slice->take(std::vector<int64_t>{3, 1, 0});
  EXPECT_EQ(taken->value_at(0), Value::record({{"a", 5}, {"b", "z"}}));
  EXPECT_TRUE(taken->value_at(1).is_null());
  EXPECT_EQ(taken->value_at(2), Value::record({{"a", 2}, {"b", "w"}}));
  EXPECT_EQ(taken->child(0)->length(), 3);
}

TEST(ArrayTakeTest, ListOfStructFromASliceMatchesPickedRows) {
  const std::vector<Value> rows = nested_rows();
  const ArrayPtr slice = array_from_values(rows, nested_type())->slice(2, 5);
  const std::vector<Value> sliced_rows = range_of(rows, 2, 5);
  const std::vector<std::vector<int64_t>> cases = {{},        {0},          {4, 3, 2, 1, 0},
                                                   {1, 1, 1}, {3, 0, 3, 2}, {0, 1, 2, 3, 4}};
  for (const std::vector<int64_t>& indices : cases) {
    const ArrayPtr taken = slice->take(indices);
    ASSERT_EQ(values_of(*taken), pick(sliced_rows, indices));
    EXPECT_TRUE(taken->equals(*array_from_values(pick(sliced_rows, indices), nested_type())));
    EXPECT_NO_THROW(taken->validate());
    EXPECT_EQ(taken->offset(), 0);
  }
}

TEST(ArrayTakeTest, NullListSlotsKeepNoItems) {
  // Slot 1 is null but its offsets still span an item, as another producer may leave it.
  const int32_t offsets[] = {0, 1, 2, 3};
  uint8_t validity = 0b101;
  const ArrayPtr array = Array::make({.type = list(int64()),
                                      .length = 3,
                                      .validity = Buffer::copy(&validity, 1),
                                      .offsets = Buffer::copy(offsets, sizeof(offsets)),
                                      .children = {make_int64({10, 20, 30})}});
  const ArrayPtr taken = array->take(std::vector<int64_t>{0, 1, 2});
  EXPECT_EQ(taken->list_range(1).size(), 0);
  EXPECT_EQ(taken->list_items()->length(), 2);
  EXPECT_TRUE(taken->equals(*array));
}

TEST(ArrayEqualsTest, IgnoresContentsOfNullSlots) {
  uint8_t validity = 0b101;
  const int64_t left_values[] = {1, 99, 3};
  const int64_t right_values[] = {1, -7, 3};
  const ArrayPtr left = Array::make({.type = int64(),
                                     .length = 3,
                                     .validity = Buffer::copy(&validity, 1),
                                     .values = Buffer::copy(left_values, 24)});
  const ArrayPtr right = Array::make({.type = int64(),
                                      .length = 3,
                                      .validity = Buffer::copy(&validity, 1),
                                      .values = Buffer::copy(right_values, 24)});
  EXPECT_TRUE(left->equals(*right));
  EXPECT_FALSE(left->equals(*make_int64({1, 5, 3})));
  EXPECT_TRUE(left->equals(*make_int64({1, std::nullopt, 3})));
}

TEST(ArrayEqualsTest, DoublesCompareBitForBit) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(make_float64({nan, 1.0})->equals(*make_float64({nan, 1.0})));
  EXPECT_FALSE(make_float64({-0.0})->equals(*make_float64({0.0})));
  EXPECT_FALSE(make_float64({nan})->equals(*make_float64({-nan})));
}

TEST(ArrayEqualsTest, TypesLengthsAndValuesMatter) {
  EXPECT_FALSE(make_int64({1})->equals(*make_float64({1.0})));
  EXPECT_FALSE(make_int64({1})->equals(*make_int64({1, 2})));
  EXPECT_FALSE(make_utf8({"a"})->equals(*make_utf8({"b"})));
  EXPECT_FALSE(make_utf8({"a"})->equals(*make_utf8({std::nullopt})));
  EXPECT_FALSE(make_bool({true})->equals(*make_bool({false})));
  EXPECT_TRUE(make_int64({1, 2, 3})->slice(1, 2)->equals(*make_int64({2, 3})));
}

TEST(ArrayEqualsTest, NestedDifferencesAreFound) {
  const std::vector<Value> rows = nested_rows();
  const ArrayPtr array = array_from_values(rows, nested_type());
  EXPECT_TRUE(array->equals(*array_from_values(rows, nested_type())));
  std::vector<Value> changed = rows;
  changed[5] = Value::list(
      {Value::record({{"id", 4}, {"tags", Value::list({"d"})}, {"score", 2.0}, {"flag", false}}),
       Value::record(
           {{"id", 5}, {"tags", Value::list({"e", "X"})}, {"score", 3.0}, {"flag", true}}),
       Value::record({{"id", 6}, {"tags", Value::list({"g"})}, {"score", 4.0}, {"flag", false}})});
  EXPECT_FALSE(array->equals(*array_from_values(changed, nested_type())));
  changed = rows;
  changed[2] = Value();
  EXPECT_FALSE(array->equals(*array_from_values(changed, nested_type())));
}

TEST(ArrayEqualsTest, StructMembersUnderNullRowsDoNotMatter) {
  const ArrayPtr left = make_struct({{"a", make_int64({1, 2})}}, {true, false});
  const ArrayPtr right = make_struct({{"a", make_int64({1, 3})}}, {true, false});
  EXPECT_TRUE(left->equals(*right));
  EXPECT_FALSE(left->equals(*make_struct({{"a", make_int64({1, 2})}})));
}

TEST(ArrayValidateTest, DecreasingStringOffsetsNameTheSlot) {
  const int32_t offsets[] = {0, 2, 1, 3};
  const ArrayPtr array = Array::make({.type = utf8(),
                                      .length = 3,
                                      .offsets = Buffer::copy(offsets, sizeof(offsets)),
                                      .values = Buffer::copy("abc", 3)});
  expect_error<SchemaError>([&] { array->validate(); },
                            {.message_has = {"offsets decrease from 2 to 1"}, .row = 1});
}

TEST(ArrayValidateTest, NullCountMustMatchTheBitmap) {
  uint8_t validity = 0b01;
  EXPECT_THROW(Array::make({.type = int64(),
                            .length = 2,
                            .null_count = 0,
                            .validity = Buffer::copy(&validity, 1),
                            .values = make_int64({1, 2})->values_buffer()})
                   ->validate(),
               SchemaError);
  EXPECT_NO_THROW(Array::make({.type = int64(),
                               .length = 2,
                               .null_count = 1,
                               .validity = Buffer::copy(&validity, 1),
                               .values = make_int64({1, 2})->values_buffer()})
                      ->validate());
}

TEST(ArrayValidateTest, InvalidUtf8IsFoundInNestedStrings) {
  const ArrayPtr good = make_utf8({"plain", "caf\xc3\xa9", "\xf0\x9f\x98\x80"});
  EXPECT_NO_THROW(good->validate());
  for (const std::string bad :
       {"\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff", "abcdefgh\x80"}) {
    const ArrayPtr strings = make_utf8({"ok", bad});
    EXPECT_THROW(strings->validate(), SchemaError);
    expect_error<SchemaError>(
        [&] {
          make_list({0, 2}, make_struct({{"s", strings}}))->validate();
        },
        {.message_has = {"UTF-8"}, .column = "[].s", .row = 1});
  }
  // Bytes under a null slot are not looked at.
  const int32_t offsets[] = {0, 1};
  uint8_t validity = 0;
  EXPECT_NO_THROW(Array::make({.type = utf8(),
                               .length = 1,
                               .validity = Buffer::copy(&validity, 1),
                               .offsets = Buffer::copy(offsets, 8),
                               .values = Buffer::copy("\xff", 1)})
                      ->validate());
}

TEST(ArrayValidateTest, DecreasingListOffsetsInANestedMember) {
  const int32_t offsets[] = {0, 1, 0};
  const ArrayPtr inner = Array::make({.type = list(int64()),
                                      .length = 2,
                                      .offsets = Buffer::copy(offsets, sizeof(offsets)),
                                      .children = {make_int64({1})}});
  const ArrayPtr outer = make_struct({{"inner", inner}});
  expect_error<SchemaError>([&] { outer->validate(); }, {.column = "inner", .row = 1});
}

TEST(ArrayDataTest, AnArrayRebuiltFromItsDataIsEqualAndSharesItsBuffers) {
  const ArrayPtr strings = make_utf8({"a", std::nullopt, "ccc"})->slice(1, 2);
  const ArrayData data = strings->data();
  EXPECT_EQ(data.offset, 1);
  EXPECT_EQ(data.null_count, 1);
  EXPECT_EQ(data.values, strings->values_buffer());
  const ArrayPtr rebuilt = Array::make(data);
  EXPECT_TRUE(rebuilt->equals(*strings));
  const ArrayPtr record = make_struct({{"n", make_int64({1, 2})}});
  EXPECT_EQ(record->data().children, record->children());
}

}  // namespace
}  // namespace crv::frame
