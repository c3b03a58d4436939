// table.json and the rules by which appended columns meet a table's recorded types.

#include "io/table_metadata.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"
#include "io/dataset_test_util.hpp"
#include "support/expect_error.hpp"

namespace crv::io {
namespace {

using test_support::expect_error;

using frame::Value;
using testing::HasSubstr;

frame::TypePtr struct_of(std::vector<std::pair<std::string, frame::TypePtr>> members) {
  std::vector<frame::Field> fields;
  for (auto& [name, type] : members) fields.push_back({name, type, true});
  return frame::struct_(std::move(fields));
}

frame::ArrayPtr column_of(std::vector<Value> rows) {
  return frame::array_from_values(rows);
}

TEST(RecordedTypeTest, NullGivesWayToAnyTypeAndNeverReplacesOne) {
  EXPECT_EQ(*merge_recorded_type(frame::null_type(), frame::float64(), "c"), *frame::float64());
  EXPECT_EQ(*merge_recorded_type(frame::float64(), frame::null_type(), "c"), *frame::float64());
  EXPECT_EQ(*merge_recorded_type(nullptr, frame::null_type(), "c"), *frame::null_type());
  const auto recorded = struct_of({{"price", frame::null_type()}});
  const auto incoming = struct_of({{"price", frame::float64()}, {"side", frame::utf8()}});
  EXPECT_EQ(*merge_recorded_type(recorded, incoming, "c"), *incoming);
}

TEST(RecordedTypeTest, StructMembersAreMergedByNameWithNewOnesLast) {
  const auto recorded = struct_of({{"a", frame::int64()}, {"b", frame::utf8()}});
  const auto incoming = struct_of({{"c", frame::float64()}, {"a", frame::int64()}});
  EXPECT_EQ(*merge_recorded_type(recorded, incoming, "c"),
            *struct_of({{"a", frame::int64()}, {"b", frame::utf8()}, {"c", frame::float64()}}));
}

TEST(RecordedTypeTest, AConflictNamesThePathAndBothTypes) {
  const auto recorded = frame::list(struct_of({{"score", frame::float64()}}));
  const auto incoming = frame::list(struct_of({{"score", frame::utf8()}}));
  expect_error<IoSchemaError>(
      [&] { merge_recorded_type(recorded, incoming, "action_candidates"); },
      {.message_has = {"'action_candidates[].score'", "utf8", "recorded it as float64"}});
}

TEST(RecordedTypeTest, MergingColumnsReportsWhetherAnythingChanged) {
  std::vector<frame::Field> columns{{"tick", frame::int64(), false}};
  EXPECT_FALSE(merge_recorded_columns(columns, {{"tick", frame::int64(), false}}));
  EXPECT_TRUE(
      merge_recorded_columns(columns, {{"payload", struct_of({{"x", frame::null_type()}})}}));
  EXPECT_FALSE(
      merge_recorded_columns(columns, {{"payload", struct_of({{"x", frame::null_type()}})}}));
  EXPECT_TRUE(merge_recorded_columns(columns, {{"payload", struct_of({{"x", frame::utf8()}})}}));
  EXPECT_EQ(*columns[1].type, *struct_of({{"x", frame::utf8()}}));
}

TEST(ConformToRecordedTest, AnAllNullMemberTakesTheRecordedType) {
  // The values a decision's parameters hold when its limit price is null in every row.
  const auto column = column_of({Value::record({{"limit_price", Value()}, {"qty", Value(3)}})});
  ASSERT_EQ(column->type()->field(0).type->id(), frame::TypeId::Null);
  const auto recorded = struct_of({{"limit_price", frame::float64()}, {"qty", frame::int64()}});
  const auto conformed = conform_to_recorded(column, recorded, "parameters");
  EXPECT_EQ(*conformed->type(), *recorded);
  EXPECT_EQ(conformed->to_string(), R"([{"limit_price": null, "qty": 3}])");
}

TEST(ConformToRecordedTest, AbsentMembersAreAddedAsNullsAndNewOnesKept) {
  const auto column = column_of({Value::record({{"new", Value("x")}}), Value()});
  const auto recorded = struct_of({{"old", frame::float64()}});
  const auto conformed = conform_to_recorded(column->slice(0, 2), recorded, "payload");
  EXPECT_EQ(*conformed->type(), *struct_of({{"old", frame::float64()}, {"new", frame::utf8()}}));
  EXPECT_EQ(conformed->to_string(), R"([{"old": null, "new": "x"}, null])");
}

TEST(ConformToRecordedTest, SlicedStructsKeepTheirRows) {
  const auto column = column_of({Value::record({{"a", Value(1)}}), Value::record({{"a", Value(2)}}),
                                 Value::record({{"a", Value(3)}})});
  const auto recorded = struct_of({{"a", frame::int64()}, {"b", frame::utf8()}});
  const auto conformed = conform_to_recorded(column->slice(1, 2), recorded, "payload");
  EXPECT_EQ(conformed->to_string(), R"([{"a": 2, "b": null}, {"a": 3, "b": null}])");
}

TEST(ConformToRecordedTest, NumbersAreCastOnlyWhenNoValueChanges) {
  const auto integers = column_of({Value::record({{"w", Value(2)}})});
  const auto as_double =
      conform_to_recorded(integers, struct_of({{"w", frame::float64()}}), "payload");
  EXPECT_EQ(*as_double->type(), *struct_of({{"w", frame::float64()}}));
  EXPECT_EQ(as_double->value_at(0).as_record()[0].second, Value(2.0));

  const auto fractions =
      column_of({Value::record({{"w", Value(2.0)}}), Value::record({{"w", Value(2.5)}})});
  expect_error<IoSchemaError>(
      [&] {
        conform_to_recorded(fractions, struct_of({{"w", frame::int64()}}), "payload");
      },
      {.message_has = {"2.5", "'payload.w'"}, .column = "payload.w", .row = 1});
}

TEST(ConformToRecordedTest, AStringWhereANumberWasRecordedIsRefused) {
  const auto column = column_of({Value::list({Value::record({{"score", Value("high")}})})});
  const auto recorded = frame::list(struct_of({{"score", frame::float64()}}));
  expect_error<IoSchemaError>(
      [&] { conform_to_recorded(column, recorded, "action_candidates"); },
      {.message_has = {"'action_candidates[].score' holds utf8", "recorded it as float64"}});
}

TEST(ConformToRecordedTest, ListItemsAreConformed) {
  const auto column = column_of({Value::list({Value::record({{"k", Value()}})}), Value::list({})});
  const auto recorded = frame::list(struct_of({{"k", frame::utf8()}}));
  const auto conformed = conform_to_recorded(column, recorded, "items");
  EXPECT_EQ(*conformed->type(), *recorded);
  EXPECT_EQ(conformed->to_string(), R"([[{"k": null}], []])");
}

TEST(TableMetadataJsonTest, RoundTripsEveryKindOfType) {
  const TableMetadata metadata{
      "decisions",
      50,
      {{"tick", frame::int64(), true},
       {"flag", frame::boolean(), true},
       {"chosen_action",
        struct_of({{"parameters", struct_of({{"limit_price", frame::null_type()}})},
                   {"score", frame::float64()}}),
        true},
       {"action_candidates", frame::list(struct_of({{"key", frame::utf8()}})), true}}};
  const std::string json = to_json_bytes(metadata);
  EXPECT_THAT(json, HasSubstr(R"("tick_bucket_size":50)"));
  EXPECT_EQ(parse_table_metadata(json, "table.json", "decisions"), metadata);
}

TEST(TableMetadataJsonTest, DamageIsAnIoManifestErrorNamingTheFile) {
  const std::string good = to_json_bytes({"holdings", 100, {{"tick", frame::int64(), true}}});
  const std::vector<std::pair<std::string, std::string>> cases = {
      {good.substr(0, good.size() / 2), "not valid JSON"},
      {good, "names table \"holdings\" but sits in the folder of table 'decisions'"},
      {R"({"table":"decisions","format_version":3,"tick_bucket_size":100,"columns":[]})",
       "format_version 3 is not 1 to 2"},
      {R"({"table":"decisions","format_version":0,"tick_bucket_size":100,"columns":[]})",
       "format_version 0 is not 1 to 2"},
      {R"({"table":"decisions","format_version":1,"tick_bucket_size":0,"columns":[]})",
       "tick_bucket_size 0"},
      {R"({"table":"decisions","format_version":1,"tick_bucket_size":1,"columns":[{"name":"a","type":"int128"}]})",
       "unknown type \"int128\""},
      {R"({"table":"decisions","format_version":1,"tick_bucket_size":1,"columns":[{"name":"a","type":{"struct":[]}}]})",
       "neither a name, a list nor a struct"},
  };
  for (const auto& [bytes, expected] : cases) {
    SCOPED_TRACE(bytes);
    expect_error<IoManifestError>(
        [&] { parse_table_metadata(bytes, "runs/r/tables/decisions/table.json", "decisions"); },
        {.message_has = {expected}, .path = "runs/r/tables/decisions/table.json"});
  }
}

TEST(TableMetadataJsonTest, DeepNestingIsRefusedWithoutRecursingThroughIt) {
  constexpr int kDepth = 100000;
  std::string type;
  for (int depth = 0; depth < kDepth; ++depth) type += "{\"list\":";
  type += "\"int64\"" + std::string(kDepth, '}');
  const std::string json =
      R"({"table":"holdings","format_version":1,"tick_bucket_size":1,"columns":[{"name":"a","type":)" +
      type + "}]}";
  EXPECT_THROW(parse_table_metadata(json, "table.json", "holdings"), IoManifestError);
}

}  // namespace
}  // namespace crv::io
