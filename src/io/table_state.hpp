#pragma once
// What a Dataset keeps per table, shared by the files that implement Dataset, and the
// clean-up steps of a failed commit.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crv/core/table_descriptor.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/file_system.hpp"
#include "crv/io/manifest.hpp"
#include "io/commit_log.hpp"
#include "io/table_metadata.hpp"

namespace crv::io {

// What a Dataset knows about one table: its descriptor and paths, the table as of the
// last log entry this handle read or wrote, and batched commits.
struct Dataset::TableState {
  const core::TableDescriptor* descriptor = nullptr;
  std::string name;
  std::filesystem::path folder;
  std::filesystem::path manifest_path;
  std::filesystem::path metadata_path;
  parquet::WriterOptions writer_options;
  // Kept between commits, so a commit reads only the entries other writers added since.
  std::optional<TableSnapshot> snapshot;
  // Whether the last commit's log entry was linked, even if the commit then failed (a
  // folder sync after the link): its parts are named and must stay.
  bool commit_linked = false;
  // Whether this handle committed since it last wrote manifest.json.
  bool manifest_json_behind = false;
  // Whether an automatic update of the Iceberg metadata failed since (flush() retries),
  // and the table commit the last update by this handle published.
  bool iceberg_behind = false;
  std::optional<int64_t> iceberg_published_version;
  // table.json as last read or written; read once before the first append.
  bool metadata_read = false;
  std::optional<TableMetadata> metadata;
  std::optional<FileIdentity> metadata_identity;
  std::vector<std::pair<int64_t, PartMeta>> batched_parts;
  std::vector<std::filesystem::path> batched_files;
  std::vector<frame::Field> batched_columns;  // the column types the batched parts hold
  FieldIds batched_field_ids;                 // and the field ids they were given
  int64_t batched_appends = 0;
};

// What Dataset::commit_rewrite committed: the entry (none when `prepare` declined) and how
// many of the parts it removed were deleted.
struct Dataset::RewriteCommit {
  std::optional<LogEntry> entry;
  int64_t version = 0;  // the entry's
  int64_t files_deleted = 0;
};

// The lock a compaction or a rewind holds throughout, so they run one after the other
// and each plans from a table no other rewrite changes. Appends do not take it.
inline constexpr std::string_view kRewriteLockFileName = ".compact.lock";

// Removes `files`, ignoring failures: the caller is already reporting one, and fsck
// lists what remains.
void remove_quietly(FileSystem& fs, const std::vector<std::filesystem::path>& files) noexcept;

// After a commit that failed before its entry was linked: removes the parts among `files`
// (each in its bucket's folder) that the table's committed state (load_committed_manifest)
// does not name. A part it names stays: the commit took effect after all (a failure
// reported after the link), or a manifest rebuild meanwhile adopted it. When that state
// cannot be read, no file is named.
void remove_unnamed(FileSystem& fs, const std::filesystem::path& table_dir, std::string_view table,
                    const std::vector<std::filesystem::path>& files) noexcept;

}  // namespace crv::io
