#pragma once
// Iceberg's manifests and manifest lists (format version 2) as Avro container files. A
// manifest lists data files (the table's parts) with their partition (the bucket), record
// count, size, and the counts and bounds of the bucket and tick columns; a manifest list
// names a snapshot's manifests with their counts and the range of buckets they hold.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace crv::io {

// One part as a data file of the table, with the snapshot that added it.
struct IcebergDataFile {
  int64_t bucket = 0;
  std::string part;  // its file name in the bucket's folder
  int64_t rows = 0;
  int64_t bytes = 0;
  int64_t tick_min = 0;
  int64_t tick_max = 0;
  int64_t snapshot_id = 0;
  int64_t sequence_number = 0;
  std::string run;  // the run it belongs to, in a table over several runs; else empty

  bool operator==(const IcebergDataFile&) const = default;
};

enum class IcebergEntryStatus { kExisting = 0, kAdded = 1, kDeleted = 2 };

struct IcebergManifestEntry {
  IcebergEntryStatus status = IcebergEntryStatus::kAdded;
  IcebergDataFile file;
};

// What every file of one table shares: where the table is, and its schema.
struct IcebergTableContext {
  std::string location;     // file:// URI of the Iceberg table's folder
  std::string schema_json;  // the current schema, as in the table metadata
  int schema_id = 0;
  int bucket_field_id = 0;  // the bucket column's field id, the partition's source
  int tick_field_id = 0;
  // A table over several runs is partitioned by run too, on a run_id column the parts do
  // not hold (the manifests give its value); its id, else none.
  std::optional<int> run_field_id;
  // file:// URI of each run's table folder, by run ("" for a table of one run).
  std::map<std::string, std::string> run_folders;
};

// The only partition spec: identity of the bucket column, then of run_id in a table over
// several runs.
inline constexpr int kIcebergPartitionFieldId = 1000;
inline constexpr int kIcebergRunPartitionFieldId = 1001;
inline constexpr int kIcebergPartitionSpecId = 0;

// The partition spec's "fields" as JSON text.
std::string iceberg_partition_fields_json(const IcebergTableContext& table);

// A manifest file's place in a manifest list.
struct IcebergManifestFile {
  std::string name;  // file name in the table's metadata folder
  int64_t length = 0;
  int64_t added_snapshot_id = 0;
  int64_t sequence_number = 0;
  int64_t min_sequence_number = 0;
  int32_t added_files = 0;
  int32_t existing_files = 0;
  int32_t deleted_files = 0;
  int64_t added_rows = 0;
  int64_t existing_rows = 0;
  int64_t deleted_rows = 0;
  int64_t bucket_min = 0;
  int64_t bucket_max = 0;
  std::string run_min;  // in a table over several runs
  std::string run_max;
};

// The data file's URI: <its run's table folder>/bucket=NNNNNN/<part>.
std::string iceberg_data_file_uri(const IcebergTableContext& table, const IcebergDataFile& file);

// A manifest of `entries` added by `snapshot_id` (entries it added are written with
// inherited sequence numbers), with its place in a manifest list (`name`, length, counts,
// bucket range) in `listed`. `sync_marker` is 16 random bytes.
std::string iceberg_manifest_bytes(const IcebergTableContext& table,
                                   const std::vector<IcebergManifestEntry>& entries,
                                   int64_t snapshot_id, int64_t sequence_number,
                                   const std::string& sync_marker, IcebergManifestFile& listed);

// The manifest list of snapshot `snapshot_id`.
std::string iceberg_manifest_list_bytes(const IcebergTableContext& table,
                                        const std::vector<IcebergManifestFile>& manifests,
                                        int64_t snapshot_id,
                                        std::optional<int64_t> parent_snapshot_id,
                                        int64_t sequence_number, const std::string& sync_marker);

// Iceberg's single-value serialisation of a long: 8 bytes, little-endian.
std::string iceberg_long_bound(int64_t value);

}  // namespace crv::io
