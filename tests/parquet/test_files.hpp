#pragma once
// Taking written Parquet files apart and putting them back together, for tests that
// rewrite pages or footers.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "crv/frame/frame.hpp"
#include "crv/parquet/reader.hpp"
#include "parquet/format.hpp"

namespace crv::parquet::test_files {

using Bytes = std::vector<uint8_t>;

// Reads a whole file held in memory; errors name it "part.parquet".
inline frame::Frame read_back(const Bytes& file, const ReadOptions& options = {},
                              ReadVerification verification = {}) {
  return ParquetReader(memory_source(file, "part.parquet"), verification).read(options);
}

struct Footer {
  format::FileMetaData metadata;
  size_t start = 0;
};

inline Footer footer_of(const Bytes& file) {
  uint32_t length = 0;
  std::memcpy(&length, file.data() + file.size() - 8, sizeof length);
  const size_t start = file.size() - 8 - length;
  return {format::deserialize<format::FileMetaData>(std::span(file).subspan(start, length), start,
                                                    "footer"),
          start};
}

// Appends `metadata`, its length and the closing magic to the pages in `file`.
inline void append_footer(const format::FileMetaData& metadata, Bytes& file) {
  const std::string encoded = format::serialize(metadata);
  file.insert(file.end(), encoded.begin(), encoded.end());
  const auto length = static_cast<uint32_t>(encoded.size());
  uint8_t tail[8] = {};
  std::memcpy(tail, &length, sizeof length);
  std::memcpy(tail + 4, "PAR1", 4);
  file.insert(file.end(), tail, tail + sizeof tail);
}

// The file with its footer's schema changed by `change(schema)`.
template <class Change>
Bytes with_schema(const Bytes& file, Change&& change) {
  Footer footer = footer_of(file);
  change(footer.metadata.schema);
  Bytes out(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(footer.start));
  append_footer(footer.metadata, out);
  return out;
}

// The file with its footer's schema replaced by `schema`.
inline Bytes with_schema(const Bytes& file, std::vector<format::SchemaElement> schema) {
  return with_schema(file,
                     [&](std::vector<format::SchemaElement>& old) { old = std::move(schema); });
}

inline uint64_t chunk_start(const format::ColumnMetaData& meta) {
  const int64_t dictionary = meta.dictionary_page_offset.value_or(meta.data_page_offset);
  return static_cast<uint64_t>(std::min(dictionary, meta.data_page_offset));
}

// Calls visit(header, body offset in the file) for each page of a column chunk.
template <class Visit>
void for_each_page(const Bytes& file, const format::ColumnMetaData& meta, Visit&& visit) {
  const uint64_t start = chunk_start(meta);
  const auto chunk =
      std::span(file).subspan(start, static_cast<size_t>(meta.total_compressed_size));
  for (size_t position = 0; position < chunk.size();) {
    const auto header = format::deserialize_prefix<format::PageHeader>(chunk.subspan(position),
                                                                       start + position, "page");
    position += header.size;
    visit(header.value, start + position);
    position += static_cast<size_t>(header.value.compressed_page_size);
  }
}

// The file with each page replaced by what rewrite(leaf index, header, body) leaves in
// `header` and `body` (the page's stored bytes): pages are laid out anew, and the chunk
// offsets and sizes of the footer follow. The header's compressed_page_size is set from
// the body; everything else, the crc included, is up to `rewrite`.
template <class Rewrite>
Bytes rewrite_pages(const Bytes& file, Rewrite&& rewrite) {
  Footer footer = footer_of(file);
  Bytes out(file.begin(), file.begin() + 4);
  for (format::RowGroup& group : footer.metadata.row_groups) {
    group.file_offset.reset();
    group.total_compressed_size.reset();
    for (size_t index = 0; index < group.columns.size(); ++index) {
      format::ColumnMetaData& meta = *group.columns[index].meta_data;
      const format::ColumnMetaData old_meta = meta;
      const uint64_t new_start = out.size();
      int64_t uncompressed_total = 0;
      bool first_data_page = true;
      for_each_page(file, old_meta, [&](const format::PageHeader& page, uint64_t offset) {
        format::PageHeader header = page;
        const auto begin = file.begin() + static_cast<std::ptrdiff_t>(offset);
        Bytes body(begin, begin + page.compressed_page_size);
        rewrite(index, header, body);
        if (header.type == format::PageType::kDictionaryPage) {
          meta.dictionary_page_offset = static_cast<int64_t>(out.size());
        } else if (std::exchange(first_data_page, false)) {
          meta.data_page_offset = static_cast<int64_t>(out.size());
        }
        header.compressed_page_size = static_cast<int32_t>(body.size());
        const std::string encoded = format::serialize(header);
        out.insert(out.end(), encoded.begin(), encoded.end());
        out.insert(out.end(), body.begin(), body.end());
        uncompressed_total += static_cast<int64_t>(encoded.size()) + header.uncompressed_page_size;
      });
      meta.total_compressed_size = static_cast<int64_t>(out.size() - new_start);
      meta.total_uncompressed_size = uncompressed_total;
      group.columns[index].file_offset = static_cast<int64_t>(new_start);
    }
  }
  append_footer(footer.metadata, out);
  return out;
}

}  // namespace crv::parquet::test_files
