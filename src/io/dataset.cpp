// Dataset's append path: rows split by bucket, parts written, the manifest committed.

#include "crv/io/dataset.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "crv/core/errors.hpp"
#include "crv/core/table_descriptor.hpp"
#include "crv/io/paths.hpp"
#include "crv/io/validate.hpp"
#include "crv/parquet/decode_pool.hpp"
#include "io/part_source.hpp"
#include "io/part_writer.hpp"
#include "io/table_lock.hpp"
#include "io/table_metadata.hpp"
#include "io/table_state.hpp"

namespace crv::io {
namespace {

using Clock = std::chrono::steady_clock;

// manifest.json written again at most this often while other hosts keep committing.
constexpr int kMaxManifestJsonRewrites = 100;
// Batches in a row that give an open bucket no rows before its buffered rows are written
// (if they fill at least 1/kIdleRowGroupShare of a row group): an input in tick order has
// moved past the bucket by then, and one in any other order, whose batches touch most
// buckets, rarely leaves one alone that long with that many rows.
constexpr int64_t kIdleBatches = 2;
constexpr int64_t kIdleRowGroupShare = 8;

// Adds the time since construction to a counter when it goes out of scope.
class ScopedTimer {
 public:
  explicit ScopedTimer(std::chrono::nanoseconds& total) : total_(total), start_(Clock::now()) {}
  ~ScopedTimer() { total_ += Clock::now() - start_; }
  ScopedTimer(const ScopedTimer&) = delete;
  ScopedTimer& operator=(const ScopedTimer&) = delete;

