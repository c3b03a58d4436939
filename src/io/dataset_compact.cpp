// Dataset::compact: runs of a bucket's small parts rewritten as fewer, larger parts.

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "crv/core/errors.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/paths.hpp"
#include "io/part_source.hpp"
#include "io/part_writer.hpp"
#include "io/table_state.hpp"

namespace crv::io {
namespace {

// Consecutive parts of one bucket and the parts written to replace them.
struct Replacement {
  int64_t bucket = 0;
  std::vector<PartMeta> old_parts;
  std::vector<WrittenPart> new_parts;
};

// The runs of consecutive parts whose sizes add up to at most `target`, each of two parts
// or more (one part alone gains nothing from a rewrite).
std::vector<std::vector<PartMeta>> plan_runs(const PartitionMeta& partition, int64_t target) {
  std::vector<std::vector<PartMeta>> runs;
  std::vector<PartMeta> run;
  int64_t bytes = 0;
  const auto end_run = [&] {
    if (run.size() > 1) runs.push_back(std::move(run));
    run.clear();
    bytes = 0;
  };
  for (const PartMeta& part : partition.parts) {
    if (!run.empty() && bytes + part.bytes > target) end_run();
    run.push_back(part);
    bytes += part.bytes;
  }
  end_run();
  return runs;
}

std::vector<std::filesystem::path> paths_of(const std::vector<WrittenPart>& parts) {
  std::vector<std::filesystem::path> paths;
  for (const WrittenPart& part : parts) paths.push_back(part.path);
  return paths;
}

// Writes the rows of `run` (parts in `folder`) again, a row group at a time, into as few
// parts as the target size, their column types and their field ids allow (a new part
// carries the ids its rows' parts carried). On failure no new part remains.
std::vector<WrittenPart> rewrite_run(FileSystem& fs, const std::filesystem::path& folder,
                                     const std::vector<PartMeta>& run,
                                     parquet::WriterOptions options, int64_t target,
                                     std::vector<uint8_t>& scratch) {
  std::string old_names;
  for (const PartMeta& meta : run) old_names += (old_names.empty() ? "" : ",") + meta.path;
  options.key_value_metadata.emplace_back(kCompactionKey, new_part_uid());
  options.key_value_metadata.emplace_back(kCompactedFromKey, std::move(old_names));
  std::vector<WrittenPart> written;
  std::unique_ptr<OpenPart> open;
  AppendTimings timings;
  // An open part gets rows before it is closed: it is opened for a row group, not ahead.
  const auto close_open = [&] {
    written.push_back(open->close(scratch, timings));
    open.reset();
  };
  try {
    for (const PartMeta& meta : run) {
      OpenedPart part = open_part(fs, folder / meta.path,
                                  "; the manifest names it: restore it, or rebuild the manifest "
                                  "from the parts that remain");
      const parquet::FileInfo& info = part.reader.info();
      if (open && (open->fields() != info.fields || options.field_ids != info.field_ids)) {
        close_open();
      }
      options.field_ids = info.field_ids;
      for (size_t group = 0; group < info.row_groups.size(); ++group) {
        if (info.row_groups[group].num_rows == 0) continue;
        if (!open) open = std::make_unique<OpenPart>(fs, folder, info.fields, options);
        open->add(part.reader.read_row_group(static_cast<int>(group)), timings);
        open->wait_for_write(timings);
        if (open->bytes_written() >= static_cast<uint64_t>(target)) close_open();
      }
      part.source->close();
    }
    if (open) close_open();
  } catch (...) {
    remove_quietly(fs, paths_of(written));
    throw;
  }
  return written;
}

// IoManifestError unless `manifest` still holds `replacement`'s old parts, consecutive
// and in order: something other than an append (a rebuild, a rewind) changed the bucket.
void require_still_there(const TableManifest& manifest, const Replacement& replacement,
                         const std::filesystem::path& log_folder) {
  const auto partition = manifest.partitions.find(replacement.bucket);
  bool there = partition != manifest.partitions.end();
  if (there) {
    const std::vector<PartMeta>& parts = partition->second.parts;
    const auto first = std::find_if(parts.begin(), parts.end(), [&](const PartMeta& part) {
      return part.path == replacement.old_parts.front().path;
    });
    const auto count = static_cast<std::ptrdiff_t>(replacement.old_parts.size());
    there = first != parts.end() && parts.end() - first >= count &&
            std::equal(first, first + count, replacement.old_parts.begin(),
                       [](const PartMeta& a, const PartMeta& b) { return a.path == b.path; });
  }
  if (!there) {
    throw IoManifestError(
        fmt::format("bucket {} no longer holds the parts being compacted (the table was "
                    "rebuilt or changed otherwise meanwhile); nothing was changed",
                    replacement.bucket),
        {.path = log_folder.string()});
  }
}

}  // namespace

std::string CompactionSummary::to_json() const {
  const nlohmann::ordered_json json = {{"table", table},
                                       {"run_id", run_id},
                                       {"buckets", buckets},
                                       {"parts_before", parts_before},
                                       {"parts_after", parts_after},
                                       {"rows", rows},
                                       {"bytes_before", bytes_before},
                                       {"bytes_after", bytes_after},
                                       {"parts_removed", parts_removed}};
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

CompactionSummary Dataset::compact(std::string_view table_name, const CompactOptions& options) {
  TableState& table = table_state(table_name);
  CompactionSummary summary{.table = table.name, .run_id = run_id_};
  // A table without a manifest is an error before anything is created in its folder; the
  // manifest itself is read once no other compaction runs.
  if (!fs_.stat(table.manifest_path)) manifest(table.name);
  const std::unique_ptr<FileLock> compaction_lock =
      fs_.lock_exclusive(table.folder / kRewriteLockFileName);
  // Planned from the manifest as it is once no other compaction runs.
  const TableManifest snapshot = manifest(table.name);

  std::vector<Replacement> replacements;
  std::vector<uint8_t> scratch;
  try {
    for (const auto& [bucket, partition] : snapshot.partitions) {
      if (!options.buckets.empty() && std::find(options.buckets.begin(), options.buckets.end(),
                                                bucket) == options.buckets.end()) {
        continue;
      }
      const std::filesystem::path folder = bucket_dir(settings_, run_id_, table.name, bucket);
      for (std::vector<PartMeta>& run : plan_runs(partition, settings_.target_part_bytes)) {
        std::vector<WrittenPart> written = rewrite_run(fs_, folder, run, table.writer_options,
                                                       settings_.target_part_bytes, scratch);
        // Parts of mixed types may not get fewer; then the run stays as it is.
        if (written.size() >= run.size()) {
          remove_quietly(fs_, paths_of(written));
          continue;
        }
        replacements.push_back({bucket, std::move(run), std::move(written)});
      }
    }
  } catch (...) {
    for (const Replacement& replacement : replacements) {
      remove_quietly(fs_, paths_of(replacement.new_parts));
    }
    throw;
  }
  if (replacements.empty()) return summary;

  std::vector<std::pair<int64_t, WrittenPart>> written;
  for (const Replacement& replacement : replacements) {
    for (const WrittenPart& part : replacement.new_parts) {
      written.emplace_back(replacement.bucket, part);
    }
  }
  const RewriteCommit commit = commit_rewrite(table, written, [&](const TableSnapshot& current) {
    LogEntry entry;
    entry.operation = "compact";
    for (const Replacement& replacement : replacements) {
      require_still_there(current.manifest, replacement, table.folder / kLogFolderName);
      BucketChange change{replacement.bucket, {}, {}};
      for (const PartMeta& part : replacement.old_parts) change.removed.push_back(part.path);
      for (const WrittenPart& part : replacement.new_parts) change.added.push_back(part.meta);
      entry.changes.push_back(std::move(change));
    }
    return std::optional<LogEntry>(std::move(entry));
  });

  summary.parts_removed = commit.files_deleted;
  std::set<int64_t> buckets;
  for (const Replacement& replacement : replacements) {
    for (const PartMeta& part : replacement.old_parts) {
      summary.rows += part.rows;
      summary.bytes_before += part.bytes;
    }
    for (const WrittenPart& part : replacement.new_parts) summary.bytes_after += part.meta.bytes;
    summary.parts_before += static_cast<int64_t>(replacement.old_parts.size());
    summary.parts_after += static_cast<int64_t>(replacement.new_parts.size());
    buckets.insert(replacement.bucket);
  }
  summary.buckets.assign(buckets.begin(), buckets.end());
  return summary;
}

}  // namespace crv::io
