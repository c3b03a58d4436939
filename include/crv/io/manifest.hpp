#pragma once
// A table's manifest, <table_dir>/manifest.json: the parts the table is made of, grouped
// by bucket, with per-bucket row, byte and tick aggregates so a reader can skip buckets
// without opening their parts. A part that the manifest does not name is not committed.
//
// The JSON is the Python reference's shape and key order:
//
//   {"table": ..., "version": 1, "created_at": ..., "updated_at": ...,
//    "partitions": {"000001": {"bucket_id": 1, "state": "ready", "tick_min": ...,
//                              "tick_max": ..., "row_count": ..., "byte_size": ...,
//                              "parts": [{"path": "part-<32 hex>.parquet", "rows": ...,
//                                         "bytes": ..., "tick_min": ..., "tick_max": ...,
//                                         "created_at": ...}]}}}
//
// Reading never trusts the file: anything off (a wrong type, an unknown or duplicate
// key, an aggregate that does not match its parts) is an IoManifestError, so a corrupt
// manifest is reported instead of being silently extended and written back.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crv::io {

class FileSystem;

inline constexpr int64_t kManifestVersion = 1;

// One Parquet part of a bucket.
struct PartMeta {
  std::string path;  // file name inside the bucket folder: part-<32 lowercase hex>.parquet
  int64_t rows = 0;
  int64_t bytes = 0;  // size of the file
  int64_t tick_min = 0;
  int64_t tick_max = 0;
  std::string created_at;  // ISO-8601 UTC, as now_iso_utc() writes it

  bool operator==(const PartMeta&) const = default;
};

// One bucket: its parts, in commit order, and their aggregates (sums of rows and bytes,
// smallest and largest tick).
struct PartitionMeta {
  int64_t bucket_id = 0;
  std::string state = "ready";  // the only state there is
  int64_t tick_min = 0;
  int64_t tick_max = 0;
  int64_t row_count = 0;
  int64_t byte_size = 0;
  std::vector<PartMeta> parts;

  bool operator==(const PartitionMeta&) const = default;
};

struct TableManifest {
  std::string table;
  int64_t version = kManifestVersion;
  std::string created_at;
  std::string updated_at;
  std::map<int64_t, PartitionMeta> partitions;  // by bucket id

  bool operator==(const TableManifest&) const = default;
};

// The current time as "2025-01-01T00:00:00.000000+00:00" (UTC, microseconds).
std::string now_iso_utc();

// An empty manifest created now. GrammarError unless `table` is lower_snake.
TableManifest new_manifest(std::string_view table);

// Appends `part` to bucket `bucket_id` (creating the partition when new), updates the
// partition's aggregates and sets updated_at to now.
void add_part(TableManifest& manifest, int64_t bucket_id, PartMeta part);

// The manifest as JSON text, partitions in ascending bucket order under their six-digit
// keys ("000123"; ids of a million and more keep all their digits). One line per part.
std::string to_json_bytes(const TableManifest& manifest);

// Throws IoManifestError, naming `path` and the offending key, unless `manifest` is
// well formed: lower_snake table, version 1, ISO-8601 UTC timestamps, partitions under
// the key of their bucket_id, state "ready", at least one part per partition, part paths
// of the form part-<32 lowercase hex>.parquet and unique within their bucket,
// non-negative counts and ticks, tick_min <= tick_max, and aggregates equal to the
// sums / min / max over the parts.
void validate_manifest(const TableManifest& manifest, const std::filesystem::path& path);

// Parses and validates (see validate_manifest) a manifest read from `path`; the error's
// context carries `path` and, for malformed JSON, the byte offset.
TableManifest parse_manifest(std::string_view bytes, const std::filesystem::path& path);

// Nothing when there is no file at `path`; IoManifestError when it cannot be read or is
// not a valid manifest.
std::optional<TableManifest> load_manifest(FileSystem& fs, const std::filesystem::path& path);

// load_manifest for the manifest of table `table`: a manifest whose "table" names another
// table (e.g. one copied or edited by hand) is an IoManifestError, so that its parts are
// never looked for in another table's folders.
std::optional<TableManifest> load_manifest(FileSystem& fs, const std::filesystem::path& path,
                                           std::string_view table);

// The table's committed state, as crv-io's own readers see it: the newest checkpoint of
// the table's commit log and every entry after it (docs/DESIGN.md, "The commit log"), or
// manifest.json for a table that has no log. manifest.json itself may be up to one
// checkpoint behind while a writer has the table open. Nothing when the table has
// neither; IoManifestError when what it has is damaged.
std::optional<TableManifest> load_committed_manifest(FileSystem& fs,
                                                     const std::filesystem::path& table_dir,
                                                     std::string_view table);

// Validates `manifest`, then replaces the file at `path` atomically: the JSON goes to
// <path>.tmp-<random hex>, which is synced, renamed over `path`, and the folder synced.
// Throws IoManifestError with the cause when anything fails. A failure before the rename
// removes the temporary file and leaves the previous manifest as it was; a failure of
// the final folder sync leaves the new manifest in place, though a crash may still
// bring back the previous one. Callers serialise writers with the table's lock.
void write_manifest(FileSystem& fs, const std::filesystem::path& path,
                    const TableManifest& manifest);

// The atomic replacement alone, for JSON already produced by to_json_bytes from a
// manifest known to be valid (e.g. one parsed, then extended with add_part).
void write_manifest_json(FileSystem& fs, const std::filesystem::path& path, std::string_view json);

}  // namespace crv::io
