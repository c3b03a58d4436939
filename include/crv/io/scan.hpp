#pragma once
// Reading a table back: the rows of a tick range, the columns wanted, one row group at a
// time.
//
// A scan prunes in three steps. (a) The manifest's tick ranges skip whole buckets and
// parts without opening their files. (b) The footers of the remaining parts are read, and
// row groups whose `tick` statistics lie outside the range are skipped. (c) The rows of the
// remaining row groups are filtered exactly: their `tick` column is decoded first, and the
// other columns only over the span of rows it selects (pages before and after the span
// are not even decompressed); within the span, the rows are all kept when the ticks
// ascend, gathered otherwise. Row groups that the statistics (or the part's manifest
// range) place entirely inside the range are not filtered, and their `tick` column is
// read only when asked for. The columns of a row group are decoded on several threads.
//
// Parts of one table may differ in their columns (non-strict extra columns, struct
// members that differ between appends). A scan unifies them by name: the columns and
// struct members of all selected parts, in the order first seen, with nulls where a part
// has none. The same name with incompatible types (int64 and utf8, a struct and a list)
// is an IoSchemaError naming both parts and the column path.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crv/frame/frame.hpp"
#include "crv/io/file_system.hpp"
#include "crv/io/manifest.hpp"
#include "crv/io/settings.hpp"
#include "crv/parquet/reader.hpp"

namespace crv::io {

struct ScanOptions {
  // Inclusive bounds on `tick`; unset is unbounded. tick_min > tick_max selects no row.
  std::optional<int64_t> tick_min;
  std::optional<int64_t> tick_max;
  // Only the partitions of these bucket ids (in any order; ids without a partition select
  // nothing); empty reads every bucket. A reader spread over several processes gives each
  // its own buckets.
  std::vector<int64_t> buckets;
  // Columns of the result, in this order; empty means every column of the selected parts.
  // An unknown name (in neither the table's descriptor nor a selected part) is an
  // IoSchemaError listing the table's columns; a repeated one is an IoSchemaError, too.
  std::vector<std::string> columns;
  // Threads that decode the columns of a row group, the caller's included: 1 decodes on
  // the caller alone, 0 uses one per hardware thread. Never more than there are columns.
  unsigned threads = 0;
  // Page checksums and UTF-8 checks of the rows read (both on by default): damage that
  // still decodes is then an IoFormatError naming the part, column and page or row.
  // Turn them off only to measure their cost or to read parts known to be intact.
  parquet::ReadVerification verification;
  // Read the table as it was at this version of its commit log (Dataset::history lists
  // them) rather than as it is; IoConfigError for a version the log does not have. Parts
  // removed since (by a compaction) are gone, and reading them fails as a stale scan does.
  std::optional<int64_t> as_of_version;
};

// What a scan skipped and read, for tests and benchmarks.
struct ScanStats {
  int64_t parts_selected = 0;       // by the manifest's tick ranges; their footers are read
  int64_t row_groups_selected = 0;  // by the row groups' tick statistics
  int64_t row_groups_pruned = 0;    // skipped by the statistics
  int64_t row_groups_filtered = 0;  // whose ticks were read to select rows exactly
  int64_t rows_yielded = 0;
};

// One pass over the rows of a table that a ScanOptions selects.
class TableScanner {
 public:
  // Plans the scan of the parts `manifest` names (parts of table manifest.table in run
  // `run_id` under `settings`): opens the footers of the parts whose manifest tick range
  // overlaps, computes the unified columns and selects row groups. Each footer is kept
  // (a few KiB per part) but its file is closed until its rows are read. A part that is
  // missing, unreadable, not Parquet, or whose row count or size differs from the manifest
  // is an IoManifestError naming the part.
  TableScanner(FileSystem& fs, const IoSettings& settings, std::string_view run_id,
               const TableManifest& manifest, ScanOptions options);
  ~TableScanner();
  TableScanner(TableScanner&&) noexcept;
  TableScanner& operator=(TableScanner&&) noexcept;

  // The result's columns: names, unified types and nullability. A column that no selected
  // part holds is typed from the descriptor (i64 int64, f64 float64, anything else utf8)
  // and all null.
  const std::vector<frame::Field>& fields() const;

  // The selected rows of the next row group that has any, with the columns of fields();
  // nothing once every part has been read. Memory stays proportional to one row group of
  // the columns read.
  std::optional<frame::Frame> next();

  // No rows, the columns of fields().
  frame::Frame empty_frame() const;

  const ScanStats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// What Dataset::rebuild_manifest wrote.
struct RebuildResult {
  TableManifest manifest;
  // Files left by interrupted writes (part-*.parquet.tmp, manifest.json.tmp-*): not parts,
  // so not in the manifest, and not removed either.
  std::vector<std::filesystem::path> ignored_temp_files;
  // Parts left out because a compaction's parts hold their rows (an interrupted
  // compaction's old parts, or its incomplete new ones): not removed either, and no
  // manifest names them now, so fsck --repair quarantines them.
  std::vector<std::filesystem::path> superseded_parts;
};

}  // namespace crv::io
