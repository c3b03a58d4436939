// publish_iceberg_across_runs: every run's committed parts of one table, and the column
// types the runs recorded, handed to the Iceberg metadata update.

#include <fmt/format.h>

#include <algorithm>
#include <deque>

#include "crv/core/errors.hpp"
#include "crv/core/table_descriptor.hpp"
#include "crv/io/iceberg.hpp"
#include "crv/io/paths.hpp"
#include "crv/io/validate.hpp"
#include "io/commit_log.hpp"
#include "io/iceberg_table.hpp"
#include "io/table_metadata.hpp"

namespace crv::io {
namespace {

// The runs under the root, in name order; folders whose names are not run ids are not.
std::vector<std::string> run_names(FileSystem& fs, const std::filesystem::path& runs_folder) {
  std::vector<std::string> runs;
  if (!fs.is_directory(runs_folder)) return runs;
  for (const std::string& name : fs.list_directory(runs_folder)) {
    try {
      validate_run_id(name);
    } catch (const GrammarError&) {
      continue;
    }
    runs.push_back(name);
  }
  std::sort(runs.begin(), runs.end());
  return runs;
}

}  // namespace

IcebergSummary publish_iceberg_across_runs(const IoSettings& settings, std::string_view table,
                                           const std::filesystem::path& destination,
                                           FileSystem& fs) {
  const core::TableDescriptor& descriptor = core::get_table(table);
  const std::filesystem::path runs_folder = run_root(settings, "run").parent_path();
  if ((file_uri(destination) + "/").starts_with(file_uri(runs_folder) + "/")) {
    throw IoConfigError(
        fmt::format("the table over every run goes to a folder of its own, not inside the "
                    "runs' folder {}",
                    runs_folder.string()),
        {.path = destination.string()});
  }

  std::deque<TableManifest> manifests;  // stable addresses for the sources
  IcebergSource source{.table = std::string(table), .folder = destination};
  for (const std::string& run : run_names(fs, runs_folder)) {
    const std::filesystem::path folder = table_dir(settings, run, table);
    std::optional<TableManifest> manifest = load_committed_manifest(fs, folder, table);
    if (!manifest) continue;
    manifests.push_back(std::move(*manifest));
    source.runs.push_back({.run = run, .folder = folder, .manifest = &manifests.back()});
    std::vector<frame::Field> columns;
    FieldIds field_ids;
    if (const std::optional<TableMetadata> metadata =
            load_table_metadata(fs, folder / kTableMetadataFileName, table)) {
      columns = metadata->columns;
      field_ids = metadata->field_ids;
    } else {
      // A run older than table.json: its canonical scalar columns (struct members are
      // known from the runs that recorded them).
      for (const core::ColumnDescriptor& column : descriptor.columns) {
        columns.push_back({std::string(column.name), descriptor_type(column.dtype), true});
      }
    }
    try {
      merge_recorded_columns(source.columns, columns);
      // Ids are hashes of paths, so runs agree unless a run's paths collided.
      merge_field_ids(source.field_ids, field_ids);
    } catch (const IoSchemaError& error) {
      throw IoSchemaError(fmt::format("run '{}': {}", run, error.message()),
                          {.path = (folder / kTableMetadataFileName).string()});
    }
  }
  if (source.runs.empty()) {
    throw IoManifestError(
        fmt::format("no run under {} has table '{}'", runs_folder.string(), table),
        {.path = runs_folder.string()});
  }
  return update_iceberg_metadata(fs, source);
}

}  // namespace crv::io
