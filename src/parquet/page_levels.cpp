// Decoding of a data page's levels, and the choice of its entries in a row range.

#include "parquet/page_levels.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "crv/core/errors.hpp"
#include "parquet/bit_util.hpp"
#include "parquet/rle_hybrid.hpp"

namespace crv::parquet {
namespace {

// Drops the levels of a page's entries outside the selection; the page's `count` levels
// are the last ones of `levels`.
void keep_levels(std::vector<int16_t>& levels, int64_t count, const PageSelection& selection) {
  const auto page_start = levels.end() - count;
  levels.erase(page_start + selection.end_entry, levels.end());
  levels.erase(page_start, page_start + selection.first_entry);
}

// The entries of the requested rows among a page's `count` entries, when each entry
// starts a row.
PageSelection select_flat_entries(int64_t count, int64_t rows_seen, RowRange rows) {
  PageSelection selection;
  selection.rows_begun = count;
  selection.first_entry = std::clamp<int64_t>(rows.begin - rows_seen, 0, count);
  selection.end_entry = std::clamp<int64_t>(rows.end - rows_seen, selection.first_entry, count);
  selection.first_row = rows_seen + selection.first_entry;
  return selection;
}

// The entries of the requested rows, found by walking the repetition levels `rep` of a
// page's `count` entries.
PageSelection select_repeated_entries(const int16_t* rep, int64_t count, int64_t rows_seen,
                                      RowRange rows) {
  if (rows_seen == 0 && count > 0 && rep[0] != 0) {
    throw IoFormatError("the column chunk's first value continues a row instead of starting one");
  }
  PageSelection selection;
  // Entries before the first one starting a row continue the last row begun earlier.
  int64_t row = rows_seen - 1;
  selection.first_row = -1;
  for (int64_t k = 0; k < count; ++k) {
    row += rep[k] == 0;
    selection.first_entry += row < rows.begin;
    selection.end_entry += row < rows.end;
    if (row >= rows.begin && selection.first_row < 0) selection.first_row = row;
  }
  selection.rows_begun = row - (rows_seen - 1);
  return selection;
}

}  // namespace

void decode_levels(std::span<const uint8_t> runs, int16_t max_level, int64_t count,
                   std::vector<int16_t>& levels) {
  const size_t first = levels.size();
  levels.resize(first + static_cast<size_t>(count));
  const int width = bit_width_for(static_cast<uint64_t>(max_level));
  RleHybridDecoder decoder(runs, width);
  decoder.decode(std::span<int16_t>(levels).subspan(first));
  // The decoder yields nothing wider than `width`, so a maximum level of all ones in
  // that width (1, 3, 7, ...) needs no check.
  if (max_level == (1 << width) - 1) return;
  for (size_t i = first; i < levels.size(); ++i) {
    if (levels[i] > max_level) {
      throw IoFormatError(
          fmt::format("level {} exceeds the column's maximum {}", levels[i], max_level));
    }
  }
}

PageSelection select_entries(const LeafColumn& leaf, int64_t count, int64_t rows_seen,
                             RowRange rows, LeafData& out) {
  PageSelection selection =
      leaf.max_rep == 0
          ? select_flat_entries(count, rows_seen, rows)
          : select_repeated_entries(out.rep_levels.data() + out.rep_levels.size() - count, count,
                                    rows_seen, rows);
  const auto present_in = [&](int64_t begin, int64_t end) -> int64_t {
    if (leaf.max_def == 0) return end - begin;
    const int16_t* def = out.def_levels.data() + out.def_levels.size() - count;
    return std::count(def + begin, def + end, leaf.max_def);
  };
  selection.skipped_values = present_in(0, selection.first_entry);
  selection.kept_values = present_in(selection.first_entry, selection.end_entry);
  if (leaf.max_rep > 0) keep_levels(out.rep_levels, count, selection);
  if (leaf.max_def > 0) keep_levels(out.def_levels, count, selection);
  out.entries += selection.end_entry - selection.first_entry;
  out.present += selection.kept_values;
  return selection;
}

// The page's kept entries are the last ones of the levels: find the entry holding the
// value, then the row it belongs to.
int64_t row_of_kept_value(const LeafColumn& leaf, const LeafData& out,
                          const PageSelection& selection, int64_t value) {
  const int64_t kept_entries = selection.end_entry - selection.first_entry;
  int64_t entry = value;
  if (leaf.max_def > 0) {
    const int16_t* def = out.def_levels.data() + out.def_levels.size() - kept_entries;
    for (int64_t present = -1, k = 0; k < kept_entries; ++k) {
      present += def[k] == leaf.max_def;
      if (present == value) {
        entry = k;
        break;
      }
    }
  }
  if (leaf.max_rep == 0) return selection.first_row + entry;
  const int16_t* rep = out.rep_levels.data() + out.rep_levels.size() - kept_entries;
  return selection.first_row + std::count(rep + 1, rep + entry + 1, int16_t{0});
}

}  // namespace crv::parquet
