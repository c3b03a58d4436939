#pragma once
// Damage done to a committed part on purpose that still decodes: only page checksums and
// UTF-8 checks can tell it from intact data.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <zlib.h>

#include "parquet/test_files.hpp"

namespace crv::io::part_damage {

using parquet::test_files::Bytes;

inline Bytes read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_file(const std::filesystem::path& file, const Bytes& bytes) {
  std::ofstream(file, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

// Flips one bit in the middle of the stored bytes of the first data page of top-level
// column `column` in row group 0. The part keeps its size and its footer.
inline void flip_page_byte(const std::filesystem::path& part, std::string_view column) {
  Bytes bytes = read_file(part);
  const auto footer = parquet::test_files::footer_of(bytes);
  std::optional<uint64_t> middle;
  for (const parquet::format::ColumnChunk& chunk : footer.metadata.row_groups.at(0).columns) {
    if (chunk.meta_data->path_in_schema != std::vector<std::string>{std::string(column)}) continue;
    parquet::test_files::for_each_page(
        bytes, *chunk.meta_data, [&](const parquet::format::PageHeader& page, uint64_t offset) {
          if (!middle && page.type != parquet::format::PageType::kDictionaryPage) {
            middle = offset + static_cast<uint64_t>(page.compressed_page_size) / 2;
          }
        });
  }
  ASSERT_TRUE(middle) << column;
  bytes[*middle] ^= 0x10;
  write_file(part, bytes);
}

// Makes the first byte of `text`, wherever it lies in the pages of an uncompressed part,
// 0xFF (never part of UTF-8), with page checksums that match again. The checksums'
// encoded length can change the part's size, so its manifest entry may need rebuilding.
inline void spoil_string(const std::filesystem::path& part, std::string_view text) {
  Bytes bytes = read_file(part);
  const auto at = std::search(bytes.begin(), bytes.end(), text.begin(), text.end());
  ASSERT_NE(at, bytes.end()) << text;
  *at = 0xFF;
  write_file(part, parquet::test_files::rewrite_pages(
                       bytes, [](size_t, parquet::format::PageHeader& page, Bytes& body) {
                         page.crc = static_cast<int32_t>(crc32_z(0, body.data(), body.size()));
                       }));
}

}  // namespace crv::io::part_damage
