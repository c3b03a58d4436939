// Decoding of column chunks: page headers, checksums and decompression of their pages.

#include "parquet/column_reader.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <zlib.h>

#include <algorithm>

#include "crv/core/errors.hpp"
#include "crv/frame/utf8.hpp"
#include "parquet/compression.hpp"
#include "parquet/logical_values.hpp"
#include "parquet/page_levels.hpp"
#include "parquet/page_values.hpp"
#include "parquet/rle_hybrid.hpp"

namespace crv::parquet {
namespace {

// The most entries one page may claim, whatever its header says.
constexpr int64_t kMaxEntriesPerReadPage = int64_t{1} << 26;
// Decoding buffers a thread keeps for its next chunk, at most; larger ones (a huge page)
// are released once their chunk is decoded.
constexpr size_t kMaxRetainedScratchBytes = size_t{8} << 20;

// Buffers one thread reuses from chunk to chunk, so decoding a row group does not
// allocate (and fault in) fresh pages for every chunk.
struct DecodeScratch {
  std::vector<uint8_t> page;
  ValueScratch values;

  size_t retained_bytes() const { return page.capacity() + values.retained_bytes(); }
};

// The calling thread's scratch, trimmed when the guard ends if it grew too large.
class ThreadScratch {
 public:
  ThreadScratch() : scratch_(instance()) {}
  ~ThreadScratch() {
    if (scratch_.retained_bytes() > kMaxRetainedScratchBytes) scratch_ = DecodeScratch{};
  }
  ThreadScratch(const ThreadScratch&) = delete;
  ThreadScratch& operator=(const ThreadScratch&) = delete;

  DecodeScratch& get() { return scratch_; }

 private:
  static DecodeScratch& instance() {
    thread_local DecodeScratch scratch;
    return scratch;
  }

  DecodeScratch& scratch_;
};

// A page as stored in its chunk: its header and the bytes that follow it.
struct StoredPage {
  format::PageHeader header;
  std::span<const uint8_t> body;
};

class ChunkDecoder {
 public:
  ChunkDecoder(const ChunkBytes& chunk, const SchemaNode& node, const LeafColumn& leaf,
               LeafData& out, DecodeScratch& scratch)
      : chunk_(chunk),
        meta_(*chunk.meta),
        node_(node),
        leaf_(leaf),
        out_(out),
        scratch_(scratch),
        values_(node, out, scratch.values) {}

  void run(int64_t num_rows, RowRange rows) {
    column_ = fmt::format("{}", fmt::join(meta_.path_in_schema, "."));
    if (meta_.type != node_.physical_type) {
      fail(fmt::format("column chunk type {} differs from the schema's {}",
                       static_cast<int>(meta_.type), static_cast<int>(node_.physical_type)),
           0);
    }
    int64_t values_seen = 0;
    int64_t rows_seen = 0;     // rows begun in the pages before the current one
    bool rows_counted = true;  // false once a page is passed over without its row count
    size_t position = 0;
    while (position < chunk_.bytes.size() && values_seen < meta_.num_values) {
      const StoredPage stored = next_page(position);
      const format::PageHeader& page = stored.header;
      if (page.type == format::PageType::kDictionaryPage) {
        verify_checksum(page, stored.body);
        read_dictionary(page, stored.body);
        continue;
      }
      if (page.type != format::PageType::kDataPage && page.type != format::PageType::kDataPageV2) {
        continue;  // index pages carry nothing a reader needs
      }
      const int64_t entries = data_page_entries(page);
      values_seen += entries;
      if (leaf_.max_rep == 0) {
        // Every entry is a row, so a page outside the range is passed over unread.
        if (rows_seen + entries <= rows.begin || rows_seen >= rows.end) {
          rows_seen += entries;
          continue;
        }
      } else if (rows_seen > rows.end) {
        // Rows begun so far reach past the range, so this page's entries, even those that
        // continue the last row begun, lie after it.
        rows_counted = false;
        continue;
      }
      verify_checksum(page, stored.body);
      rows_seen += page.type == format::PageType::kDataPage
                       ? read_data_page_v1(page, stored.body, entries, rows_seen, rows)
                       : read_data_page_v2(page, stored.body, entries, rows_seen, rows);
    }
    if (values_seen != meta_.num_values) {
      fail(fmt::format("column chunk holds {} values, its metadata says {}", values_seen,
                       meta_.num_values),
           chunk_.offset + position);
    }
    if (rows_counted && rows_seen != num_rows) {
      fail(fmt::format("column chunk holds {} rows, its row group {}", rows_seen, num_rows),
           chunk_.offset);
    }
  }

