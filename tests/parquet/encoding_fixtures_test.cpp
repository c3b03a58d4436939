// Files written by DuckDB and arrow-rs with the encodings and codecs crv-io reads but does
// not write (tests/data/encodings, made by make_fixtures.mjs there): DELTA_BINARY_PACKED,
// DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT, FIXED_LEN_BYTE_ARRAY
// columns, BROTLI and Hadoop-framed LZ4, in data pages v1 and v2. Every value is checked
// against the formulas the files were made from, whole and by row ranges; then every byte
// of their pages is flipped and every page cut short, which must end in an IoFormatError
// or rows, never a crash (the sanitizer build checks that).

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/frame.hpp"
#include "crv/parquet/reader.hpp"
#include "parquet/format.hpp"
#include "parquet/test_files.hpp"
#include "support/expect_error.hpp"

namespace crv::parquet {
namespace {

using test_files::with_schema;

using test_files::Bytes;
using test_support::expect_error;

Bytes load(const std::string& name) {
  const std::string path = std::string(CRV_TEST_DATA_DIR) + "/encodings/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) ADD_FAILURE() << "cannot open " << path;
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

frame::Frame read_all(const Bytes& bytes, ReadVerification verification = {},
                      const std::vector<std::string>& columns = {}) {
  return ParquetReader(memory_source(bytes, "fixture.parquet"), verification)
      .read({.columns = columns});
}

// --- the formulas of make_fixtures.mjs ---

int64_t expected_i32(int64_t i) {
  if (i % 97 == 5) return std::numeric_limits<int32_t>::min();
  if (i % 97 == 6) return std::numeric_limits<int32_t>::max();
  return static_cast<int32_t>(static_cast<uint32_t>(i) * 2654435761u);
}
int64_t expected_i64(int64_t i) {
  if (i % 97 == 5) return std::numeric_limits<int64_t>::min();
  if (i % 97 == 6) return std::numeric_limits<int64_t>::max();
  return static_cast<int64_t>(static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull);
}
double expected_f64(int64_t i) {
  return static_cast<double>(i) / 7 - 100;
}
double expected_f32(int64_t i) {
  return static_cast<float>(static_cast<double>(i) / 3);
}
std::optional<std::string> expected_string(int64_t i) {
  if (i % 11 == 0) return std::nullopt;
  std::string digits = std::to_string(i);
  return "prefix/" + std::string(6 - digits.size(), '0') + digits + (i % 5 == 0 ? "\xC3\xA9" : "");
}
// Sixteen lowercase letters (unannotated FIXED_LEN_BYTE_ARRAY, read as text).
std::string expected_fixed16(int64_t i) {
  std::string bytes(16, '\0');
  for (int k = 0; k < 16; ++k) {
    bytes[static_cast<size_t>(k)] = static_cast<char>('a' + (i * 31 + k * 7) % 26);
  }
  return bytes;
}
// DuckDB's printf('%08x-0000-4000-8000-%012x', i, i * 31)::UUID: a FIXED_LEN_BYTE_ARRAY
// of 16 bytes with the UUID logical type, read back as that text.
std::string expected_uuid(int64_t i) {
  return fmt::format("{:08x}-0000-4000-8000-{:012x}", i, i * 31);
}

// Checks rows [0, frame rows) of a fixture against the formulas, from file row `first`.
void expect_fixture_rows(const frame::Frame& frame, int64_t first = 0) {
  for (size_t c = 0; c < frame.num_columns(); ++c) {
    const std::string& name = frame.name(c);
    const frame::Array& column = *frame.column(c);
    SCOPED_TRACE(name);
    for (int64_t r = 0; r < frame.num_rows(); ++r) {
      const int64_t i = first + r;
      if (name == "i32" || name == "i32_split") {
        ASSERT_EQ(column.int64_values()[r], expected_i32(i)) << i;
      } else if (name == "i64" || name == "i64_split") {
        ASSERT_EQ(column.int64_values()[r], expected_i64(i)) << i;
      } else if (name == "f64") {
        ASSERT_EQ(column.float64_values()[r], expected_f64(i)) << i;
      } else if (name == "f32") {
        ASSERT_EQ(column.float64_values()[r], expected_f32(i)) << i;
      } else if (name == "s" || name == "s_delta" || name == "s_length") {
        const auto expected = expected_string(i);
        ASSERT_EQ(column.is_valid(r), expected.has_value()) << i;
        if (expected) {
          ASSERT_EQ(column.string_at(r), *expected) << i;
        }
      } else if (name == "u") {
        ASSERT_EQ(column.string_at(r), expected_uuid(i)) << i;
      } else if (name.starts_with("fixed_")) {
        ASSERT_EQ(column.string_at(r), expected_fixed16(i)) << i;
      } else if (name == "l") {
        const frame::Range items = column.list_range(r);
        ASSERT_EQ(items.size(), i % 4) << i;
        for (int64_t k = 0; k < items.size(); ++k) {
          ASSERT_EQ(column.list_items()->int64_values()[items.begin + k], i + k) << i;
        }
      } else {
        FAIL() << "unexpected column " << name;
      }
    }
  }
}

struct Fixture {
  const char* file;
  int64_t rows;
  size_t columns;
};

const Fixture kFixtures[] = {
    {"duckdb_v2_brotli.parquet", 1500, 7},
    {"duckdb_v2_uncompressed.parquet", 100, 7},
    {"arrow_v2_lz4.parquet", 200, 12},
    {"arrow_v1_uncompressed.parquet", 80, 12},
};

class EncodingFixtures : public ::testing::TestWithParam<Fixture> {};

TEST_P(EncodingFixtures, EveryValueReadsBack) {
  const Bytes file = load(GetParam().file);
  const frame::Frame frame = read_all(file);
  ASSERT_EQ(frame.num_rows(), GetParam().rows);
  ASSERT_EQ(frame.num_columns(), GetParam().columns);
  expect_fixture_rows(frame);
}

TEST_P(EncodingFixtures, RowRangesSkipAndKeepValuesInsidePages) {
  const Bytes file = load(GetParam().file);
  ParquetReader reader(memory_source(file, "fixture.parquet"));
  int64_t first_row = 0;
  for (size_t group = 0; group < reader.info().row_groups.size(); ++group) {
    const int64_t rows = reader.info().row_groups[group].num_rows;
    const frame::Frame whole = reader.read_row_group(static_cast<int>(group));
    for (const RowRange range :
         {RowRange{0, 1}, RowRange{1, rows}, RowRange{rows / 3, rows / 2}, RowRange{rows - 1, rows},
          RowRange{7, std::min<int64_t>(rows, 300)}, RowRange{rows / 2, rows / 2}}) {
      SCOPED_TRACE(testing::Message()
                   << "group " << group << " rows " << range.begin << ".." << range.end);
      const frame::Frame part =
          reader.read_row_group(static_cast<int>(group), RowGroupRead{.rows = range});
      ASSERT_EQ(part.num_rows(), range.size());
      EXPECT_TRUE(part.equals(whole.slice(range.begin, range.size())));
      expect_fixture_rows(part, first_row + range.begin);
    }
    first_row += rows;
  }
}

INSTANTIATE_TEST_SUITE_P(Files, EncodingFixtures, ::testing::ValuesIn(kFixtures),
                         [](const auto& info) {
                           std::string name = info.param.file;
                           return name.substr(0, name.find('.'));
                         });

TEST(EncodingFixtureFiles, UseTheEncodingsAndCodecsTheyAreFor) {
  // The footers say what each file tests, so a regenerated file cannot quietly lose it.
  const auto encodings_of = [](const Bytes& file) {
    std::set<std::pair<std::string, int>> seen;
    const test_files::Footer footer = test_files::footer_of(file);
    for (const auto& group : footer.metadata.row_groups) {
      for (const auto& chunk : group.columns) {
        test_files::for_each_page(
            file, *chunk.meta_data, [&](const format::PageHeader& page, uint64_t) {
              const std::string column = chunk.meta_data->path_in_schema.front();
              if (page.data_page_header) {
                seen.insert({column, static_cast<int>(page.data_page_header->encoding)});
              }
              if (page.data_page_header_v2) {
                seen.insert({column, static_cast<int>(page.data_page_header_v2->encoding)});
              }
            });
      }
    }
    return seen;
  };
  using E = format::Encoding;
  const auto has = [](const auto& seen, const std::string& column, E encoding) {
    return seen.contains({column, static_cast<int>(encoding)});
  };
  const auto duckdb = encodings_of(load("duckdb_v2_brotli.parquet"));
  EXPECT_TRUE(has(duckdb, "i32", E::kDeltaBinaryPacked));
  EXPECT_TRUE(has(duckdb, "i64", E::kDeltaBinaryPacked));
  EXPECT_TRUE(has(duckdb, "f64", E::kByteStreamSplit));
  EXPECT_TRUE(has(duckdb, "s", E::kDeltaLengthByteArray));
  EXPECT_TRUE(has(duckdb, "l", E::kDeltaBinaryPacked));
  for (const char* name : {"arrow_v2_lz4.parquet", "arrow_v1_uncompressed.parquet"}) {
    const auto arrow = encodings_of(load(name));
    EXPECT_TRUE(has(arrow, "i32", E::kDeltaBinaryPacked)) << name;
    EXPECT_TRUE(has(arrow, "i32_split", E::kByteStreamSplit)) << name;
    EXPECT_TRUE(has(arrow, "i64_split", E::kByteStreamSplit)) << name;
    EXPECT_TRUE(has(arrow, "f32", E::kByteStreamSplit)) << name;
    EXPECT_TRUE(has(arrow, "s_delta", E::kDeltaByteArray)) << name;
    EXPECT_TRUE(has(arrow, "s_length", E::kDeltaLengthByteArray)) << name;
    EXPECT_TRUE(has(arrow, "fixed_delta", E::kDeltaByteArray)) << name;
    EXPECT_TRUE(has(arrow, "fixed_split", E::kByteStreamSplit)) << name;
  }
  const auto codec_of = [](const Bytes& file) {
    return test_files::footer_of(file).metadata.row_groups.at(0).columns.at(0).meta_data->codec;
  };
  EXPECT_EQ(codec_of(load("duckdb_v2_brotli.parquet")), format::CompressionCodec::kBrotli);
  EXPECT_EQ(codec_of(load("arrow_v2_lz4.parquet")), format::CompressionCodec::kLz4);
}

TEST(EncodingFixtureFiles, Utf8IsCheckedInPagesThatFollowADictionary) {
  // arrow-rs's dictionary outgrew its limit and the chunk went on in DELTA_BYTE_ARRAY;
  // row 300 of this STRING column, in those pages, ends in FF FE. A valid dictionary must
  // not excuse them.
  const Bytes file = load("arrow_dictionary_fallback.parquet");
  expect_error<IoFormatError>([&] { read_all(file); },
                              {.message = "string is not valid UTF-8", .column = "b", .row = 300});
  const frame::Frame frame = read_all(file, {.utf8 = false});
  ASSERT_EQ(frame.num_rows(), 400);
  EXPECT_EQ(frame.column(0)->string_at(299), "value-299");
  EXPECT_EQ(frame.column(0)->string_at(300), "value-300-\xFF\xFE");
  EXPECT_EQ(frame.column(0)->string_at(399), "value-399");
}

TEST(EncodingFixtureFiles, FixedLengthsOutsideTheirRangeAreRefused) {
  const Bytes file = load("arrow_v1_uncompressed.parquet");
  const auto fixed_delta = [](std::vector<format::SchemaElement> & schema) -> auto& {
    for (auto& element : schema) {
      if (element.name == "fixed_delta") return element;
    }
    throw std::logic_error("no fixed_delta column");
  };
  for (const std::optional<int32_t> length :
       {std::optional<int32_t>{}, std::optional<int32_t>{0}, std::optional<int32_t>{-16},
        std::optional<int32_t>{(1 << 30) + 1}}) {
    const Bytes changed =
        with_schema(file, [&](auto& schema) { fixed_delta(schema).type_length = length; });
    expect_error<IoFormatError>(
        [&] { read_all(changed); },
        {.message_has = {length.value_or(0) > 0
                             ? "column 'fixed_delta' is FIXED_LEN_BYTE_ARRAY of 1073741825 "
                               "bytes, more than any page read here (1 GiB) can hold"
                             : "column 'fixed_delta' is FIXED_LEN_BYTE_ARRAY without a "
                               "positive type_length"}});
  }
  // A length that differs from the stored values' is refused by each encoding.
  const Bytes fifteen =
      with_schema(file, [&](auto& schema) { fixed_delta(schema).type_length = 15; });
  const auto error = expect_error<IoFormatError>(
      [&] { read_all(fifteen, {}, {"fixed_delta"}); },
      {.message_has = {"has 16 bytes, the column's fixed length 15"}, .column = "fixed_delta"});
  if (error) {
    EXPECT_GT(error->context().offset, 0u);
  }
  // (BYTE_STREAM_SPLIT pages whose size is no multiple of 15; a PLAIN dictionary page, like
  // other readers, only needs bytes enough for its entries, so 15 reads other bytes there.)
  for (const char* column : {"fixed_split"}) {
    const Bytes changed = with_schema(file, [&](auto& schema) {
      for (auto& element : schema) {
        if (element.name == column) element.type_length = 15;
      }
    });
    EXPECT_THROW(read_all(changed, {}, {column}), IoFormatError) << column;
  }
  // A leaf without a physical type.
  const Bytes untyped = with_schema(file, [&](auto& schema) { fixed_delta(schema).type.reset(); });
  expect_error<IoFormatError>([&] { read_all(untyped); },
                              {.message_has = {"column 'fixed_delta' has no physical type"}});
}

TEST(EncodingFixtureFiles, AnEncodingOutsideItsTypesIsNamed) {
  // A DOUBLE page relabelled DELTA_BINARY_PACKED, a BYTE_ARRAY page BYTE_STREAM_SPLIT.
  const Bytes file = load("arrow_v1_uncompressed.parquet");
  const test_files::Footer footer = test_files::footer_of(file);
  const auto& columns = footer.metadata.row_groups.at(0).columns;
  for (const auto& [column, encoding, message] :
       {std::tuple{"f64", format::Encoding::kDeltaBinaryPacked,
                   "value encoding DELTA_BINARY_PACKED is not supported for physical type DOUBLE"},
        std::tuple{"s_delta", format::Encoding::kByteStreamSplit,
                   "value encoding BYTE_STREAM_SPLIT is not supported for physical type "
                   "BYTE_ARRAY"},
        std::tuple{"i64", format::Encoding::kDeltaLengthByteArray,
                   "value encoding DELTA_LENGTH_BYTE_ARRAY is not supported for physical type "
                   "INT64"}}) {
    size_t target = 0;
    while (columns.at(target).meta_data->path_in_schema.front() != column) ++target;
    const format::Encoding relabel = encoding;  // (clang 14 captures no structured binding)
    const Bytes relabelled =
        test_files::rewrite_pages(file, [&](size_t leaf, format::PageHeader& header, Bytes&) {
          if (leaf == target && header.data_page_header) {
            header.data_page_header->encoding = relabel;
          }
        });
    expect_error<IoFormatError>([&] { read_all(relabelled, {}, {column}); },
                                {.message_has = {message}});
  }
}

// --- hostile pages ---

// Calls visit(column name, header, body offset) for each data and dictionary page.
template <class Visit>
void for_each_page_of(const Bytes& file, Visit&& visit) {
  const test_files::Footer footer = test_files::footer_of(file);
  for (const auto& group : footer.metadata.row_groups) {
    for (const auto& chunk : group.columns) {
      test_files::for_each_page(file, *chunk.meta_data,
                                [&](const format::PageHeader& page, uint64_t offset) {
                                  visit(chunk.meta_data->path_in_schema.front(), page, offset);
                                });
    }
  }
}

// Reads `column` of a damaged file: rows or an IoFormatError, nothing else.
bool reads_or_refuses(const Bytes& file, const std::string& column, ReadVerification verification) {
  try {
    const frame::Frame frame = read_all(file, verification, {column});
    (void)frame.to_struct_array()->to_string();  // touches every value read
    return true;
  } catch (const IoFormatError&) {
    return false;
  } catch (const IoSchemaError&) {
    return false;  // damaged unannotated FIXED_LEN_BYTE_ARRAY bytes that are no longer text
  }
}

class HostileEncodingPages : public ::testing::TestWithParam<const char*> {};

TEST_P(HostileEncodingPages, EveryFlippedByteIsRowsOrAFormatError) {
  const Bytes file = load(GetParam());
  const bool page_is_compressed =
      test_files::footer_of(file).metadata.row_groups.at(0).columns.at(0).meta_data->codec !=
      format::CompressionCodec::kUncompressed;
  int flips = 0;
  int refused = 0;
  for_each_page_of(file,
                   [&](const std::string& column, const format::PageHeader& page, uint64_t offset) {
                     for (uint64_t at = offset;
                          at < offset + static_cast<uint64_t>(page.compressed_page_size); ++at) {
                       for (uint8_t mask : {uint8_t{0x01}, uint8_t{0xFF}}) {
                         // Compressed pages: the codec sees the damage first; one flip each.
                         if (mask == 0xFF && page_is_compressed) continue;
                         Bytes corrupt = file;
                         corrupt[at] ^= mask;
                         ++flips;
                         refused += !reads_or_refuses(corrupt, column, {.checksums = false});
                       }
                     }
                   });
  EXPECT_GT(flips, 1000);
  EXPECT_GT(refused, 0);
}

TEST_P(HostileEncodingPages, EveryPageCutShortIsAFormatError) {
  const Bytes file = load(GetParam());
  const test_files::Footer footer = test_files::footer_of(file);
  const format::RowGroup& group = footer.metadata.row_groups.at(0);
  int cuts = 0;
  int refused = 0;
  for (size_t target = 0; target < group.columns.size(); ++target) {
    const std::string column = group.columns[target].meta_data->path_in_schema.front();
    for (const double fraction : {0.0, 0.1, 0.5, 0.9, 0.99}) {
      // The first data page of leaf `target` keeps `fraction` of its bytes (at least one
      // fewer); its header's sizes follow, as a writer of a short page would set them.
      bool done = false;
      const Bytes cut = test_files::rewrite_pages(
          file, [&](size_t leaf, format::PageHeader& header, Bytes& body) {
            if (leaf != target || done || header.type == format::PageType::kDictionaryPage ||
                body.empty()) {
              return;
            }
            done = true;
            const auto keep = std::min(
                body.size() - 1, static_cast<size_t>(static_cast<double>(body.size()) * fraction));
            header.uncompressed_page_size -= static_cast<int32_t>(body.size() - keep);
            header.crc.reset();
            body.resize(keep);
          });
      ++cuts;
      refused += !reads_or_refuses(cut, column, {});
    }
  }
  EXPECT_GT(cuts, 20);
  EXPECT_EQ(refused, cuts);
}

INSTANTIATE_TEST_SUITE_P(Files, HostileEncodingPages,
                         ::testing::Values("duckdb_v2_uncompressed.parquet",
                                           "arrow_v1_uncompressed.parquet", "arrow_v2_lz4.parquet"),
                         [](const auto& info) {
                           std::string name = info.param;
                           return name.substr(0, name.find('.'));
                         });

}  // namespace
}  // namespace crv::parquet
