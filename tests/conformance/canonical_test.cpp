// The canonical form must match the oracles' exactly (README.md); the expected texts here
// are written by hand from that specification and from IEEE-754 bit layouts.

#include "canonical.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <limits>
#include <string>

#include "crv/frame/builders.hpp"

namespace crv::conformance {
namespace {

using frame::Field;
using frame::Value;

std::string encode_string(std::string_view text) {
  std::string out;
  append_canonical_string(text, out);
  return out;
}

std::string encode_double(double value) {
  std::string out;
  append_canonical_double(value, out);
  return out;
}

std::vector<std::string> encode_rows(const frame::Frame& frame) {
  const CanonicalRowEncoder encoder(frame);
  std::vector<std::string> lines;
  for (int64_t row = 0; row < frame.num_rows(); ++row) {
    std::string line;
    encoder.append_row(row, line);
    lines.push_back(line);
  }
  return lines;
}

TEST(CanonicalDouble, IsTheBitPatternInLowercaseHex) {
  EXPECT_EQ(encode_double(0.0), "\"f64:0000000000000000\"");
  EXPECT_EQ(encode_double(-0.0), "\"f64:8000000000000000\"");
  EXPECT_EQ(encode_double(1.0), "\"f64:3ff0000000000000\"");
  EXPECT_EQ(encode_double(-2.5), "\"f64:c004000000000000\"");
  EXPECT_EQ(encode_double(std::numeric_limits<double>::infinity()), "\"f64:7ff0000000000000\"");
  EXPECT_EQ(encode_double(std::numeric_limits<double>::denorm_min()), "\"f64:0000000000000001\"");
}

TEST(CanonicalDouble, EveryNanIsTheSame) {
  EXPECT_EQ(encode_double(std::bit_cast<double>(uint64_t{0x7ff8000000000000})), "\"f64:nan\"");
  EXPECT_EQ(encode_double(std::bit_cast<double>(uint64_t{0xfff8000000000001})), "\"f64:nan\"");
}

TEST(CanonicalString, EscapesLikeJsonStringify) {
  EXPECT_EQ(encode_string(""), "\"s:\"");
  EXPECT_EQ(encode_string("plain / text"), "\"s:plain / text\"");
  EXPECT_EQ(encode_string("a\"b\\c"), R"("s:a\"b\\c")");
  EXPECT_EQ(encode_string("\b\f\n\r\t"), R"("s:\b\f\n\r\t")");
  EXPECT_EQ(encode_string(std::string("\x01\x1f\0", 3)), R"("s:\u0001\u001f\u0000")");
  // DEL and non-ASCII stay raw UTF-8.
  EXPECT_EQ(encode_string("\x7f \xc3\xa9 \xf0\x9f\xa6\x86"),
            "\"s:\x7f \xc3\xa9 \xf0\x9f\xa6\x86\"");
}

TEST(CanonicalRows, ScalarsInColumnOrderWithNulls) {
  const frame::Frame frame({
      {"i", frame::make_int64({std::numeric_limits<int64_t>::min(), std::nullopt})},
      {"s", frame::make_utf8({"x", std::nullopt})},
      {"b", frame::make_bool({true, std::nullopt})},
      {"f", frame::make_float64({std::nullopt, 1.0})},
  });
  EXPECT_EQ(encode_rows(frame), (std::vector<std::string>{
                                    R"({"i":"-9223372036854775808","s":"s:x","b":true,"f":null})",
                                    R"({"i":null,"s":null,"b":null,"f":"f64:3ff0000000000000"})"}));
}

TEST(CanonicalRows, NestedValuesWithNullsAtEveryLevel) {
  std::vector<Value> rows;
  rows.push_back(Value::record(
      {{"ls", Value::list({Value::record({{"a", int64_t{1}}, {"t", Value::list({"u", nullptr})}}),
                           nullptr, Value::record({{"a", nullptr}, {"t", nullptr}})})},
       {"r", Value::record({{"k", false}})}}));
  rows.push_back(Value::record({{"ls", Value::list({})}, {"r", nullptr}}));
  rows.push_back(Value::record({{"ls", nullptr}, {"r", Value::record({{"k", nullptr}})}}));
  const frame::Frame frame = frame::Frame::from_rows(rows);
  EXPECT_EQ(encode_rows(frame),
            (std::vector<std::string>{
                R"({"ls":[{"a":"1","t":["s:u",null]},null,{"a":null,"t":null}],"r":{"k":false}})",
                R"({"ls":[],"r":null})", R"({"ls":null,"r":{"k":null}})"}));
}

TEST(CanonicalRows, SlicedFramesEncodeTheirOwnRows) {
  std::vector<Value> rows;
  for (int64_t i = 0; i < 4; ++i) {
    rows.push_back(Value::record({{"r", Value::record({{"n", i}})}, {"l", Value::list({i})}}));
  }
  const frame::Frame sliced = frame::Frame::from_rows(rows).slice(2, 2);
  EXPECT_EQ(encode_rows(sliced), (std::vector<std::string>{R"({"r":{"n":"2"},"l":["2"]})",
                                                           R"({"r":{"n":"3"},"l":["3"]})"}));
}

TEST(CanonicalSchema, DescribesTypesAndNullabilityAtEveryLevel) {
  const std::vector<Field> fields = {
      Field{"id", frame::int64(), false},
      Field{"pairs", frame::list(Field{"item",
                                       frame::struct_({Field{"w", frame::float64()},
                                                       Field{"name", frame::utf8(), false},
                                                       Field{"ok", frame::boolean()}}),
                                       false})},
  };
  EXPECT_EQ(
      schema_json(fields).dump(),
      R"({"columns":[{"name":"id","type":"int64","nullable":false},)"
      R"({"name":"pairs","type":{"list":{"type":{"struct":[)"
      R"({"name":"w","type":"float64","nullable":true},)"
      R"({"name":"name","type":"utf8","nullable":false},)"
      R"({"name":"ok","type":"bool","nullable":true}]},"nullable":false}},"nullable":true}]})");
}

TEST(JsonDifference, NamesThePathOfTheFirstDifference) {
  const auto parse = [](const char* text) { return nlohmann::ordered_json::parse(text); };
  EXPECT_FALSE(first_difference(parse(R"({"a":[1,{"b":2}]})"), parse(R"({"a":[1,{"b":2}]})")));
  const auto deep = first_difference(parse(R"({"a":"1","deep":[{},{"inner":{"v":"x"}}]})"),
                                     parse(R"({"a":"1","deep":[{},{"inner":{"v":"y"}}]})"));
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->path, "deep[1].inner.v");
  EXPECT_EQ(deep->expected, R"("x")");
  EXPECT_EQ(deep->actual, R"("y")");

  const auto missing = first_difference(parse(R"({"a":1,"b":2})"), parse(R"({"a":1})"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->path, "b");
  EXPECT_EQ(missing->actual, "<missing>");

  const auto shorter = first_difference(parse(R"({"l":[1,2]})"), parse(R"({"l":[1]})"));
  ASSERT_TRUE(shorter);
  EXPECT_EQ(shorter->path, "l (expected 2 items, got 1)");
}

}  // namespace
}  // namespace crv::conformance
