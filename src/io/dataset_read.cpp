// Dataset's reading methods: the manifest, scans and collected reads.

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "crv/core/errors.hpp"
#include "crv/core/table_descriptor.hpp"
#include "crv/frame/concat.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/paths.hpp"
#include "io/commit_log.hpp"

namespace crv::io {

TableManifest Dataset::manifest(std::string_view table) {
  core::get_table(table);
  const std::filesystem::path path = manifest_path(settings_, run_id_, table);
  std::optional<TableManifest> manifest =
      load_committed_manifest(fs_, table_dir(settings_, run_id_, table), table);
  if (!manifest) {
    throw IoManifestError(
        fmt::format("table '{}' of run '{}' has no manifest; if its parts are on disk, rebuild "
                    "it with rebuild_manifest (Dataset::rebuild_manifest in C++, "
                    "Dataset.rebuild_manifest in "
                    "Python) or `crvio rebuild-manifest --run {} "
                    "--table {}`",
                    table, run_id_, run_id_, table),
        {.path = path.string()});
  }
  return std::move(*manifest);
}

TableScanner Dataset::scan(std::string_view table, ScanOptions options) {
  if (options.as_of_version) {
    core::get_table(table);
    TableManifest as_of = CommitLog(fs_, table_dir(settings_, run_id_, table), std::string(table))
                              .load_as_of(*options.as_of_version)
                              .manifest;
    return TableScanner(fs_, settings_, run_id_, std::move(as_of), std::move(options));
  }
  return TableScanner(fs_, settings_, run_id_, manifest(table), std::move(options));
}

std::vector<CommitRecord> Dataset::history(std::string_view table) {
  manifest(table);  // the same errors for a table that has nothing
  std::vector<CommitRecord> records;
  for (const LogEntry& entry :
       CommitLog(fs_, table_dir(settings_, run_id_, table), std::string(table)).history()) {
    CommitRecord record{static_cast<const CommitInfo&>(entry)};
    for (const BucketChange& change : entry.changes) {
      record.parts_removed += static_cast<int64_t>(change.removed.size());
      record.parts_added += static_cast<int64_t>(change.added.size());
      for (const PartMeta& part : change.added) record.rows_added += part.rows;
    }
    records.push_back(std::move(record));
  }
  return records;
}

std::string CommitRecord::to_json() const {
  const nlohmann::ordered_json json = {
      {"version", version},
      {"operation", operation},
      {"committed_at", committed_at},
      {"writer", writer ? nlohmann::ordered_json(*writer) : nlohmann::ordered_json()},
      {"sequence", sequence ? nlohmann::ordered_json(*sequence) : nlohmann::ordered_json()},
      {"host", host},
      {"pid", pid},
      {"parts_added", parts_added},
      {"rows_added", rows_added},
      {"parts_removed", parts_removed}};
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

frame::Frame Dataset::read(std::string_view table, const ScanOptions& options,
                           std::optional<int64_t> limit) {
  if (limit && *limit < 0) {
    throw IoConfigError(fmt::format("a read's limit must be 0 or more, not {}", *limit));
  }
  TableScanner scanner = scan(table, options);
  std::vector<frame::Frame> batches;
  int64_t rows = 0;
  while (!limit || rows < *limit) {
    std::optional<frame::Frame> batch = scanner.next();
    if (!batch) break;
    if (limit && rows + batch->num_rows() > *limit) *batch = batch->slice(0, *limit - rows);
    rows += batch->num_rows();
    batches.push_back(std::move(*batch));
  }
  if (batches.empty()) return scanner.empty_frame();
  return frame::concat(batches);
}

}  // namespace crv::io
