// Frames written by the writer and read back by the reader come back equal, for every
// type, nesting, null position, codec and layout (row groups, pages).

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"
#include "crv/parquet/reader.hpp"
#include "crv/parquet/writer.hpp"
#include "parquet/schema.hpp"
#include "parquet/test_files.hpp"
#include "support/expect_error.hpp"

namespace crv::parquet {
namespace {

using test_files::read_back;

using frame::Value;
using test_support::expect_error;

void expect_round_trip(const frame::Frame& frame, const WriterOptions& options = {}) {
  const std::vector<uint8_t> bytes = write_parquet(frame, options);
  const frame::Frame back = read_back(bytes);
  ASSERT_EQ(back.num_rows(), frame.num_rows());
  ASSERT_EQ(back.num_columns(), frame.num_columns());
  for (size_t i = 0; i < frame.num_columns(); ++i) {
    EXPECT_EQ(back.name(i), frame.name(i));
    EXPECT_TRUE(back.column(i)->type()->equals(*frame.column(i)->type()))
        << back.column(i)->type()->to_string() << " vs " << frame.column(i)->type()->to_string();
    EXPECT_TRUE(back.column(i)->equals(*frame.column(i)))
        << frame.name(i) << "\nwrote " << frame.column(i)->to_string().substr(0, 2000) << "\nread  "
        << back.column(i)->to_string().substr(0, 2000);
  }
}

frame::Frame scalar_frame() {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  return frame::Frame({
      {"i", frame::make_int64(std::vector<std::optional<int64_t>>{
                std::numeric_limits<int64_t>::min(), std::nullopt, 0, -1,
                std::numeric_limits<int64_t>::max(), 42})},
      {"f", frame::make_float64(
                std::vector<std::optional<double>>{0.0, -0.0, nan, inf, -inf, std::nullopt})},
      {"s", frame::make_utf8(std::vector<std::optional<std::string>>{
                "", "héllo ✓ 日本 🎉", std::nullopt, std::string(70000, 'x'), "a", "b"})},
      {"b", frame::make_bool(
                std::vector<std::optional<bool>>{true, false, std::nullopt, true, true, false})},
  });
}

// A list of records holding nulls at every level, and a record holding a list.
frame::Frame nested_frame() {
  std::vector<Value> rows;
  rows.push_back(Value::record(
      {{"pairs",
        Value::list({Value::record({{"a", "x"}, {"w", 0.5}, {"tags", Value::list({"t"})}}),
                     Value::record({{"a", nullptr}, {"w", 1.5}, {"tags", nullptr}}), nullptr})},
       {"snap", Value::record({{"price", 1.25}, {"inner", Value::record({{"n", int64_t{3}}})}})}}));
  rows.push_back(Value::record({{"pairs", Value::list({})}, {"snap", nullptr}}));
  rows.push_back(Value::record(
      {{"pairs", nullptr}, {"snap", Value::record({{"price", nullptr}, {"inner", nullptr}})}}));
  rows.push_back(Value::record(
      {{"pairs", Value::list({Value::record(
                     {{"a", "y"}, {"w", nullptr}, {"tags", Value::list({nullptr, "", "z"})}})})},
       {"snap", Value::record({{"price", -0.0}, {"inner", Value::record({{"n", nullptr}})}})}}));
  return frame::Frame::from_rows(rows);
}

TEST(ParquetRoundTrip, ScalarsWithEdgeValues) {
  expect_round_trip(scalar_frame());
}

TEST(ParquetRoundTrip, NestedWithNullsAtEveryLevel) {
  expect_round_trip(nested_frame());
}

// Field ids go on the elements whose paths the options name (a list's element as
// "element"), on no other element (the root, a list's repeated group, unnamed paths),
// and read back into the schema; the values are unchanged.
TEST(ParquetRoundTrip, FieldIdsOnTheNamedElementsOnly) {
  WriterOptions options;
  options.field_ids = {{{"pairs"}, 7},
                       {{"pairs", "element"}, 8},
                       {{"pairs", "element", "w"}, 9},
                       {{"pairs", "element", "tags", "element"}, 10},
                       {{"snap", "inner", "n"}, 2147483647},
                       {{"absent"}, 11}};
  expect_round_trip(nested_frame(), options);
  const std::vector<uint8_t> file = write_parquet(nested_frame(), options);
  const test_files::Footer footer = test_files::footer_of(file);
  std::vector<std::pair<std::string, std::optional<int32_t>>> ids;
  for (const format::SchemaElement& element : footer.metadata.schema) {
    ids.emplace_back(element.name, element.field_id);
  }
  const std::vector<std::pair<std::string, std::optional<int32_t>>> expected = {
      {"schema", std::nullopt}, {"pairs", 7},
      {"list", std::nullopt},   {"element", 8},
      {"a", std::nullopt},      {"w", 9},
      {"tags", std::nullopt},   {"list", std::nullopt},
      {"element", 10},          {"snap", std::nullopt},
      {"price", std::nullopt},  {"inner", std::nullopt},
      {"n", 2147483647}};
  EXPECT_EQ(ids, expected);
  FieldIds written = options.field_ids;
  written.erase({"absent"});
  EXPECT_EQ(Schema::from_elements(footer.metadata.schema, "ids.parquet").field_ids(), written);
  EXPECT_EQ(ParquetReader(memory_source(file, "ids.parquet")).info().field_ids, written);
}

// A string that is not UTF-8, nested or not, is refused before anything is written, since
// readers refuse such a file.
TEST(ParquetRoundTrip, StringsThatAreNotUtf8AreRefusedBeforeAnythingIsWritten) {
  const frame::Frame flat({{"s", frame::make_utf8({"ok", "bad \xC3"})}});
  const std::vector<Value> rows = {Value::record({{"r", Value::record({{"t", "fine"}})}}),
                                   Value::record({{"r", Value::record({{"t", "\xFF"}})}})};
  const frame::Frame nested = frame::Frame::from_rows(rows);
  std::vector<uint8_t> out = {1, 2, 3};
  expect_error<IoSchemaError>(
      [&] {
        write_parquet(flat, std::vector<frame::Field>{{"s", frame::utf8(), true}}, WriterOptions{},
                      out);
      },
      {.message = "string is not valid UTF-8", .column = "s", .row = 1});
  expect_error<IoSchemaError>([&] { write_parquet(nested, WriterOptions{}); },
                              {.message = "string is not valid UTF-8", .column = "r.t", .row = 1});
  EXPECT_EQ(out, (std::vector<uint8_t>{1, 2, 3}));
}

TEST(ParquetRoundTrip, NullTypedValuesAtEveryDepth) {
  // What JSON rows give when a position held only nulls (or empty lists) in a batch.
  std::vector<Value> rows;
  rows.push_back(Value::record({{"nothing", nullptr},
                                {"params", Value::record({{"limit", nullptr}, {"qty", 2}})},
                                {"empty", Value::list({})}}));
  rows.push_back(Value::record(
      {{"nothing", nullptr}, {"params", nullptr}, {"empty", Value::list({nullptr})}}));
  const frame::Frame frame = frame::Frame::from_rows(rows);
  ASSERT_EQ(frame.column("nothing")->type_id(), frame::TypeId::Null);
  expect_round_trip(frame);
  const std::vector<uint8_t> bytes = write_parquet(frame);
  ParquetReader reader(memory_source(bytes, "nulls.parquet"));
  EXPECT_EQ(reader.info().fields[1].type->to_string(), "struct<limit: null, qty: int64>");
  EXPECT_EQ(reader.info().row_groups[0].columns[0].statistics.null_count, 2);
}

TEST(ParquetRoundTrip, EveryCodec) {
  for (Compression codec : {Compression::kNone, Compression::kSnappy, Compression::kGzip,
                            Compression::kLz4, Compression::kZstd}) {
    SCOPED_TRACE(std::string(to_string(codec)));
    WriterOptions options;
    options.compression = codec;
    expect_round_trip(scalar_frame(), options);
    expect_round_trip(nested_frame(), options);
  }
}

// 5000 rows of ticks, strings, doubles, booleans and lists of structs, with nulls.
frame::Frame many_rows_frame() {
  std::mt19937_64 random(7);
  std::vector<Value> rows;
  for (int i = 0; i < 5000; ++i) {
    std::vector<Value> items;
    for (int k = 0; k < static_cast<int>(random() % 4); ++k) {
      items.push_back(random() % 5 == 0
                          ? Value(nullptr)
                          : Value::record({{"id", static_cast<int64_t>(random() % 50)},
                                           {"label", "L" + std::to_string(random() % 7)}}));
    }
    rows.push_back(Value::record(
        {{"tick", int64_t{i / 10}},
         {"agent",
          random() % 9 == 0 ? Value(nullptr) : Value("agent-" + std::to_string(random() % 100))},
         {"weight", static_cast<double>(random() % 1000) / 7.0},
         {"flag", random() % 2 == 0},
         {"items", random() % 6 == 0 ? Value(nullptr) : Value::list(std::move(items))}}));
  }
  return frame::Frame::from_rows(rows);
}

TEST(ParquetRoundTrip, ManyRowGroupsAndPagesWithAndWithoutDictionary) {
  const frame::Frame frame = many_rows_frame();
  for (bool dictionary : {true, false}) {
    WriterOptions options;
    options.row_group_size = 777;
    options.data_page_size = 512;
    options.enable_dictionary = dictionary;
    expect_round_trip(frame, options);
  }
}

TEST(ParquetRoundTrip, EveryValueEncodingFlatNestedPagedAndInRowGroups) {
  for (const ValueEncoding encoding :
       {ValueEncoding::kAuto, ValueEncoding::kPlain, ValueEncoding::kDictionary,
        ValueEncoding::kByteStreamSplit, ValueEncoding::kDeltaBinaryPacked}) {
    SCOPED_TRACE(static_cast<int>(encoding));
    WriterOptions options;
    options.value_encoding = encoding;
    expect_round_trip(scalar_frame(), options);
    expect_round_trip(scalar_frame().slice(1, 4), options);
    expect_round_trip(nested_frame(), options);
    expect_round_trip(frame::Frame({{"a", frame::make_int64(std::vector<int64_t>{})}}), options);
    options.row_group_size = 777;
    options.data_page_size = 512;
    expect_round_trip(many_rows_frame(), options);
  }
}

TEST(ParquetRoundTrip, EmptyFrameAndSlicedColumns) {
  const frame::Frame empty({{"a", frame::make_int64(std::vector<int64_t>{})}});
  expect_round_trip(empty);
  // Slices start at a non-zero offset into shared buffers.
  expect_round_trip(scalar_frame().slice(1, 4));
  expect_round_trip(nested_frame().slice(1, 3));
}

TEST(ParquetRoundTrip, RequiredColumnsAndNullRejection) {
  const frame::Frame frame({{"a", frame::make_int64(std::vector<int64_t>{1, 2, 3})}});
  std::vector<frame::Field> fields{{"a", frame::int64(), false}};
  std::vector<uint8_t> bytes;
  write_parquet(frame, fields, {}, bytes);
  ParquetReader reader(memory_source(bytes, "required.parquet"));
  EXPECT_FALSE(reader.info().fields[0].nullable);
  EXPECT_TRUE(reader.read().column(0)->equals(*frame.column(0)));

  const frame::Frame with_null(
      {{"a", frame::make_int64(std::vector<std::optional<int64_t>>{1, std::nullopt})}});
  std::vector<uint8_t> out;
  expect_error<IoSchemaError>([&] { write_parquet(with_null, fields, {}, out); },
                              {.column = "a", .row = 1});
}

TEST(ParquetRoundTrip, StructWithoutFieldsIsRejected) {
  const frame::Frame frame({{"empty", frame::make_struct({}, {true, true})}});
  std::vector<uint8_t> out;
  expect_error<IoSchemaError>([&] { write_parquet(frame); },
                              {.message_has = {"struct without fields"}});
}

TEST(ParquetFooter, StatisticsMetadataAndProjection) {
  WriterOptions options;
  options.key_value_metadata = {{"crv_table_name", "holdings"}, {"crv_run_id", "r1"}};
  options.row_group_size = 4;
  const std::vector<uint8_t> bytes = write_parquet(scalar_frame(), options);
  ParquetReader reader(memory_source(bytes, "stats.parquet"));
  const FileInfo& info = reader.info();
  EXPECT_EQ(info.num_rows, 6);
  ASSERT_EQ(info.row_groups.size(), 2u);
  EXPECT_EQ(info.metadata("crv_table_name"), "holdings");
  EXPECT_EQ(info.metadata("crv_run_id"), "r1");
  EXPECT_EQ(info.metadata("missing"), std::nullopt);
  EXPECT_EQ(info.created_by.rfind("crv-io version ", 0), 0u);

  const ColumnStatistics& ints = info.row_groups[0].columns[0].statistics;
  EXPECT_EQ(ints.null_count, 1);
  EXPECT_EQ(ints.min, Value(std::numeric_limits<int64_t>::min()));
  EXPECT_EQ(ints.max, Value(int64_t{0}));
  // Doubles: NaN is left out and a zero minimum is written as -0.0.
  const ColumnStatistics& doubles = info.row_groups[0].columns[1].statistics;
  EXPECT_EQ(doubles.min, Value(-0.0));
  EXPECT_EQ(info.row_groups[1].columns[1].statistics.min,
            Value(-std::numeric_limits<double>::infinity()));
  EXPECT_EQ(info.row_groups[0].columns[1].statistics.max,
            Value(std::numeric_limits<double>::infinity()));
  // Strings longer than the statistics limit leave min/max out.
  EXPECT_FALSE(info.row_groups[0].columns[2].statistics.min.has_value());
  EXPECT_EQ(info.row_groups[1].columns[2].statistics.min, Value("a"));
  EXPECT_EQ(info.row_groups[1].columns[2].statistics.max, Value("b"));

  const frame::Frame projected = reader.read({.columns = {"s", "i"}, .row_groups = {1}});
  ASSERT_EQ(projected.num_columns(), 2u);
  EXPECT_EQ(projected.name(0), "s");
  EXPECT_TRUE(projected.column(1)->equals(*scalar_frame().column(0)->slice(4, 2)));
  EXPECT_THROW(reader.read({.columns = {"nope"}}), IoSchemaError);
  EXPECT_THROW(reader.read({.row_groups = {2}}), IoSchemaError);
}

TEST(ParquetReader, TruncatedOrCorruptFilesFailCleanly) {
  const std::vector<uint8_t> bytes = write_parquet(nested_frame());
  for (size_t size = 0; size < bytes.size(); ++size) {
    const std::vector<uint8_t> cut(bytes.begin(),
                                   bytes.begin() + static_cast<std::ptrdiff_t>(size));
    EXPECT_THROW(read_back(cut), IoFormatError) << "truncated to " << size;
  }
  // Flip each byte in turn: the reader either reads something or reports a clean error.
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::vector<uint8_t> corrupt = bytes;
    corrupt[i] ^= 0x5A;
    try {
      read_back(corrupt);
    } catch (const crv::Error&) {
    }
  }
}

}  // namespace
}  // namespace crv::parquet
