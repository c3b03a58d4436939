#pragma once
// A run's canonical tables on disk: appending, reading (scan.hpp), manifests and their
// rebuild, all through one handle per run.
//
// An append validates the frame (see validate.hpp), splits it by bucket, writes one
// Parquet part per bucket (temp file, fsync, rename, folder fsync) and then commits by
// adding one entry to the table's commit log (src/io/commit_log.hpp; docs/DESIGN.md, The
// commit log): written to a temporary file, fsynced and linked to the next version's name
// only if no other writer took it. A transaction of many batches keeps one part open per
// bucket across them, so it commits one part per bucket whatever the batches' sizes or
// row order: rows are buffered up to a row group per bucket and each full row group is
// written to that bucket's part. Past max_buffered_rows buffered rows in all, the bucket
// buffering most writes a smaller row group. At most max_open_parts parts are open at
// once (the least recently used is closed to open another, so its bucket gets a second
// part), and a part that reaches target_part_bytes is closed and the next one started.
// The log entry is the commit point: readers see an append entirely or not at all, a
// failed append removes its parts, and concurrent appenders (threads, processes, or hosts
// sharing a file system) never lose each other's updates. Parts are encoded outside the
// table's lock. manifest.json is rewritten from the log at checkpoints, by flush(), when
// the handle is destroyed, and after every commit with manifest_every_commit.
//
// With write_manifest_every_n > 1 a Dataset batches commits: parts of the appends in
// between are on disk but no log entry names them yet, so readers do not see them until
// flush() (or the n-th append, or destruction) commits them together.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crv/core/table_name.hpp"
#include "crv/frame/frame.hpp"
#include "crv/io/file_system.hpp"
#include "crv/io/manifest.hpp"
#include "crv/io/scan.hpp"
#include "crv/io/settings.hpp"
#include "crv/parquet/writer_options.hpp"

namespace crv::io {

struct TableMetadata;
class CommitLog;
struct LogEntry;
struct TableSnapshot;
struct WrittenPart;

// Who commits, for exactly-once appends. The commit log records each writer's last
// committed sequence; a commit whose sequence is not greater than that commits nothing
// and returns the writer's last commit, marked as a duplicate. A simulation restarted
// from a checkpoint, or a task a cluster retries, appends again with the same writer and
// sequence (e.g. the tick) and no row is stored twice.
struct CommitIdentity {
  std::string writer;    // 1 to 256 printable ASCII characters
  int64_t sequence = 0;  // >= 0
};

struct AppendOptions {
  // Check and reshape the frame against the table descriptor. Without it the frame is
  // written as given, with `bucket` computed from `tick` (still required and >= 0).
  bool validate_schema = true;
  // Exactly-once: see CommitIdentity. Such an append commits at once, even when
  // write_manifest_every_n batches the others.
  std::optional<CommitIdentity> identity;
};

struct PartSummary {
  int64_t bucket_id = 0;
  std::string path;  // the part's final path
  int64_t rows = 0;
  int64_t bytes = 0;
  int64_t tick_min = 0;
  int64_t tick_max = 0;
};

// Where an append spent its time, for benchmarks. Parts closed on several threads at once
// add up their times, so the sum may exceed the wall time.
struct AppendTimings {
  std::chrono::nanoseconds validate{0};
  std::chrono::nanoseconds encode{0};
  std::chrono::nanoseconds part_write{0};  // writes, fsyncs and renames of parts
  // Lock, then the log entries other writers committed since this handle's last commit.
  std::chrono::nanoseconds manifest_load{0};
  // manifest.json outside checkpoints (manifest_every_commit).
  std::chrono::nanoseconds manifest_serialize{0};
  // The commit's log entry: serialised, written, fsynced, linked, folder fsynced.
  std::chrono::nanoseconds manifest_write{0};
  // Checkpoints (with manifest.json) written by the commits, and their time.
  std::chrono::nanoseconds checkpoint{0};
  int64_t checkpoints = 0;
  // Updates of the Iceberg metadata (iceberg_metadata) made with manifest.json, and their
  // time (part of checkpoint or manifest_serialize).
  std::chrono::nanoseconds iceberg{0};
  int64_t iceberg_updates = 0;

