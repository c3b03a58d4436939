// Dataset::rebuild_manifest: a table's manifest recovered from the parts on disk.

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "crv/core/errors.hpp"
#include "crv/core/table_descriptor.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/paths.hpp"
#include "io/part_source.hpp"
#include "io/part_writer.hpp"
#include "io/table_lock.hpp"
#include "io/table_state.hpp"

namespace crv::io {
namespace {

// The smallest and largest valid tick of a decoded tick column.
std::optional<TickRange> tick_range_of(const frame::Array& ticks) {
  if (ticks.type_id() != frame::TypeId::Int64) return std::nullopt;
  const int64_t* values = ticks.int64_values();
  std::optional<TickRange> range;
  for (int64_t row = 0; row < ticks.length(); ++row) {
    if (!ticks.is_valid(row)) continue;
    if (!range) range = TickRange{values[row], values[row]};
    range->min = std::min(range->min, values[row]);
    range->max = std::max(range->max, values[row]);
  }
  return range;
}

// A part found on disk: its manifest entry, and for a part a compaction wrote, which
// rewrite that was and the parts whose rows it holds.
struct FoundPart {
  int64_t bucket = 0;
  std::filesystem::path path;
  PartMeta meta;
  std::optional<std::string> compaction;
  std::vector<std::string> compacted_from;
};

std::vector<std::string> split_names(std::string_view names) {
  std::vector<std::string> split;
  while (!names.empty()) {
    const size_t comma = names.find(',');
    split.emplace_back(names.substr(0, comma));
    names = comma == std::string_view::npos ? std::string_view() : names.substr(comma + 1);
  }
  return split;
}

// The parts of one bucket that a compaction's parts make redundant. A compaction writes
// its new parts, commits, then removes the old ones, so on disk either every new part of
// a rewrite exists with all the old ones' rows (written; committed or not), or only some
// of them (interrupted before the commit), or some old parts are gone (committed). The
// first and last leave the old parts out; the second leaves the new parts out.
std::set<std::string> superseded_in_bucket(const std::vector<FoundPart>& parts) {
  std::map<std::string, int64_t> rows_of;
  for (const FoundPart& part : parts) rows_of[part.meta.path] = part.meta.rows;
  std::map<std::string, std::vector<const FoundPart*>> rewrites;
  for (const FoundPart& part : parts) {
    if (part.compaction) rewrites[*part.compaction].push_back(&part);
  }
  std::set<std::string> superseded;
  for (const auto& [uid, written] : rewrites) {
    const std::vector<std::string>& old_names = written.front()->compacted_from;
    int64_t old_rows = 0;
    bool all_old_present = true;
    for (const std::string& name : old_names) {
      const auto found = rows_of.find(name);
      all_old_present = all_old_present && found != rows_of.end();
      if (found != rows_of.end()) old_rows += found->second;
    }
    int64_t new_rows = 0;
    for (const FoundPart* part : written) new_rows += part->meta.rows;
    if (all_old_present && new_rows != old_rows) {
      for (const FoundPart* part : written) superseded.insert(part->meta.path);
    } else {
      for (const std::string& name : old_names) {
        if (rows_of.contains(name)) superseded.insert(name);
      }
    }
  }
  return superseded;
}

// A part's manifest entry from its footer; the tick column is decoded only for row
// groups without usable statistics.
FoundPart describe_part(FileSystem& fs, int64_t bucket, const std::filesystem::path& file,
                        int64_t first_tick, const std::string& created_at) {
  OpenedPart part = open_part(fs, file, "; move it out of the bucket folder to rebuild without it");
  const parquet::FileInfo& info = part.reader.info();
  FoundPart found{.bucket = bucket, .path = file};
  found.compaction = info.metadata(kCompactionKey);
  if (found.compaction)
    found.compacted_from = split_names(info.metadata(kCompactedFromKey).value_or(""));
  PartMeta meta{.path = file.filename().string(),
                .rows = info.num_rows,
                .bytes = static_cast<int64_t>(info.file_size),
                .tick_min = first_tick,
                .tick_max = first_tick,
                .created_at = created_at};
  if (info.num_rows == 0) {
    found.meta = std::move(meta);
    return found;
  }
  const std::optional<size_t> leaf = tick_leaf(info);
  std::optional<TickRange> range;
  for (size_t index = 0; index < info.row_groups.size(); ++index) {
    if (info.row_groups[index].num_rows == 0) continue;
    std::optional<TickRange> group =
        leaf ? tick_statistics(info.row_groups[index], *leaf) : std::nullopt;
    if (!group && leaf) {
      group =
          tick_range_of(*part.reader.read_row_group(static_cast<int>(index), {"tick"}).column(0));
    }
    if (!group) {
      throw IoManifestError(
          fmt::format("part '{}' has no int64 tick values to give its tick range", file.string()),
          {.path = file.string(), .column = "tick"});
    }
    range = range ? TickRange{std::min(range->min, group->min), std::max(range->max, group->max)}
                  : *group;
  }
  part.source->close();
  meta.tick_min = range->min;
  meta.tick_max = range->max;
  found.meta = std::move(meta);
  return found;
}

}  // namespace

RebuildResult Dataset::rebuild_manifest(std::string_view table,
                                        const RebuildProgress& on_part_read) {
  core::get_table(table);
  const std::filesystem::path folder = table_dir(settings_, run_id_, table);
  if (!fs_.is_directory(folder)) {
    throw IoManifestError(fmt::format("table '{}' of run '{}' has no folder, so no parts to "
                                      "rebuild its manifest from",
                                      table, run_id_),
                          {.path = folder.string()});
  }
  // A compaction or rewind writes its new parts before it commits; waiting for it keeps
  // a rebuild from adopting them while the rewrite's commit then fails and removes them.
  const std::unique_ptr<FileLock> rewrite_lock = fs_.lock_exclusive(folder / kRewriteLockFileName);
  const TableLock lock(fs_, folder);
  const std::string now = now_iso_utc();
  RebuildResult result;
  TableManifest manifest = new_manifest(table);
  // Every part is listed before any footer is read, so progress knows the total.
  std::vector<std::pair<int64_t, std::filesystem::path>> bucket_parts;
  for (const std::string& entry : fs_.list_directory(folder)) {
    const std::filesystem::path entry_path = folder / entry;
    if (is_temporary_file_name(entry)) {
      result.ignored_temp_files.push_back(entry_path);
      continue;
    }
    const std::optional<int64_t> bucket = bucket_of_folder_name(entry);
    if (!bucket) continue;
    if (!fs_.is_directory(entry_path)) continue;

    // Parts in the order they were written, as far as modification times (in nanoseconds)
    // tell; parts with the same time in file-name order, so a rebuild is deterministic.
    std::vector<std::pair<int64_t, std::string>> parts;
    for (const std::string& name : fs_.list_directory(entry_path)) {
      if (is_temporary_file_name(name)) {
        result.ignored_temp_files.push_back(entry_path / name);
      } else if (uid_of_part_file_name(name)) {
        const std::optional<FileIdentity> identity = fs_.stat(entry_path / name);
        if (identity && !identity->is_directory) parts.emplace_back(identity->modified_ns, name);
      } else if (name.ends_with(kParquetSuffix)) {
        throw IoManifestError(
            fmt::format("'{}' is not named {}, so no manifest can list it; rename or move it, "
                        "then rebuild",
                        (entry_path / name).string(), kPartFileNameForm),
            {.path = (entry_path / name).string()});
      }
    }
    std::sort(parts.begin(), parts.end());
    for (const auto& [modified, name] : parts)
      bucket_parts.emplace_back(*bucket, entry_path / name);
  }
  const auto total = static_cast<int64_t>(bucket_parts.size());
  std::map<int64_t, std::vector<FoundPart>> found;
  for (int64_t index = 0; index < total; ++index) {
    const auto& [bucket, path] = bucket_parts[static_cast<size_t>(index)];
    found[bucket].push_back(
        describe_part(fs_, bucket, path, bucket * settings_.tick_bucket_size, now));
    if (on_part_read) on_part_read(index + 1, total);
  }
  for (auto& [bucket, parts] : found) {
    const std::set<std::string> superseded = superseded_in_bucket(parts);
    for (FoundPart& part : parts) {
      if (superseded.contains(part.meta.path)) {
        result.superseded_parts.push_back(part.path);
      } else {
        add_part(manifest, bucket, std::move(part.meta));
      }
    }
  }
  manifest.created_at = now;
  manifest.updated_at = now;
  validate_manifest(manifest, manifest_path(settings_, run_id_, table));
  // A table with a commit log gets the rebuilt table as its newest version, checkpointed,
  // so readers start from it whatever the entries before it hold.
  TableState& state = table_state(table);
  CommitLog log = table_log(state);
  if (log.exists()) {
    state.snapshot = log.rebuild(manifest);
    manifest = state.snapshot->manifest;
  }
  write_manifest(fs_, manifest_path(settings_, run_id_, table), manifest);
  state.manifest_json_behind = false;
  if (settings_.iceberg_metadata) {
    // The rebuilt table is what engines see next; a failure is flush()'s to report.
    try {
      update_iceberg(state, state.snapshot ? *state.snapshot
                                           : TableSnapshot{.version = 0, .manifest = manifest});
    } catch (const IoError&) {
      state.iceberg_behind = true;
    }
  }
  result.manifest = std::move(manifest);
  return result;
}

}  // namespace crv::io
