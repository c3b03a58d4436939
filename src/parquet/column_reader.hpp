#pragma once
// Decodes column chunks of one leaf column into levels and values.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "crv/parquet/reader.hpp"
#include "parquet/format.hpp"
#include "parquet/schema.hpp"

namespace crv::parquet {

// One leaf column's decoded content, possibly over several column chunks appended in turn.
// Values are dense: one per entry whose definition level is the maximum.
struct LeafData {
  std::vector<int16_t> def_levels;  // empty when max_def == 0 (every entry present)
  std::vector<int16_t> rep_levels;  // empty when max_rep == 0 (every entry starts a row)
  int64_t entries = 0;
  int64_t present = 0;
  std::vector<int64_t> int64_values;
  std::vector<double> float64_values;
  std::vector<int32_t> string_offsets;  // present + 1 once the first value is decoded
  std::vector<uint8_t> string_data;
  std::vector<uint8_t> bool_bits;
  size_t bool_count = 0;
};

// Where a column chunk's pages lie in its file.
struct ChunkExtent {
  uint64_t offset = 0;
  uint64_t length = 0;
};

// The extent of `chunk`'s pages, checked to lie inside a file of `file_size` bytes
// (IoFormatError naming `file` otherwise).
ChunkExtent chunk_extent(const format::ColumnChunk& chunk, uint64_t file_size,
                         const std::string& file);

// A column chunk as read from its file: `bytes` are the pages at chunk_extent().offset.
struct ChunkBytes {
  const format::ColumnMetaData* meta = nullptr;
  std::span<const uint8_t> bytes;
  uint64_t offset = 0;
  const std::string* file = nullptr;  // for errors
  int64_t first_row = 0;              // the row group's first row in the file, for errors
  ReadVerification verification;
};

// Appends the rows `rows` of a column chunk (of a row group holding `num_rows` rows) to
// `out`. Thread-safe: each thread keeps its own decoding buffers.
void decode_column_chunk(const ChunkBytes& chunk, const SchemaNode& node, const LeafColumn& leaf,
                         int64_t num_rows, RowRange rows, LeafData& out);

}  // namespace crv::parquet
