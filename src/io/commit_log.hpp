#pragma once
// A table's commit log: <table>/_log/. Every change to the table (an append, a compaction,
// a rebuild) is one small entry file, so the cost of a commit does not grow with the
// table; now and then a checkpoint folds the entries into a snapshot, from which
// manifest.json is rewritten. docs/DESIGN.md ("The commit log") describes the bytes.
//
// Files in _log/, each framed as `CRVLOG 1 <payload bytes> <crc32 hex>\n<payload>`:
//   <20-digit version>.entry       one commit; version 1 is the log's first
//   <20-digit version>.checkpoint  the table as of that version (version 0: as
//                                  manifest.json was when the log began)
//   _last_checkpoint               the newest checkpoint's version, replaced atomically
//
// An entry is created with put-if-absent (a hard link from a synced temporary file), so it
// appears whole or not at all, and two writers (threads, processes, or hosts sharing a
// file system where locks cannot be trusted) never take the same version: the one that
// loses re-reads the entries it missed and tries the next version. A damaged entry at the
// end of the log (a torn write the file system did not protect) is ignored by readers and
// refused by writers until `fsck --repair` removes it; a damaged entry before the end is an
// IoManifestError, because a commit that later ones may depend on cannot be skipped.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crv/io/dataset.hpp"
#include "crv/io/file_system.hpp"
#include "crv/io/manifest.hpp"

namespace crv::io {

inline constexpr std::string_view kLogFolderName = "_log";

// What one commit does to one bucket: parts removed (by file name) and parts added. Added
// parts take the place of the first removed one, so a compaction keeps the order of rows;
// with nothing removed they follow the bucket's last part.
struct BucketChange {
  int64_t bucket_id = 0;
  std::vector<std::string> removed;
  std::vector<PartMeta> added;

  bool operator==(const BucketChange&) const = default;
};

// The last append a writer committed.
struct WriterMark {
  int64_t sequence = 0;
  int64_t version = 0;  // the entry that committed it

  bool operator==(const WriterMark&) const = default;
};

// One commit, as its entry file holds it: who made it, and what it changed.
struct LogEntry : CommitInfo {
  bool replaces_all = false;  // a rebuild: the changes below are the whole table
  std::vector<BucketChange> changes;
  // Writers whose last committed append this commit changes (a rewind undoes appends):
  // their mark becomes the one given, or none.
  std::map<std::string, std::optional<WriterMark>> writer_marks;

  bool operator==(const LogEntry&) const = default;
};

// The table as of one version, and what deciding the next checkpoint needs.
struct TableSnapshot {
  int64_t version = 0;
  TableManifest manifest;
  std::map<std::string, WriterMark> writers;
  // Read from the log; false for manifest.json of a table that had no log yet.
  bool logged = false;
  // Since the checkpoint this snapshot was read from or last wrote: entries applied and
  // their bytes; and the checkpoint's own bytes.
  int64_t entries_since_checkpoint = 0;
  int64_t entry_bytes_since_checkpoint = 0;
  int64_t checkpoint_bytes = 0;
};

// Applies `change` to `manifest`: IoManifestError (naming `source`) when a part to remove
// is not in its bucket or a part to add is already there. A bucket left without parts is
// dropped.
void apply_change(TableManifest& manifest, const BucketChange& change, const std::string& source);

// Applies a whole entry to `snapshot` (its version must follow the snapshot's).
void apply_entry(TableSnapshot& snapshot, const LogEntry& entry, const std::string& source);

// IoManifestError (naming `source`) when apply_entry would refuse `entry` on `manifest`,
// which stays as it is: a writer checks its entry so, since an entry no reader can replay
// would make the table unreadable once linked.
void require_entry_applies(const TableManifest& manifest, const LogEntry& entry,
                           const std::string& source);

// An entry's payload as JSON text, and back (IoManifestError naming `source`).
std::string entry_to_json(const LogEntry& entry);
LogEntry entry_from_json(std::string_view json, const std::string& source);

// The frame around every log file's payload; nothing when `bytes` is not one whole frame
// whose checksum matches.
std::string frame_log_record(std::string_view payload);
std::optional<std::string_view> unframe_log_record(std::string_view bytes);

class CommitLog {
 public:
  CommitLog(FileSystem& fs, std::filesystem::path table_dir, std::string table);

