// The CSV reader as a unit: RFC 4180 quoting, typed columns, nulls, line numbers that
// count physical lines, batches, and an error naming line and column for bad input.

#include "cli/csv_input.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"
#include "support/expect_error.hpp"

namespace crv::cli {
namespace {

using test_support::expect_error;

// Columns named in `types` get that type, any other is a string.
CsvColumnTyper typer(std::map<std::string, CsvType, std::less<>> types) {
  return [types = std::move(types)](std::string_view column) {
    const auto found = types.find(column);
    return found == types.end() ? CsvType::kString : found->second;
  };
}

const CsvColumnTyper kMixedTypes = typer({{"id", CsvType::kInt64},
                                          {"score", CsvType::kFloat64},
                                          {"flag", CsvType::kBool},
                                          {"name", CsvType::kString}});

// Header on line 1; the record on line 4 spans lines 4-5, so "e" starts on line 7 after
// a blank line. CRLF endings, quoted commas, doubled quotes, an empty quoted string and
// empty unquoted fields (nulls) all occur.
const std::string kMixed =
    "id,score,flag,name\r\n"
    "1,2.5,true,plain\r\n"
    "2,,FALSE,\"with, comma\"\r\n"
    "3,-4,1,\"two\n"
    "lines and \"\"quotes\"\"\"\n"
    "\n"
    ",1e3,0,\"\"\n"
    "\"5\",0.125,,\n";

frame::Frame expected_mixed() {
  return frame::Frame(
      {{"id", frame::make_int64({1, 2, 3, std::nullopt, 5})},
       {"score", frame::make_float64({2.5, std::nullopt, -4.0, 1000.0, 0.125})},
       {"flag", frame::make_bool({true, false, true, false, std::nullopt})},
       {"name", frame::make_utf8(
                    {"plain", "with, comma", "two\nlines and \"quotes\"", "", std::nullopt})}});
}

frame::Frame read_all(CsvReader& reader) {
  std::optional<frame::Frame> batch = reader.next(1 << 20);
  EXPECT_TRUE(batch.has_value());
  EXPECT_FALSE(reader.next(1 << 20).has_value());
  return batch.value_or(frame::Frame());
}

TEST(CsvReader, ParsesTypedColumnsQuotingAndNulls) {
  std::istringstream input(kMixed);
  CsvReader reader(input, "t.csv", kMixedTypes);
  EXPECT_THAT(reader.header(), ::testing::ElementsAre("id", "score", "flag", "name"));
  const frame::Frame rows = read_all(reader);
  EXPECT_TRUE(rows.equals(expected_mixed())) << rows.to_struct_array()->to_string();
  const std::vector<std::string> lines = {"t.csv:2", "t.csv:3", "t.csv:4", "t.csv:7", "t.csv:8"};
  for (int64_t row = 0; row < 5; ++row) {
    EXPECT_EQ(reader.position(row).text, lines[static_cast<size_t>(row)]);
  }
  EXPECT_EQ(reader.position(3).row, 6);  // the 0-based line, for ErrorContext
  EXPECT_EQ(reader.position(std::nullopt).text, "t.csv, lines 2-8");
  EXPECT_EQ(reader.rows_so_far(), "rows up to line 8 of t.csv");
  EXPECT_EQ(reader.bytes_read(), static_cast<int64_t>(kMixed.size()));
}

// Records and quoted fields cut across every possible chunk boundary read the same.
TEST(CsvReader, ChunkBoundariesDoNotMatter) {
  const std::string with_byte_order_mark = "\xEF\xBB\xBF" + kMixed;
  for (size_t chunk = 1; chunk <= 24; ++chunk) {
    SCOPED_TRACE(chunk);
    std::istringstream input(with_byte_order_mark);
    CsvReader reader(input, "t.csv", kMixedTypes, chunk);
    EXPECT_EQ(reader.header().front(), "id");
    EXPECT_TRUE(read_all(reader).equals(expected_mixed()));
    EXPECT_EQ(reader.position(4).text, "t.csv:8");
  }
}

TEST(CsvReader, ReadsInBatchesOfAtMostTheRowsAsked) {
  std::istringstream input("n\n1\n2\n\n3\n4\n5");
  CsvReader reader(input, "t.csv", typer({{"n", CsvType::kInt64}}));
  std::vector<int64_t> sizes;
  std::vector<std::string> progress;
  while (const auto batch = reader.next(2)) {
    sizes.push_back(batch->num_rows());
    progress.push_back(reader.rows_so_far());
  }
  EXPECT_THAT(sizes, ::testing::ElementsAre(2, 2, 1));
  EXPECT_THAT(progress,
              ::testing::ElementsAre("rows up to line 3 of t.csv", "rows up to line 6 of t.csv",
                                     "rows up to line 7 of t.csv"));
}

TEST(CsvReader, EmptyInputAndHeaderOnlyHaveNoRows) {
  std::istringstream empty("");
  CsvReader no_header(empty, "t.csv", kMixedTypes);
  EXPECT_TRUE(no_header.header().empty());
  EXPECT_FALSE(no_header.next(10).has_value());

  std::istringstream header_only("id,name\n");
  CsvReader no_rows(header_only, "t.csv", kMixedTypes);
  EXPECT_EQ(no_rows.header().size(), 2u);
  EXPECT_FALSE(no_rows.next(10).has_value());
}

struct BadCsv {
  const char* name;
  std::string text;
  std::string message;  // the full message, location first
  std::string column;
};

TEST(CsvReader, BadInputNamesLineAndColumn) {
  const std::vector<BadCsv> cases = {
      {"bad int", "id,name\n1,a\nx1,b\n", "t.csv:3: column 'id': \"x1\" is not an integer", "id"},
      {"int with a space", "id\n 7\n", "t.csv:2: column 'id': \" 7\" is not an integer", "id"},
      {"int out of range", "id\n9223372036854775808\n",
       "t.csv:2: column 'id': \"9223372036854775808\" is out of the int64 range", "id"},
      {"quoted empty int", "id\n\"\"\n", "t.csv:2: column 'id': \"\" is not an integer", "id"},
      {"bad float", "score\n1.5\n1.5.2\n", "t.csv:3: column 'score': \"1.5.2\" is not a number",
       "score"},
      {"bad bool", "flag\ntrue\nyes\n",
       "t.csv:3: column 'flag': \"yes\" is not a boolean (true, false, 1 or 0)", "flag"},
      {"line numbers after a multi-line field", "name,id\n\"a\nb\",1\nc,z\n",
       "t.csv:4: column 'id': \"z\" is not an integer", "id"},
      {"too few fields", "id,name\n1\n", "t.csv:2: the record has 1 fields, but the header has 2",
       ""},
      {"too many fields", "id\n1,2\n", "t.csv:2: the record has 2 fields, but the header has 1",
       ""},
      {"open quote", "name\n\"open\nstill open\n",
       "t.csv:2: a quoted field is not closed before the end of the input", "name"},
      {"quote inside an unquoted field", "id,name\n1,ab\"c\n",
       "t.csv:2: a quote inside an unquoted field (quote the whole field and double the quotes "
       "in it)",
       "name"},
      {"text after a closing quote", "name\n\"ab\"c\n",
       "t.csv:2: text after the closing quote of field \"ab\"", "name"},
      {"repeated column", "id,name,id\n", "t.csv:1: the header names column 'id' twice", "id"},
      {"empty column name", "id,,name\n", "t.csv:1: the header has an empty column name", ""},
  };
  for (const BadCsv& bad : cases) {
    SCOPED_TRACE(bad.name);
    expect_error<IoSchemaError>(
        [&] {
          std::istringstream input(bad.text);
          CsvReader reader(input, "t.csv", kMixedTypes);
          while (reader.next(100)) {
          }
        },
        {.message = bad.message, .path = "t.csv", .column = bad.column});
  }
}

TEST(CsvReader, InvalidUtf8InAStringColumnIsAnError) {
  std::istringstream input("id,name\n1,ok\n2,bad\xC3(\n");
  CsvReader reader(input, "t.csv", kMixedTypes);
  expect_error<IoSchemaError>([&] { reader.next(100); },
                              {.message_has = {"t.csv:3: column 'name':", "UTF-8"}});
}

TEST(CsvReader, ATyperCanRefuseAColumnAtTheHeader) {
  std::istringstream input("id,blob\n1,x\n");
  const CsvColumnTyper refuse_blob = [](std::string_view column) {
    if (column == "blob") throw IoSchemaError("blobs are not welcome");
    return CsvType::kInt64;
  };
  expect_error<IoSchemaError>([&] { CsvReader reader(input, "t.csv", refuse_blob); },
                              {.message = "t.csv:1: blobs are not welcome", .column = "blob"});
}

TEST(CsvReaderForTable, TypesColumnsByTheDescriptorAndRefusesNestedOnes) {
  std::istringstream input(
      "tick,agent_id,token_id,quantity,mark_price,note\n"
      "3,a,t,7,1.5,12\n");
  const auto reader = csv_reader_for(input, "v.csv", core::get_table("holdings_valuation"));
  const frame::Frame rows = read_all(*reader);
  // `note` is not in the table: kept as text, whatever it looks like.
  const frame::Frame expected({{"tick", frame::make_int64({3})},
                               {"agent_id", frame::make_utf8({"a"})},
                               {"token_id", frame::make_utf8({"t"})},
                               {"quantity", frame::make_int64({7})},
                               {"mark_price", frame::make_float64({1.5})},
                               {"note", frame::make_utf8({"12"})}});
  EXPECT_TRUE(rows.equals(expected)) << rows.to_struct_array()->to_string();

  std::istringstream nested("tick,agent_id,action_candidates\n");
  expect_error<IoSchemaError>(
      [&] { csv_reader_for(nested, "d.csv", core::get_table("decisions")); },
      {.message = "d.csv:1: column 'action_candidates' of table decisions is list[struct], but CSV "
                  "carries scalar columns only (use jsonl or parquet)"});
}

}  // namespace
}  // namespace crv::cli
