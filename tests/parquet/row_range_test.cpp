// Reading a range of rows of one row group: the result equals the whole row group read and
// then sliced, for every range of a row group spread over many pages (ranges starting and
// ending inside pages and on their boundaries, empty and whole), with nulls and nested
// columns, dictionary and PLAIN values, compressed or not, in data pages v1 and v2, on the
// calling thread or a pool. Pages outside the range are passed over unread.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <ostream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"
#include "crv/parquet/decode_pool.hpp"
#include "crv/parquet/reader.hpp"
#include "crv/parquet/writer.hpp"
#include "parquet/bit_util.hpp"
#include "parquet/compression.hpp"
#include "parquet/format.hpp"
#include "parquet/rle_hybrid.hpp"
#include "parquet/schema.hpp"
#include "parquet/test_files.hpp"
#include "support/expect_error.hpp"

namespace crv::parquet {
namespace {

using frame::Value;
using test_files::append_footer;
using test_files::Bytes;
using test_files::Footer;
using test_files::footer_of;
using test_files::for_each_page;
using test_support::expect_error;

constexpr int64_t kRowsPerGroup = 40;

// Flat columns of every type with nulls, a struct with a nested struct, and a list of
// records, all null, empty or holding nulls at random.
frame::Frame mixed_rows(int count) {
  std::mt19937_64 random(11);
  const auto maybe_null = [&](int one_in, Value value) {
    return random() % one_in == 0 ? Value(nullptr) : std::move(value);
  };
  std::vector<Value> rows;
  for (int i = 0; i < count; ++i) {
    std::vector<Value> pairs;
    for (int k = 0; k < static_cast<int>(random() % 4); ++k) {
      pairs.push_back(maybe_null(
          5, Value::record({{"agent", maybe_null(4, Value("a" + std::to_string(random() % 7)))},
                            {"weight", static_cast<double>(random() % 100) / 4}})));
    }
    rows.push_back(Value::record(
        {{"tick", int64_t{i / 3}},
         {"agent", maybe_null(4, Value("agent-" + std::to_string(random() % 9)))},
         {"note",
          maybe_null(3, Value(std::string(random() % 30, static_cast<char>('a' + random() % 26))))},
         {"weight", maybe_null(5, Value(static_cast<double>(random() % 1000) / 7))},
         {"flag", maybe_null(4, Value(random() % 2 == 0))},
         {"snapshot",
          maybe_null(
              6, Value::record({{"price", maybe_null(3, Value(1.5 * (random() % 9)))},
                                {"inner", maybe_null(4, Value::record({{"n", int64_t{i}}}))}}))},
         {"pairs", maybe_null(6, Value::list(std::move(pairs)))}}));
  }
  return frame::Frame::from_rows(rows);
}

int data_pages(const Bytes& file, const format::ColumnMetaData& meta) {
  int pages = 0;
  for_each_page(file, meta, [&](const format::PageHeader& page, uint64_t) {
    pages += page.type != format::PageType::kDictionaryPage;
  });
  return pages;
}

std::vector<int16_t> decode_levels(std::span<const uint8_t> runs, int16_t max_level,
                                   int64_t count) {
  std::vector<int16_t> levels(static_cast<size_t>(count));
  RleHybridDecoder(runs, bit_width_for(static_cast<uint64_t>(max_level))).decode(levels);
  return levels;
}

// The same file with every data page rewritten as a data page v2: levels uncompressed in
// front, values compressed on their own, row and null counts in the header, and a checksum
// over the three.
Bytes with_data_pages_v2(const Bytes& file) {
  const Footer footer = footer_of(file);
  const Schema schema = Schema::from_elements(footer.metadata.schema, "v1");
  const format::CompressionCodec codec =
      footer.metadata.row_groups.front().columns.front().meta_data->codec;
  return test_files::rewrite_pages(file, [&](size_t index, format::PageHeader& page, Bytes& body) {
    if (page.type == format::PageType::kDictionaryPage) return;
    const LeafColumn& leaf = schema.leaves()[index];
    const Bytes raw =
        decompress(codec, body, static_cast<size_t>(page.uncompressed_page_size), size_t{1} << 30);
    std::span<const uint8_t> data = raw;
    const int32_t count = page.data_page_header->num_values;
    const auto rep = leaf.max_rep > 0 ? take_length_prefixed_runs(data) : data.first(0);
    const auto def = leaf.max_def > 0 ? take_length_prefixed_runs(data) : data.first(0);
    int32_t rows = count;
    if (leaf.max_rep > 0) {
      const auto levels = decode_levels(rep, leaf.max_rep, count);
      rows = static_cast<int32_t>(std::count(levels.begin(), levels.end(), 0));
    }
    int32_t nulls = 0;
    if (leaf.max_def > 0) {
      const auto levels = decode_levels(def, leaf.max_def, count);
      nulls = count - static_cast<int32_t>(std::count(levels.begin(), levels.end(), leaf.max_def));
    }
    const Bytes values = compress(codec, data);
    format::PageHeader v2;
    v2.type = format::PageType::kDataPageV2;
    v2.uncompressed_page_size = static_cast<int32_t>(rep.size() + def.size() + data.size());
    v2.data_page_header_v2 =
        format::DataPageHeaderV2{.num_values = count,
                                 .num_nulls = nulls,
                                 .num_rows = rows,
                                 .encoding = page.data_page_header->encoding,
                                 .definition_levels_byte_length = static_cast<int32_t>(def.size()),
                                 .repetition_levels_byte_length = static_cast<int32_t>(rep.size())};
    Bytes stored(rep.begin(), rep.end());
    stored.insert(stored.end(), def.begin(), def.end());
    stored.insert(stored.end(), values.begin(), values.end());
    v2.crc = static_cast<int32_t>(crc32_z(0, stored.data(), stored.size()));
    page = std::move(v2);
    body = std::move(stored);
  });
}

struct Layout {
  const char* name;
  Compression compression;
  bool dictionary;
  bool pages_v2;
};

void PrintTo(const Layout& layout, std::ostream* out) {
  *out << layout.name;
}

const Layout kLayouts[] = {
    {"plain_uncompressed_v1", Compression::kNone, false, false},
    {"dictionary_zstd_v1", Compression::kZstd, true, false},
    {"plain_zstd_v2", Compression::kZstd, false, true},
    {"dictionary_uncompressed_v2", Compression::kNone, true, true},
};

// Three row groups of kRowsPerGroup rows, every chunk split into many small pages.
Bytes write_layout(const frame::Frame& rows, const Layout& layout) {
  WriterOptions options;
  options.compression = layout.compression;
  options.enable_dictionary = layout.dictionary;
  options.row_group_size = kRowsPerGroup;
  options.data_page_size = 16;
  Bytes file = write_parquet(rows, options);
  return layout.pages_v2 ? with_data_pages_v2(file) : file;
}

void expect_frames_equal(const frame::Frame& actual, const frame::Frame& expected) {
  ASSERT_EQ(actual.names(), expected.names());
  ASSERT_EQ(actual.num_rows(), expected.num_rows());
  for (size_t i = 0; i < expected.num_columns(); ++i) {
    EXPECT_TRUE(actual.column(i)->equals(*expected.column(i)))
        << expected.name(i) << "\nexpected " << expected.column(i)->to_string() << "\nactual   "
        << actual.column(i)->to_string();
  }
}

class RowRangeTest : public testing::TestWithParam<Layout> {
 protected:
  const frame::Frame rows = mixed_rows(3 * kRowsPerGroup);
  const Bytes file = write_layout(rows, GetParam());
  ParquetReader reader{memory_source(file, "ranges.parquet")};
};

TEST_P(RowRangeTest, TheLayoutIsWhatTheTestsNeed) {
  ASSERT_EQ(reader.info().row_groups.size(), 3u);
  expect_frames_equal(reader.read(), rows);
  const format::FileMetaData footer = footer_of(file).metadata;
  for (const format::ColumnChunk& chunk : footer.row_groups[1].columns) {
    // Several pages per chunk, so ranges start and end inside pages and on boundaries;
    // booleans take an eighth of a byte each, so one page holds them all and the ranges
    // fall inside it.
    const bool booleans = chunk.meta_data->type == format::Type::kBoolean;
    EXPECT_GE(data_pages(file, *chunk.meta_data), booleans ? 1 : 3)
        << chunk.meta_data->path_in_schema.front();
    for_each_page(file, *chunk.meta_data, [&](const format::PageHeader& page, uint64_t) {
      if (page.type == format::PageType::kDictionaryPage) return;
      EXPECT_EQ(page.type == format::PageType::kDataPageV2, GetParam().pages_v2);
    });
  }
}

TEST_P(RowRangeTest, EveryRangeEqualsTheWholeRowGroupSliced) {
  for (int group : {0, 1}) {
    const frame::Frame whole = reader.read_row_group(group);
    for (int64_t begin = 0; begin <= kRowsPerGroup; ++begin) {
      for (int64_t end = begin; end <= kRowsPerGroup; ++end) {
        SCOPED_TRACE(testing::Message()
                     << "row group " << group << ", rows [" << begin << ", " << end << ")");
        expect_frames_equal(
            reader.read_row_group(group, RowGroupRead{.rows = RowRange{begin, end}}),
            whole.slice(begin, end - begin));
        if (HasFailure()) return;
      }
    }
  }
}

TEST_P(RowRangeTest, APoolDecodesTheSameRowsAndColumns) {
  DecodePool pool(3);
  const std::vector<std::string> columns = {"pairs", "tick", "note", "snapshot", "flag"};
  const frame::Frame whole = reader.read_row_group(2, columns);
  for (const RowRange range : {RowRange{0, kRowsPerGroup}, RowRange{7, 29}, RowRange{39, 40}}) {
    expect_frames_equal(
        reader.read_row_group(2, RowGroupRead{.columns = columns, .rows = range, .pool = &pool}),
        whole.slice(range.begin, range.size()));
  }
}

INSTANTIATE_TEST_SUITE_P(Layouts, RowRangeTest, testing::ValuesIn(kLayouts),
                         [](const testing::TestParamInfo<Layout>& info) {
                           return std::string(info.param.name);
                         });

// Overwrites the body of the first data page of `column`'s chunk in `group` with bytes no
// codec or encoding accepts; a v2 page keeps its levels and loses its values.
void spoil_first_data_page(Bytes& file, int group, size_t column) {
  const format::FileMetaData footer = footer_of(file).metadata;
  const format::ColumnMetaData& meta =
      *footer.row_groups[static_cast<size_t>(group)].columns[column].meta_data;
  bool spoiled = false;
  for_each_page(file, meta, [&](const format::PageHeader& page, uint64_t offset) {
    if (spoiled || page.type == format::PageType::kDictionaryPage) return;
    size_t levels = 0;
    if (page.data_page_header_v2) {
      levels = static_cast<size_t>(page.data_page_header_v2->repetition_levels_byte_length +
                                   page.data_page_header_v2->definition_levels_byte_length);
    }
    std::fill(file.begin() + static_cast<std::ptrdiff_t>(offset + levels),
              file.begin() + static_cast<std::ptrdiff_t>(offset) + page.compressed_page_size,
              uint8_t{0xFF});
    spoiled = true;
  });
  ASSERT_TRUE(spoiled);
}

// Whether `read` fails, or returns other rows than `intact`: a read that decodes a spoiled
// page does one or the other (PLAIN doubles read any bytes as some value).
bool sees_the_damage(const std::function<frame::Frame()>& read, const frame::Frame& intact) {
  try {
    return !read().equals(intact);
  } catch (const IoFormatError&) {
    return true;
  }
}

size_t leaf_of(const Bytes& file, const std::string& path) {
  const Footer footer = footer_of(file);
  const auto& columns = footer.metadata.row_groups.front().columns;
  for (size_t leaf = 0; leaf < columns.size(); ++leaf) {
    std::string joined;
    for (const std::string& part : columns[leaf].meta_data->path_in_schema) {
      joined += (joined.empty() ? "" : ".") + part;
    }
    if (joined == path) return leaf;
  }
  ADD_FAILURE() << "no leaf " << path;
  return 0;
}

TEST(RowRangeSkipping, FlatPagesBeforeTheRangeAreNotDecompressed) {
  const frame::Frame rows = mixed_rows(3 * kRowsPerGroup);
  for (const Layout& layout : kLayouts) {
    SCOPED_TRACE(layout.name);
    Bytes file = write_layout(rows, layout);
    const frame::Frame whole =
        ParquetReader(memory_source(file, "intact.parquet")).read_row_group(1, {"weight"});
    spoil_first_data_page(file, 1, leaf_of(file, "weight"));
    ParquetReader reader(memory_source(file, "spoiled.parquet"));
    EXPECT_TRUE(sees_the_damage([&] { return reader.read_row_group(1, {"weight"}); }, whole));
    // PLAIN doubles fill 16-byte pages two rows at a time; a dictionary page holds more.
    const RowRange later{20, kRowsPerGroup};
    expect_frames_equal(
        reader.read_row_group(1, RowGroupRead{.columns = {"weight"}, .rows = later}),
        whole.slice(later.begin, later.size()));
  }
}

TEST(RowRangeSkipping, NestedPagesAreSkippedByTheirLevelsInDataPagesV2) {
  const frame::Frame rows = mixed_rows(3 * kRowsPerGroup);
  const Layout layout{"plain_zstd_v2", Compression::kZstd, false, true};
  Bytes file = write_layout(rows, layout);
  const frame::Frame whole =
      ParquetReader(memory_source(file, "intact.parquet")).read_row_group(1, {"pairs"});
  spoil_first_data_page(file, 1, leaf_of(file, "pairs.list.element.weight"));
  // Without checksums, which would fail the page whatever part of it is read: this is
  // about which part of it is decoded.
  ParquetReader reader(memory_source(file, "spoiled.parquet"), {.checksums = false});
  EXPECT_TRUE(sees_the_damage([&] { return reader.read_row_group(1, {"pairs"}); }, whole));
  // The levels of a v2 page stand apart from its values: rows are counted without them.
  const RowRange later{30, kRowsPerGroup};
  expect_frames_equal(reader.read_row_group(1, RowGroupRead{.columns = {"pairs"}, .rows = later}),
                      whole.slice(later.begin, later.size()));
}

TEST(RowRangeSkipping, PagesAfterTheRangeAreNotDecompressed) {
  const frame::Frame rows = mixed_rows(3 * kRowsPerGroup);
  Bytes file = write_layout(rows, kLayouts[1]);
  const frame::Frame whole =
      ParquetReader(memory_source(file, "intact.parquet")).read_row_group(0, {"weight", "pairs"});
  // The last data page of each chunk.
  const format::FileMetaData footer = footer_of(file).metadata;
  for (const char* path : {"weight", "pairs.list.element.weight"}) {
    const format::ColumnMetaData& meta =
        *footer.row_groups[0].columns[leaf_of(file, path)].meta_data;
    uint64_t last_offset = 0;
    int32_t last_size = 0;
    for_each_page(file, meta, [&](const format::PageHeader& page, uint64_t offset) {
      last_offset = offset;
      last_size = page.compressed_page_size;
    });
    std::fill_n(file.begin() + static_cast<std::ptrdiff_t>(last_offset), last_size, uint8_t{0xFF});
  }
  ParquetReader reader(memory_source(file, "spoiled.parquet"));
  EXPECT_TRUE(sees_the_damage(
      [&] {
        return reader.read_row_group(0, {"weight", "pairs"});
      },
      whole));
  const RowRange early{0, 3};
  expect_frames_equal(
      reader.read_row_group(0, RowGroupRead{.columns = {"weight", "pairs"}, .rows = early}),
      whole.slice(early.begin, early.size()));
}

TEST(RowRangeErrors, ARangeOutsideTheRowGroupIsASchemaError) {
  const Bytes file = write_parquet(mixed_rows(10));
  ParquetReader reader(memory_source(file, "small.parquet"));
  for (const RowRange range : {RowRange{-1, 2}, RowRange{3, 2}, RowRange{0, 11}}) {
    expect_error<IoSchemaError>(
        [&] { reader.read_row_group(0, RowGroupRead{.rows = range}); },
        {.message_has = {"outside row group 0 of 10 rows"}, .path = "small.parquet"});
  }
}

TEST(RowRangeErrors, ChunksClaimingMoreThanTheFileAreAFormatError) {
  const Bytes file = write_parquet(mixed_rows(10));
  Footer footer = footer_of(file);
  // Every chunk claims all the pages: each lies inside the file, together they do not.
  for (format::ColumnChunk& chunk : footer.metadata.row_groups[0].columns) {
    chunk.meta_data->dictionary_page_offset.reset();
    chunk.meta_data->data_page_offset = 4;
    chunk.meta_data->total_compressed_size = static_cast<int64_t>(footer.start) - 4;
  }
  Bytes hostile(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(footer.start));
  append_footer(footer.metadata, hostile);
  ParquetReader reader(memory_source(hostile, "hostile.parquet"));
  expect_error<IoFormatError>(
      [&] {
        reader.read_row_group(0, RowGroupRead{.rows = RowRange{0, 5}});
      },
      {.message_has = {"column chunks overlap"}});
}

TEST(RowRangeErrors, TruncatedOrCorruptFilesFailCleanlyForEveryRange) {
  Bytes file = write_layout(mixed_rows(kRowsPerGroup), kLayouts[2]);
  DecodePool pool(2);
  for (size_t size = 0; size < file.size(); size += 7) {
    const Bytes cut(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(size));
    EXPECT_THROW(
        {
          ParquetReader reader(memory_source(cut, "cut.parquet"));
          reader.read_row_group(0, RowGroupRead{.rows = RowRange{5, 25}, .pool = &pool});
        },
        IoFormatError)
        << "truncated to " << size;
  }
  for (size_t i = 0; i < file.size(); ++i) {
    Bytes corrupt = file;
    corrupt[i] ^= 0x5A;
    try {
      ParquetReader reader(memory_source(corrupt, "corrupt.parquet"));
      reader.read_row_group(0, RowGroupRead{.rows = RowRange{5, 25}, .pool = &pool});
      reader.read_row_group(0, RowGroupRead{.rows = RowRange{30, 40}});
    } catch (const crv::Error&) {
    }
  }
}

}  // namespace
}  // namespace crv::parquet
