// Schemas from untrusted footers, and the frames a writer is given: names must be UTF-8
// and groups may nest at most kMaxSchemaDepth levels, on reading as on writing.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string_view>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"
#include "crv/parquet/reader.hpp"
#include "crv/parquet/writer.hpp"
#include "parquet/format.hpp"
#include "parquet/test_files.hpp"
#include "support/expect_error.hpp"

namespace crv::parquet {
namespace {

using test_files::Bytes;
using test_support::expect_error;

TEST(SchemaNames, ANameThatIsNotUtf8IsRefusedOnReadAndWrite) {
  const Bytes file = write_parquet(frame::Frame({{"zzzz", frame::make_int64({1, 2})}}));
  Bytes patched = file;
  const std::string_view name = "zzzz";
  const auto at = std::search(patched.begin(), patched.end(), name.begin(), name.end());
  ASSERT_NE(at, patched.end());
  *at = 0xFF;  // the schema element's name, in the footer
  expect_error<IoFormatError>(
      [&] { ParquetReader reader(memory_source(patched, "part.parquet")); },
      {.message_has = {"name of schema element 1 is not valid UTF-8"}, .path = "part.parquet"});
  EXPECT_THROW(write_parquet(frame::Frame({{"\xFFzz", frame::make_int64({1})}})), IoSchemaError);
}

// A footer whose schema nests `depth` groups below the root around one int64 leaf.
Bytes nested_schema_file(int depth) {
  format::FileMetaData metadata;
  format::SchemaElement root;
  root.name = "schema";
  root.num_children = 1;
  metadata.schema.push_back(root);
  for (int level = 0; level < depth; ++level) {
    format::SchemaElement group;
    group.name = "g";
    group.repetition_type = format::FieldRepetitionType::kOptional;
    group.num_children = 1;
    metadata.schema.push_back(group);
  }
  format::SchemaElement leaf;
  leaf.name = "n";
  leaf.type = format::Type::kInt64;
  leaf.repetition_type = format::FieldRepetitionType::kOptional;
  metadata.schema.push_back(leaf);
  Bytes file{'P', 'A', 'R', '1'};
  test_files::append_footer(metadata, file);
  return file;
}

TEST(SchemaDepth, FootersNestingDeeperThanTheLimitAreFormatErrors) {
  // 63 groups and the leaf: 64 levels, the most allowed.
  ParquetReader deepest(memory_source(nested_schema_file(63), "deep.parquet"));
  EXPECT_EQ(deepest.info().fields.size(), 1u);
  EXPECT_EQ(deepest.read().num_rows(), 0);
  for (int depth : {64, 100000}) {
    const Bytes file = nested_schema_file(depth);
    expect_error<IoFormatError>([&] { ParquetReader reader(memory_source(file, "deep.parquet")); },
                                {.message_has = {"nest deeper than 64 levels"}});
  }
}

TEST(SchemaDepth, TheWriterRefusesFieldsNestedDeeperThanTheLimit) {
  const auto nested = [](int structs) {
    frame::ArrayPtr array = frame::make_int64({1});
    for (int i = 0; i < structs; ++i) {
      array = frame::Frame({{"s", array}}).to_struct_array();
    }
    return frame::Frame({{"top", array}});
  };
  EXPECT_NO_THROW(write_parquet(nested(63)));
  EXPECT_THROW(write_parquet(nested(64)), IoSchemaError);
}

}  // namespace
}  // namespace crv::parquet
