#pragma once
// Checking a run's tables against their manifests, and carefully repairing what is safe
// to repair.
//
// A check reads; it never changes the disk. For each table it verifies that
//   - manifest.json exists and is valid (see validate_manifest): a missing or corrupt
//     manifest is a finding, not an exception, so a whole-run check still covers the
//     other tables. A table folder without a manifest and without any part is an empty
//     table (a first append that failed), not a missing manifest;
//   - every part the manifest names exists, has the recorded byte size, and its footer
//     reads and holds the recorded number of rows; with FsckOptions::deep, every page of
//     every column decodes too, its checksum and strings verified;
//   - each partition's row_count and byte_size equal what its parts hold on disk (a
//     manifest whose totals disagree with its own part entries does not parse, so that
//     is reported as a corrupt manifest naming the key);
// and it lists what interrupted or failed writes leave behind: temporary files
// (part-*.parquet.tmp, manifest.json.tmp-*), *.parquet files in bucket folders that the
// manifest does not name, and bucket folders without a committed part (empty, or holding
// only such leftovers). Without a valid manifest no part can be told committed or not, so
// parts are then not listed one by one; rebuild_manifest recovers the manifest first.
//
// A *.parquet file the manifest does not name but the table's current Iceberg version does
// (or may: its metadata cannot be read) is `part_kept_for_iceberg` instead of an unnamed
// part: a compaction or rewind keeps the parts it replaced while an Iceberg update after
// it fails, since engines reading that version would miss them. The next update (a
// writer's flush(), `crvio export iceberg`) drops them, and they are then unnamed parts.
//
// Repair (FsckOptions::repair) takes the table's lock, checks, then only
//   - points a lagging version-hint.text at the current Iceberg version (first, as any
//     update would: which parts are kept for Iceberg depends on it),
//   - removes temporary files and a torn last log entry,
//   - rewrites manifest.json from the commit log when it is behind,
//   - moves each unnamed part to <table>/quarantine/bucket=NNNNNN/, keeping its file name
//     and never replacing a file already there (such a part stays and stays a finding);
//     not while manifest.json, which other tools read, could not be rewritten,
//   - removes bucket folders that hold no committed part once the above is done,
//   - records in table.json the field ids its parts carry and it lost.
// It never deletes or changes a part the manifest names, nor a committed log entry, and it
// leaves a table with a missing or corrupt manifest entirely alone. When a writer commits
// during the check (one on another host, which the lock does not hold off), the findings
// may be out of date: repair then changes nothing and says so in each finding.
//
// Repair must run while no writer is active on the table. An append writes its parts
// before it takes the lock to commit them, and a Dataset with write_manifest_every_n > 1
// keeps parts uncommitted across appends: both are parts no manifest names yet, so a
// repair would quarantine them (and their appends would then commit parts that are not
// in their bucket folder any more) or remove the temporary file an append is writing.
//
// quarantine/ is not a bucket folder: readers go through the manifest, which never names
// a quarantined part, and rebuild_manifest (which only reads bucket=NNNNNN folders) leaves
// it out, so a rebuilt manifest does not bring quarantined parts back. To restore one,
// move it back into its bucket folder and rebuild the manifest. Tools that glob the table
// folder recursively for *.parquet do see quarantine/; glob bucket=*/*.parquet instead.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crv/io/file_system.hpp"
#include "crv/io/settings.hpp"

namespace crv::io {

// The name of the folder, inside a table's folder, that repair moves unnamed parts to.
inline constexpr std::string_view kQuarantineFolderName = "quarantine";

enum class FsckIssue : uint8_t {
  kManifestMissing,           // parts on disk but no manifest.json
  kManifestCorrupt,           // manifest.json cannot be read or is not a valid manifest
  kPartMissing,               // a part the manifest names is not on disk
  kPartSizeMismatch,          // a named part's size differs from the recorded bytes
  kPartUnreadable,            // a named part's footer cannot be read
  kPartRowsMismatch,          // a named part's footer holds other than the recorded rows
  kPartitionTotalsMismatch,   // a partition's row_count / byte_size differ from its parts
  kTemporaryFile,             // a leftover of an interrupted write
  kUnnamedPart,               // a *.parquet file in a bucket folder no manifest names
  kBucketFolderWithoutParts,  // a bucket folder holding no committed part
  kPartCorrupt,               // a named part's pages do not decode (deep checks only)
  kTableMetadataCorrupt,      // table.json cannot be read, or disagrees with the manifest
  kLogEntryDamaged,           // the commit log's last entry fails its length or checksum
  kManifestBehind,            // manifest.json is not the commit log's current state
  kFieldIdsUnrecorded,        // a named part carries field ids table.json does not record
  kPartKeptForIceberg,        // an unnamed part the current Iceberg version may still name
  kIcebergHintBehind,         // version-hint.text names an older Iceberg version
};

// "manifest_missing", "manifest_corrupt", "part_missing", "part_size_mismatch",
// "part_unreadable", "part_rows_mismatch", "partition_totals_mismatch", "temporary_file",
// "unnamed_part", "bucket_folder_without_parts", "part_corrupt", "table_metadata_corrupt",
// "log_entry_damaged", "manifest_behind", "field_ids_unrecorded", "part_kept_for_iceberg",
// "iceberg_hint_behind".
std::string_view to_string(FsckIssue issue) noexcept;

// A number the manifest records and the number found on disk.
struct FsckMismatch {
  int64_t expected = 0;
  int64_t found = 0;