  AppendTimings& operator+=(const AppendTimings& other);
};

struct AppendSummary {
  std::string table;
  std::string run_id;
  std::vector<PartSummary> parts;
  int64_t rows = 0;
  std::vector<int64_t> buckets;  // ascending
  AppendTimings timings;
  // The commit (log version) that stored these parts; 0 while batched.
  int64_t version = 0;
  // The writer had committed this sequence already: nothing was written, and the parts
  // are those of the writer's last commit.
  bool duplicate = false;

  // {"table", "run_id", "parts": [{bucket_id, path, rows, bytes, tick_min, tick_max}],
  //  "rows", "buckets"}, and "duplicate": true for a duplicate.
  std::string to_json() const;
};

// Which commit of a table's log this is, and who made it when.
struct CommitInfo {
  int64_t version = 0;
  std::string operation;  // "append", "compact", "rewind" or "rebuild"
  std::string committed_at;
  // Exactly-once appends: who appended, and the number it gave this append.
  std::optional<std::string> writer;
  std::optional<int64_t> sequence;
  std::string host;
  int64_t pid = 0;

  bool operator==(const CommitInfo&) const = default;
};

// One commit of a table, as Dataset::history lists it.
struct CommitRecord : CommitInfo {
  int64_t parts_added = 0;
  int64_t rows_added = 0;
  int64_t parts_removed = 0;

  // {"version", "operation", "committed_at", "writer", "sequence", "host", "pid",
  //  "parts_added", "rows_added", "parts_removed"} (writer and sequence null when unset)
  std::string to_json() const;
};

struct CompactOptions {
  // Only these buckets; every bucket when empty.
  std::vector<int64_t> buckets;
};

// What a compaction did.
struct CompactionSummary {
  std::string table;
  std::string run_id;
  std::vector<int64_t> buckets;  // the buckets rewritten, ascending
  int64_t parts_before = 0;      // parts replaced
  int64_t parts_after = 0;       // parts that replaced them
  int64_t rows = 0;              // rows rewritten
  int64_t bytes_before = 0;
  int64_t bytes_after = 0;
  int64_t parts_removed = 0;  // replaced parts deleted (the rest are left to fsck --repair)

  // {"table", "run_id", "buckets", "parts_before", "parts_after", "rows", "bytes_before",
  //  "bytes_after", "parts_removed"}
  std::string to_json() const;
};

// What a rewind did.
struct RewindSummary {
  std::string table;
  std::string run_id;
  int64_t after_tick = 0;
  int64_t version = 0;  // the rewind's commit; 0 when no row had a larger tick
  int64_t rows_removed = 0;
  int64_t parts_dropped = 0;     // parts whose rows all had larger ticks
  int64_t parts_rewritten = 0;   // parts with rows on both sides, rewritten with the earlier
  int64_t files_deleted = 0;     // replaced parts deleted (the rest are left to fsck --repair)
  std::vector<int64_t> buckets;  // the buckets changed, ascending
  // Writers whose last committed sequence went back, and what it is now (none: the writer
  // has no commit left).
  std::map<std::string, std::optional<int64_t>> writers;

  // {"table", "run_id", "after_tick", "version", "rows_removed", "parts_dropped",
  //  "parts_rewritten", "files_deleted", "buckets", "writers": {writer: sequence|null}}
  std::string to_json() const;
};

// What Dataset::publish_iceberg left in the table's Iceberg metadata (<table>/metadata/).
struct IcebergSummary {
  std::string table;
  std::string run_id;
  int64_t metadata_version = 0;        // N of the current v<N>.metadata.json; 0 when none
  std::string metadata_file;           // its file:// URI
  bool updated = false;                // whether this call wrote version N
  std::optional<int64_t> snapshot_id;  // the current snapshot; none for a table with no part
  int schema_id = 0;
  int64_t log_version = 0;  // the table's commit the current snapshot shows
  int64_t data_files = 0;
  int64_t rows = 0;
  int64_t manifests = 0;
  int64_t files_added = 0;    // by this call
  int64_t files_removed = 0;  // by this call

