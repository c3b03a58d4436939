// A footer whose schema nests groups without bound: the reader must refuse it before
// building anything recursively, instead of exhausting the stack.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/parquet/reader.hpp"
#include "parquet/format.hpp"

namespace crv::parquet {
namespace {

using format::SchemaElement;

// A file of no rows whose one column is an int64 leaf under `groups` nested groups.
std::vector<uint8_t> file_with_nested_groups(int groups) {
  format::FileMetaData footer{.schema = {SchemaElement{.name = "schema", .num_children = 1}}};
  for (int i = 0; i < groups; ++i) {
    footer.schema.push_back(SchemaElement{
        .repetition_type = format::FieldRepetitionType::kOptional, .name = "g", .num_children = 1});
  }
  footer.schema.push_back(SchemaElement{.type = format::Type::kInt64,
                                        .repetition_type = format::FieldRepetitionType::kOptional,
                                        .name = "leaf"});
  const std::string encoded = format::serialize(footer);
  std::string file = "PAR1" + encoded;
  const auto length = static_cast<uint32_t>(encoded.size());
  for (int shift = 0; shift < 32; shift += 8) file.push_back(static_cast<char>(length >> shift));
  file += "PAR1";
  return {file.begin(), file.end()};
}

TEST(SchemaDepth, GroupsNestedDeeperThanTheLimitAreAFormatError) {
  const std::vector<uint8_t> shallow = file_with_nested_groups(63);
  const ParquetReader reader(memory_source(shallow, "shallow.parquet"));
  EXPECT_EQ(reader.info().fields.size(), 1u);

  for (const int groups : {64, 100000}) {
    SCOPED_TRACE(groups);
    const std::vector<uint8_t> deep = file_with_nested_groups(groups);
    try {
      ParquetReader(memory_source(deep, "deep.parquet"));
      ADD_FAILURE() << "no error";
    } catch (const IoFormatError& error) {
      EXPECT_THAT(error.message(), ::testing::HasSubstr("nests deeper than 64 levels"));
      EXPECT_EQ(error.context().path, "deep.parquet");
    }
  }
}

}  // namespace
}  // namespace crv::parquet
