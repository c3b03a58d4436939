// Dataset::publish_iceberg: the table's committed parts and recorded column types, handed
// to the Iceberg metadata update (io/iceberg_table.hpp).

#include <nlohmann/json.hpp>

#include "crv/io/dataset.hpp"
#include "io/commit_log.hpp"
#include "io/iceberg_table.hpp"
#include "io/table_state.hpp"

namespace crv::io {

std::string IcebergSummary::to_json() const {
  nlohmann::ordered_json json = {{"table", table},
                                 {"run_id", run_id},
                                 {"metadata_version", metadata_version},
                                 {"metadata_file", metadata_file},
                                 {"updated", updated}};
  json["snapshot_id"] = snapshot_id ? nlohmann::ordered_json(*snapshot_id) : nullptr;
  json["schema_id"] = schema_id;
  json["log_version"] = log_version;
  json["data_files"] = data_files;
  json["rows"] = rows;
  json["manifests"] = manifests;
  json["files_added"] = files_added;
  json["files_removed"] = files_removed;
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

IcebergSummary Dataset::publish_iceberg(std::string_view table_name) {
  TableState& table = table_state(table_name);
  std::optional<TableSnapshot> snapshot = table_log(table).load();
  if (!snapshot) {
    snapshot.emplace();
    snapshot->manifest = manifest(table.name);  // IoManifestError when the table has none
  }
  return update_iceberg(table, *snapshot);
}

IcebergSummary Dataset::update_iceberg(TableState& table, const TableSnapshot& snapshot) {
  // The column types other writers recorded with the commits `snapshot` holds.
  reread_table_metadata_if_changed(table);
  const TableMetadata metadata =
      table.metadata ? *table.metadata : metadata_of_parts(table, snapshot.manifest);
  IcebergSource source{
      .table = table.name,
      .folder = table.folder,
      .runs = {{.run = "", .folder = table.folder, .manifest = &snapshot.manifest}},
      .log_version = snapshot.version,
      .columns = metadata.columns,
      .field_ids = metadata.field_ids,
      .only_compactions = [&](int64_t after, int64_t upto) {
        if (after >= upto) return false;
        CommitLog log = table_log(table);
        for (int64_t version = after + 1; version <= upto; ++version) {
          const std::optional<LogEntry> entry = log.read_entry(version);
          if (!entry || entry->operation != "compact") return false;
        }
        return true;
      }};
  IcebergSummary summary = update_iceberg_metadata(fs_, source);
  summary.run_id = run_id_;
  return summary;
}

}  // namespace crv::io