  // {"table", "run_id", "metadata_version", "metadata_file", "updated", "snapshot_id",
  //  "schema_id", "log_version", "data_files", "rows", "manifests", "files_added",
  //  "files_removed"}
  std::string to_json() const;
};

class Dataset {
 public:
  // Validates the settings and the run id.
  Dataset(IoSettings settings, std::string run_id, FileSystem& fs = default_file_system());
  // Commits batched appends; errors there are swallowed (call flush() to see them).
  ~Dataset();
  Dataset(const Dataset&) = delete;
  Dataset& operator=(const Dataset&) = delete;

  const IoSettings& settings() const { return settings_; }
  const std::string& run_id() const { return run_id_; }

  // What every Parquet file of `table` (a canonical name; GrammarError otherwise) is
  // written with: the settings' codec, level and rows per row group, and the key-value
  // metadata crv_schema_version, crv_table_name and crv_run_id. Parts use it, and so
  // does anything exporting the table's rows as Parquet, so the export says where its
  // rows came from.
  parquet::WriterOptions part_writer_options(std::string_view table) const;

  // Appends `frame` to `table` (a canonical name; GrammarError otherwise). An empty
  // frame touches nothing and returns an empty summary.
  AppendSummary append(std::string_view table, const frame::Frame& frame,
                       const AppendOptions& options = {});
  AppendSummary append(core::TableName table, const frame::Frame& frame,
                       const AppendOptions& options = {});

  // Commits every batched append (write_manifest_every_n > 1) and rewrites manifest.json
  // of every table this handle committed to from its commit log.
  void flush();

  // The last sequence `writer` committed to `table`, as the commit log records it;
  // nothing when it never did (or the table has no log). IoConfigError for an invalid
  // writer name.
  std::optional<int64_t> last_sequence(std::string_view table, std::string_view writer);

  // A multi-batch append: parts are written batch by batch and committed together, so a
  // failure anywhere leaves the table as it was. Not committing rolls back.
  class Transaction {
   public:
    Transaction(Transaction&&) noexcept;
    ~Transaction();
    // Validates `batch` and adds its rows to the open parts of their buckets. A batch
    // that fails validation changes nothing and the transaction stays usable; a failure
    // while writing rolls the whole transaction back (earlier batches share its parts)
    // and rethrows, after which the transaction is empty and usable again. Full row groups
    // are written on other threads while the caller goes on, so such a failure may be
    // thrown by a later add() or by commit() instead.
    void add(const frame::Frame& batch, const AppendOptions& options = {});
    // Closes the open parts and commits them as one log entry; returns the summary of all
    // batches. With an identity whose sequence the writer committed already, removes the
    // parts instead and returns the writer's last commit, marked as a duplicate.
    // IoConfigError for an invalid identity (nothing is removed then).
    AppendSummary commit(const std::optional<CommitIdentity>& identity = std::nullopt);
    // Removes every part written so far, open or closed.
    void rollback();
    int64_t pending_rows() const;

   private:
    friend class Dataset;
    struct State;
    explicit Transaction(std::unique_ptr<State> state);
    // Closes every open part (rolling back on failure).
    void close_open_parts();
    std::unique_ptr<State> state_;
  };
  Transaction begin(std::string_view table);

  // --- reading (see scan.hpp). Readers see committed appends only: batched appends of
  // this handle appear once flushed. ---

  // The table's manifest. IoManifestError when it is corrupt, or missing (the message
  // points to rebuild_manifest and `crvio rebuild-manifest`).
  TableManifest manifest(std::string_view table);

  // Every commit of the table, oldest first, from its commit log (empty for a table
  // without one). Errors of manifest().
  std::vector<CommitRecord> history(std::string_view table);

  // A scan of the table's committed rows; see TableScanner. Errors of manifest().
  TableScanner scan(std::string_view table, ScanOptions options = {});

