#pragma once
// Decodes column chunks of one leaf column into levels and values.

#include <cstdint>
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

// Appends the decoded content of `chunk` (of a row group holding `num_rows` rows) to `out`.
void read_column_chunk(RandomAccessSource& source, const SchemaNode& node, const LeafColumn& leaf,
                       const format::ColumnChunk& chunk, int64_t num_rows, LeafData& out);

}  // namespace crv::parquet
