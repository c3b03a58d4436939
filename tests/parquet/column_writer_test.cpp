// ColumnChunkWriter on its own: the pages it appends are read back header by header and
// checked against the chunk's metadata, the encoding it chose, the page sizes it aimed
// for and the statistics of the values.

#include "parquet/column_writer.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "crv/frame/builders.hpp"
#include "crv/parquet/writer.hpp"
#include "parquet/plain.hpp"
#include "parquet/rle_hybrid.hpp"
#include "parquet/test_files.hpp"

namespace crv::parquet {
namespace {

using format::Encoding;
using format::PageType;
using frame::Value;

// Bytes before the chunk, as a file's magic number would be, so offsets are not zero.
constexpr size_t kChunkStart = 4;

struct StoredPage {
  format::PageHeader header;
  size_t offset = 0;       // of the header in the file
  size_t header_size = 0;  // bytes of the header
  std::span<const uint8_t> body;
};

struct WrittenChunk {
  std::vector<uint8_t> file;
  format::ColumnChunk chunk;
  std::vector<StoredPage> pages;

  const format::ColumnMetaData& meta() const { return *chunk.meta_data; }
  std::vector<StoredPage> data_pages() const {
    std::vector<StoredPage> data;
    for (const StoredPage& page : pages) {
      if (page.header.type == PageType::kDataPage) data.push_back(page);
    }
    return data;
  }
};

// Shreds `column` as the only field `field` and writes its first leaf's chunk.
WrittenChunk write_chunk(const frame::Field& field, const frame::ArrayPtr& column,
                         const WriterOptions& options) {
  const Schema schema = Schema::from_fields(std::vector{field});
  const LeafColumn& leaf = schema.leaves().front();
  ShreddedLeaf shredded;
  shred_leaf(schema, leaf, *column, 0, column->length(), field.name, shredded);
  WrittenChunk written;
  written.file.assign({'P', 'A', 'R', '1'});
  ColumnChunkWriter writer;
  written.chunk = writer.write(leaf, schema.node(leaf.node), options, shredded, written.file);
  size_t position = kChunkStart;
  const std::span<const uint8_t> bytes = written.file;
  while (position < bytes.size()) {
    const auto header =
        format::deserialize_prefix<format::PageHeader>(bytes.subspan(position), position, "chunk");
    StoredPage page{header.value, position, header.size, {}};
    page.body = bytes.subspan(position + header.size,
                              static_cast<size_t>(header.value.compressed_page_size));
    position += header.size + page.body.size();
    written.pages.push_back(page);
  }
  return written;
}

constexpr ValueEncoding kEveryEncoding[] = {
    ValueEncoding::kAuto, ValueEncoding::kPlain, ValueEncoding::kDictionary,
    ValueEncoding::kByteStreamSplit, ValueEncoding::kDeltaBinaryPacked};

WriterOptions uncompressed() {
  WriterOptions options;
  options.compression = Compression::kNone;
  return options;
}

// The body of an uncompressed v1 data page without repetition levels: its definition
// levels (width 1) and then its PLAIN int64 values.
struct PlainInt64Page {
  std::vector<int16_t> def_levels;
  std::vector<int64_t> values;
};

PlainInt64Page read_plain_int64_page(const StoredPage& page) {
  std::span<const uint8_t> body = page.body;
  PlainInt64Page read;
  const auto entries = static_cast<size_t>(page.header.data_page_header->num_values);
  read.def_levels.resize(entries);
  RleHybridDecoder(take_length_prefixed_runs(body), 1).decode(std::span<int16_t>(read.def_levels));
  const auto present =
      static_cast<size_t>(std::count(read.def_levels.begin(), read.def_levels.end(), 1));
  decode_plain<int64_t>(body, present, read.values);
  return read;
}

template <class T>
std::string bytes_of(T value) {
  std::string bytes(sizeof value, '\0');
  std::memcpy(bytes.data(), &value, sizeof value);
  return bytes;
}

std::string twenty_bytes(int i) {
  return fmt::format("value-{:014d}", i);
}

frame::ArrayPtr repeating_int64(int64_t rows, int64_t distinct) {
  std::vector<std::optional<int64_t>> values;
  for (int64_t i = 0; i < rows; ++i) {
    values.push_back(i % 10 == 9 ? std::nullopt : std::optional<int64_t>(i % distinct));
  }
  return frame::make_int64(values);
}

TEST(ColumnWriter, MetadataOffsetsAndSizesAgreeWithTheBytesWritten) {
  WriterOptions options;  // zstd
  options.data_page_size = 256;
  const WrittenChunk written =
      write_chunk({"n", frame::int64(), true}, repeating_int64(1000, 7), options);
  const format::ColumnMetaData& meta = written.meta();
  EXPECT_EQ(meta.type, format::Type::kInt64);
  EXPECT_EQ(meta.path_in_schema, std::vector<std::string>{"n"});
  EXPECT_EQ(meta.codec, format::CompressionCodec::kZstd);
  EXPECT_EQ(meta.num_values, 1000);

  ASSERT_GE(written.pages.size(), 3u);
  const StoredPage& dictionary = written.pages.front();
  ASSERT_EQ(dictionary.header.type, PageType::kDictionaryPage);
  EXPECT_EQ(dictionary.header.dictionary_page_header->num_values, 7);
  EXPECT_EQ(meta.dictionary_page_offset, static_cast<int64_t>(kChunkStart));
  EXPECT_EQ(written.chunk.file_offset, static_cast<int64_t>(kChunkStart));
  EXPECT_EQ(meta.data_page_offset, static_cast<int64_t>(written.pages[1].offset));

  int64_t compressed = 0;
  int64_t uncompressed = 0;
  int64_t entries = 0;
  for (const StoredPage& page : written.pages) {
    compressed += static_cast<int64_t>(page.header_size) + page.header.compressed_page_size;
    uncompressed += static_cast<int64_t>(page.header_size) + page.header.uncompressed_page_size;
    EXPECT_EQ(page.header.crc,
              static_cast<int32_t>(crc32_z(0, page.body.data(), page.body.size())));
    if (page.header.type == PageType::kDataPage) {
      entries += page.header.data_page_header->num_values;
    }
  }
  EXPECT_EQ(meta.total_compressed_size, compressed);
  EXPECT_EQ(meta.total_compressed_size, static_cast<int64_t>(written.file.size() - kChunkStart));
  EXPECT_EQ(meta.total_uncompressed_size, uncompressed);
  EXPECT_GT(meta.total_uncompressed_size, meta.total_compressed_size);
  EXPECT_EQ(entries, 1000);
}

TEST(ColumnWriter, ASmallDictionaryEncodesEveryDataPage) {
  const WrittenChunk written =
      write_chunk({"n", frame::int64(), true}, repeating_int64(1000, 7), uncompressed());
  EXPECT_EQ(written.meta().encodings,
            (std::vector<Encoding>{Encoding::kPlain, Encoding::kRle, Encoding::kRleDictionary}));
  for (const StoredPage& page : written.data_pages()) {
    EXPECT_EQ(page.header.data_page_header->encoding, Encoding::kRleDictionary);
  }
}

TEST(ColumnWriter, ADictionaryAboveItsLimitFallsBackToPlain) {
  // 500 distinct strings of 20 bytes, each four times: a dictionary pays off, but its
  // page (500 * 24 bytes) is above a 1000-byte limit.
  std::vector<std::string> values;
  for (int i = 0; i < 2000; ++i) values.push_back(twenty_bytes(i % 500));
  const frame::ArrayPtr column = frame::make_utf8(values);
  const frame::Field field{"s", frame::utf8(), true};

  const WrittenChunk with_dictionary = write_chunk(field, column, uncompressed());
  EXPECT_TRUE(with_dictionary.meta().dictionary_page_offset.has_value());

  WriterOptions limited = uncompressed();
  limited.dictionary_page_limit = 1000;
  const WrittenChunk written = write_chunk(field, column, limited);
  const format::ColumnMetaData& meta = written.meta();
  EXPECT_FALSE(meta.dictionary_page_offset.has_value());
  EXPECT_EQ(meta.encodings, (std::vector<Encoding>{Encoding::kPlain, Encoding::kRle}));
  EXPECT_EQ(written.chunk.file_offset, static_cast<int64_t>(kChunkStart));
  EXPECT_EQ(meta.data_page_offset, static_cast<int64_t>(kChunkStart));
  ASSERT_FALSE(written.pages.empty());
  for (const StoredPage& page : written.pages) {
    ASSERT_EQ(page.header.type, PageType::kDataPage);
    EXPECT_EQ(page.header.data_page_header->encoding, Encoding::kPlain);
  }
  EXPECT_GT(meta.total_uncompressed_size, with_dictionary.meta().total_uncompressed_size);
}

TEST(ColumnWriter, RandomValuesArePlainAndADisabledDictionaryIsNeverUsed) {
  std::mt19937_64 random(1);
  std::vector<int64_t> distinct(300);
  for (int64_t& value : distinct) value = static_cast<int64_t>(random());
  const WrittenChunk all_distinct =
      write_chunk({"n", frame::int64(), true}, frame::make_int64(distinct), uncompressed());
  EXPECT_EQ(all_distinct.meta().encodings,
            (std::vector<Encoding>{Encoding::kPlain, Encoding::kRle}));

  WriterOptions disabled = uncompressed();
  disabled.enable_dictionary = false;
  disabled.value_encoding = ValueEncoding::kDictionary;
  const WrittenChunk repeating =
      write_chunk({"n", frame::int64(), true}, repeating_int64(300, 3), disabled);
  EXPECT_FALSE(repeating.meta().dictionary_page_offset.has_value());
  // 0, 1, 2, 0, ...: deltas of two bits beat eight-byte values.
  EXPECT_EQ(repeating.meta().encodings,
            (std::vector<Encoding>{Encoding::kRle, Encoding::kDeltaBinaryPacked}));
}

// A large chunk: values that never repeat are PLAIN, with statistics from every value; values
// that repeat are dictionary encoded, values first seen late in the chunk included.
TEST(ColumnWriter, ALargeChunkIsPlainOrDictionaryEncodedWithEveryValueAndItsBounds) {
  const int64_t rows = 100'000;
  std::vector<std::optional<std::string>> distinct;
  for (int64_t i = 0; i < rows; ++i) {
    distinct.push_back(i % 7 == 3 ? std::nullopt : std::optional(fmt::format("{:08x}", i * 7919)));
  }
  distinct[rows - 2] = "!first";
  distinct[rows - 1] = "~last";
  const WrittenChunk plain =
      write_chunk({"s", frame::utf8(), true}, frame::make_utf8(distinct), WriterOptions{});
  EXPECT_EQ(plain.meta().encodings, (std::vector<Encoding>{Encoding::kPlain, Encoding::kRle}));
  EXPECT_EQ(plain.meta().statistics->min_value, "!first");
  EXPECT_EQ(plain.meta().statistics->max_value, "~last");

  std::vector<std::optional<std::string>> repeating;
  for (int64_t i = 0; i < rows; ++i) {
    repeating.push_back(i < rows / 2 ? fmt::format("label-{}", i % 10)
                                     : fmt::format("zz-{}", i % 5));
  }
  const frame::ArrayPtr column = frame::make_utf8(repeating);
  const WrittenChunk dictionary = write_chunk({"s", frame::utf8(), true}, column, WriterOptions{});
  EXPECT_TRUE(dictionary.meta().dictionary_page_offset.has_value());
  EXPECT_EQ(dictionary.meta().statistics->max_value, "zz-4");
  const std::vector<uint8_t> file = write_parquet(frame::Frame({{"s", column}}), WriterOptions{});
  const frame::Frame back = test_files::read_back(file);
  EXPECT_TRUE(back.column(0)->equals(*column));
}

TEST(ColumnWriter, DataPagesAreSizedByDataPageSize) {
  // PLAIN int64 costs 8 bytes an entry: 800-byte pages hold 100 entries each.
  std::vector<int64_t> values(1000);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<int64_t>(i);
  WriterOptions options = uncompressed();
  options.value_encoding = ValueEncoding::kPlain;
  options.data_page_size = 800;
  const WrittenChunk written =
      write_chunk({"n", frame::int64(), true}, frame::make_int64(values), options);
  const std::vector<StoredPage> pages = written.data_pages();
  ASSERT_EQ(pages.size(), 10u);
  for (size_t p = 0; p < pages.size(); ++p) {
    SCOPED_TRACE(p);
    EXPECT_EQ(pages[p].header.data_page_header->num_values, 100);
    const PlainInt64Page page = read_plain_int64_page(pages[p]);
    EXPECT_EQ(page.def_levels, std::vector<int16_t>(100, 1));
    ASSERT_EQ(page.values.size(), 100u);
    EXPECT_EQ(page.values.front(), static_cast<int64_t>(p * 100));
    EXPECT_EQ(page.values.back(), static_cast<int64_t>(p * 100 + 99));
  }
}

TEST(ColumnWriter, APageWithNullsHoldsTheirLevelsAndOnlyThePresentValues) {
  WriterOptions options = uncompressed();
  options.value_encoding = ValueEncoding::kPlain;
  const WrittenChunk written = write_chunk(
      {"n", frame::int64(), true},
      frame::make_int64({1, std::nullopt, 3, std::nullopt, std::nullopt, 6, 7, 8, 9}), options);
  const std::vector<StoredPage> pages = written.data_pages();
  ASSERT_EQ(pages.size(), 1u);
  const PlainInt64Page page = read_plain_int64_page(pages.front());
  EXPECT_EQ(page.def_levels, (std::vector<int16_t>{1, 0, 1, 0, 0, 1, 1, 1, 1}));
  EXPECT_EQ(page.values, (std::vector<int64_t>{1, 3, 6, 7, 8, 9}));
}

TEST(ColumnWriter, PagesNeverSplitTheEntriesOfARow) {
  // 100 rows of three items; pages aimed at 10 entries end at the next row's start.
  std::vector<Value> rows;
  for (int64_t row = 0; row < 100; ++row) rows.push_back(Value::list({row, row, row}));
  const frame::Field field{"l", frame::list({"item", frame::int64(), true}), true};
  WriterOptions options = uncompressed();
  options.enable_dictionary = false;
  options.data_page_size = 80;
  const WrittenChunk written =
      write_chunk(field, frame::array_from_values(rows, field.type), options);
  const std::vector<StoredPage> pages = written.data_pages();
  ASSERT_EQ(pages.size(), 25u);
  for (const StoredPage& page : pages) {
    const int32_t entries = page.header.data_page_header->num_values;
    ASSERT_EQ(entries, 12);
    std::span<const uint8_t> body = page.body;
    std::vector<int16_t> rep(static_cast<size_t>(entries));
    RleHybridDecoder(take_length_prefixed_runs(body), 1).decode(std::span<int16_t>(rep));
    EXPECT_EQ(rep.front(), 0);
    EXPECT_EQ(std::count(rep.begin(), rep.end(), 0), 4);
  }
}

// The encoding of the data pages, which must all agree.
Encoding data_page_encoding(const WrittenChunk& written) {
  const std::vector<StoredPage> pages = written.data_pages();
  for (const StoredPage& page : pages) {
    EXPECT_EQ(page.header.data_page_header->encoding,
              pages.front().header.data_page_header->encoding);
  }
  return pages.front().header.data_page_header->encoding;
}

WriterOptions forcing(ValueEncoding encoding, Compression compression = Compression::kNone) {
  WriterOptions options;
  options.compression = compression;
  options.value_encoding = encoding;
  return options;
}

frame::ArrayPtr ticks(int64_t rows) {
  std::vector<int64_t> values;
  for (int64_t i = 0; i < rows; ++i) values.push_back(1'000'000 + i / 7);
  return frame::make_int64(values);
}

// `rows` doubles drawn from `distinct` random ones, in a random order or cycling through
// them in turn.
frame::ArrayPtr doubles(int64_t rows, size_t distinct, bool periodic) {
  std::mt19937_64 random(9);
  std::uniform_real_distribution<double> uniform(0.0, 1000.0);
  std::vector<double> pool(distinct);
  for (double& value : pool) value = uniform(random);
  std::vector<double> values;
  for (int64_t i = 0; i < rows; ++i) {
    values.push_back(pool[periodic ? static_cast<size_t>(i) % distinct : random() % distinct]);
  }
  return frame::make_float64(values);
}

// `rows` ids drawn at random from `distinct`, with `nulls_in_four` of every four rows null.
frame::ArrayPtr agent_ids(int64_t rows, int64_t distinct, int nulls_in_four) {
  std::mt19937_64 random(11);
  std::vector<std::optional<std::string>> values;
  for (int64_t i = 0; i < rows; ++i) {
    const auto id = static_cast<int64_t>(random() % static_cast<uint64_t>(distinct));
    if (i % 4 < nulls_in_four) {
      values.emplace_back();
    } else {
      values.emplace_back(fmt::format("agent-{:07d}", id));
    }
  }
  return frame::make_utf8(values);
}

TEST(ColumnWriter, AForcedEncodingIsUsedWhereItApplies) {
  const frame::ArrayPtr ints = repeating_int64(1000, 7);
  const frame::ArrayPtr floats = doubles(1000, 1000, false);
  const frame::Field int_field{"n", frame::int64(), true};
  const frame::Field float_field{"f", frame::float64(), true};

  const WrittenChunk plain = write_chunk(int_field, ints, forcing(ValueEncoding::kPlain));
  EXPECT_EQ(data_page_encoding(plain), Encoding::kPlain);
  EXPECT_EQ(plain.meta().encodings, (std::vector<Encoding>{Encoding::kPlain, Encoding::kRle}));

  // Every value distinct: a dictionary only because it is asked for.
  const WrittenChunk dictionary =
      write_chunk(float_field, floats, forcing(ValueEncoding::kDictionary));
  EXPECT_EQ(dictionary.pages.front().header.type, PageType::kDictionaryPage);
  EXPECT_EQ(data_page_encoding(dictionary), Encoding::kRleDictionary);
  EXPECT_EQ(dictionary.meta().encodings,
            (std::vector<Encoding>{Encoding::kPlain, Encoding::kRle, Encoding::kRleDictionary}));

  const WrittenChunk split =
      write_chunk(float_field, floats, forcing(ValueEncoding::kByteStreamSplit));
  EXPECT_EQ(data_page_encoding(split), Encoding::kByteStreamSplit);
  EXPECT_EQ(split.meta().encodings,
            (std::vector<Encoding>{Encoding::kRle, Encoding::kByteStreamSplit}));
  EXPECT_FALSE(split.meta().dictionary_page_offset.has_value());

  WriterOptions small_pages = forcing(ValueEncoding::kDeltaBinaryPacked);
  small_pages.data_page_size = 800;
  const WrittenChunk delta = write_chunk(int_field, ints, small_pages);
  EXPECT_EQ(delta.data_pages().size(), 10u);
  EXPECT_EQ(data_page_encoding(delta), Encoding::kDeltaBinaryPacked);
  EXPECT_EQ(delta.meta().encodings,
            (std::vector<Encoding>{Encoding::kRle, Encoding::kDeltaBinaryPacked}));

  // A REQUIRED column has no levels, so no RLE either.
  const WrittenChunk required = write_chunk({"n", frame::int64(), false}, ticks(100),
                                            forcing(ValueEncoding::kDeltaBinaryPacked));
  EXPECT_EQ(required.meta().encodings, std::vector<Encoding>{Encoding::kDeltaBinaryPacked});
}

TEST(ColumnWriter, AForcedEncodingThatDoesNotApplyIsLeftToTheAutomaticChoice) {
  const auto same_chunk = [](const frame::Field& field, const frame::ArrayPtr& column,
                             const WriterOptions& forced) {
    WriterOptions unforced = forced;
    unforced.value_encoding = ValueEncoding::kAuto;
    const WrittenChunk automatic = write_chunk(field, column, unforced);
    const WrittenChunk written = write_chunk(field, column, forced);
    EXPECT_EQ(written.meta().encodings, automatic.meta().encodings);
    EXPECT_EQ(written.file, automatic.file);
    return written;
  };
  const frame::Field int_field{"n", frame::int64(), true};
  EXPECT_EQ(data_page_encoding(
                same_chunk(int_field, ticks(1000), forcing(ValueEncoding::kByteStreamSplit))),
            Encoding::kDeltaBinaryPacked);
  EXPECT_EQ(data_page_encoding(same_chunk({"f", frame::float64(), true}, doubles(1000, 4, false),
                                          forcing(ValueEncoding::kDeltaBinaryPacked))),
            Encoding::kRleDictionary);
  EXPECT_EQ(data_page_encoding(same_chunk({"b", frame::boolean(), true},
                                          frame::make_bool({true, false, std::nullopt}),
                                          forcing(ValueEncoding::kDictionary))),
            Encoding::kPlain);
  EXPECT_EQ(data_page_encoding(same_chunk({"s", frame::utf8(), true}, frame::make_utf8({"a", "b"}),
                                          forcing(ValueEncoding::kByteStreamSplit))),
            Encoding::kPlain);
  // A dictionary above its limit.
  WriterOptions limited = forcing(ValueEncoding::kDictionary);
  limited.dictionary_page_limit = 16;
  EXPECT_EQ(data_page_encoding(same_chunk(int_field, repeating_int64(1000, 7), limited)),
            Encoding::kDeltaBinaryPacked);
}

TEST(ColumnWriter, TheAutomaticChoiceIsTheSmallestAfterCompression) {
  // One page per chunk of 100,000 values, judged by its first 8,192 (64 KiB as PLAIN):
  // the periodic doubles repeat within the sample's first half.
  constexpr int64_t kRows = 100'000;
  std::mt19937_64 random(4);
  std::vector<int64_t> random_ints(kRows);
  for (int64_t& value : random_ints) value = static_cast<int64_t>(random() >> 20);
  struct Shape {
    const char* name;
    frame::Field field;
    frame::ArrayPtr column;
  };
  const std::vector<Shape> shapes = {
      {"ticks", {"n", frame::int64(), true}, ticks(kRows)},
      {"random ints", {"n", frame::int64(), true}, frame::make_int64(random_ints)},
      {"few ints", {"n", frame::int64(), true}, repeating_int64(kRows, 5)},
      {"random doubles", {"f", frame::float64(), true}, doubles(kRows, kRows, false)},
      {"few doubles", {"f", frame::float64(), true}, doubles(kRows, 12, false)},
      {"periodic doubles", {"f", frame::float64(), true}, doubles(kRows, 2'000, true)},
      // Dictionaries larger than the sample, judged before they are built.
      {"ids from 50,000", {"s", frame::utf8(), true}, agent_ids(kRows, 50'000, 0)},
      {"ids from 5,000", {"s", frame::utf8(), true}, agent_ids(kRows, 5'000, 0)},
      {"ids from 50,000, 3 in 4 null", {"s", frame::utf8(), true}, agent_ids(kRows, 50'000, 3)},
      {"doubles from 20,000", {"f", frame::float64(), true}, doubles(kRows, 20'000, false)},
  };
  for (const Compression codec : {Compression::kNone, Compression::kZstd, Compression::kSnappy}) {
    for (const Shape& shape : shapes) {
      SCOPED_TRACE(fmt::format("{} {}", shape.name, to_string(codec)));
      const int64_t automatic =
          write_chunk(shape.field, shape.column, forcing(ValueEncoding::kAuto, codec))
              .meta()
              .total_compressed_size;
      for (const ValueEncoding encoding : kEveryEncoding) {
        const int64_t forced = write_chunk(shape.field, shape.column, forcing(encoding, codec))
                                   .meta()
                                   .total_compressed_size;
        // The choice is judged on a sample, so where two encodings come within a few
        // percent of each other it may take the slightly larger one; page headers differ
        // by a few bytes from encoding to encoding.
        EXPECT_LE(static_cast<double>(automatic), static_cast<double>(forced) * 1.03 + 16)
            << static_cast<int>(encoding);
      }
    }
  }
  const auto chosen = [](const Shape& shape, Compression codec) {
    return data_page_encoding(
        write_chunk(shape.field, shape.column, forcing(ValueEncoding::kAuto, codec)));
  };
  EXPECT_EQ(chosen(shapes[0], Compression::kZstd), Encoding::kDeltaBinaryPacked);
  EXPECT_EQ(chosen(shapes[2], Compression::kZstd), Encoding::kRleDictionary);
  EXPECT_EQ(chosen(shapes[4], Compression::kZstd), Encoding::kRleDictionary);
  // 2,000 doubles repeating in turn: the repeats cost zstd next to nothing, so a
  // dictionary's 11-bit indices are the larger form.
  EXPECT_NE(chosen(shapes[5], Compression::kZstd), Encoding::kRleDictionary);
}

// Dictionaries too large to judge by compressing them whole are judged on the sample's
// values and an estimate of the chunk's distinct values, and built whole only if taken:
// whichever way it goes, every value is written and the bounds are of every value (here
// the smallest and largest come last, after the sample).
TEST(ColumnWriter, ADictionaryJudgedBeforeItIsBuiltHoldsEveryValue) {
  const int64_t rows = 100'000;
  std::mt19937_64 random(3);
  struct Shape {
    const char* name;
    std::function<std::string(int64_t)> value;
    Encoding expected;
  };
  const std::vector<Shape> shapes = {
      // 20,000 long labels at random: 15-bit indices beat the codec's matches.
      {"repeating", [&](int64_t) { return fmt::format("{:030d}", 1 + random() % 20'000); },
       Encoding::kRleDictionary},
      // Each value twice in a row, then values that never repeat: the sample's values
      // alone would make a dictionary of half their number, the count of the chunk's
      // distinct values makes one too large to take.
      {"pairs, then distinct",
       [&](int64_t i) { return fmt::format("{:030d}", i < rows / 5 ? i / 2 : i); },
       Encoding::kPlain},
  };
  for (const Shape& shape : shapes) {
    SCOPED_TRACE(shape.name);
    std::vector<std::optional<std::string>> values;
    for (int64_t i = 0; i < rows - 2; ++i) {
      values.push_back(i % 9 == 4 ? std::nullopt : std::optional(shape.value(i)));
    }
    values.emplace_back("0-smallest");
    values.emplace_back("a-largest");
    const frame::ArrayPtr strings = frame::make_utf8(values);
    // The same strings as the items of lists of two, every fifth list null (not the last):
    // a chunk whose values are dense, apart from its entries.
    std::vector<int32_t> offsets;
    std::vector<bool> valid;
    for (int32_t item = 0; item < static_cast<int32_t>(rows); item += 2) {
      offsets.push_back(item);
      valid.push_back(offsets.size() % 5 != 3);
    }
    offsets.push_back(static_cast<int32_t>(rows));
    const frame::ArrayPtr lists = frame::make_list(offsets, strings, valid);
    for (const Compression codec : {Compression::kZstd, Compression::kNone}) {
      for (const auto& [field, column] :
           {std::pair{frame::Field{"s", frame::utf8(), true}, strings},
            std::pair{frame::Field{"s", frame::list(frame::utf8()), true}, lists}}) {
        SCOPED_TRACE(fmt::format("{} {}", to_string(codec), field.type->to_string()));
        const WriterOptions options = forcing(ValueEncoding::kAuto, codec);
        const WrittenChunk written = write_chunk(field, column, options);
        EXPECT_EQ(data_page_encoding(written), shape.expected);
        EXPECT_EQ(written.meta().statistics->min_value, "0-smallest");
        EXPECT_EQ(written.meta().statistics->max_value, "a-largest");
        const std::vector<uint8_t> file = write_parquet(frame::Frame({{"s", column}}), options);
        EXPECT_TRUE(test_files::read_back(file).column(0)->equals(*column));
      }
    }
  }
}

TEST(ColumnWriter, IndicesOfADozenEvenlyDrawnValuesAreCompressed) {
  // 4-bit indices of 12 values: every byte value is rarer than 1 in 128, which makes zstd
  // store a whole page raw about half the time; smaller blocks code them.
  const std::vector<std::string> labels = {"buy",    "sell",   "hold",   "cancel",
                                           "amend",  "quote",  "fill",   "partial_fill",
                                           "reject", "expire", "borrow", "repay"};
  for (uint64_t seed = 0; seed < 6; ++seed) {
    std::mt19937_64 random(seed);
    std::vector<std::string> values(131'072);
    for (std::string& value : values) value = labels[random() % labels.size()];
    const WrittenChunk written = write_chunk({"s", frame::utf8(), false}, frame::make_utf8(values),
                                             forcing(ValueEncoding::kAuto, Compression::kZstd));
    SCOPED_TRACE(seed);
    ASSERT_EQ(data_page_encoding(written), Encoding::kRleDictionary);
    for (const StoredPage& page : written.data_pages()) {
      EXPECT_LT(static_cast<double>(page.header.compressed_page_size),
                0.95 * static_cast<double>(page.header.uncompressed_page_size));
    }
  }
}

TEST(ColumnWriter, RepeatsFurtherApartThanHalfTheSampleAreNotSeen) {
  // 10,000 doubles repeating in turn: the sample's halves see no repeat, so the estimate
  // for BYTE_STREAM_SPLIT grows with the chunk and the dictionary is taken, although the
  // codec would have found the repeats in one page. This is the price of a sample, and
  // the dictionary stays within about a third of the smallest.
  const frame::Field field{"f", frame::float64(), true};
  const frame::ArrayPtr periodic = doubles(100'000, 10'000, true);
  const WrittenChunk automatic =
      write_chunk(field, periodic, forcing(ValueEncoding::kAuto, Compression::kZstd));
  EXPECT_EQ(data_page_encoding(automatic), Encoding::kRleDictionary);
  const int64_t split =
      write_chunk(field, periodic, forcing(ValueEncoding::kByteStreamSplit, Compression::kZstd))
          .meta()
          .total_compressed_size;
  EXPECT_LT(split, automatic.meta().total_compressed_size);
  EXPECT_LT(static_cast<double>(automatic.meta().total_compressed_size),
            static_cast<double>(split) * 1.4);
}

TEST(ColumnWriter, StatisticsOfIntegersWithNulls) {
  const frame::ArrayPtr column = frame::make_int64({5, std::nullopt, -3, 9, std::nullopt, 5});
  for (const ValueEncoding encoding : kEveryEncoding) {
    SCOPED_TRACE(static_cast<int>(encoding));
    WriterOptions options = uncompressed();
    options.value_encoding = encoding;
    const format::Statistics stats =
        *write_chunk({"n", frame::int64(), true}, column, options).meta().statistics;
    EXPECT_EQ(stats.null_count, 2);
    EXPECT_EQ(stats.min_value, bytes_of<int64_t>(-3));
    EXPECT_EQ(stats.max_value, bytes_of<int64_t>(9));
    // Integers order the same signed, so the legacy fields are written too.
    EXPECT_EQ(stats.min, bytes_of<int64_t>(-3));
    EXPECT_EQ(stats.max, bytes_of<int64_t>(9));
  }
}

TEST(ColumnWriter, StatisticsOfDoublesLeaveOutNaNAndSignTheirZeros) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const ValueEncoding encoding : kEveryEncoding) {
    SCOPED_TRACE(static_cast<int>(encoding));
    WriterOptions options = uncompressed();
    options.value_encoding = encoding;
    const format::Statistics stats =
        *write_chunk({"f", frame::float64(), true},
                     frame::make_float64({0.0, nan, std::nullopt, 2.5}), options)
             .meta()
             .statistics;
    EXPECT_EQ(stats.null_count, 1);
    EXPECT_EQ(stats.min_value, bytes_of(-0.0));
    EXPECT_EQ(stats.max_value, bytes_of(2.5));
  }
}

TEST(ColumnWriter, StatisticsOfStringsUseOnlyTheUnsignedFields) {
  const format::Statistics stats =
      *write_chunk({"s", frame::utf8(), true},
                   frame::make_utf8({"pear", std::nullopt, "apple", "\xc3\xa9t\xc3\xa9", "zebra"}),
                   uncompressed())
           .meta()
           .statistics;
  EXPECT_EQ(stats.null_count, 1);
  EXPECT_EQ(stats.min_value, "apple");
  EXPECT_EQ(stats.max_value, "\xc3\xa9t\xc3\xa9");  // bytes compare unsigned: 0xc3 > 'z'
  EXPECT_FALSE(stats.min.has_value());
  EXPECT_FALSE(stats.max.has_value());
}

TEST(ColumnWriter, LongStringsHaveNoMinOrMax) {
  const format::Statistics stats =
      *write_chunk({"s", frame::utf8(), true},
                   frame::make_utf8(
                       {std::optional<std::string_view>(std::string(5000, 'a')), std::nullopt}),
                   uncompressed())
           .meta()
           .statistics;
  EXPECT_EQ(stats.null_count, 1);
  EXPECT_FALSE(stats.min_value.has_value());
  EXPECT_FALSE(stats.max_value.has_value());
}

TEST(ColumnWriter, AnAllNullChunkHasOnlyANullCount) {
  const format::Statistics stats =
      *write_chunk({"n", frame::int64(), true},
                   frame::make_int64({std::nullopt, std::nullopt, std::nullopt}), uncompressed())
           .meta()
           .statistics;
  EXPECT_EQ(stats.null_count, 3);
  EXPECT_FALSE(stats.min_value.has_value());
  EXPECT_FALSE(stats.max_value.has_value());
}

TEST(ColumnWriter, StatisticsOfBooleans) {
  const format::Statistics stats =
      *write_chunk({"b", frame::boolean(), true}, frame::make_bool({true, std::nullopt, true}),
                   uncompressed())
           .meta()
           .statistics;
  EXPECT_EQ(stats.null_count, 1);
  EXPECT_EQ(stats.min_value, bytes_of<uint8_t>(1));
  EXPECT_EQ(stats.max_value, bytes_of<uint8_t>(1));
}

}  // namespace
}  // namespace crv::parquet