  // The scan's rows collected into one frame, at most `limit` of them (reading stops
  // there). A negative limit is an IoConfigError.
  frame::Frame read(std::string_view table, const ScanOptions& options = {},
                    std::optional<int64_t> limit = std::nullopt);

  // Rewrites each bucket's runs of small parts into parts of about target_part_bytes:
  // consecutive parts (in manifest order, so rows keep their order) whose sizes add up to
  // at most the target are read row group by row group and written as one part; parts of
  // different column types are not merged, and a bucket whose parts cannot get fewer is
  // left alone. Commits like an append, under the table's lock: the manifest names the
  // new parts instead of the old ones, so readers see one or the other, never both.
  // Appends committed meanwhile only add parts and are kept. The replaced parts are
  // deleted once the new manifest is durable; a scan that read the old manifest and
  // reaches a deleted part then fails with an IoManifestError saying to scan again (it
  // never returns wrong rows). Compactions of one table wait for each other. A failure
  // before the commit leaves the table as it was (new parts removed); a crash leaves
  // unnamed parts, which `fsck --repair` moves to quarantine. Errors of manifest().
  CompactionSummary compact(std::string_view table, const CompactOptions& options = {});

  // Removes every row of `table` with a tick greater than `after_tick` (>= 0, else an
  // IoConfigError): a simulation restarted from its checkpoint at that tick drops what it
  // wrote after it. One commit: parts whose rows all lie after the tick leave the table,
  // and a part with rows on both sides is rewritten with the rows up to the tick (its
  // footer names the part it replaces, as a compaction's do, so a rebuild names one of
  // the two, never both). Readers see the table before the rewind or after it. The
  // exactly-once marks go back with the rows: a writer whose last commit lost rows (to
  // this rewind or an earlier one) gets the sequence of its latest commit that lost none,
  // or none at all when there is none since the table's last rebuild, so appending again
  // from the restart point is not taken for a duplicate. Replaced parts are deleted once
  // the commit is durable. Rewinds and compactions of one table wait for each other;
  // appends committed meanwhile are rewound too, but one whose part straddles the tick is
  // an IoManifestError asking to rewind again, and nothing changes. A failure before the
  // commit leaves the table as it was. Errors of manifest().
  RewindSummary rewind(std::string_view table, int64_t after_tick);

  // Rebuilds manifest.json from the parts on disk (bucket=NNNNNN/part-<32 hex>.parquet),
  // from their footers: rows, byte size, and tick range from the `tick` statistics (the
  // column is decoded only for row groups without them). Timestamps are now; within a
  // bucket, parts follow their modification time. Written atomically under the table's
  // lock, once no compaction or rewind runs (it waits for their lock); nothing is ever
  // removed. Temporary files are skipped and reported, and so are parts an interrupted
  // compaction made redundant (see RebuildResult). A part that is not valid Parquet, or
  // another *.parquet file in a bucket folder, is an IoManifestError naming it, and
  // nothing is written. Run it while no one appends: it adopts the parts an append has
  // written and not yet committed, and that append's commit then fails.
  // `on_part_read(done, total)` is called after each part's footer is read.
  // Writes the table's Apache Iceberg metadata for its committed parts, so engines that
  // read Iceberg (Spark, Trino, DuckDB's iceberg_scan, PyIceberg) open <table_dir> as an
  // Iceberg table by path. A new version (and snapshot) is written only when parts were
  // added or removed, or the schema grew, since the current one. See docs/DESIGN.md,
  // "Iceberg metadata". IoManifestError when the table has no committed state.
  IcebergSummary publish_iceberg(std::string_view table);

  using RebuildProgress = std::function<void(int64_t done, int64_t total)>;
  RebuildResult rebuild_manifest(std::string_view table, const RebuildProgress& on_part_read = {});

