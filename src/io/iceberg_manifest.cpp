// The Avro schemas below are the Iceberg spec's manifest_entry (with its data_file) and
// manifest_file structs for format version 2, carrying the spec's field ids; maps keyed by
// column id are arrays of key-value records, as the spec lays out maps with non-string keys.

#include "io/iceberg_manifest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "crv/io/paths.hpp"
#include "io/avro_writer.hpp"

namespace crv::io {
namespace {

// The partition record's fields go where {} is.
constexpr std::string_view kManifestEntrySchema =
    R"({{"type":"record","name":"manifest_entry","fields":[
{{"name":"status","type":"int","field-id":0}},
{{"name":"snapshot_id","type":["null","long"],"default":null,"field-id":1}},
{{"name":"sequence_number","type":["null","long"],"default":null,"field-id":3}},
{{"name":"file_sequence_number","type":["null","long"],"default":null,"field-id":4}},
{{"name":"data_file","type":{{"type":"record","name":"r2","fields":[
{{"name":"content","type":"int","field-id":134}},
{{"name":"file_path","type":"string","field-id":100}},
{{"name":"file_format","type":"string","field-id":101}},
{{"name":"partition","type":{{"type":"record","name":"r102","fields":[{}]}},"field-id":102}},
{{"name":"record_count","type":"long","field-id":103}},
{{"name":"file_size_in_bytes","type":"long","field-id":104}},
{{"name":"value_counts","type":["null",{{"type":"array","items":{{"type":"record","name":"k119_v120","fields":[{{"name":"key","type":"int","field-id":119}},{{"name":"value","type":"long","field-id":120}}]}},"logicalType":"map"}}],"default":null,"field-id":109}},
{{"name":"null_value_counts","type":["null",{{"type":"array","items":{{"type":"record","name":"k121_v122","fields":[{{"name":"key","type":"int","field-id":121}},{{"name":"value","type":"long","field-id":122}}]}},"logicalType":"map"}}],"default":null,"field-id":110}},
{{"name":"lower_bounds","type":["null",{{"type":"array","items":{{"type":"record","name":"k126_v127","fields":[{{"name":"key","type":"int","field-id":126}},{{"name":"value","type":"bytes","field-id":127}}]}},"logicalType":"map"}}],"default":null,"field-id":125}},
{{"name":"upper_bounds","type":["null",{{"type":"array","items":{{"type":"record","name":"k129_v130","fields":[{{"name":"key","type":"int","field-id":129}},{{"name":"value","type":"bytes","field-id":130}}]}},"logicalType":"map"}}],"default":null,"field-id":128}}
]}},"field-id":2}}]}})";

constexpr std::string_view kBucketPartitionField =
    R"({"name":"bucket","type":["null","long"],"default":null,"field-id":1000})";
constexpr std::string_view kRunPartitionField =
    R"({"name":"run_id","type":["null","string"],"default":null,"field-id":1001})";

constexpr std::string_view kManifestFileSchema =
    R"({"type":"record","name":"manifest_file","fields":[
{"name":"manifest_path","type":"string","field-id":500},
{"name":"manifest_length","type":"long","field-id":501},
{"name":"partition_spec_id","type":"int","field-id":502},
{"name":"content","type":"int","field-id":517},
{"name":"sequence_number","type":"long","field-id":515},
{"name":"min_sequence_number","type":"long","field-id":516},
{"name":"added_snapshot_id","type":"long","field-id":503},
{"name":"added_files_count","type":"int","field-id":504},
{"name":"existing_files_count","type":"int","field-id":505},
{"name":"deleted_files_count","type":"int","field-id":506},
{"name":"added_rows_count","type":"long","field-id":512},
{"name":"existing_rows_count","type":"long","field-id":513},
{"name":"deleted_rows_count","type":"long","field-id":514},
{"name":"partitions","type":["null",{"type":"array","items":{"type":"record","name":"r508","fields":[
{"name":"contains_null","type":"boolean","field-id":509},
{"name":"contains_nan","type":["null","boolean"],"default":null,"field-id":518},
{"name":"lower_bound","type":["null","bytes"],"default":null,"field-id":510},
{"name":"upper_bound","type":["null","bytes"],"default":null,"field-id":511}]},"element-id":508}],"default":null,"field-id":507}]})";

constexpr int kDataContent = 0;