 private:
  [[noreturn]] void fail(const std::string& message, uint64_t offset) const {
    throw IoFormatError(message, {.path = *chunk_.file, .column = column_, .offset = offset});
  }

  // Reads the page header at `position` in the chunk and checks that its body lies in the
  // chunk; moves `position` past both and page_offset_ to the body.
  StoredPage next_page(size_t& position) {
    const std::span<const uint8_t> bytes = chunk_.bytes;
    auto header = format::deserialize_prefix<format::PageHeader>(
        bytes.subspan(position), chunk_.offset + position, *chunk_.file);
    position += header.size;
    const format::PageHeader& page = header.value;
    page_offset_ = chunk_.offset + position;
    if (page.compressed_page_size < 0 || page.uncompressed_page_size < 0 ||
        static_cast<size_t>(page.compressed_page_size) > bytes.size() - position) {
      fail(fmt::format("page of {} bytes overruns its column chunk", page.compressed_page_size),
           page_offset_);
    }
    const auto body = bytes.subspan(position, static_cast<size_t>(page.compressed_page_size));
    position += body.size();
    return {std::move(header.value), body};
  }

  Codec codec() const { return codec_from_thrift(static_cast<int32_t>(meta_.codec)); }

  // The checksum covers the page's bytes as stored, whatever the page type.
  void verify_checksum(const format::PageHeader& page, std::span<const uint8_t> body) const {
    if (!page.crc || !chunk_.verification.checksums) return;
    const auto expected = static_cast<uint32_t>(*page.crc);
    const auto actual = static_cast<uint32_t>(crc32_z(0, body.data(), body.size()));
    if (actual != expected) {
      fail(fmt::format("page checksum mismatch: the header records CRC-32 {:08x}, the {} bytes "
                       "of the page give {:08x}",
                       expected, body.size(), actual),
           page_offset_);
    }
  }

  // The page body decompressed (or as it is when stored uncompressed).
  std::span<const uint8_t> inflate(std::span<const uint8_t> body, int32_t uncompressed_size) {
    if (codec() == Codec::kUncompressed) {
      if (static_cast<size_t>(uncompressed_size) != body.size()) {
        fail(fmt::format("uncompressed page claims {} bytes but holds {}", uncompressed_size,
                         body.size()),
             page_offset_);
      }
      return body;
    }
    try {
      decompress(codec(), body, static_cast<size_t>(uncompressed_size), kMaxPageBytes,
                 scratch_.page);
    } catch (const IoFormatError& error) {
      fail(error.message(), page_offset_);
    }
    return scratch_.page;
  }

  void read_dictionary(const format::PageHeader& page, std::span<const uint8_t> body) {
    if (!page.dictionary_page_header) fail("dictionary page without its header", page_offset_);
    const int32_t count = page.dictionary_page_header->num_values;
    if (count < 0 || count > kMaxEntriesPerReadPage) {
      fail(fmt::format("dictionary page claims {} values", count), page_offset_);
    }
    const auto data = inflate(body, page.uncompressed_page_size);
    guarded([&] {
      values_.read_dictionary(data, static_cast<size_t>(count), chunk_.verification.utf8);
    });
  }

  // Runs a decoding step, adding this page's position to format errors from below, which
  // know nothing of the file.
  template <class Step>
  auto guarded(Step&& step) -> decltype(step()) {
    try {
      return step();
    } catch (const IoFormatError& error) {
      if (error.context().path.empty()) fail(error.message(), page_offset_);
      throw;
    }
  }

