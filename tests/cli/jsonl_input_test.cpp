// The JSON-lines reader as a unit: lines split across chunk boundaries, batches, and the
// lines rows and errors are reported at.

#include "cli/jsonl_input.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"
#include "support/expect_error.hpp"

namespace crv::cli {
namespace {

using test_support::expect_error;

// A blank line (3), CRLF endings, a column first seen on line 4, no LF at the end.
const std::string kLines =
    "{\"tick\": 1, \"edge_weight\": 2}\r\n"
    "{\"tick\": 2, \"edge_weight\": 0.5}\n"
    "  \n"
    "{\"tick\": 3, \"edge_weight\": -1, \"observer_agent_id\": \"a\\nb\"}\n"
    "{\"observer_agent_id\": \"c\", \"tick\": 4, \"edge_weight\": 8}";

// Columns come in order of first appearance, the keys of an object in the line's order.
frame::Frame expected_lines() {
  return frame::Frame(
      {{"tick", frame::make_int64({1, 2, 3, 4})},
       {"edge_weight", frame::make_float64({2.0, 0.5, -1.0, 8.0})},
       {"observer_agent_id", frame::make_utf8({std::nullopt, std::nullopt, "a\nb", "c"})}});
}

const core::TableDescriptor& identity_edges_table() {
  return core::get_table("identity_edges");
}

TEST(JsonlReader, LinesCutAcrossAnyChunkBoundaryReadTheSame) {
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{31}, size_t{1} << 20}) {
    SCOPED_TRACE(chunk);
    std::istringstream input(kLines);
    JsonlReader reader(input, "e.jsonl", identity_edges_table(), chunk);
    const std::optional<frame::Frame> rows = reader.next(100);
    ASSERT_TRUE(rows.has_value());
    EXPECT_TRUE(rows->equals(expected_lines())) << rows->to_struct_array()->to_string();
    EXPECT_FALSE(reader.next(100).has_value());
    EXPECT_EQ(reader.position(2).text, "e.jsonl:4");
    EXPECT_EQ(reader.position(std::nullopt).text, "e.jsonl, lines 1-5");
    EXPECT_EQ(reader.rows_so_far(), "rows up to line 5 of e.jsonl");
    EXPECT_EQ(reader.bytes_read(), static_cast<int64_t>(kLines.size()));
  }
}

TEST(JsonlReader, ReadsInBatchesThatEachTypeTheirOwnColumns) {
  std::istringstream input(kLines);
  JsonlReader reader(input, "e.jsonl", identity_edges_table(), 4);
  const std::optional<frame::Frame> first = reader.next(2);
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->equals(expected_lines().select({"tick", "edge_weight"}).slice(0, 2)));
  EXPECT_EQ(reader.rows_so_far(), "rows up to line 2 of e.jsonl");
  const std::optional<frame::Frame> second = reader.next(2);
  ASSERT_TRUE(second.has_value());
  EXPECT_TRUE(second->equals(
      expected_lines().select({"tick", "edge_weight", "observer_agent_id"}).slice(2, 2)));
  EXPECT_EQ(reader.position(0).text, "e.jsonl:4");
  EXPECT_FALSE(reader.next(2).has_value());
  EXPECT_EQ(reader.position(1).text, "e.jsonl:5");  // the end leaves the last batch as it was
}

TEST(JsonlReader, BadLinesNameTheirLine) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{\"tick\": 1}\n\n{\"tick\": \n", "e.jsonl:3:10: column 'tick': malformed JSON"},
      {"{\"tick\": 1}\n[1]\n", "e.jsonl:2: a line must hold one JSON object"},
      {"{\"tick\": 1}\n{\"tick\": \"late\"}\n", "e.jsonl:2: column 'tick': "},
      {"{\"tick\": 1, \"tick\": 2}\n", "e.jsonl:1: key 'tick' appears twice"},
      {"{\"x\": [{\"a\": 1, \"b\": 2, \"a\": 3}]}\n",
       "e.jsonl:1: column 'x': key 'a' appears twice"},
      {"7\n", "e.jsonl:1: a line must hold one JSON object"},
  };
  for (const auto& [text, message] : cases) {
    SCOPED_TRACE(text);
    std::istringstream input(text);
    JsonlReader reader(input, "e.jsonl", identity_edges_table(), 5);
    const auto error = expect_error<IoSchemaError>([&] { reader.next(100); }, {.path = "e.jsonl"});
    if (error) {
      EXPECT_THAT(error->message(), ::testing::StartsWith(message));
    }
  }
}

// `levels` nested arrays (the row's object adds one more) around a 1, as field "x".
std::string nested_line(size_t levels) {
  return "{\"tick\": 1, \"x\": " + std::string(levels, '[') + "1" + std::string(levels, ']') +
         "}\n";
}

