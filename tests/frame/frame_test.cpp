// Tests of Frame: construction, column edits, selection, slicing and take.

#include "crv/frame/frame.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"
#include "support/expect_error.hpp"

namespace crv::frame {
namespace {

using test_support::expect_error;

Frame sample() {
  return Frame({{"tick", make_int64({1, 2, 3, 4})},
                {"agent_id", make_utf8({"a", "b", std::nullopt, "d"})},
                {"price", make_float64({0.5, std::nullopt, 1.5, 2.5})}});
}

TEST(FrameTest, Basics) {
  const Frame frame = sample();
  EXPECT_EQ(frame.num_rows(), 4);
  EXPECT_EQ(frame.num_columns(), 3u);
  EXPECT_EQ(frame.names(), (std::vector<std::string>{"tick", "agent_id", "price"}));
  EXPECT_EQ(frame.name(1), "agent_id");
  EXPECT_EQ(frame.column(2)->to_string(), "[0.5, null, 1.5, 2.5]");
  EXPECT_EQ(frame.column("agent_id")->to_string(), R"(["a", "b", null, "d"])");
  EXPECT_EQ(frame.index_of("price"), 2u);
  EXPECT_EQ(frame.index_of("nope"), std::nullopt);
  EXPECT_TRUE(frame.has_column("tick"));
  EXPECT_EQ(frame.find("nope"), nullptr);
  EXPECT_EQ(frame.find("tick"), frame.column(0));
  EXPECT_EQ(Frame().num_rows(), 0);
  EXPECT_EQ(Frame().num_columns(), 0u);
}

TEST(FrameTest, MissingColumnErrorListsTheColumns) {
  expect_error<SchemaError>(
      [&] { sample().column("volume"); },
      {.message_has = {"no column named 'volume'", "tick, agent_id, price"}, .column = "volume"});
}

TEST(FrameTest, ConstructorValidatesNamesAndLengths) {
  expect_error<SchemaError>(
      [&] {
        Frame({{"a", make_int64({1})}, {"b", make_int64({1})}, {"a", make_int64({2})}});
      },
      {.message_has = {"'a' appears twice"}, .column = "a"});
  expect_error<SchemaError>(
      [&] {
        Frame({{"a", make_int64({1, 2})}, {"b", make_utf8({"x"})}});
      },
      {.message_has = {"'b' has 1 rows but column 'a' has 2"}, .column = "b"});
  EXPECT_THROW(Frame({{"", make_int64({1})}}), SchemaError);
  EXPECT_THROW(Frame({{"a", nullptr}}), SchemaError);
  EXPECT_THROW(Frame(std::vector<std::string>{"a", "b"}, {make_int64({1})}), SchemaError);
}

TEST(FrameTest, ColumnOperationsReturnNewFrames) {
  const Frame frame = sample();
  const Frame added = frame.add_column("qty", make_int64({5, 6, 7, 8}));
  EXPECT_EQ(added.names().back(), "qty");
  EXPECT_EQ(frame.num_columns(), 3u);
  EXPECT_THROW(frame.add_column("tick", make_int64({1, 2, 3, 4})), SchemaError);
  EXPECT_THROW(frame.add_column("qty", make_int64({1})), SchemaError);

  const Frame replaced = frame.replace_column("price", make_float64({9, 9, 9, 9}));
  EXPECT_EQ(replaced.column("price")->to_string(), "[9, 9, 9, 9]");
  EXPECT_EQ(replaced.names(), frame.names());
  EXPECT_EQ(frame.column("price")->to_string(), "[0.5, null, 1.5, 2.5]");
  EXPECT_THROW(frame.replace_column("nope", make_int64({1, 2, 3, 4})), SchemaError);
  EXPECT_THROW(frame.replace_column("price", make_int64({1})), SchemaError);

  const Frame dropped = frame.drop_column("agent_id");
  EXPECT_EQ(dropped.names(), (std::vector<std::string>{"tick", "price"}));
  EXPECT_THROW(frame.drop_column("nope"), SchemaError);

  const Frame selected = frame.select({"price", "tick"});
  EXPECT_EQ(selected.names(), (std::vector<std::string>{"price", "tick"}));
  EXPECT_EQ(selected.column(1), frame.column(0));
  EXPECT_THROW(frame.select({"tick", "tick"}), SchemaError);
  EXPECT_THROW(frame.select({"nope"}), SchemaError);
}

TEST(FrameTest, SliceAndTake) {
  const Frame frame = sample();
  const Frame slice = frame.slice(1, 2);
  EXPECT_EQ(slice.num_rows(), 2);
  EXPECT_TRUE(slice.equals(Frame({{"tick", make_int64({2, 3})},
                                  {"agent_id", make_utf8({"b", std::nullopt})},
                                  {"price", make_float64({std::nullopt, 1.5})}})));
  EXPECT_THROW(frame.slice(3, 2), SchemaError);

  const std::vector<int64_t> indices = {3, 0};
  const Frame taken = frame.take(indices);
  EXPECT_TRUE(taken.equals(Frame({{"tick", make_int64({4, 1})},
                                  {"agent_id", make_utf8({"d", "a"})},
                                  {"price", make_float64({2.5, 0.5})}})));
  EXPECT_THROW(frame.take(std::vector<int64_t>{4}), SchemaError);
  EXPECT_THROW(Frame().take(std::vector<int64_t>{0}), SchemaError);
  EXPECT_EQ(Frame().take({}).num_rows(), 0);
}

TEST(FrameTest, PartitionSplitsEveryColumnByTheSameGroups) {
  const Frame frame = sample();
  const std::vector<Frame> parts = frame.partition(std::vector<uint32_t>{1, 0, 1, 0}, 3);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_TRUE(parts[0].equals(frame.take(std::vector<int64_t>{1, 3})));
  EXPECT_TRUE(parts[1].equals(frame.take(std::vector<int64_t>{0, 2})));
  EXPECT_EQ(parts[2].num_rows(), 0);
  EXPECT_EQ(parts[2].num_columns(), 3u);
  EXPECT_THROW(frame.partition(std::vector<uint32_t>{0, 0, 0}, 1), SchemaError);
}

TEST(FrameTest, EqualsComparesNamesOrderAndValues) {
  EXPECT_TRUE(sample().equals(sample()));
  EXPECT_FALSE(sample().equals(sample().select({"agent_id", "tick", "price"})));
  EXPECT_FALSE(sample().equals(sample().replace_column("tick", make_int64({1, 2, 3, 5}))));
  EXPECT_FALSE(sample().equals(sample().drop_column("price")));
}

TEST(FrameTest, SchemaIsAStructOfTheColumns) {
  EXPECT_EQ(sample().schema()->to_string(), "struct<tick: int64, agent_id: utf8, price: float64>");
  EXPECT_EQ(Frame().schema()->to_string(), "struct<>");
}

TEST(FrameTest, StructArrayRoundTrip) {
  const Frame frame = sample().slice(1, 3);
  const ArrayPtr array = frame.to_struct_array();
  EXPECT_EQ(array->length(), 3);
  EXPECT_EQ(array->null_count(), 0);
  EXPECT_TRUE(Frame::from_struct_array(array).equals(frame));
  EXPECT_TRUE(Frame::from_struct_array(array->slice(1, 2)).equals(frame.slice(1, 2)));
  EXPECT_THROW(Frame::from_struct_array(make_int64({1})), SchemaError);
  EXPECT_THROW(Frame::from_struct_array(make_struct({{"a", make_int64({1, 2})}}, {true, false})),
               SchemaError);
}

TEST(FrameTest, FromRowsUnifiesRecordFields) {
  const std::vector<Value> rows = {
      Value::record({{"tick", 1}, {"agent_id", "a"}}),
      Value::record({{"tick", 2}, {"payload", Value::record({{"k", 1.5}})}}),
  };
  const Frame frame = Frame::from_rows(rows);
  EXPECT_EQ(frame.names(), (std::vector<std::string>{"tick", "agent_id", "payload"}));
  EXPECT_TRUE(frame.column("tick")->equals(*make_int64({1, 2})));
  EXPECT_TRUE(frame.column("agent_id")->equals(*make_utf8({"a", std::nullopt})));
  EXPECT_EQ(frame.column("payload")->to_string(), R"([null, {"k": 1.5}])");
}

TEST(FrameTest, FromRowsWithASchema) {
  const TypePtr schema = struct_({{"tick", int64()}, {"price", float64()}});
  const Frame frame = Frame::from_rows(std::vector<Value>{Value::record({{"tick", 3}})}, schema);
  EXPECT_EQ(*frame.schema(), *schema);
  EXPECT_TRUE(frame.column("price")->equals(*make_float64({std::nullopt})));
  const Frame empty = Frame::from_rows({}, schema);
  EXPECT_EQ(empty.num_rows(), 0);
  EXPECT_EQ(empty.names(), (std::vector<std::string>{"tick", "price"}));
  EXPECT_EQ(Frame::from_rows({}).num_columns(), 0u);
  EXPECT_THROW(Frame::from_rows({}, int64()), SchemaError);
}

TEST(FrameTest, FromRowsRejectsNonRecordRows) {
  expect_error<SchemaError>(
      [&] {
        Frame::from_rows(std::vector<Value>{Value::record({{"a", 1}}), Value()});
      },
      {.message_has = {"row 1 is a null, not a record"}, .row = 1});
  EXPECT_THROW(Frame::from_rows(std::vector<Value>{1}), SchemaError);
}

}  // namespace
}  // namespace crv::frame