void write_optional_long(AvroEncoder& out, std::optional<int64_t> value) {
  out.write_branch(value ? 1 : 0);
  if (value) out.write_long(*value);
}

// A map from column id to a value, present (union branch 1) with the given entries.
template <typename WriteValue>
void write_column_map(AvroEncoder& out, const std::vector<int>& columns, WriteValue write_value) {
  out.write_branch(1);
  out.begin_items(static_cast<int64_t>(columns.size()));
  for (size_t i = 0; i < columns.size(); ++i) {
    out.write_int(columns[i]);
    write_value(i);
  }
  out.end_items();
}

void write_entry(AvroEncoder& out, const IcebergTableContext& table,
                 const IcebergManifestEntry& entry) {
  const IcebergDataFile& file = entry.file;
  out.write_int(static_cast<int32_t>(entry.status));
  write_optional_long(out, file.snapshot_id);
  // A file this manifest adds inherits its sequence numbers from the manifest list.
  const bool inherits = entry.status == IcebergEntryStatus::kAdded;
  write_optional_long(out, inherits ? std::nullopt : std::optional(file.sequence_number));
  write_optional_long(out, inherits ? std::nullopt : std::optional(file.sequence_number));

  out.write_int(kDataContent);
  out.write_string(iceberg_data_file_uri(table, file));
  out.write_string("PARQUET");
  write_optional_long(out, file.bucket);
  if (table.run_field_id) {
    out.write_branch(1);
    out.write_string(file.run);
  }
  out.write_long(file.rows);
  out.write_long(file.bytes);
  // The bucket and tick columns are required: one value per row, none null.
  const std::vector<int> columns = {table.bucket_field_id, table.tick_field_id};
  write_column_map(out, columns, [&](size_t) { out.write_long(file.rows); });
  write_column_map(out, columns, [&](size_t) { out.write_long(0); });
  const int64_t lower[] = {file.bucket, file.tick_min};
  const int64_t upper[] = {file.bucket, file.tick_max};
  write_column_map(out, columns, [&](size_t i) { out.write_bytes(iceberg_long_bound(lower[i])); });
  write_column_map(out, columns, [&](size_t i) { out.write_bytes(iceberg_long_bound(upper[i])); });
  out.end_record();
}

std::string metadata_uri(const std::string& location, const std::string& name) {
  return location + "/metadata/" + name;
}

}  // namespace

std::string iceberg_long_bound(int64_t value) {
  std::string bytes(8, '\0');
  auto bits = static_cast<uint64_t>(value);
  for (char& byte : bytes) {
    byte = static_cast<char>(bits & 0xFF);
    bits >>= 8;
  }
  return bytes;
}

std::string iceberg_data_file_uri(const IcebergTableContext& table, const IcebergDataFile& file) {
  return fmt::format("{}/{}/{}", table.run_folders.at(file.run), bucket_folder_name(file.bucket),
                     file.part);
}

std::string iceberg_partition_fields_json(const IcebergTableContext& table) {
  std::string fields =
      fmt::format(R"([{{"name":"bucket","transform":"identity","source-id":{},"field-id":{}}})",
                  table.bucket_field_id, kIcebergPartitionFieldId);
  if (table.run_field_id) {
    fields += fmt::format(R"(,{{"name":"run_id","transform":"identity","source-id":{},)"
                          R"("field-id":{}}})",
                          *table.run_field_id, kIcebergRunPartitionFieldId);
  }
  return fields + "]";
}

