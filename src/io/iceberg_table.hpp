#pragma once
// A table's Apache Iceberg metadata (format version 2), kept in <table>/metadata/ next to
// the parts it lists, so engines open the table by its path (docs/DESIGN.md, "Iceberg
// metadata"):
//
//   v<N>.metadata.json       the table at version N: schemas, partition spec (identity of
//                            bucket), snapshots; linked put-if-absent, so each N is
//                            written once
//   version-hint.text        N, replaced atomically after v<N> is linked
//   snap-<id>-<uid>.avro     a snapshot's manifest list
//   <uid>-m<k>.avro          manifests: the data files (parts) with counts and bounds
//   <uid>-m<k>.files.json    a manifest's data files, for the updates (written with it)
//   v<N>-<uid>.crv.json      version N's manifests and kept snapshots, so the next update
//                            writes manifests for the parts added since and reuses the rest

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "crv/frame/types.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/file_system.hpp"
#include "crv/io/manifest.hpp"
#include "io/field_ids.hpp"

namespace crv::io {

inline constexpr std::string_view kIcebergFolderName = "metadata";
// In kIcebergFolderName: the current version's number, for path-based catalogs.
inline constexpr std::string_view kVersionHintName = "version-hint.text";

// One run's committed parts of the table.
struct IcebergRunParts {
  std::string run;               // empty for the table of one run
  std::filesystem::path folder;  // the run's table folder
  const TableManifest* manifest = nullptr;
};

// What an update publishes: the table's committed parts and column types.
struct IcebergSource {
  std::string table;
  std::filesystem::path folder;  // where metadata/ goes: the table's folder, or an export's
  // The parts: of the run whose table this is (one entry, run ""), or of several runs,
  // whose table is then partitioned by a run_id column too.
  std::vector<IcebergRunParts> runs;
  int64_t log_version = 0;            // the commit the parts are as of (0 across runs)
  std::vector<frame::Field> columns;  // table.json's column types
  FieldIds field_ids;                 // table.json's field ids: those the parts carry
  // Whether every commit after the first version up to the second only rearranged rows
  // (compactions): a snapshot that adds and removes parts is then a "replace".
  std::function<bool(int64_t, int64_t)> only_compactions;
};

// Brings the table's Iceberg metadata up to `source`: a new snapshot (and version) when
// parts were added or removed or the schema grew, none otherwise. Throws IoManifestError
// naming the file when it cannot; the version that was current stays current.
IcebergSummary update_iceberg_metadata(FileSystem& fs, const IcebergSource& source);

// The parts (bucket, file name) that the current Iceberg version of the table in
// `table_folder` names, with those of the version version-hint.text names when it lags:
// none when it has no Iceberg metadata, or when that metadata lists the table where it
// was before it moved; nothing when a version cannot be read (written by another tool,
// or damaged).
std::optional<std::set<std::pair<int64_t, std::string>>> iceberg_current_parts(
    FileSystem& fs, const std::string& table, const std::filesystem::path& table_folder);

// Whether version-hint.text names the current version (or there is none yet): engines
// that open the hinted version (DuckDB's iceberg_scan) then read the current one.
bool iceberg_hint_current(FileSystem& fs, const std::string& table,
                          const std::filesystem::path& table_folder);

// Points a version-hint.text that lags at the current version, as any update would;
// whether it names the current version now.
bool repoint_iceberg_hint(FileSystem& fs, const std::string& table,
                          const std::filesystem::path& table_folder);

// The file:// URI of `folder`, made absolute: the path as it is, not percent-encoded, as
// Iceberg's own writers name local files (and as PyIceberg and Hadoop's file system read
// them back).
std::string file_uri(const std::filesystem::path& folder);

}  // namespace crv::io