  // The entries (values and nulls) of a data page, from its header.
  int64_t data_page_entries(const format::PageHeader& page) const {
    int32_t num_values = 0;
    if (page.type == format::PageType::kDataPage) {
      if (!page.data_page_header) fail("data page without its header", page_offset_);
      num_values = page.data_page_header->num_values;
    } else {
      if (!page.data_page_header_v2) fail("data page v2 without its header", page_offset_);
      num_values = page.data_page_header_v2->num_values;
    }
    if (num_values < 0 || num_values > kMaxEntriesPerReadPage) {
      fail(fmt::format("data page claims {} values", num_values), page_offset_);
    }
    return num_values;
  }

  PageSelection select(int64_t count, int64_t rows_seen, RowRange rows) {
    return guarded([&] { return select_entries(leaf_, count, rows_seen, rows, out_); });
  }

  // A v1 page compresses its levels and values together.
  int64_t read_data_page_v1(const format::PageHeader& page, std::span<const uint8_t> body,
                            int64_t count, int64_t rows_seen, RowRange rows) {
    std::span<const uint8_t> data = inflate(body, page.uncompressed_page_size);
    guarded([&] {
      if (leaf_.max_rep > 0) {
        decode_levels(take_length_prefixed_runs(data), leaf_.max_rep, count, out_.rep_levels);
      }
      if (leaf_.max_def > 0) {
        decode_levels(take_length_prefixed_runs(data), leaf_.max_def, count, out_.def_levels);
      }
    });
    const PageSelection selection = select(count, rows_seen, rows);
    decode_values(page.data_page_header->encoding, data, selection);
    return selection.rows_begun;
  }

  // A v2 page stores its levels uncompressed, ahead of its possibly compressed values.
  int64_t read_data_page_v2(const format::PageHeader& page, std::span<const uint8_t> body,
                            int64_t count, int64_t rows_seen, RowRange rows) {
    const format::DataPageHeaderV2& header = *page.data_page_header_v2;
    const int32_t rep_bytes = header.repetition_levels_byte_length;
    const int32_t def_bytes = header.definition_levels_byte_length;
    if (rep_bytes < 0 || def_bytes < 0 ||
        static_cast<size_t>(rep_bytes) + static_cast<size_t>(def_bytes) > body.size() ||
        rep_bytes + def_bytes > page.uncompressed_page_size) {
      fail("data page v2 level sizes exceed the page", page_offset_);
    }
    guarded([&] {
      if (leaf_.max_rep > 0) {
        decode_levels(body.subspan(0, static_cast<size_t>(rep_bytes)), leaf_.max_rep, count,
                      out_.rep_levels);
      }
      if (leaf_.max_def > 0) {
        decode_levels(body.subspan(static_cast<size_t>(rep_bytes), static_cast<size_t>(def_bytes)),
                      leaf_.max_def, count, out_.def_levels);
      }
    });
    const PageSelection selection = select(count, rows_seen, rows);
    // The levels stand apart from the values, which stay compressed when none is kept.
    if (selection.kept_values == 0) return selection.rows_begun;
    std::span<const uint8_t> values = body.subspan(static_cast<size_t>(rep_bytes + def_bytes));
    const int32_t values_size = page.uncompressed_page_size - rep_bytes - def_bytes;
    if (header.is_compressed.value_or(true)) {
      values = inflate(values, values_size);
    } else if (static_cast<size_t>(values_size) != values.size()) {
      fail("data page v2 values size differs from its header", page_offset_);
    }
    decode_values(header.encoding, values, selection);
    return selection.rows_begun;
  }

