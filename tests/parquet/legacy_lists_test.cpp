// Lists in the layouts older writers use (two-level lists, the `array` and `_tuple` forms,
// bare repeated fields) read as the lists the three-level layout gives. Each file here is
// written in the three-level layout, then its schema is rewritten into a legacy one with
// the same definition and repetition levels, so the pages stay valid as they are.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crv/frame/builders.hpp"
#include "crv/frame/frame.hpp"
#include "crv/parquet/reader.hpp"
#include "crv/parquet/writer.hpp"
#include "parquet/test_files.hpp"

namespace crv::parquet {
namespace {

using test_files::read_back;
using test_files::with_schema;

using format::FieldRepetitionType;
using format::SchemaElement;
using frame::Value;
using test_files::Bytes;

// Writes the single column of `rows` as `field`, whose type may declare the items
// required that `rows` (built from values) leaves nullable.
Bytes write_with(const frame::Frame& rows, const frame::Field& field) {
  frame::ArrayData data = rows.column(0)->data();
  data.type = field.type;
  const frame::Frame typed({{field.name, frame::Array::make(std::move(data))}});
  Bytes out;
  const std::vector<frame::Field> fields{field};
  write_parquet(typed, fields, WriterOptions{}, out);
  return out;
}

SchemaElement element(std::string name, FieldRepetitionType repetition,
                      std::optional<int32_t> children = std::nullopt) {
  SchemaElement result;
  result.name = std::move(name);
  result.repetition_type = repetition;
  result.num_children = children;
  return result;
}

SchemaElement root() {
  SchemaElement result;
  result.name = "schema";
  result.num_children = 1;
  return result;
}

SchemaElement list_group(FieldRepetitionType repetition) {
  SchemaElement result = element("l", repetition, 1);
  result.converted_type = format::ConvertedType::kList;
  return result;
}

SchemaElement int64_leaf(std::string name, FieldRepetitionType repetition) {
  SchemaElement result = element(std::move(name), repetition);
  result.type = format::Type::kInt64;
  return result;
}

SchemaElement utf8_leaf(std::string name) {
  SchemaElement result = element(std::move(name), FieldRepetitionType::kOptional);
  result.type = format::Type::kByteArray;
  result.converted_type = format::ConvertedType::kUtf8;
  return result;
}

// Asserts that `legacy` reads as exactly what the three-level `file` reads as.
void expect_same_rows(const Bytes& file, const Bytes& legacy) {
  const frame::Frame expected = read_back(file);
  const frame::Frame actual = read_back(legacy);
  ASSERT_EQ(actual.num_rows(), expected.num_rows());
  EXPECT_TRUE(actual.column(0)->type()->equals(*expected.column(0)->type()))
      << actual.column(0)->type()->to_string() << " vs " << expected.column(0)->type()->to_string();
  EXPECT_TRUE(actual.column(0)->equals(*expected.column(0)))
      << actual.column(0)->to_string() << " vs " << expected.column(0)->to_string();
}

frame::Frame integer_lists() {
  return frame::Frame::from_rows(std::vector<Value>{
      Value::record({{"l", Value::list({Value(int64_t{1}), Value(int64_t{2})})}}),
      Value::record({{"l", Value(nullptr)}}), Value::record({{"l", Value::list({})}}),
      Value::record({{"l", Value::list({Value(int64_t{-3})})}})});
}

TEST(LegacyLists, ARepeatedLeafUnderAListGroupIsTheItem) {
  const frame::Frame rows = integer_lists();
  const Bytes file =
      write_with(rows, {"l", frame::list(frame::Field{"item", frame::int64(), false}), true});
  const Bytes legacy = with_schema(file, {root(), list_group(FieldRepetitionType::kOptional),
                                          int64_leaf("array", FieldRepetitionType::kRepeated)});
  expect_same_rows(file, legacy);
}

TEST(LegacyLists, ABareRepeatedFieldIsARequiredListOfRequiredItems) {
  const frame::Frame rows = frame::Frame::from_rows(std::vector<Value>{
      Value::record({{"l", Value::list({Value(int64_t{1}), Value(int64_t{2})})}}),
      Value::record({{"l", Value::list({})}}),
      Value::record({{"l", Value::list({Value(int64_t{7})})}})});
  const Bytes file =
      write_with(rows, {"l", frame::list(frame::Field{"item", frame::int64(), false}), false});
  const Bytes legacy = with_schema(file, {root(), int64_leaf("l", FieldRepetitionType::kRepeated)});
  expect_same_rows(file, legacy);
}

// Records of lists: the repeated group is the item when it has several members, or one
// member and the name `array` or `<list>_tuple`.
frame::Frame record_lists(bool two_members) {
  std::vector<Value> rows;
  for (int64_t i = 0; i < 5; ++i) {
    std::vector<Value> items;
    for (int64_t k = 0; k < i % 3; ++k) {
      std::vector<std::pair<std::string, Value>> members{{"a", Value(i * 10 + k)}};
      if (two_members) members.emplace_back("b", k == 1 ? Value(nullptr) : Value("s"));
      items.push_back(Value::record(std::move(members)));
    }
    rows.push_back(Value::record({{"l", i == 3 ? Value(nullptr) : Value::list(std::move(items))}}));
  }
  return frame::Frame::from_rows(rows);
}

frame::Field record_list_field(const frame::Frame& rows) {
  // Items are required records, as a legacy repeated group's are.
  return {"l", frame::list(frame::Field{"item", rows.column(0)->type()->item_type(), false}), true};
}

TEST(LegacyLists, ARepeatedGroupOfSeveralMembersIsTheItem) {
  const frame::Frame rows = record_lists(true);
  const Bytes file = write_with(rows, record_list_field(rows));
  const Bytes legacy =
      with_schema(file, {root(), list_group(FieldRepetitionType::kOptional),
                         element("bag", FieldRepetitionType::kRepeated, 2),
                         int64_leaf("a", FieldRepetitionType::kOptional), utf8_leaf("b")});
  expect_same_rows(file, legacy);
}

TEST(LegacyLists, TheArrayAndTupleNamesMakeAOneMemberGroupTheItem) {
  const frame::Frame rows = record_lists(false);
  const Bytes file = write_with(rows, record_list_field(rows));
  for (const std::string name : {"array", "l_tuple"}) {
    SCOPED_TRACE(name);
    const Bytes legacy = with_schema(file, {root(), list_group(FieldRepetitionType::kOptional),
                                            element(name, FieldRepetitionType::kRepeated, 1),
                                            int64_leaf("a", FieldRepetitionType::kOptional)});
    expect_same_rows(file, legacy);
  }
}

}  // namespace
}  // namespace crv::parquet