std::string iceberg_manifest_bytes(const IcebergTableContext& table,
                                   const std::vector<IcebergManifestEntry>& entries,
                                   int64_t snapshot_id, int64_t sequence_number,
                                   const std::string& sync_marker, IcebergManifestFile& listed) {
  AvroEncoder records;
  listed.added_snapshot_id = snapshot_id;
  listed.sequence_number = sequence_number;
  listed.min_sequence_number = std::numeric_limits<int64_t>::max();
  listed.bucket_min = std::numeric_limits<int64_t>::max();
  listed.bucket_max = std::numeric_limits<int64_t>::min();
  for (const IcebergManifestEntry& entry : entries) {
    write_entry(records, table, entry);
    const int64_t rows = entry.file.rows;
    switch (entry.status) {
      case IcebergEntryStatus::kAdded:
        ++listed.added_files;
        listed.added_rows += rows;
        break;
      case IcebergEntryStatus::kExisting:
        ++listed.existing_files;
        listed.existing_rows += rows;
        break;
      case IcebergEntryStatus::kDeleted:
        ++listed.deleted_files;
        listed.deleted_rows += rows;
        break;
    }
    // The partition bounds cover every entry, deleted ones too, as a scan of changes
    // filters by them; the sequence numbers only the live files.
    const bool first = listed.added_files + listed.existing_files + listed.deleted_files == 1;
    listed.bucket_min = std::min(listed.bucket_min, entry.file.bucket);
    listed.bucket_max = std::max(listed.bucket_max, entry.file.bucket);
    if (first || entry.file.run < listed.run_min) listed.run_min = entry.file.run;
    if (first || entry.file.run > listed.run_max) listed.run_max = entry.file.run;
    if (entry.status == IcebergEntryStatus::kDeleted) continue;
    const int64_t data_sequence =
        entry.status == IcebergEntryStatus::kAdded ? sequence_number : entry.file.sequence_number;
    listed.min_sequence_number = std::min(listed.min_sequence_number, data_sequence);
  }
  if (listed.added_files + listed.existing_files == 0) listed.min_sequence_number = sequence_number;
  if (entries.empty()) listed.bucket_min = listed.bucket_max = 0;
  const std::vector<std::pair<std::string, std::string>> metadata = {
      {"schema", table.schema_json},
      {"schema-id", std::to_string(table.schema_id)},
      {"partition-spec", iceberg_partition_fields_json(table)},
      {"partition-spec-id", std::to_string(kIcebergPartitionSpecId)},
      {"format-version", "2"},
      {"content", "data"},
  };
  const std::string partition_fields =
      table.run_field_id ? fmt::format("{},{}", kBucketPartitionField, kRunPartitionField)
                         : std::string(kBucketPartitionField);
  std::string bytes = avro_container_file(fmt::format(kManifestEntrySchema, partition_fields),
                                          metadata, records, sync_marker);
  listed.length = static_cast<int64_t>(bytes.size());
  return bytes;
}

std::string iceberg_manifest_list_bytes(const IcebergTableContext& table,
                                        const std::vector<IcebergManifestFile>& manifests,
                                        int64_t snapshot_id,
                                        std::optional<int64_t> parent_snapshot_id,
                                        int64_t sequence_number, const std::string& sync_marker) {
  AvroEncoder records;
  for (const IcebergManifestFile& manifest : manifests) {
    records.write_string(metadata_uri(table.location, manifest.name));
    records.write_long(manifest.length);
    records.write_int(kIcebergPartitionSpecId);
    records.write_int(kDataContent);
    records.write_long(manifest.sequence_number);
    records.write_long(manifest.min_sequence_number);
    records.write_long(manifest.added_snapshot_id);
    records.write_int(manifest.added_files);
    records.write_int(manifest.existing_files);
    records.write_int(manifest.deleted_files);
    records.write_long(manifest.added_rows);
    records.write_long(manifest.existing_rows);
    records.write_long(manifest.deleted_rows);
    // A summary per partition field (the bucket, then the run): never null, never NaN.
    const bool any_entry =
        manifest.added_files + manifest.existing_files + manifest.deleted_files > 0;
    const auto write_summary = [&](const std::string& lower, const std::string& upper) {
      records.write_bool(false);
      records.write_branch(1);
      records.write_bool(false);
      for (const std::string* bound : {&lower, &upper}) {
        records.write_branch(any_entry ? 1 : 0);
        if (any_entry) records.write_bytes(*bound);
      }
    };
    records.write_branch(1);
    records.begin_items(table.run_field_id ? 2 : 1);
    write_summary(iceberg_long_bound(manifest.bucket_min), iceberg_long_bound(manifest.bucket_max));
    if (table.run_field_id) write_summary(manifest.run_min, manifest.run_max);
    records.end_items();
    records.end_record();
  }
  std::vector<std::pair<std::string, std::string>> metadata = {
      {"snapshot-id", std::to_string(snapshot_id)},
      {"sequence-number", std::to_string(sequence_number)},
      {"format-version", "2"},
  };
  metadata.emplace_back("parent-snapshot-id",
                        parent_snapshot_id ? std::to_string(*parent_snapshot_id) : "null");
  return avro_container_file(kManifestFileSchema, metadata, records, sync_marker);
}

}  // namespace crv::io