 private:
  struct TableState;
  TableState& table_state(std::string_view table);
  // Adds `parts` to the manifest under the table's lock and writes it, after recording
  // the types of `columns` and the parts' `field_ids` in the table's metadata.
  // With an identity the writer committed already, commits nothing and returns the log
  // version of the writer's last commit.
  std::optional<int64_t> commit_parts(TableState& table,
                                      const std::vector<std::pair<int64_t, PartMeta>>& parts,
                                      const std::vector<frame::Field>& columns,
                                      const parquet::FieldIds& field_ids, AppendTimings& timings,
                                      const std::optional<CommitIdentity>& identity = {});
  // The table's table.json (see src/io/table_metadata.hpp), read at the first call.
  const std::optional<TableMetadata>& table_metadata(TableState& table);
  // table.json read again when another writer replaced it since.
  void reread_table_metadata_if_changed(TableState& table);
  // IoConfigError unless the settings' tick bucket size is `bucket_size`.
  void require_bucket_size(const TableState& table, int64_t bucket_size) const;
  // Under the table's lock: re-reads table.json if another writer changed it, checks the
  // bucket size, and writes the merged column types and field ids when they changed
  // (IoSchemaError when another writer gave one of the ids to another path meanwhile).
  void record_columns(TableState& table, const std::vector<frame::Field>& columns,
                      const parquet::FieldIds& field_ids);
  // The table's commit log.
  CommitLog table_log(const TableState& table);
  // Under the table's lock: brings the handle's snapshot of the table up to date (reading
  // only the log entries committed since, once it has one; an empty table when the table
  // has nothing yet).
  void refresh_snapshot(TableState& table);
  // After a commit: a checkpoint with manifest.json when one is due, and manifest.json
  // alone when manifest_every_commit asks for it.
  void publish(TableState& table, CommitLog& log, AppendTimings& timings);
  // Writes manifest.json from the handle's snapshot of the table, and again while the log
  // has newer entries once it is written; then the Iceberg metadata (iceberg_metadata),
  // whose failure throws only when `iceberg_failure_throws` (else flush() tries again).
  void write_manifest_json_from(TableState& table, CommitLog& log, bool iceberg_failure_throws,
                                AppendTimings* timings = nullptr);
  // After a compaction's or a rewind's commit, under the table's lock: brings manifest.json
  // (which other tools read) and the Iceberg metadata (when kept) up to the commit, and
  // says whether both succeeded, so that neither names the replaced parts any more and
  // they may be deleted.
  bool published_without_replaced_parts(TableState& table, CommitLog& log, AppendTimings& timings);
  // The table's Iceberg metadata brought up to `snapshot`.
  IcebergSummary update_iceberg(TableState& table, const TableSnapshot& snapshot);
  // Rewrites manifest.json from the log when this handle committed since it last did.
  void write_manifest_json_if_behind(TableState& table);
  // Commits the appends batched by write_manifest_every_n.
  void commit_batched();
  // A commit that replaces parts (a compaction, a rewind): commits the entry `prepare`
  // makes (see CommitLog::commit) under the table's lock, then deletes the parts it
  // removed, syncing each bucket folder once. A failure removes `written` (the new parts,
  // with their buckets) unless the commit took effect; so does `prepare` declining to commit.
  struct RewriteCommit;
  RewriteCommit commit_rewrite(
      TableState& table, const std::vector<std::pair<int64_t, WrittenPart>>& written,
      const std::function<std::optional<LogEntry>(const TableSnapshot&)>& prepare);
  // The summary of the commit at log `version`, as its append returned it.
  AppendSummary committed_summary(TableState& table, int64_t version);
  // What table.json would say of a table without it: the column types and field ids its
  // parts hold, from their footers, with the settings' bucket size.
  TableMetadata metadata_of_parts(const TableState& table, const TableManifest& manifest);

  IoSettings settings_;
  std::string run_id_;
  FileSystem& fs_;
  std::map<std::string, std::unique_ptr<TableState>, std::less<>> tables_;
};

// One-shot append through a temporary Dataset.
AppendSummary append(const IoSettings& settings, std::string_view run_id, std::string_view table,
                     const frame::Frame& frame, const AppendOptions& options = {});

}  // namespace crv::io
