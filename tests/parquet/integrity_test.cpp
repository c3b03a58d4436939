// Damage that still decodes is caught: page checksums (written on every page, verified on
// read) and UTF-8 checks of the strings read and written.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"
#include "crv/parquet/reader.hpp"
#include "crv/parquet/writer.hpp"
#include "parquet/format.hpp"
#include "parquet/test_files.hpp"
#include "support/expect_error.hpp"

namespace crv::parquet {
namespace {

using test_files::read_back;

using frame::Value;
using test_files::Bytes;
using test_files::footer_of;
using test_files::for_each_page;
using test_support::expect_error;

uint32_t crc_of(std::span<const uint8_t> bytes) {
  return static_cast<uint32_t>(crc32_z(0, bytes.data(), bytes.size()));
}

// Calls visit(header, body offset) for every page of every column chunk.
template <class Visit>
void for_every_page(const Bytes& file, Visit&& visit) {
  for (const format::RowGroup& group : footer_of(file).metadata.row_groups) {
    for (const format::ColumnChunk& chunk : group.columns) {
      for_each_page(file, *chunk.meta_data, visit);
    }
  }
}

// A small part: flat columns of every type with nulls, and a list of records.
frame::Frame small_part() {
  std::vector<Value> rows;
  for (int64_t i = 0; i < 24; ++i) {
    rows.push_back(Value::record(
        {{"tick", i / 4},
         {"agent", i % 5 == 0 ? Value(nullptr) : Value("agent-" + std::to_string(i % 3))},
         {"note", std::string(static_cast<size_t>(i % 7), static_cast<char>('a' + i % 26))},
         {"weight", static_cast<double>(i) / 3},
         {"flag", i % 3 == 0},
         {"claims", Value::list({Value::record({{"text", "c" + std::to_string(i)}})})}}));
  }
  return frame::Frame::from_rows(rows);
}

struct ChecksumLayout {
  const char* name;
  Compression compression;
  bool dictionary;
};

const ChecksumLayout kChecksumLayouts[] = {
    {"plain_uncompressed", Compression::kNone, false},
    {"dictionary_uncompressed", Compression::kNone, true},
    {"plain_zstd", Compression::kZstd, false},
    {"dictionary_snappy", Compression::kSnappy, true},
};

Bytes write_checksum_layout(const frame::Frame& rows, const ChecksumLayout& layout) {
  WriterOptions options;
  options.compression = layout.compression;
  options.enable_dictionary = layout.dictionary;
  options.row_group_size = 10;
  options.data_page_size = 64;
  return write_parquet(rows, options);
}

TEST(PageChecksums, EveryPageCarriesTheCrc32OfItsStoredBytes) {
  for (const ChecksumLayout& layout : kChecksumLayouts) {
    SCOPED_TRACE(layout.name);
    const Bytes file = write_checksum_layout(small_part(), layout);
    int pages = 0;
    int dictionary_pages = 0;
    for_every_page(file, [&](const format::PageHeader& page, uint64_t offset) {
      ++pages;
      dictionary_pages += page.type == format::PageType::kDictionaryPage;
      ASSERT_TRUE(page.crc.has_value());
      const auto body =
          std::span(file).subspan(offset, static_cast<size_t>(page.compressed_page_size));
      EXPECT_EQ(static_cast<uint32_t>(*page.crc), crc_of(body)) << "page at " << offset;
    });
    EXPECT_GT(pages, 18);  // 6 leaves x 3 row groups, some with several pages
    EXPECT_EQ(dictionary_pages > 0, layout.dictionary);
  }
}

// Flips each byte of each page's stored bytes in turn. Verified, no flip may read back as
// other rows than were written; unverified, some do, so the checksums are what catches them.
TEST(PageChecksums, NoFlippedPageByteReadsBackAsOtherRows) {
  const frame::Frame rows = small_part();
  for (const ChecksumLayout& layout : kChecksumLayouts) {
    SCOPED_TRACE(layout.name);
    const Bytes file = write_checksum_layout(rows, layout);
    int flips = 0;
    int unverified_wrong_rows = 0;
    for_every_page(file, [&](const format::PageHeader& page, uint64_t offset) {
      for (uint64_t at = offset; at < offset + static_cast<uint64_t>(page.compressed_page_size);
           ++at) {
        Bytes corrupt = file;
        corrupt[at] ^= 0x01;
        ++flips;
        try {
          EXPECT_TRUE(read_back(corrupt).equals(rows)) << "flipped byte " << at;
        } catch (const IoFormatError&) {
        }
        try {
          unverified_wrong_rows +=
              !read_back(corrupt, {}, {.checksums = false, .utf8 = false}).equals(rows);
        } catch (const IoFormatError&) {
        }
      }
    });
    EXPECT_GT(flips, 300);
    EXPECT_GT(unverified_wrong_rows, 0);
  }
}

TEST(PageChecksums, AMismatchNamesTheFileColumnAndPageOffset) {
  Bytes file = write_checksum_layout(small_part(), kChecksumLayouts[0]);
  const format::ColumnMetaData meta = *footer_of(file).metadata.row_groups[1].columns[3].meta_data;
  std::optional<uint64_t> first_page;
  for_each_page(file, meta, [&](const format::PageHeader&, uint64_t offset) {
    if (!first_page) first_page = offset;
  });
  ASSERT_TRUE(first_page);
  file[*first_page] ^= 0x40;
  expect_error<IoFormatError>([&] { read_back(file); }, {.message_has = {"checksum mismatch"},
                                                         .path = "part.parquet",
                                                         .column = "weight",
                                                         .offset = *first_page});
  // Reading only other columns does not touch the page.
  ParquetReader reader(memory_source(file, "part.parquet"));
  EXPECT_EQ(reader.read({.columns = {"tick", "note"}}).num_rows(), 24);
}

TEST(PageChecksums, FilesWithoutChecksumsStillRead) {
  const frame::Frame rows = small_part();
  for (const ChecksumLayout& layout : kChecksumLayouts) {
    SCOPED_TRACE(layout.name);
    const Bytes file = test_files::rewrite_pages(
        write_checksum_layout(rows, layout),
        [](size_t, format::PageHeader& page, Bytes&) { page.crc.reset(); });
    for_every_page(
        file, [](const format::PageHeader& page, uint64_t) { ASSERT_FALSE(page.crc.has_value()); });
    EXPECT_TRUE(read_back(file).equals(rows));
  }
}

// `file` with every occurrence of `marker` starting with 0xFF instead, and the pages'
// checksums made to match, so only the UTF-8 check can see the damage.
Bytes with_invalid_marker(const Bytes& file, std::string_view marker) {
  Bytes patched = file;
  int found = 0;
  for (auto at = patched.begin();
       (at = std::search(at, patched.end(), marker.begin(), marker.end())) != patched.end(); ++at) {
    *at = 0xFF;
    ++found;
  }
  EXPECT_GT(found, 0) << marker;
  return test_files::rewrite_pages(patched, [](size_t, format::PageHeader& page, Bytes& body) {
    page.crc = static_cast<int32_t>(crc_of(body));
  });
}

// Rows of strings with nulls, plain or from a dictionary, and strings inside a list; row
// `marked` holds the marker in `column` (rows before it do not).
frame::Frame strings_with_marker(const std::string& column, int64_t marked) {
  std::vector<Value> rows;
  for (int64_t i = 0; i < 12; ++i) {
    const bool here = i == marked;
    rows.push_back(
        Value::record({{"tick", i},
                       {"agent", here && column == "agent" ? Value("MARK")
                                 : i % 3 == 1              ? Value(nullptr)
                                              : Value("agent-" + std::to_string(i % 2))},
                       {"tags", Value::list({Value("t"), i % 4 == 0 ? Value(nullptr) : Value("u"),
                                             Value(here && column == "tags" ? "MARK" : "v")})}}));
  }
  return frame::Frame::from_rows(rows);
}

TEST(Utf8, AnInvalidStringReadIsAFormatErrorNamingColumnAndRow) {
  struct Case {
    std::string column;
    std::string reported;
  };
  for (const Case& c : {Case{"agent", "agent"}, Case{"tags", "tags.list.element"}}) {
    for (const ChecksumLayout& layout : kChecksumLayouts) {
      SCOPED_TRACE(c.column + " " + layout.name);
      WriterOptions options;
      options.compression = layout.compression;
      options.enable_dictionary = layout.dictionary;
      options.row_group_size = 5;  // the marked row is row 2 of the second row group
      const Bytes file =
          with_invalid_marker(write_parquet(strings_with_marker(c.column, 7), options), "MARK");
      expect_error<IoFormatError>([&] { read_back(file); }, {.message_has = {"not valid UTF-8"},
                                                             .path = "part.parquet",
                                                             .column = c.reported,
                                                             .row = 7});
      // Unchecked, the damaged string reads as it is.
      EXPECT_EQ(read_back(file, {}, {.utf8 = false}).num_rows(), 12);
    }
  }
}

TEST(Utf8, TheWriterRefusesInvalidStringsAtAnyDepth) {
  const frame::Frame flat({{"s", frame::make_utf8({"ok", std::nullopt, "bad \xC3(", "ok"})}});
  expect_error<IoSchemaError>([&] { write_parquet(flat); }, {.column = "s", .row = 2});
  std::vector<Value> rows;
  for (int i = 0; i < 4; ++i) {
    rows.push_back(Value::record(
        {{"claims", Value::list({Value::record({{"text", i == 2 ? "\xED\xA0\x80" : "fine"}})})}}));
  }
  expect_error<IoSchemaError>([&] { write_parquet(frame::Frame::from_rows(rows)); },
                              {.column = "claims[].text", .row = 2});
}

}  // namespace
}  // namespace crv::parquet
