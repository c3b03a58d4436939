// Dataset::rewind: a table cut back to the rows up to a tick, in one commit.

#include <fmt/format.h>

#include <map>
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

// The rows of `rows` whose tick is at most `after_tick`.
frame::Frame rows_up_to(const frame::Frame& rows, int64_t after_tick, const std::string& part) {
  const frame::ArrayPtr& ticks = rows.column("tick");
  if (ticks->type_id() != frame::TypeId::Int64) {
    throw IoSchemaError(fmt::format("part '{}' has a tick column of type {}, not int64", part,
                                    ticks->type()->to_string()),
                        {.path = part, .column = "tick"});
  }
  const int64_t* values = ticks->int64_values();
  std::vector<int64_t> kept;
  for (int64_t row = 0; row < ticks->length(); ++row) {
    if (ticks->is_valid(row) && values[row] <= after_tick) kept.push_back(row);
  }
  if (kept.size() == static_cast<size_t>(rows.num_rows())) return rows;
  return rows.take(kept);
}

// The rows of part `meta` (in `folder`) up to `after_tick`, written as a new part whose
// footer names `meta` as the part it replaces; nothing when no row is that early. Row
// groups whose tick statistics lie after the tick are not read.
std::optional<WrittenPart> rewrite_up_to(FileSystem& fs, const std::filesystem::path& folder,
                                         const PartMeta& meta, parquet::WriterOptions options,
                                         int64_t after_tick, std::vector<uint8_t>& scratch) {
  options.key_value_metadata.emplace_back(kCompactionKey, new_part_uid());
  options.key_value_metadata.emplace_back(kCompactedFromKey, meta.path);
  const std::filesystem::path path = folder / meta.path;
  OpenedPart part = open_part(fs, path,
                              "; the manifest names it: restore it, or rebuild the manifest "
                              "from the parts that remain");
  const parquet::FileInfo& info = part.reader.info();
  const std::optional<size_t> leaf = tick_leaf(info);
  if (!leaf) {
    throw IoManifestError(fmt::format("part '{}' has no tick column", path.string()),
                          {.path = path.string(), .column = "tick"});
  }
  options.field_ids = info.field_ids;
  OpenPart rewritten(fs, folder, info.fields, options);
  AppendTimings timings;
  for (size_t group = 0; group < info.row_groups.size(); ++group) {
    const std::optional<TickRange> ticks = tick_statistics(info.row_groups[group], *leaf);
    if (ticks && ticks->min > after_tick) continue;
    frame::Frame rows = part.reader.read_row_group(static_cast<int>(group));
    if (!ticks || ticks->max > after_tick) rows = rows_up_to(rows, after_tick, path.string());
    if (rows.num_rows() > 0) rewritten.add(rows, timings);
  }
  part.source->close();
  if (rewritten.rows() == 0) return std::nullopt;
  return rewritten.close(scratch, timings);
}

// Whether every row `entry` added has a tick up to `after_tick` and is in no part of
// `rewound_parts`.
bool keeps_every_row(const LogEntry& entry, int64_t after_tick,
                     const std::set<std::string>& rewound_parts) {
  for (const BucketChange& change : entry.changes) {
    for (const PartMeta& part : change.added) {
      if (part.tick_max > after_tick || rewound_parts.contains(part.path)) return false;
    }
  }
  return true;
}

// The writers whose last commit in `current` lost rows, each with the mark of its latest
// commit that lost none (nothing when it has none), found in one walk back over the log
// that ends once every writer is settled. A commit lost rows when it added rows
// after `after_tick`, or when a later rewind removed one of its parts; a rebuild starts
// the table's history again, so the walk back stops there. `entries` caches the entries
// read, across calls.
std::map<std::string, std::optional<WriterMark>> rewound_marks(
    CommitLog& log, const TableSnapshot& current, int64_t after_tick,
    std::map<int64_t, std::optional<LogEntry>>& entries) {
  const auto entry_at = [&](int64_t version) -> const std::optional<LogEntry>& {
    auto found = entries.find(version);
    if (found == entries.end()) found = entries.emplace(version, log.read_entry(version)).first;
    return found->second;
  };
  // One walk back for every writer: the writers not yet settled, and those whose commits
  // met so far lost rows.
  std::map<std::string, WriterMark> unsettled(current.writers.begin(), current.writers.end());
  std::set<std::string> lost_rows;
  std::set<std::string> rewound_parts;  // removed by the rewinds met on the way back
  std::map<std::string, std::optional<WriterMark>> marks;
  for (int64_t version = current.version; version >= 1 && !unsettled.empty(); --version) {
    const std::optional<LogEntry>& entry = entry_at(version);
    if (!entry || entry->replaces_all) break;  // before the log's first entry on disk
    if (entry->operation == "rewind") {
      for (const BucketChange& change : entry->changes) {
        rewound_parts.insert(change.removed.begin(), change.removed.end());
      }
      continue;
    }
    if (!entry->writer || !entry->sequence) continue;
    const auto writer = unsettled.find(*entry->writer);
    if (writer == unsettled.end() || version > writer->second.version) continue;
    if (keeps_every_row(*entry, after_tick, rewound_parts)) {
      if (lost_rows.contains(writer->first)) {
        marks[writer->first] = WriterMark{*entry->sequence, version};
      }
      unsettled.erase(writer);
    } else {
      lost_rows.insert(writer->first);
    }
  }
  // Writers with no commit left that lost nothing.
  for (const auto& [writer, mark] : unsettled) {
    if (lost_rows.contains(writer)) marks[writer] = std::nullopt;
  }
  return marks;
}

}  // namespace

