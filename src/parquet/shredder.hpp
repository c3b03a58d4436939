#pragma once
// Shredding: turns the rows of one top-level column into the definition levels,
// repetition levels and values of each of its leaf columns (the record shredding of the
// Dremel paper, which Parquet's nested encoding follows).

#include <cstdint>
#include <string>
#include <vector>

#include "crv/frame/array.hpp"
#include "parquet/bit_util.hpp"
#include "parquet/schema.hpp"

namespace crv::parquet {

// One leaf column's content for a range of rows, ready to encode.
//
// Values come in one of two shapes: entry-indexed (a top-level column: entry e is row e,
// its value at values[e] when the validity bit is set) or dense (a nested leaf: only the
// present values, in order). Either way `validity` masks the entries whose level says
// "null".
struct LeafValues {
  frame::TypeId type = frame::TypeId::Int64;
  int64_t entries = 0;
  bool entry_indexed = true;
  BitmapView validity;  // entry-indexed only; null data: every entry present
  const int64_t* int64_values = nullptr;
  const double* float64_values = nullptr;
  const int32_t* string_offsets = nullptr;  // entry-indexed: entries + 1 offsets
  const uint8_t* string_data = nullptr;
  BitmapView bool_values;
  // Storage for dense values gathered from nested arrays.
  std::vector<int64_t> gathered_int64;
  std::vector<double> gathered_float64;
  std::vector<int32_t> gathered_offsets;
  std::vector<uint8_t> gathered_chars;
  std::vector<uint8_t> gathered_bools;
  int64_t present = 0;  // number of non-null values
};

struct ShreddedLeaf {
  std::vector<int16_t> def_levels;  // one per entry; empty when max_def == 0 or derivable
  std::vector<int16_t> rep_levels;  // one per entry; empty when max_rep == 0
  LeafValues values;
};

// Shreds rows [row_begin, row_end) of `column` (whose top-level node is leaf.path[0]) into
// `out`. Top-level scalar columns are not copied: their values and validity are viewed
// in place and def_levels stays empty (the validity bitmap is the levels). A null in a
// non-nullable position is an IoSchemaError naming `column_name` and the row.
void shred_leaf(const Schema& schema, const LeafColumn& leaf, const frame::Array& column,
                int64_t row_begin, int64_t row_end, const std::string& column_name,
                ShreddedLeaf& out);

}  // namespace crv::parquet
