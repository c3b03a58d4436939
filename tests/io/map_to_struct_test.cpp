// A struct column fed from a Parquet MAP: keys become member names.

#include "io/map_to_struct.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"
#include "crv/parquet/reader.hpp"
#include "support/expect_error.hpp"

namespace crv::io {
namespace {

using frame::ArrayPtr;
using test_support::expect_error;

// Maps as the Parquet reader gives them: list<entries: struct<key, value>>.
ArrayPtr maps(const std::vector<int32_t>& offsets, ArrayPtr keys, ArrayPtr values,
              const std::vector<bool>& validity = {},
              std::string_view entries_name = parquet::kMapEntriesName) {
  const ArrayPtr entries =
      frame::make_struct({{std::string(parquet::kMapKeyName), std::move(keys)},
                          {std::string(parquet::kMapValueName), std::move(values)}});
  frame::ArrayData data = frame::make_list(offsets, entries, validity)->data();
  data.type = frame::list(frame::Field{std::string(entries_name), entries->type(), false});
  return frame::Array::make(std::move(data));
}

TEST(MapToStruct, KeysBecomeMembersInTheOrderTheyFirstAppear) {
  const ArrayPtr estimates =
      maps({0, 2, 2, 3, 4}, frame::make_utf8({"tok1", "tok2", "tok3", "tok2"}),
           frame::make_float64({1.5, std::nullopt, 3.0, 4.0}), {true, true, false, true});
  ASSERT_TRUE(holds_map_entries(*estimates));
  // The entry of the null row (tok3) names no member.
  const ArrayPtr records = map_entries_to_struct("token_value_estimates", *estimates);
  const ArrayPtr expected = frame::make_struct(
      {{"tok1", frame::make_float64({1.5, std::nullopt, std::nullopt, std::nullopt})},
       {"tok2", frame::make_float64({std::nullopt, std::nullopt, std::nullopt, 4.0})}},
      {true, true, false, true});
  EXPECT_TRUE(records->equals(*expected)) << records->to_string();
}

TEST(MapToStruct, OnlyTheReadersMapShapeIsAMap) {
  const ArrayPtr named_otherwise =
      maps({0, 1}, frame::make_utf8({"k"}), frame::make_int64({1}), {}, "item");
  EXPECT_FALSE(holds_map_entries(*named_otherwise));
  EXPECT_FALSE(holds_map_entries(*frame::make_int64({1})));
}

TEST(MapToStruct, RepeatedEmptyAndNullKeysAreRefusedNamingTheRow) {
  const ArrayPtr repeated =
      maps({0, 1, 3}, frame::make_utf8({"a", "b", "b"}), frame::make_int64({1, 2, 3}));
  expect_error<IoSchemaError>(
      [&] { map_entries_to_struct("estimates", *repeated); },
      {.message_has = {"key 'b' appears twice"}, .column = "estimates", .row = 1});
  const ArrayPtr empty = maps({0, 1}, frame::make_utf8({""}), frame::make_int64({1}));
  expect_error<IoSchemaError>([&] { map_entries_to_struct("estimates", *empty); },
                              {.message_has = {"empty"}, .column = "estimates", .row = 0});
  const ArrayPtr null = maps({0, 0, 1}, frame::make_utf8({std::nullopt}), frame::make_int64({1}));
  expect_error<IoSchemaError>([&] { map_entries_to_struct("estimates", *null); },
                              {.message_has = {"null"}, .column = "estimates", .row = 1});
}

TEST(MapToStruct, KeysThatAreNotStringsAreRefused) {
  const ArrayPtr int_keys = maps({0, 1}, frame::make_int64({7}), frame::make_int64({1}));
  expect_error<IoSchemaError>([&] { map_entries_to_struct("estimates", *int_keys); },
                              {.message_has = {"int64 keys"}});
}

}  // namespace
}  // namespace crv::io