std::string RewindSummary::to_json() const {
  nlohmann::ordered_json marks = nlohmann::ordered_json::object();
  for (const auto& [writer, sequence] : writers) {
    marks[writer] = sequence ? nlohmann::ordered_json(*sequence) : nlohmann::ordered_json();
  }
  const nlohmann::ordered_json json = {{"table", table},
                                       {"run_id", run_id},
                                       {"after_tick", after_tick},
                                       {"version", version},
                                       {"rows_removed", rows_removed},
                                       {"parts_dropped", parts_dropped},
                                       {"parts_rewritten", parts_rewritten},
                                       {"files_deleted", files_deleted},
                                       {"buckets", buckets},
                                       {"writers", std::move(marks)}};
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

RewindSummary Dataset::rewind(std::string_view table_name, int64_t after_tick) {
  TableState& table = table_state(table_name);
  if (after_tick < 0) {
    throw IoConfigError(fmt::format("cannot rewind table '{}' to after tick {}: ticks start at 0",
                                    table.name, after_tick),
                        {.path = table.folder.string()});
  }
  RewindSummary summary{.table = table.name, .run_id = run_id_, .after_tick = after_tick};
  // A missing table is an error before anything is created in its folder.
  manifest(table.name);
  const std::unique_ptr<FileLock> rewrite_lock =
      fs_.lock_exclusive(table.folder / kRewriteLockFileName);
  const TableManifest snapshot = manifest(table.name);

  // Parts with rows on both sides of the tick, by name: their bucket and replacement.
  struct Straddling {
    int64_t bucket = 0;
    std::optional<WrittenPart> rewritten;
  };
  std::map<std::string, Straddling> straddling;
  std::vector<std::pair<int64_t, WrittenPart>> written;
  std::vector<uint8_t> scratch;
  try {
    for (const auto& [bucket, partition] : snapshot.partitions) {
      const std::filesystem::path folder = bucket_dir(settings_, run_id_, table.name, bucket);
      for (const PartMeta& part : partition.parts) {
        if (part.tick_min > after_tick || part.tick_max <= after_tick) continue;
        std::optional<WrittenPart> rewritten =
            rewrite_up_to(fs_, folder, part, table.writer_options, after_tick, scratch);
        if (rewritten) written.emplace_back(bucket, *rewritten);
        straddling.emplace(part.path, Straddling{bucket, std::move(rewritten)});
      }
    }
  } catch (...) {
    for (const auto& [bucket, part] : written) remove_quietly(fs_, {part.path});
    throw;
  }

  CommitLog log = table_log(table);
  std::map<int64_t, std::optional<LogEntry>> entries;
  std::set<int64_t> buckets;
  const RewriteCommit commit = commit_rewrite(table, written, [&](const TableSnapshot& current) {
    LogEntry entry;
    entry.operation = "rewind";
    summary.rows_removed = summary.parts_dropped = summary.parts_rewritten = 0;
    buckets.clear();
    size_t straddling_seen = 0;
    for (const auto& [bucket, partition] : current.manifest.partitions) {
      BucketChange dropped{bucket, {}, {}};
      for (const PartMeta& part : partition.parts) {
        if (part.tick_max <= after_tick) continue;
        buckets.insert(bucket);
        const auto planned = straddling.find(part.path);
        if (part.tick_min > after_tick ||
            (planned != straddling.end() && !planned->second.rewritten)) {
          dropped.removed.push_back(part.path);
          summary.rows_removed += part.rows;
          ++summary.parts_dropped;
          straddling_seen += planned != straddling.end() ? 1 : 0;
          continue;
        }
        if (planned == straddling.end()) {
          throw IoManifestError(
              fmt::format("part '{}' of bucket {}, committed while the rewind ran, holds ticks "
                          "{} to {}, on both sides of {}; nothing was changed: rewind again",
                          part.path, bucket, part.tick_min, part.tick_max, after_tick),
              {.path = bucket_dir(settings_, run_id_, table.name, bucket).string()});
        }
        const PartMeta& kept = planned->second.rewritten->meta;
        entry.changes.push_back({bucket, {part.path}, {kept}});
        summary.rows_removed += part.rows - kept.rows;
        ++summary.parts_rewritten;
        ++straddling_seen;
      }
      if (!dropped.removed.empty()) entry.changes.push_back(std::move(dropped));
    }
    if (straddling_seen != straddling.size()) {
      throw IoManifestError(
          fmt::format("table '{}' no longer holds the parts being rewound (it was rebuilt "
                      "meanwhile); nothing was changed: rewind again",
                      table.name),
          {.path = log.folder().string()});
    }
    entry.writer_marks = rewound_marks(log, current, after_tick, entries);
    if (entry.changes.empty() && entry.writer_marks.empty()) return std::optional<LogEntry>();
    return std::optional<LogEntry>(std::move(entry));
  });
  if (!commit.entry) return summary;
  summary.version = commit.version;
  summary.files_deleted = commit.files_deleted;
  summary.buckets.assign(buckets.begin(), buckets.end());
  for (const auto& [writer, mark] : commit.entry->writer_marks) {
    summary.writers[writer] = mark ? std::optional(mark->sequence) : std::nullopt;
  }
  return summary;
}

}  // namespace crv::io