 private:
  std::chrono::nanoseconds& total_;
  Clock::time_point start_;
};

// The rows of each bucket, in ascending bucket order. Rows of a bucket are usually
// contiguous (ticks ascend), and then the bucket is a zero-copy slice.
std::vector<std::pair<int64_t, frame::Frame>> split_by_bucket(const frame::Frame& rows) {
  const int64_t* values = rows.column("bucket")->int64_values();
  const int64_t count = rows.num_rows();
  std::vector<std::pair<int64_t, frame::Frame>> parts;
  if (std::is_sorted(values, values + count)) {
    for (int64_t begin = 0; begin < count;) {
      const int64_t end = std::upper_bound(values + begin, values + count, values[begin]) - values;
      parts.emplace_back(values[begin], rows.slice(begin, end - begin));
      begin = end;
    }
    return parts;
  }
  // The buckets present, ascending, and each row's bucket by its rank among them; then one
  // pass over the rows sends each to its bucket's frame (Frame::partition). A batch
  // usually spans few buckets, so they are ranked through a table over its bucket range;
  // far-apart ones by a binary search among them.
  const auto [low, high] = std::minmax_element(values, values + count);
  const auto span = static_cast<uint64_t>(*high) - static_cast<uint64_t>(*low) + 1;
  std::vector<int64_t> buckets;
  std::vector<uint32_t> groups(static_cast<size_t>(count));
  if (span > static_cast<uint64_t>(count)) {
    buckets.assign(values, values + count);
    std::sort(buckets.begin(), buckets.end());
    buckets.erase(std::unique(buckets.begin(), buckets.end()), buckets.end());
    for (int64_t i = 0; i < count; ++i) {
      groups[static_cast<size_t>(i)] = static_cast<uint32_t>(
          std::lower_bound(buckets.begin(), buckets.end(), values[i]) - buckets.begin());
    }
  } else {
    constexpr uint32_t kAbsent = std::numeric_limits<uint32_t>::max();
    std::vector<uint32_t> rank(span, kAbsent);
    for (int64_t i = 0; i < count; ++i) rank[static_cast<size_t>(values[i] - *low)] = 0;
    for (size_t offset = 0; offset < span; ++offset) {
      if (rank[offset] == kAbsent) continue;
      rank[offset] = static_cast<uint32_t>(buckets.size());
      buckets.push_back(*low + static_cast<int64_t>(offset));
    }
    for (int64_t i = 0; i < count; ++i) {
      groups[static_cast<size_t>(i)] = rank[static_cast<size_t>(values[i] - *low)];
    }
  }
  // Ranks are 32-bit: a batch over more buckets than that is refused rather than split
  // wrongly.
  if (buckets.size() >= std::numeric_limits<uint32_t>::max()) {
    throw IoSchemaError(fmt::format("a batch spans {} buckets; at most {} can be split at once",
                                    buckets.size(), std::numeric_limits<uint32_t>::max() - 1));
  }
  std::vector<frame::Frame> frames = rows.partition(groups, buckets.size());
  for (size_t group = 0; group < buckets.size(); ++group) {
    parts.emplace_back(buckets[group], std::move(frames[group]));
  }
  return parts;
}

}  // namespace

AppendTimings& AppendTimings::operator+=(const AppendTimings& other) {
  validate += other.validate;
  encode += other.encode;
  part_write += other.part_write;
  manifest_load += other.manifest_load;
  manifest_serialize += other.manifest_serialize;
  manifest_write += other.manifest_write;
  checkpoint += other.checkpoint;
  checkpoints += other.checkpoints;
  iceberg += other.iceberg;
  iceberg_updates += other.iceberg_updates;
  return *this;
}

std::string AppendSummary::to_json() const {
  nlohmann::ordered_json parts_json = nlohmann::ordered_json::array();
  for (const PartSummary& part : parts) {
    parts_json.push_back({{"bucket_id", part.bucket_id},
                          {"path", part.path},
                          {"rows", part.rows},
                          {"bytes", part.bytes},
                          {"tick_min", part.tick_min},
                          {"tick_max", part.tick_max}});
  }
  nlohmann::ordered_json json = {{"table", table},
                                 {"run_id", run_id},
                                 {"parts", parts_json},
                                 {"rows", rows},
                                 {"buckets", buckets}};
  if (duplicate) json["duplicate"] = true;
  // Paths are bytes; replacement characters keep one that is not UTF-8 printable.
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

struct Dataset::Transaction::State {
  Dataset* dataset = nullptr;
  TableState* table = nullptr;
  // Parts closed (durable under their final names) but not committed.
  std::vector<std::pair<int64_t, PartMeta>> parts;
  std::vector<std::filesystem::path> files;
  // Parts still taking rows: at most one per bucket, at most max_open_parts in all.
  struct OpenBucket {
    std::unique_ptr<OpenPart> part;
    uint64_t last_used = 0;
    int64_t last_batch = 0;  // the last batch that gave it rows
  };
  std::map<int64_t, OpenBucket> open_parts;
  uint64_t uses = 0;
  int64_t batches = 0;
  int64_t buffered_rows = 0;  // over every open part
  // The types the table recorded when the transaction began, merged with its batches'.
  std::vector<frame::Field> columns;
  // The field ids the table recorded, and those given to the paths its parts added.
  FieldIds field_ids;
  AppendSummary summary;
  std::vector<uint8_t> scratch;
  // Bytes per row of the last part whose writes were measured; 0 before any.
  double bytes_per_row = 0;

  // The open part taking `bucket`'s rows of `fields`: the bucket's part when its fields
  // are these (else it is closed), or a new one, for which the least recently used part
  // is closed when max_open_parts are open.
  OpenPart& part_for(int64_t bucket, const std::vector<frame::Field>& fields) {
    const IoSettings& settings = dataset->settings_;
    auto found = open_parts.find(bucket);
    if (found != open_parts.end() &&
        (found->second.part->fields() != fields || reached_target(*found->second.part))) {
      close(found);
      found = open_parts.end();
    }
    if (found == open_parts.end()) {
      if (open_parts.size() >= static_cast<size_t>(settings.max_open_parts)) {
        close(std::min_element(
            open_parts.begin(), open_parts.end(),
            [](const auto& a, const auto& b) { return a.second.last_used < b.second.last_used; }));
      }
      assign_field_ids(fields, field_ids);
      parquet::WriterOptions options = table->writer_options;
      options.field_ids = stored_field_ids(fields, field_ids);
      auto part = std::make_unique<OpenPart>(
          dataset->fs_, bucket_dir(settings, dataset->run_id_, table->name, bucket), fields,
          options);
      found = open_parts.emplace(bucket, OpenBucket{std::move(part), 0}).first;
    }
    found->second.last_used = ++uses;
    found->second.last_batch = batches;
    return *found->second.part;
  }

  // Starts a batch that gives rows to `buckets`: writes what the open buckets that this
  // batch and the ones before it give no rows (kIdleBatches in a row) buffer. An input in
  // tick order is done with them, so their rows are encoded on other threads while later
  // batches are read, instead of all at the commit, and stop taking memory. Writing them
  // before this batch's rows are added keeps the buffered-rows budget from forcing out a
  // bucket that is still filling. Buckets buffering less than a share of a row group keep
  // their rows, so an input in no order, in batches too small to touch every bucket, does
  // not write tiny row groups.
  // `split` is the batch as split_by_bucket gives it, in ascending bucket order.
  void start_batch(const std::vector<std::pair<int64_t, frame::Frame>>& split) {
    ++batches;
    const int64_t least_rows =
        std::max<int64_t>(1, dataset->settings_.row_group_size / kIdleRowGroupShare);
    for (auto& [bucket, open] : open_parts) {
      if (batches - open.last_batch >= kIdleBatches && open.part->buffered_rows() >= least_rows &&
          !std::ranges::binary_search(split, bucket, {},
                                      &std::pair<int64_t, frame::Frame>::first)) {
        buffered_rows -= open.part->buffered_rows();
        open.part->flush(summary.timings);
      }
    }
  }

  // Whether `part` has reached target_part_bytes, so it takes no more rows. Exact once
  // its write in flight is done; that write is waited for only when the bytes per row
  // written so far say it may reach half the target, so the caller does not wait for
  // every write it starts.
  bool reached_target(OpenPart& part) {
    const auto target = static_cast<double>(dataset->settings_.target_part_bytes);
    if (part.rows_written() > 0) {
      bytes_per_row =
          static_cast<double>(part.bytes_written()) / static_cast<double>(part.rows_written());
    }
    const double expected = static_cast<double>(part.bytes_written()) +
                            bytes_per_row * static_cast<double>(part.rows_in_flight());
    if (part.rows_in_flight() > 0 && (bytes_per_row == 0 || expected * 2 >= target)) {
      part.wait_for_write(summary.timings);
    }
    return static_cast<double>(part.bytes_written()) >= target;
  }

  // Adds a bucket's rows to its part, then writes early the rows of the buckets that
  // buffer most while the buffered rows exceed max_buffered_rows.
  void add(int64_t bucket, const frame::Frame& rows, const std::vector<frame::Field>& fields) {
    const IoSettings& settings = dataset->settings_;
    OpenPart& part = part_for(bucket, fields);
    buffered_rows -= part.buffered_rows();
    part.add(rows, summary.timings);
    buffered_rows += part.buffered_rows();
    if (reached_target(part)) close(open_parts.find(bucket));
    while (buffered_rows > settings.max_buffered_rows) {
      OpenPart& fullest =
          *std::max_element(open_parts.begin(), open_parts.end(), [](const auto& a, const auto& b) {
             return a.second.part->buffered_rows() < b.second.part->buffered_rows();
           })->second.part;
      buffered_rows -= fullest.buffered_rows();
      fullest.flush(summary.timings);
    }
  }

  // Completes an open part; it joins the parts the commit will name.
  void close(std::map<int64_t, OpenBucket>::iterator open) {
    const int64_t bucket = open->first;
    buffered_rows -= open->second.part->buffered_rows();
    const WrittenPart written = open->second.part->close(scratch, summary.timings);
    open_parts.erase(open);
    add_closed(bucket, written);
  }

  void add_closed(int64_t bucket, const WrittenPart& written) {
    files.push_back(written.path);
    parts.emplace_back(bucket, written.meta);
    summary.parts.push_back({bucket, written.path.string(), written.meta.rows, written.meta.bytes,
                             written.meta.tick_min, written.meta.tick_max});
  }

  // Closes every open part. Encoding the buffered rows dominates and the parts are
  // independent, so they close on every hardware thread; the parts that closed join the
  // commit in bucket order even when another failed (the caller then rolls back).
  void close_all() {
    if (open_parts.size() <= 1) {
      while (!open_parts.empty()) close(open_parts.begin());
      return;
    }
    std::vector<std::pair<int64_t, OpenPart*>> closing;
    for (auto& [bucket, open] : open_parts) closing.emplace_back(bucket, open.part.get());
    std::vector<std::optional<WrittenPart>> written(closing.size());
    std::vector<AppendTimings> timings(closing.size());
    if (!pool) pool = std::make_unique<parquet::DecodePool>();
    std::exception_ptr failure;
    try {
      pool->run(closing.size(), [&](size_t i) {
        std::vector<uint8_t> part_scratch;
        written[i] = closing[i].second->close(part_scratch, timings[i]);
      });
    } catch (...) {
      failure = std::current_exception();
    }
    for (size_t i = 0; i < closing.size(); ++i) {
      summary.timings += timings[i];
      if (written[i]) add_closed(closing[i].first, *written[i]);
    }
    open_parts.clear();
    buffered_rows = 0;
    if (failure) std::rethrow_exception(failure);
  }

  // Threads that close parts, made at the first commit of several.
  std::unique_ptr<parquet::DecodePool> pool;
};

Dataset::Dataset(IoSettings settings, std::string run_id, FileSystem& fs)
    : settings_(std::move(settings)), run_id_(std::move(run_id)), fs_(fs) {
  settings_.validate();
  validate_run_id(run_id_);
}

Dataset::~Dataset() {
  try {
    flush();
  } catch (const std::exception&) {
    // Destructors must not throw; flush() reports the same failure to callers who ask.
  }
}

Dataset::TableState& Dataset::table_state(std::string_view table) {
  const core::TableDescriptor& descriptor = core::get_table(table);
  auto found = tables_.find(table);
  if (found != tables_.end()) return *found->second;
  auto state = std::make_unique<TableState>();
  state->descriptor = &descriptor;
  state->name = std::string(table);
  state->folder = table_dir(settings_, run_id_, table);
  state->manifest_path = manifest_path(settings_, run_id_, table);
  state->metadata_path = state->folder / kTableMetadataFileName;
  state->writer_options = part_writer_options(table);
  return *tables_.emplace(state->name, std::move(state)).first->second;
}

const std::optional<TableMetadata>& Dataset::table_metadata(TableState& table) {
  if (!table.metadata_read) {
    table.metadata_identity = fs_.stat(table.metadata_path);
    table.metadata = load_table_metadata(fs_, table.metadata_path, table.name);
    table.metadata_read = true;
  }
  return table.metadata;
}

void Dataset::require_bucket_size(const TableState& table, int64_t bucket_size) const {
  if (bucket_size == settings_.tick_bucket_size) return;
  throw IoConfigError(
      fmt::format("table '{}' of run '{}' was created with tick_bucket_size {}, but this append "
                  "uses {}: a table keeps the bucket size it was created with (set "
                  "tick_bucket_size to {})",
                  table.name, run_id_, bucket_size, settings_.tick_bucket_size, bucket_size),
      {.path = table.metadata_path.string()});
}

void Dataset::reread_table_metadata_if_changed(TableState& table) {
  const std::optional<FileIdentity> identity = fs_.stat(table.metadata_path);
  if (!table.metadata_read || table.metadata_identity != identity) {
    table.metadata = load_table_metadata(fs_, table.metadata_path, table.name);
    table.metadata_read = true;
  }
  table.metadata_identity = identity;
}

void Dataset::record_columns(TableState& table, const std::vector<frame::Field>& columns,
                             const FieldIds& field_ids) {
  reread_table_metadata_if_changed(table);
  TableMetadata updated;
  bool columns_changed = true;
  if (table.metadata) {
    require_bucket_size(table, table.metadata->tick_bucket_size);
    updated = *table.metadata;
    columns_changed = merge_recorded_columns(updated.columns, columns);
  } else {
    // A table written before table.json existed keeps the bucket size its parts have.
    for (const auto& [bucket, partition] : table.snapshot->manifest.partitions) {
      if (bucket_for_tick(partition.tick_min, settings_.tick_bucket_size) != bucket ||
          bucket_for_tick(partition.tick_max, settings_.tick_bucket_size) != bucket) {
        throw IoConfigError(
            fmt::format("table '{}' of run '{}' holds ticks {}..{} in bucket {}, which "
                        "tick_bucket_size {} would not: append with the bucket size the table "
                        "was written with",
                        table.name, run_id_, partition.tick_min, partition.tick_max, bucket,
                        settings_.tick_bucket_size),
            {.path = table.manifest_path.string()});
      }
    }
    updated = metadata_of_parts(table, table.snapshot->manifest);
    merge_recorded_columns(updated.columns, columns);
  }
  try {
    merge_field_ids(updated.field_ids, field_ids);
  } catch (const IoSchemaError& error) {
    throw IoSchemaError(fmt::format("table '{}' of run '{}': {}, as another writer recorded "
                                    "meanwhile; nothing was committed: append the rows again",
                                    table.name, run_id_, error.message()),
                        {.path = table.metadata_path.string(), .column = error.context().column});
  }
  if (table.metadata && !columns_changed && updated.field_ids == table.metadata->field_ids) return;
  write_table_metadata(fs_, table.metadata_path, updated);
  table.metadata = std::move(updated);
  try {
    table.metadata_identity = fs_.stat(table.metadata_path);
  } catch (const IoError&) {
    table.metadata_read = false;
  }
}

TableMetadata Dataset::metadata_of_parts(const TableState& table, const TableManifest& manifest) {
  TableMetadata metadata{table.name, settings_.tick_bucket_size, {}, {}};
  for (const auto& [bucket, partition] : manifest.partitions) {
    const std::filesystem::path folder = bucket_dir(settings_, run_id_, table.name, bucket);
    for (const PartMeta& part : partition.parts) {
      const OpenedPart opened = open_part(fs_, folder / part.path,
                                          "; the manifest names it: restore it, or rebuild the "
                                          "manifest from the parts that remain");
      const parquet::FileInfo& info = opened.reader.info();
      // Parts that already disagree: what was seen first stands, as a read or an engine
      // would report the conflict anyway.
      for (const frame::Field& field : info.fields) {
        try {
          merge_recorded_columns(metadata.columns, {field});
        } catch (const IoSchemaError&) {
        }
      }
      for (const auto& id : info.field_ids) {
        try {
          merge_field_ids(metadata.field_ids, {id});
        } catch (const IoSchemaError&) {
        }
      }
    }
  }
  return metadata;
}

CommitLog Dataset::table_log(const TableState& table) {
  return CommitLog(fs_, table.folder, table.name);
}

void Dataset::refresh_snapshot(TableState& table) {
  CommitLog log = table_log(table);
  // A snapshot of manifest.json is good only while no writer has started the log.
  if (table.snapshot && table.snapshot->logged && log.exists()) {
    log.catch_up(*table.snapshot);
    return;
  }
  table.snapshot = log.load();
  if (!table.snapshot) {
    table.snapshot.emplace();
    table.snapshot->manifest = new_manifest(table.name);
  }
}

void Dataset::publish(TableState& table, CommitLog& log, AppendTimings& timings) {
  table.manifest_json_behind = true;
  if (CommitLog::checkpoint_due(*table.snapshot)) {
    ScopedTimer timer(timings.checkpoint);
    try {
      log.write_checkpoint(*table.snapshot);
      ++timings.checkpoints;
      write_manifest_json_from(table, log, false, &timings);
      table.manifest_json_behind = false;
    } catch (const IoError&) {
      // The commit stands. The checkpoint is still due, so the next commit tries again,
      // and flush() or closing the handle writes manifest.json or reports why it cannot.
    }
  }
  if (table.manifest_json_behind && settings_.manifest_every_commit) {
    ScopedTimer timer(timings.manifest_serialize);
    write_manifest_json_from(table, log, false, &timings);
    table.manifest_json_behind = false;
  }
}

void Dataset::write_manifest_json_from(TableState& table, CommitLog& log,
                                       bool iceberg_failure_throws, AppendTimings* timings) {
  write_manifest_json(fs_, table.manifest_path, to_json_bytes(table.snapshot->manifest));
  // A writer on another host, not held off by the table's lock, may have committed and
  // written manifest.json meanwhile, before this rename replaced it with an older table.
  // The last to rename sees the newer entry and writes again. The handle's own snapshot
  // stays at its commit, which its caller reports.
  std::optional<TableSnapshot> newer;
  for (int attempt = 0; attempt < kMaxManifestJsonRewrites; ++attempt) {
    const TableSnapshot& written = newer ? *newer : *table.snapshot;
    if (!fs_.exists(log.entry_path(written.version + 1))) break;
    if (!newer) newer = *table.snapshot;
    const int64_t before = newer->version;
    const bool torn = log.catch_up(*newer);
    if (newer->version != before) {
      write_manifest_json(fs_, table.manifest_path, to_json_bytes(newer->manifest));
    }
    if (torn) break;  // nothing commits after a torn last entry until a repair
  }
  if (!settings_.iceberg_metadata) return;
  try {
    const auto started = std::chrono::steady_clock::now();
    const TableSnapshot& published = newer ? *newer : *table.snapshot;
    update_iceberg(table, published);
    table.iceberg_behind = false;
    table.iceberg_published_version = published.version;
    if (timings) {
      timings->iceberg += std::chrono::steady_clock::now() - started;
      ++timings->iceberg_updates;
    }
  } catch (const IoError&) {
    // manifest.json is written and the commit stands; flush() tries the update again.
    table.iceberg_behind = true;
    if (iceberg_failure_throws) throw;
  }
}

namespace {

// IoConfigError unless `writer` is 1 to 256 printable ASCII characters.
void validate_writer(std::string_view writer) {
  constexpr size_t kMaxWriterLength = 256;
  const bool printable =
      std::all_of(writer.begin(), writer.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
  if (writer.empty() || writer.size() > kMaxWriterLength || !printable) {
    throw IoConfigError(
        fmt::format("a writer name must be 1 to {} printable ASCII characters, "
                    "not \"{}\"",
                    kMaxWriterLength, writer.substr(0, kMaxWriterLength)));
  }
}

void validate_identity(const CommitIdentity& identity) {
  validate_writer(identity.writer);
  if (identity.sequence < 0) {
    throw IoConfigError(fmt::format("writer '{}': a sequence must be 0 or more, not {}",
                                    identity.writer, identity.sequence));
  }
}

}  // namespace

std::optional<int64_t> Dataset::commit_parts(TableState& table,
                                             const std::vector<std::pair<int64_t, PartMeta>>& parts,
                                             const std::vector<frame::Field>& columns,
                                             const FieldIds& field_ids, AppendTimings& timings,
                                             const std::optional<CommitIdentity>& identity) {
  table.commit_linked = false;
  fs_.create_directories(table.folder);
  std::optional<TableLock> lock;
  {
    ScopedTimer timer(timings.manifest_load);
    lock.emplace(fs_, table.folder);
    refresh_snapshot(table);
    // Before the log names the parts, the table's metadata covers their types and ids.
    record_columns(table, columns, field_ids);
  }
  CommitLog log = table_log(table);
  std::optional<int64_t> duplicate_of;
  try {
    ScopedTimer timer(timings.manifest_write);
    log.commit(*table.snapshot, [&](const TableSnapshot& current) -> std::optional<LogEntry> {
      LogEntry entry;
      entry.operation = "append";
      if (identity) {
        const auto last = current.writers.find(identity->writer);
        if (last != current.writers.end() && identity->sequence <= last->second.sequence) {
          duplicate_of = last->second.version;
          return std::nullopt;
        }
        entry.writer = identity->writer;
        entry.sequence = identity->sequence;
      }
      for (const auto& [bucket, part] : parts) {
        if (entry.changes.empty() || entry.changes.back().bucket_id != bucket) {
          entry.changes.push_back({bucket, {}, {}});
        }
        entry.changes.back().added.push_back(part);
      }
      return entry;
    });
  } catch (...) {
    table.commit_linked = log.linked();
    // A commit that took effect is published by flush().
    if (table.commit_linked) table.manifest_json_behind = true;
    table.snapshot.reset();
    throw;
  }
  table.commit_linked = log.linked();
  if (duplicate_of) return duplicate_of;
  publish(table, log, timings);
  return std::nullopt;
}

std::optional<int64_t> Dataset::last_sequence(std::string_view table, std::string_view writer) {
  validate_writer(writer);
  TableState& state = table_state(table);
  const std::optional<TableSnapshot> snapshot = table_log(state).load();
  if (!snapshot) return std::nullopt;
  const auto mark = snapshot->writers.find(std::string(writer));
  if (mark == snapshot->writers.end()) return std::nullopt;
  return mark->second.sequence;
}

AppendSummary Dataset::committed_summary(TableState& table, int64_t version) {
  const std::optional<LogEntry> entry = table_log(table).read_entry(version);
  if (!entry) {
    throw IoManifestError(fmt::format("commit log entry {} is missing", version),
                          {.path = table_log(table).entry_path(version).string()});
  }
  AppendSummary summary{.table = table.name, .run_id = run_id_, .version = version};
  std::set<int64_t> buckets;
  for (const BucketChange& change : entry->changes) {
    const std::filesystem::path folder =
        bucket_dir(settings_, run_id_, table.name, change.bucket_id);
    for (const PartMeta& part : change.added) {
      summary.parts.push_back({change.bucket_id, (folder / part.path).string(), part.rows,
                               part.bytes, part.tick_min, part.tick_max});
      summary.rows += part.rows;
    }
    buckets.insert(change.bucket_id);
  }
  summary.buckets.assign(buckets.begin(), buckets.end());
  return summary;
}

void Dataset::write_manifest_json_if_behind(TableState& table) {
  if (!table.manifest_json_behind && !table.iceberg_behind) return;
  TableLock lock(fs_, table.folder);
  refresh_snapshot(table);
  CommitLog log = table_log(table);
  write_manifest_json_from(table, log, true);
  table.manifest_json_behind = false;
}

Dataset::Transaction::Transaction(std::unique_ptr<State> state) : state_(std::move(state)) {}
Dataset::Transaction::Transaction(Transaction&&) noexcept = default;
Dataset::Transaction::~Transaction() {
  if (state_) rollback();
}

int64_t Dataset::Transaction::pending_rows() const {
  return state_->summary.rows;
}

void Dataset::Transaction::add(const frame::Frame& batch, const AppendOptions& options) {
  if (batch.num_rows() == 0) return;
  Dataset& dataset = *state_->dataset;
  TableState& table = *state_->table;
  AppendTimings& timings = state_->summary.timings;
  ValidatedFrame validated;
  std::vector<frame::Field> columns = state_->columns;
  {
    ScopedTimer timer(timings.validate);
    if (const std::optional<TableMetadata>& metadata = dataset.table_metadata(table)) {
      dataset.require_bucket_size(table, metadata->tick_bucket_size);
    }
    validated =
        options.validate_schema
            ? validate_frame(batch, *table.descriptor,
                             {dataset.settings_.tick_bucket_size, dataset.settings_.strict_schema})
            : validate_partitioning(batch, dataset.settings_.tick_bucket_size);
    conform_to_recorded(validated, columns);
  }
  // Rows of earlier batches share the open parts, so a failure from here on cannot undo
  // this batch alone: the whole transaction rolls back.
  try {
    const std::vector<std::pair<int64_t, frame::Frame>> split = split_by_bucket(validated.frame);
    state_->start_batch(split);
    for (const auto& [bucket, rows] : split) state_->add(bucket, rows, validated.fields);
  } catch (...) {
    rollback();
    throw;
  }
  state_->columns = std::move(columns);
  state_->summary.rows += batch.num_rows();
}

void Dataset::Transaction::close_open_parts() {
  try {
    state_->close_all();
  } catch (...) {
    rollback();
    throw;
  }
}

AppendSummary Dataset::Transaction::commit(const std::optional<CommitIdentity>& identity) {
  if (identity) validate_identity(*identity);
  close_open_parts();
  State& state = *state_;
  if (!state.parts.empty()) {
    std::optional<int64_t> duplicate_of;
    try {
      duplicate_of = state.dataset->commit_parts(*state.table, state.parts, state.columns,
                                                 state.field_ids, state.summary.timings, identity);
    } catch (...) {
      if (!state.table->commit_linked) {
        remove_unnamed(state.dataset->fs_, state.table->folder, state.table->name, state.files);
      }
      state_.reset();
      throw;
    }
    if (duplicate_of) {
      // Committed before: this attempt's parts go, and the earlier commit answers.
      rollback();
      AppendSummary earlier = state.dataset->committed_summary(*state.table, *duplicate_of);
      earlier.timings = state.summary.timings;
      earlier.duplicate = true;
      state_.reset();
      return earlier;
    }
    state.summary.version = state.table->snapshot ? state.table->snapshot->version : 0;
  }
  AppendSummary summary = std::move(state.summary);
  std::set<int64_t> buckets;
  for (const PartSummary& part : summary.parts) buckets.insert(part.bucket_id);
  summary.buckets.assign(buckets.begin(), buckets.end());
  state_.reset();
  return summary;
}

void Dataset::Transaction::rollback() {
  if (!state_) return;
  state_->open_parts.clear();
  state_->buffered_rows = 0;
  remove_quietly(state_->dataset->fs_, state_->files);
  state_->files.clear();
  state_->parts.clear();
  state_->summary.parts.clear();
  state_->summary.rows = 0;
}

Dataset::Transaction Dataset::begin(std::string_view table) {
  auto state = std::make_unique<Transaction::State>();
  state->dataset = this;
  state->table = &table_state(table);
  if (const std::optional<TableMetadata>& metadata = table_metadata(*state->table)) {
    state->columns = metadata->columns;
    state->field_ids = metadata->field_ids;
  }
  // Batched appends not committed yet have fixed types and ids too.
  merge_recorded_columns(state->columns, state->table->batched_columns);
  state->field_ids.insert(state->table->batched_field_ids.begin(),
                          state->table->batched_field_ids.end());
  state->summary.table = std::string(table);
  state->summary.run_id = run_id_;
  return Transaction(std::move(state));
}

AppendSummary Dataset::append(std::string_view table, const frame::Frame& frame,
                              const AppendOptions& options) {
  if (options.identity) validate_identity(*options.identity);
  Transaction transaction = begin(table);
  transaction.add(frame, options);
  if (settings_.write_manifest_every_n <= 1 || options.identity) {
    return transaction.commit(options.identity);
  }
  transaction.close_open_parts();

  // Batched: keep the parts for a later commit of several appends at once.
  TableState& state = *transaction.state_->table;
  AppendSummary summary = std::move(transaction.state_->summary);
  std::set<int64_t> buckets;
  for (const PartSummary& part : summary.parts) buckets.insert(part.bucket_id);
  summary.buckets.assign(buckets.begin(), buckets.end());
  for (auto& part : transaction.state_->parts) state.batched_parts.push_back(std::move(part));
  for (auto& file : transaction.state_->files) state.batched_files.push_back(std::move(file));
  merge_recorded_columns(state.batched_columns, transaction.state_->columns);
  state.batched_field_ids.insert(transaction.state_->field_ids.begin(),
                                 transaction.state_->field_ids.end());
  transaction.state_.reset();
  if (!summary.parts.empty() && ++state.batched_appends >= settings_.write_manifest_every_n) {
    commit_batched();
  }
  return summary;
}

AppendSummary Dataset::append(core::TableName table, const frame::Frame& frame,
                              const AppendOptions& options) {
  return append(core::to_string(table), frame, options);
}

void Dataset::flush() {
  commit_batched();
  // Every table gets its turn even when one fails; the first failure is reported.
  std::exception_ptr first_failure;
  for (auto& [name, table] : tables_) {
    try {
      write_manifest_json_if_behind(*table);
    } catch (const IoError&) {
      if (!first_failure) first_failure = std::current_exception();
    }
  }
  if (first_failure) std::rethrow_exception(first_failure);
}

void Dataset::commit_batched() {
  for (auto& [name, table] : tables_) {
    if (table->batched_parts.empty()) continue;
    const auto forget_batch = [&state = *table] {
      state.batched_parts.clear();
      state.batched_files.clear();
      state.batched_columns.clear();
      state.batched_field_ids.clear();
      state.batched_appends = 0;
    };
    AppendTimings timings;
    try {
      commit_parts(*table, table->batched_parts, table->batched_columns, table->batched_field_ids,
                   timings);
    } catch (...) {
      if (!table->commit_linked) {
        remove_unnamed(fs_, table->folder, table->name, table->batched_files);
      }
      forget_batch();
      throw;
    }
    forget_batch();
  }
}

AppendSummary append(const IoSettings& settings, std::string_view run_id, std::string_view table,
                     const frame::Frame& frame, const AppendOptions& options) {
  // Always committed here, whatever write_manifest_every_n says: nothing outlives the call.
  Dataset dataset(settings, std::string(run_id));
  Dataset::Transaction transaction = dataset.begin(table);
  transaction.add(frame, options);
  return transaction.commit(options.identity);
}

}  // namespace crv::io