  // Decodes the selected values of a page, then checks and converts them.
  void decode_values(format::Encoding encoding, std::span<const uint8_t> data,
                     const PageSelection& selection) {
    if (selection.kept_values == 0) return;
    const size_t stored_before = stored_value_count(node_, out_);
    guarded([&] {
      values_.decode(encoding, data, static_cast<size_t>(selection.skipped_values),
                     static_cast<size_t>(selection.kept_values));
    });
    // Strings annotated as such must be UTF-8, or the file is corrupt; bytes without the
    // annotation are checked as they are converted, where invalid text is a type mismatch.
    // Only values gathered from a dictionary checked whole are spared: a chunk may fall
    // back from its dictionary to another encoding, whose pages are checked.
    const bool from_valid_dictionary = (encoding == format::Encoding::kPlainDictionary ||
                                        encoding == format::Encoding::kRleDictionary) &&
                                       values_.dictionary_utf8();
    if (node_.physical_type == format::Type::kByteArray &&
        node_.conversion.kind == LeafConversion::Kind::kNone && chunk_.verification.utf8 &&
        !from_valid_dictionary) {
      check_utf8(stored_before, selection);
    }
    if (const auto refused = convert_stored_values(node_, stored_before, out_)) {
      const ErrorContext where{.path = *chunk_.file,
                               .column = column_,
                               .row = row_of(selection, refused->index),
                               .offset = page_offset_};
      if (refused->malformed) throw IoFormatError(refused->reason, where);
      throw IoSchemaError(refused->reason, where);
    }
  }

  // Checks the strings this page appended from value `first` on; names the row of the
  // first invalid one.
  void check_utf8(size_t first, const PageSelection& selection) const {
    const std::optional<int64_t> invalid = frame::first_invalid_utf8_string(
        out_.string_offsets.data() + first, out_.string_data.data(), selection.kept_values);
    if (!invalid) return;
    throw IoFormatError("string is not valid UTF-8", {.path = *chunk_.file,
                                                      .column = column_,
                                                      .row = row_of(selection, *invalid),
                                                      .offset = page_offset_});
  }

  // The row in the file of the page's kept value `value`.
  int64_t row_of(const PageSelection& selection, int64_t value) const {
    return chunk_.first_row + row_of_kept_value(leaf_, out_, selection, value);
  }

  const ChunkBytes& chunk_;
  const format::ColumnMetaData& meta_;
  const SchemaNode& node_;
  const LeafColumn& leaf_;
  LeafData& out_;
  DecodeScratch& scratch_;
  ValueDecoder values_;
  std::string column_;
  uint64_t page_offset_ = 0;
};

}  // namespace

ChunkExtent chunk_extent(const format::ColumnChunk& chunk, uint64_t file_size,
                         const std::string& file) {
  if (!chunk.meta_data) throw IoFormatError("column chunk without metadata", {.path = file});
  const format::ColumnMetaData& meta = *chunk.meta_data;
  // Some writers store 0 for a dictionary page they do not have.
  int64_t start = meta.data_page_offset;
  if (meta.dictionary_page_offset && *meta.dictionary_page_offset > 0 &&
      *meta.dictionary_page_offset < start) {
    start = *meta.dictionary_page_offset;
  }
  const int64_t length = meta.total_compressed_size;
  if (start < 4 || length < 0 || static_cast<uint64_t>(start) > file_size ||
      static_cast<uint64_t>(length) > file_size - static_cast<uint64_t>(start)) {
    throw IoFormatError(fmt::format("column chunk [{}, +{}) lies outside the file of {} bytes",
                                    start, length, file_size),
                        {.path = file,
                         .column = fmt::format("{}", fmt::join(meta.path_in_schema, ".")),
                         .offset = static_cast<uint64_t>(std::max<int64_t>(start, 0))});
  }
  return {static_cast<uint64_t>(start), static_cast<uint64_t>(length)};
}

void decode_column_chunk(const ChunkBytes& chunk, const SchemaNode& node, const LeafColumn& leaf,
                         int64_t num_rows, RowRange rows, LeafData& out) {
  ThreadScratch scratch;
  ChunkDecoder(chunk, node, leaf, out, scratch.get()).run(num_rows, rows);
}

}  // namespace crv::parquet