TEST(JsonlReader, NestingIsBoundedBeforeAnythingRecursesOverIt) {
  {
    std::istringstream input(nested_line(kMaxJsonNesting - 1));
    JsonlReader reader(input, "e.jsonl", identity_edges_table());
    const std::optional<frame::Frame> rows = reader.next(10);
    ASSERT_TRUE(rows.has_value());
    EXPECT_EQ(rows->num_rows(), 1);
  }
  // Deep enough to overflow the stack of a recursive conversion or destructor.
  for (size_t levels : {kMaxJsonNesting, size_t{100000}}) {
    SCOPED_TRACE(levels);
    std::istringstream input("{\"tick\": 0}\n" + nested_line(levels));
    JsonlReader reader(input, "e.jsonl", identity_edges_table());
    expect_error<IoSchemaError>(
        [&] { reader.next(10); },
        {.message = "e.jsonl:2: column 'x': objects and arrays nest deeper than 64 levels",
         .column = "x",
         .row = 1});
  }
}

TEST(JsonlReader, NumbersBeyondDoubleNameTheirLineColumnAndByte) {
  for (const std::string number : {"1e400", "-1e400"}) {
    SCOPED_TRACE(number);
    std::istringstream input("{\"tick\": 0}\n{\"tick\": 1, \"edge_weight\": " + number + "}\n");
    JsonlReader reader(input, "e.jsonl", identity_edges_table());
    expect_error<IoSchemaError>([&] { reader.next(10); },
                                {.message = "e.jsonl:2:28: column 'edge_weight': number " + number +
                                            " is beyond the range of a double",
                                 .column = "edge_weight",
                                 .row = 1,
                                 .offset = 12 + 27});  // the first line and 27 bytes of this one
  }
}

// Integers beyond int64, and doubles past 2^53 (whose digits the double lost), are refused
// for int64 columns instead of stored as some other integer.
TEST(JsonlReader, NumbersAnInt64ColumnCannotHoldExactlyAreRefused) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"-9223372036854775809", "integer -9223372036854775809 is beyond the int64 range"},
      {"9223372036854775808", "integer 9223372036854775808 is beyond the int64 range"},
      {"18446744073709551616", "integer 18446744073709551616 is beyond the int64 range"},
      {"9007199254740993.0", "number 9007199254740993.0 cannot be stored exactly as int64"},
      {"-1e19", "number -1e19 cannot be stored exactly as int64"},
  };
  for (const auto& [number, message] : cases) {
    SCOPED_TRACE(number);
    std::istringstream input("{\"tick\": 1}\n{\"tick\": 2, \"edge_sign\": " + number + "}\n");
    JsonlReader reader(input, "e.jsonl", identity_edges_table());
    expect_error<IoSchemaError>(
        [&] { reader.next(10); },
        {.message_has = {"e.jsonl:2: column 'edge_sign': " + message}, .column = "edge_sign"});
  }
  std::istringstream exact(
      "{\"tick\": 1, \"edge_sign\": 1e3}\n{\"tick\": 2, \"edge_sign\": "
      "9223372036854775807}\n{\"tick\": 3, \"edge_sign\": -4.0}\n");
  JsonlReader reader(exact, "e.jsonl", identity_edges_table());
  const frame::Frame frame = *reader.next(10);
  EXPECT_TRUE(frame.column("edge_sign")
                  ->equals(*frame::make_int64({1000, std::numeric_limits<int64_t>::max(), -4})));
}

TEST(JsonlReader, NumbersInAStringColumnKeepTheirLiteralText) {
  std::istringstream input(
      "{\"tick\": 1, \"token_id\": 18446744073709551615}\n"
      "{\"tick\": 2, \"token_id\": 12345678901234567890123}\n"
      "{\"tick\": 3, \"token_id\": 1.50}\n{\"tick\": 4, \"token_id\": -7}\n");
  JsonlReader reader(input, "e.jsonl", identity_edges_table());
  const frame::Frame frame = *reader.next(10);
  EXPECT_TRUE(frame.column("token_id")
                  ->equals(*frame::make_utf8(
                      {"18446744073709551615", "12345678901234567890123", "1.50", "-7"})));
}

// `crvio read` prints the doubles JSON has no number for as these strings.
TEST(JsonlReader, NonFiniteDoublesReadBackFromTheirPrintedNames) {
  std::istringstream input(
      "{\"tick\": 1, \"edge_weight\": \"NaN\"}\n{\"tick\": 2, \"edge_weight\": "
      "\"Infinity\"}\n{\"tick\": 3, \"edge_weight\": \"-Infinity\"}\n");
  JsonlReader reader(input, "e.jsonl", identity_edges_table());
  const frame::ArrayPtr weights = reader.next(10)->column("edge_weight");
  ASSERT_EQ(weights->type_id(), frame::TypeId::Float64);
  EXPECT_TRUE(std::isnan(weights->float64_values()[0]));
  EXPECT_EQ(weights->float64_values()[1], std::numeric_limits<double>::infinity());
  EXPECT_EQ(weights->float64_values()[2], -std::numeric_limits<double>::infinity());
  std::istringstream other("{\"tick\": 1, \"edge_weight\": \"nan\"}\n");
  JsonlReader refusing(other, "e.jsonl", identity_edges_table());
  expect_error<IoSchemaError>([&] { refusing.next(10); }, {.message_has = {"got string \"nan\""}});
}

}  // namespace
}  // namespace crv::cli