  const std::filesystem::path& folder() const { return folder_; }
  std::filesystem::path entry_path(int64_t version) const;
  std::filesystem::path checkpoint_path(int64_t version) const;

  // Whether the table has a log yet (older tables have only manifest.json).
  bool exists();

  // The table's current snapshot: the newest checkpoint and every entry after it, or, for
  // a table without a log, manifest.json as version 0. Nothing when neither exists.
  std::optional<TableSnapshot> load();

  // The table as of `version` (0 to the current one): the newest checkpoint at or before
  // it (the log keeps checkpoint 0, the newest and the one before), and the entries up to
  // it. IoConfigError for a version the log does not have.
  TableSnapshot load_as_of(int64_t version);

  // Every entry, oldest first.
  std::vector<LogEntry> history();

  // Applies the entries committed after `snapshot.version` (up to `until`); true when it
  // stopped at a damaged last entry.
  bool catch_up(TableSnapshot& snapshot, std::optional<int64_t> until = std::nullopt);

  // Commits the entry `prepare` makes from the up-to-date snapshot as the next version,
  // and applies it to `snapshot`. `prepare` runs again after losing a race to another
  // writer, and returns nothing when there is nothing left to commit (e.g. the append is a
  // duplicate); it may throw to refuse. Creates the log (its version-0 checkpoint, from
  // `snapshot`) when the table has none. Returns the version committed, if any.
  std::optional<int64_t> commit(
      TableSnapshot& snapshot,
      const std::function<std::optional<LogEntry>(const TableSnapshot&)>& prepare);

  // Whether the last commit() linked its entry: then the commit took effect even if
  // commit() threw afterwards (syncing the folder failed), and what it names must stay.
  bool linked() const { return linked_; }

  // Whether the entries since the last checkpoint cost a reader more than the checkpoint
  // would: each entry counts as its bytes plus kEntryOverheadBytes.
  static bool checkpoint_due(const TableSnapshot& snapshot);
  static constexpr int64_t kEntryOverheadBytes = 4096;

  // Writes `snapshot` as a checkpoint and points readers at it; older checkpoints but the
  // previous one and checkpoint 0 are removed.
  void write_checkpoint(TableSnapshot& snapshot);

  // Whether the entry of `version` is on disk but not one whole frame with its checksum:
  // a torn write (unlike an entry another writer has just committed).
  bool entry_torn(int64_t version);

  // The entry of `version`, for history and duplicate summaries. Nothing when absent.
  std::optional<LogEntry> read_entry(int64_t version);

  // Commits `manifest` (rebuilt from the parts' footers) as the whole table, even when
  // entries before it are damaged: it takes the version after every entry and
  // checkpoint on disk and is checkpointed at once, so readers start from it.
  TableSnapshot rebuild(const TableManifest& manifest);

 private:
  enum class EntryState { kAbsent, kDamaged, kValid };
  // What _last_checkpoint says; nothing of a missing or damaged one.
  struct CheckpointPointer {
    std::optional<int64_t> version;
    std::optional<int64_t> previous;
  };
  CheckpointPointer read_pointer(const std::filesystem::path& pointer);
  EntryState read_entry_file(int64_t version, LogEntry& entry, int64_t& bytes);
  std::optional<int64_t> latest_checkpoint();
  // load() with read failures as they come (load() makes them IoManifestErrors).
  std::optional<TableSnapshot> load_unguarded();
  TableSnapshot read_checkpoint(int64_t version);
  void create(TableSnapshot& base);
  std::string checkpoint_record(const TableSnapshot& snapshot);
  void remove_quietly(const std::filesystem::path& file) noexcept;
  // Links `entry` as the first free version after `snapshot`'s, reading nothing in
  // between, and applies it.
  void commit_at_next_free(TableSnapshot& snapshot, LogEntry entry);
  // Stamps `entry` as `version` and links it into place; false when another writer has
  // that version. `record_bytes` is the size of the entry file.
  bool link_entry(LogEntry& entry, int64_t version, int64_t& record_bytes);
  // Applies a linked entry to `snapshot` and syncs the folder.
  void settle(TableSnapshot& snapshot, const LogEntry& entry, int64_t record_bytes);

  FileSystem& fs_;
  std::filesystem::path table_dir_;
  std::filesystem::path folder_;
  std::string table_;
  bool linked_ = false;
};

}  // namespace crv::io
