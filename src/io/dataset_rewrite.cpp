// Dataset::commit_rewrite: the commit of a compaction or a rewind, and the deletion of the
// parts it replaced.

#include <set>

#include "crv/core/errors.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/paths.hpp"
#include "io/iceberg_table.hpp"
#include "io/part_writer.hpp"
#include "io/table_lock.hpp"
#include "io/table_state.hpp"

namespace crv::io {

bool Dataset::published_without_replaced_parts(TableState& table, CommitLog& log,
                                               AppendTimings& timings) {
  if (table.manifest_json_behind) {
    try {
      // Also updates the Iceberg metadata, quietly: its outcome is checked below.
      write_manifest_json_from(table, log, false, &timings);
      table.manifest_json_behind = false;
    } catch (const IoError&) {
      return false;
    }
  }
  // Metadata exported while iceberg_metadata is off names the parts all the same.
  if (!settings_.iceberg_metadata && !fs_.is_directory(table.folder / kIcebergFolderName)) {
    return true;
  }
  try {
    // A checkpoint or the manifest.json write above may have published it already.
    if (!table.iceberg_published_version ||
        *table.iceberg_published_version < table.snapshot->version) {
      update_iceberg(table, *table.snapshot);
      table.iceberg_published_version = table.snapshot->version;
    }
    // Engines that open the version version-hint.text names must not be left with one
    // that still names the replaced parts; the next update points the hint again.
    if (iceberg_hint_current(fs_, table.name, table.folder)) return true;
  } catch (const IoError&) {
    // Not published: the replaced parts stay.
  }
  table.iceberg_behind = true;
  return false;
}

Dataset::RewriteCommit Dataset::commit_rewrite(
    TableState& table, const std::vector<std::pair<int64_t, WrittenPart>>& written,
    const std::function<std::optional<LogEntry>(const TableSnapshot&)>& prepare) {
  std::vector<std::filesystem::path> written_paths;
  for (const auto& [bucket, part] : written) written_paths.push_back(part.path);
  RewriteCommit result;
  CommitLog log = table_log(table);
  bool published = true;
  try {
    TableLock lock(fs_, table.folder);
    refresh_snapshot(table);
    log.commit(*table.snapshot, [&](const TableSnapshot& current) {
      result.entry = prepare(current);
      return result.entry;
    });
    if (result.entry) {
      result.version = table.snapshot->version;
      AppendTimings timings;
      publish(table, log, timings);
      published = published_without_replaced_parts(table, log, timings);
    }
  } catch (...) {
    table.snapshot.reset();
    if (log.linked()) {
      // It took effect: flush() publishes it.
      table.manifest_json_behind = true;
    } else {
      remove_unnamed(fs_, table.folder, table.name, written_paths);
    }
    throw;
  }
  if (!result.entry) {
    remove_quietly(fs_, written_paths);
    return result;
  }
  // manifest.json or Iceberg metadata that still names the replaced parts keeps them:
  // flush() tries again, and fsck --repair moves them away once neither names them.
  if (!published) return result;
  // Committed: the replaced parts go, each bucket folder synced once.
  std::set<int64_t> synced;
  for (const BucketChange& change : result.entry->changes) {
    if (change.removed.empty()) continue;
    const std::filesystem::path folder =
        bucket_dir(settings_, run_id_, table.name, change.bucket_id);
    for (const std::string& name : change.removed) {
      try {
        fs_.remove_file(folder / name);
        ++result.files_deleted;
      } catch (const IoError&) {
        // Unnamed now; fsck --repair moves what could not be removed.
      }
    }
    if (synced.insert(change.bucket_id).second) {
      try {
        fs_.sync_directory(folder);
      } catch (const IoError&) {
        // A crash may bring a removed part back; it is unnamed, so fsck lists it.
      }
    }
  }
  return result;
}

}  // namespace crv::io