  bool operator==(const FsckMismatch&) const = default;
};

// What repair did about a finding.
enum class FsckRepair : uint8_t { kNone, kRemoved, kQuarantined, kRewritten };

// "none", "removed", "quarantined".
std::string_view to_string(FsckRepair repair) noexcept;

struct FsckFinding {
  FsckIssue issue;
  std::filesystem::path path;        // the file or folder concerned
  std::optional<int64_t> bucket_id;  // when it belongs to a bucket
  std::optional<FsckMismatch> rows;
  std::optional<FsckMismatch> bytes;
  std::string message;  // what is wrong, in words
  FsckRepair repair = FsckRepair::kNone;
  std::filesystem::path moved_to;  // the quarantine path, when quarantined
  std::string repair_error;        // why repair left it, when it tried and could not

  bool resolved() const { return repair != FsckRepair::kNone; }
};

struct TableFsckReport {
  std::string table;
  std::filesystem::path folder;
  int64_t parts_checked = 0;          // named parts looked at
  std::vector<FsckFinding> findings;  // in the order found: table folder, then buckets
  // Parts already in quarantine/ (or moved there by this repair): listed, not findings.
  std::vector<std::filesystem::path> quarantined_parts;

  // True when every finding was resolved by repair (or there is none).
  bool consistent() const;
  // The findings of one kind, in the order found.
  std::vector<const FsckFinding*> findings_of(FsckIssue issue) const;
};

struct FsckReport {
  std::string run_id;
  bool repair = false;
  std::vector<TableFsckReport> tables;  // in the canonical order of the tables

  bool consistent() const;

  // One JSON object:
  //   {"run_id", "repair", "consistent",
  //    "tables": {"<table>": {"folder", "consistent", "parts_checked",
  //                           "findings": {"<issue>": [{"path", "bucket_id"?,
  //                                                     "rows"?: {"expected", "found"},
  //                                                     "bytes"?: {"expected", "found"},
  //                                                     "message", "repair",
  //                                                     "moved_to"?, "repair_error"?}]},
  //                           "quarantined": ["<path>", ...]}}}
  // with issues in the order of FsckIssue, only those found, and "repair" the
  // to_string of FsckRepair.
  std::string to_json() const;
};

struct FsckOptions {
  bool repair = false;
  // Also decode every page of every column of every named part, with checksums and UTF-8
  // verified, so damage inside the data is found (a part_corrupt finding naming the
  // column and offset or row). It reads the whole table, not just footers.
  bool deep = false;
  // Called after each named part is checked, with the table's count so far and its total.
  std::function<void(std::string_view table, int64_t parts_checked, int64_t parts_total)>
      on_part_checked;
};

// Checks (and with options.repair, repairs) one table of a run. GrammarError for an
// invalid run id or a name that is not a canonical table, IoConfigError for invalid
// settings, IoManifestError when the table has no folder; other failures to list or stat
// are IoErrors. A repair step that fails is recorded in its finding's repair_error.
TableFsckReport fsck_table(const IoSettings& settings, std::string_view run_id,
                           std::string_view table, const FsckOptions& options = {},
                           FileSystem& fs = default_file_system());

// fsck_table for every canonical table that has a folder in the run, in canonical order
// (other folders under tables/ are not tables of this library and are left out). IoError
// when the run has no folder; a run without tables/ has no tables to check.
FsckReport fsck_run(const IoSettings& settings, std::string_view run_id,
                    const FsckOptions& options = {}, FileSystem& fs = default_file_system());

}  // namespace crv::io
