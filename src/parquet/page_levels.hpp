#pragma once
// A data page's repetition and definition levels: decoding them, and choosing the entries
// that fall in the requested rows.

#include <cstdint>
#include <span>
#include <vector>

#include "crv/parquet/reader.hpp"
#include "parquet/column_reader.hpp"
#include "parquet/schema.hpp"

namespace crv::parquet {

// Which entries of a data page fall in the requested rows.
struct PageSelection {
  int64_t first_entry = 0;  // entries [first_entry, end_entry) are kept
  int64_t end_entry = 0;
  int64_t skipped_values = 0;  // present values before first_entry
  int64_t kept_values = 0;     // present values among the kept entries
  int64_t rows_begun = 0;      // rows whose first entry is in the page
  int64_t first_row = 0;       // the row of the first kept entry, in the row group
};

// Decodes `count` levels of the width for `max_level` from the RLE / bit-packed `runs`
// onto `levels`. A level above `max_level` is an IoFormatError without a location (the
// caller knows the page).
void decode_levels(std::span<const uint8_t> runs, int16_t max_level, int64_t count,
                   std::vector<int16_t>& levels);

// Chooses the entries of a page whose `count` levels were just appended to `out`, given
// `rows_seen` rows begun before it, then drops the levels of the entries left out and
// counts the kept ones in `out`. A chunk whose first entry continues a row is an
// IoFormatError without a location.
PageSelection select_entries(const LeafColumn& leaf, int64_t count, int64_t rows_seen,
                             RowRange rows, LeafData& out);

// The row, in the row group, of the kept value `value` (counted from the page's first
// kept value), once select_entries has kept the page's levels in `out`.
int64_t row_of_kept_value(const LeafColumn& leaf, const LeafData& out,
                          const PageSelection& selection, int64_t value);

}  // namespace crv::parquet
