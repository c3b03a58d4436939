// fsck: a run's tables checked against their manifests, and the repairs that cannot lose
// committed data.

#include "crv/io/fsck.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>

#include "crv/core/errors.hpp"
#include "crv/core/table_descriptor.hpp"
#include "crv/io/manifest.hpp"
#include "crv/io/paths.hpp"
#include "io/commit_log.hpp"
#include "io/fsck_repair.hpp"
#include "io/iceberg_table.hpp"
#include "io/part_source.hpp"
#include "io/table_lock.hpp"
#include "io/table_metadata.hpp"

namespace crv::io {

namespace {

constexpr std::string_view kRebuildHint =
    "; rebuild it from the parts with `crvio rebuild-manifest` (repair leaves this table alone "
    "until then)";

// What one part the manifest names holds on disk; a missing part holds nothing.
struct PartOnDisk {
  int64_t bytes = 0;
  std::optional<int64_t> rows;  // nothing when the footer cannot be read
};

// One table's check (and, under its lock, repair): the table folder first, then bucket by
// bucket.
class TableCheck {
 public:
  TableCheck(FileSystem& fs, const IoSettings& settings, std::string_view run_id,
             std::string_view table, const FsckOptions& options)
      : fs_(fs), settings_(settings), run_id_(run_id), options_(options) {
    report_.table = std::string(table);
    report_.folder = table_dir(settings, run_id, table);
  }

  TableFsckReport run() && {
    require_table_folder();
    std::optional<TableLock> lock;
    if (options_.repair) lock.emplace(fs_, report_.folder);
    load_manifest_of_table();
    check_iceberg_hint();
    check_table_metadata();
    check_buckets(list_table_folder());
    report_parts_without_manifest();
    if (options_.repair && !manifest_corrupt_ && parquet_files_without_manifest_ == 0) {
      if (table_changed_since_loaded()) {
        decline_repairs();
      } else {
        // manifest.json first: until it is rewritten it may still name the unnamed parts.
        const bool manifest_json_current = rewrite_manifest_if_behind();
        repair_findings(fs_, report_, manifest_json_current);
        record_field_ids();
      }
    }
    std::sort(report_.quarantined_parts.begin(), report_.quarantined_parts.end());
    return std::move(report_);
  }

 private:
  void add(FsckFinding finding) { report_.findings.push_back(std::move(finding)); }

  // table.json with the ids the parts carry and it lacked.
  void record_field_ids() {
    std::vector<FsckFinding*> findings;
    for (FsckFinding& finding : report_.findings) {
      if (finding.issue == FsckIssue::kFieldIdsUnrecorded) findings.push_back(&finding);
    }
    // Parts that disagree among themselves: which of them table.json should follow is not
    // fsck's to choose.
    if (findings.empty() || field_ids_conflict_) return;
    TableMetadata updated = *metadata_;
    updated.field_ids = part_field_ids_;
    std::string error;
    try {
      write_table_metadata(fs_, report_.folder / kTableMetadataFileName, updated);
    } catch (const IoError& failure) {
      error = failure.what();
    }
    for (FsckFinding* finding : findings) {
      if (error.empty()) {
        finding->repair = FsckRepair::kRewritten;
      } else {
        finding->repair_error = error;
      }
    }
  }

  // Whether a writer committed since the table was loaded: one on another host, which the
  // lock does not hold off, or one that ignored the advice to stop writing. Its parts
  // would look unnamed, so the findings are out of date.
  bool table_changed_since_loaded() {
    if (!loaded_version_) return false;
    CommitLog log(fs_, report_.folder, report_.table);
    const int64_t next = *loaded_version_ + 1;
    return fs_.exists(log.entry_path(next)) && !log.entry_torn(next);
  }

  void decline_repairs() {
    for (FsckFinding& finding : report_.findings) {
      if (!is_repairable(finding.issue) || finding.resolved()) continue;
      finding.repair_error =
          "not repaired: another writer committed to the table during the check, so what it "
          "found may be out of date; repair again once no one writes to the table";
    }
  }

  // Whether manifest.json shows the log's state now.
  bool rewrite_manifest_if_behind() {
    bool current = true;
    for (FsckFinding& finding : report_.findings) {
      if (finding.issue != FsckIssue::kManifestBehind) continue;
      try {
        write_manifest(fs_, finding.path, *manifest_);
        finding.repair = FsckRepair::kRewritten;
      } catch (const IoError& error) {
        finding.repair_error = error.what();
        current = false;
      }
    }
    return current;
  }

  void require_table_folder() {
    if (!fs_.is_directory(report_.folder)) {
      throw IoManifestError(fmt::format("table '{}' of run '{}' has no folder: nothing was ever "
                                        "appended to it",
                                        report_.table, run_id_),
                            {.path = report_.folder.string()});
    }
  }

  // Parts found while the manifest is missing: committed or not, no one knows, so the
  // finding leads the report and repair leaves the table alone.
  void report_parts_without_manifest() {
    if (manifest_ || manifest_corrupt_ || parquet_files_without_manifest_ == 0) return;
    report_.findings.insert(
        report_.findings.begin(),
        {.issue = FsckIssue::kManifestMissing,
         .path = manifest_path(settings_, run_id_, report_.table),
         .message = fmt::format(
             "there is no manifest, but {} *.parquet file(s) in bucket folders, which "
             "readers cannot see without one{}; but if the table never had a committed "
             "append (its first append was interrupted), none of them was committed and a "
             "rebuild would make them visible: remove the table's folder instead",
             parquet_files_without_manifest_, kRebuildHint)});
  }

  // The committed state: the commit log's, or manifest.json's for a table without a log.
  void load_manifest_of_table() {
    const std::filesystem::path path = manifest_path(settings_, run_id_, report_.table);
    CommitLog log(fs_, report_.folder, report_.table);
    try {
      std::optional<TableSnapshot> snapshot = log.load();
      if (snapshot) loaded_version_ = snapshot->version;
      if (snapshot) manifest_ = std::move(snapshot->manifest);
      if (snapshot && snapshot->logged) check_log(log, *snapshot, path);
    } catch (const IoError& error) {
      manifest_corrupt_ = true;
      add({.issue = FsckIssue::kManifestCorrupt,
           .path =
               error.context().path.empty() ? path : std::filesystem::path(error.context().path),
           .message = fmt::format("{}{}", error.message(), kRebuildHint)});
    }
  }

  // The log's leftovers and its last entry, and whether manifest.json shows its state.
  void check_log(CommitLog& log, const TableSnapshot& snapshot,
                 const std::filesystem::path& manifest_json) {
    for (const std::string& name : fs_.list_directory(log.folder())) {
      if (is_temporary_file_name(name)) add_temporary_file(log.folder() / name, std::nullopt);
    }
    // The load stopped before the next entry: torn, or committed since by another writer
    // (whose entry is no damage to remove).
    const std::filesystem::path next = log.entry_path(snapshot.version + 1);
    if (log.entry_torn(snapshot.version + 1)) {
      add({.issue = FsckIssue::kLogEntryDamaged,
           .path = next,
           .message = "the commit log's last entry is damaged (its length or checksum is wrong): "
                      "a write the crash tore, whose commit never completed; readers ignore it "
                      "and writers refuse to commit after it until --repair removes it"});
    }
    std::optional<TableManifest> written;
    try {
      written = load_manifest(fs_, manifest_json, report_.table);
    } catch (const IoError&) {
      // Reported below like a stale one: the log holds the table's state.
    }
    if (!written || written->partitions != manifest_->partitions) {
      add({.issue = FsckIssue::kManifestBehind,
           .path = manifest_json,
           .message = fmt::format(
               "manifest.json does not show version {} of the commit log (a writer that has "
               "the table open rewrites it at checkpoints and when it closes); crv-io reads the "
               "log, other tools read manifest.json: --repair rewrites it from the log",
               snapshot.version)});
    }
  }

  // Appends refuse a table whose table.json is damaged, so it is reported like a damaged
  // manifest; its bucket size must also be the one the manifest's partitions show.
  void check_table_metadata() {
    const std::filesystem::path path = report_.folder / kTableMetadataFileName;
    constexpr std::string_view kRemedy =
        "; appends refuse the table until it is fixed: remove it, and the next append records "
        "the types again from the parts";
    try {
      std::optional<TableMetadata> metadata = load_table_metadata(fs_, path, report_.table);
      if (!metadata || !manifest_) return;
      for (const auto& [bucket, partition] : manifest_->partitions) {
        if (partition.tick_min / metadata->tick_bucket_size != bucket ||
            partition.tick_max / metadata->tick_bucket_size != bucket) {
          add({.issue = FsckIssue::kTableMetadataCorrupt,
               .path = path,
               .message = fmt::format("tick_bucket_size {} would not put ticks {}..{} in bucket "
                                      "{} as the manifest does{}",
                                      metadata->tick_bucket_size, partition.tick_min,
                                      partition.tick_max, bucket, kRemedy)});
          return;
        }
      }
      part_field_ids_ = metadata->field_ids;
      metadata_ = std::move(metadata);
    } catch (const IoError& error) {
      add({.issue = FsckIssue::kTableMetadataCorrupt,
           .path = path,
           .message = fmt::format("{}{}", error.message(), kRemedy)});
    }
  }

  // The bucket folders by id; on the way, temporary files (of the table's folder and its
  // Iceberg metadata) are findings and quarantined parts are listed. Other entries (manifest.json,
  // the lock file) are not examined here.
  std::map<int64_t, std::filesystem::path> list_table_folder() {
    std::map<int64_t, std::filesystem::path> bucket_folders;
    for (const std::string& name : fs_.list_directory(report_.folder)) {
      const std::filesystem::path path = report_.folder / name;
      if (is_temporary_file_name(name)) {
        add_temporary_file(path, std::nullopt);
      } else if (name == kQuarantineFolderName) {
        list_quarantine(path);
      } else if (name == kIcebergFolderName) {
        list_iceberg_folder(path);
      } else if (const std::optional<int64_t> bucket = bucket_of_folder_name(name)) {
        if (fs_.is_directory(path)) bucket_folders.emplace(*bucket, path);
      }
    }
    return bucket_folders;
  }

  // Temporary files an interrupted Iceberg update left; the rest is the update's own.
  void list_iceberg_folder(const std::filesystem::path& folder) {
    if (!fs_.is_directory(folder)) return;
    for (const std::string& name : fs_.list_directory(folder)) {
      if (is_temporary_file_name(name)) add_temporary_file(folder / name, std::nullopt);
    }
  }

  void list_quarantine(const std::filesystem::path& quarantine) {
    if (!fs_.is_directory(quarantine)) return;
    for (const std::string& bucket : fs_.list_directory(quarantine)) {
      const std::filesystem::path folder = quarantine / bucket;
      if (!bucket_of_folder_name(bucket) || !fs_.is_directory(folder)) continue;
      for (const std::string& name : fs_.list_directory(folder)) {
        if (name.ends_with(kParquetSuffix)) report_.quarantined_parts.push_back(folder / name);
      }
    }
  }

  bool is_file(const std::filesystem::path& path) {
    const std::optional<FileIdentity> identity = fs_.stat(path);
    return identity && !identity->is_directory;
  }

  void add_temporary_file(const std::filesystem::path& path, std::optional<int64_t> bucket) {
    add({.issue = FsckIssue::kTemporaryFile,
         .path = path,
         .bucket_id = bucket,
         .message = "a temporary file left by an interrupted write"});
  }

  // Every bucket that has a folder or a partition in the manifest, in ascending order.
  void check_buckets(const std::map<int64_t, std::filesystem::path>& bucket_folders) {
    std::set<int64_t> buckets;
    for (const auto& [bucket, folder] : bucket_folders) buckets.insert(bucket);
    if (manifest_) {
      for (const auto& [bucket, partition] : manifest_->partitions) {
        buckets.insert(bucket);
        parts_total_ += static_cast<int64_t>(partition.parts.size());
      }
    }
    for (const int64_t bucket : buckets) {
      const auto folder = bucket_folders.find(bucket);
      const PartitionMeta* partition = nullptr;
      if (manifest_) {
        const auto found = manifest_->partitions.find(bucket);
        if (found != manifest_->partitions.end()) partition = &found->second;
      }
      check_bucket(bucket, folder == bucket_folders.end() ? nullptr : &folder->second, partition);
    }
  }

  void check_bucket(int64_t bucket, const std::filesystem::path* folder,
                    const PartitionMeta* partition) {
    const std::filesystem::path path =
        folder ? *folder : report_.folder / bucket_folder_name(bucket);
    const std::vector<std::string> names =
        folder ? fs_.list_directory(*folder) : std::vector<std::string>{};
    std::vector<std::string_view> named;
    if (partition) {
      check_partition(bucket, path, names, *partition);
      for (const PartMeta& part : partition->parts) named.emplace_back(part.path);
      std::sort(named.begin(), named.end());
    }
    const BucketEntries entries = check_bucket_entries(bucket, path, names, named);
    if (folder && !partition && entries.kept == 0) {
      report_bucket_without_parts(bucket, path, entries.leftovers);
    }
  }

  // What a bucket folder holds besides the parts its partition names.
  struct BucketEntries {
    int64_t leftovers = 0;  // temporary files and unnamed parts
    int64_t kept = 0;       // committed parts and files fsck has no business with
  };

  // Reports the temporary files and unnamed parts among a bucket folder's `names`, given
  // the sorted names of its committed parts.
  BucketEntries check_bucket_entries(int64_t bucket, const std::filesystem::path& path,
                                     const std::vector<std::string>& names,
                                     const std::vector<std::string_view>& named) {
    BucketEntries entries;
    for (const std::string& name : names) {
      const std::filesystem::path entry = path / name;
      if (is_temporary_file_name(name)) {
        add_temporary_file(entry, bucket);
        ++entries.leftovers;
      } else if (std::binary_search(named.begin(), named.end(), name) ||
                 !name.ends_with(kParquetSuffix) || !is_file(entry)) {
        ++entries.kept;
      } else if (manifest_ && iceberg_may_name(bucket, name)) {
        add({.issue = FsckIssue::kPartKeptForIceberg,
             .path = entry,
             .bucket_id = bucket,
             .message = iceberg_parts()
                            ? "a part the table no longer names but its current Iceberg version "
                              "(or the one version-hint.text names) does: the Iceberg update "
                              "after the compaction or rewind that replaced it failed. It is kept "
                              "so that engines reading that version find it; the next update "
                              "(`crvio export iceberg`, or a writer's flush) drops it, and "
                              "--repair then moves it"
                            : "a part the table does not name, kept because the table's Iceberg "
                              "metadata cannot be read and may still name it: the next update "
                              "(`crvio export iceberg`) writes a current version, and --repair "
                              "then moves it"});
        ++entries.kept;
      } else if (manifest_) {
        add({.issue = FsckIssue::kUnnamedPart,
             .path = entry,
             .bucket_id = bucket,
             .message = "a part no manifest names: an append that failed or was not committed "
                        "(yet) wrote it; readers do not see it"});
        ++entries.leftovers;
      } else {
        ++parquet_files_without_manifest_;
        ++entries.kept;
      }
    }
    return entries;
  }

  // A hint that lags (an update that died after linking its version) is repaired at once,
  // before the buckets are checked: which parts are kept for Iceberg depends on it.
  void check_iceberg_hint() {
    const std::filesystem::path hint = report_.folder / kIcebergFolderName / kVersionHintName;
    if (!fs_.is_directory(hint.parent_path()) ||
        iceberg_hint_current(fs_, report_.table, report_.folder)) {
      return;
    }
    FsckFinding finding{
        .issue = FsckIssue::kIcebergHintBehind,
        .path = hint,
        .message =
            "version-hint.text names an older Iceberg version than the newest: engines "
            "that open the hinted version (DuckDB's iceberg_scan) read that one, whose "
            "parts are kept; --repair points it at the newest, as any update would"};
    if (options_.repair) {
      try {
        if (repoint_iceberg_hint(fs_, report_.table, report_.folder)) {
          finding.repair = FsckRepair::kRewritten;
        } else {
          finding.repair_error = "the hint could not be replaced";
        }
      } catch (const IoError& error) {
        finding.repair_error = error.what();
      }
    }
    add(std::move(finding));
  }

  // The parts the current Iceberg version names, read at the first unnamed part.
  const std::optional<std::set<std::pair<int64_t, std::string>>>& iceberg_parts() {
    if (!iceberg_parts_read_) {
      iceberg_parts_ = iceberg_current_parts(fs_, report_.table, report_.folder);
      iceberg_parts_read_ = true;
    }
    return iceberg_parts_;
  }

  // Whether the current Iceberg version names the part, or may: its metadata cannot be
  // read.
  bool iceberg_may_name(int64_t bucket, const std::string& name) {
    const auto& parts = iceberg_parts();
    return !parts || parts->contains({bucket, name});
  }

  void report_bucket_without_parts(int64_t bucket, const std::filesystem::path& path,
                                   int64_t leftovers) {
    add({.issue = FsckIssue::kBucketFolderWithoutParts,
         .path = path,
         .bucket_id = bucket,
         .message = leftovers == 0
                        ? std::string("an empty bucket folder, as a failed append can leave")
                        : fmt::format("a bucket folder without a committed part, holding only "
                                      "{} leftover file(s)",
                                      leftovers)});
  }

  void check_partition(int64_t bucket, const std::filesystem::path& folder,
                       const std::vector<std::string>& names, const PartitionMeta& partition) {
    int64_t bytes = 0;
    std::optional<int64_t> rows = 0;
    for (const PartMeta& part : partition.parts) {
      const PartOnDisk found = check_part(bucket, folder / part.path, names, part);
      bytes += found.bytes;
      rows = rows && found.rows ? std::optional(*rows + *found.rows) : std::nullopt;
      ++report_.parts_checked;
      if (options_.on_part_checked) {
        options_.on_part_checked(report_.table, report_.parts_checked, parts_total_);
      }
    }
    const bool rows_differ = rows && *rows != partition.row_count;
    if (!rows_differ && bytes == partition.byte_size) return;
    FsckFinding finding{
        .issue = FsckIssue::kPartitionTotalsMismatch,
        .path = folder,
        .bucket_id = bucket,
        .message = fmt::format("the manifest records row_count {} and byte_size {} for "
                               "the partition; its parts on disk add up to {} "
                               "rows and {} bytes",
                               partition.row_count, partition.byte_size,
                               rows ? std::to_string(*rows) : "unknown", bytes)};
    if (rows_differ) finding.rows = FsckMismatch{partition.row_count, *rows};
    if (bytes != partition.byte_size) finding.bytes = FsckMismatch{partition.byte_size, bytes};
    add(std::move(finding));
  }

  PartOnDisk check_part(int64_t bucket, const std::filesystem::path& file,
                        const std::vector<std::string>& names, const PartMeta& part) {
    const std::optional<FileIdentity> identity =
        std::binary_search(names.begin(), names.end(), part.path) ? fs_.stat(file) : std::nullopt;
    if (!identity || identity->is_directory) {
      add({.issue = FsckIssue::kPartMissing,
           .path = file,
           .bucket_id = bucket,
           .message = fmt::format("the manifest names this part (rows {}, bytes {}), but there "
                                  "is no such file",
                                  part.rows, part.bytes)});
      return {.bytes = 0, .rows = 0};
    }
    const auto size = static_cast<int64_t>(identity->size);
    if (size != part.bytes) {
      add({.issue = FsckIssue::kPartSizeMismatch,
           .path = file,
           .bucket_id = bucket,
           .bytes = FsckMismatch{part.bytes, size},
           .message =
               fmt::format("the part is {} bytes; the manifest records {}", size, part.bytes)});
    }
    std::optional<OpenedPart> opened;
    try {
      opened.emplace(open_part(fs_, file, {}));
    } catch (const IoManifestError& error) {
      add({.issue = FsckIssue::kPartUnreadable,
           .path = file,
           .bucket_id = bucket,
           .message = error.message()});
      return {.bytes = size, .rows = std::nullopt};
    }
    const int64_t rows = opened->reader.info().num_rows;
    check_field_ids(bucket, file, opened->reader.info().field_ids);
    if (options_.deep) decode_every_page(bucket, file, opened->reader);
    if (rows != part.rows) {
      add({.issue = FsckIssue::kPartRowsMismatch,
           .path = file,
           .bucket_id = bucket,
           .rows = FsckMismatch{part.rows, rows},
           .message = fmt::format("the part's footer holds {} rows; the manifest records {}", rows,
                                  part.rows)});
    }
    return {.bytes = size, .rows = rows};
  }

  // The part's field ids against table.json's (and the other parts'): another id for a
  // path, or one id for two paths, is damage no repair undoes; ids table.json lacks (its
  // record was lost) are a finding --repair records.
  void check_field_ids(int64_t bucket, const std::filesystem::path& file, const FieldIds& ids) {
    if (!metadata_ || ids.empty()) return;
    std::vector<std::string> unrecorded;
    for (const auto& [path, id] : ids) {
      if (!metadata_->field_ids.contains(path)) {
        unrecorded.push_back(fmt::format("'{}' {}", field_path_text(path), id));
      }
    }
    try {
      merge_field_ids(part_field_ids_, ids);
    } catch (const IoSchemaError& error) {
      field_ids_conflict_ = true;
      add({.issue = FsckIssue::kTableMetadataCorrupt,
           .path = report_.folder / kTableMetadataFileName,
           .bucket_id = bucket,
           .message = fmt::format(
               "part '{}' disagrees with it or with another part: {}; Iceberg engines match "
               "columns by these ids, so no Iceberg schema fits every part (if the parts agree "
               "among themselves, remove table.json: the next append records their ids)",
               file.string(), error.message())});
      return;
    }
    if (unrecorded.empty()) return;
    add({.issue = FsckIssue::kFieldIdsUnrecorded,
         .path = file,
         .bucket_id = bucket,
         .message = fmt::format("the part carries field ids table.json does not record ({}); "
                                "--repair records them",
                                fmt::join(unrecorded, ", "))});
  }

  void decode_every_page(int64_t bucket, const std::filesystem::path& file,
                         parquet::ParquetReader& reader) {
    try {
      for (size_t group = 0; group < reader.info().row_groups.size(); ++group) {
        reader.read_row_group(static_cast<int>(group));
      }
    } catch (const IoError& error) {
      add({.issue = FsckIssue::kPartCorrupt,
           .path = file,
           .bucket_id = bucket,
           .message = error.what()});
    }
  }

  FileSystem& fs_;
  const IoSettings& settings_;
  std::string_view run_id_;
  const FsckOptions& options_;
  TableFsckReport report_;
  std::optional<TableManifest> manifest_;
  bool manifest_corrupt_ = false;
  std::optional<TableMetadata> metadata_;  // table.json, when it is sound
  FieldIds part_field_ids_;                // table.json's ids and those the parts add
  bool field_ids_conflict_ = false;        // a part's ids disagree with them
  int64_t parts_total_ = 0;
  // *.parquet files seen while no manifest could be loaded: committed or not, no one knows.
  int64_t parquet_files_without_manifest_ = 0;
  std::optional<int64_t> loaded_version_;  // of the committed state the check compares with
  bool iceberg_parts_read_ = false;
  std::optional<std::set<std::pair<int64_t, std::string>>> iceberg_parts_;
};

}  // namespace

namespace {

// The table's lock is a write (its file is created and locked), which a read-only table
// refuses: so a table is first checked without it, and only a check that finds something
// repair fixes is done again, under the lock, and repaired.
TableFsckReport check_table(FileSystem& fs, const IoSettings& settings, std::string_view run_id,
                            std::string_view table, const FsckOptions& options) {
  FsckOptions look = options;
  look.repair = false;
  TableFsckReport report = TableCheck(fs, settings, run_id, table, look).run();
  const auto repairable = [](const FsckFinding& finding) { return is_repairable(finding.issue); };
  if (!options.repair || std::none_of(report.findings.begin(), report.findings.end(), repairable)) {
    return report;
  }
  return TableCheck(fs, settings, run_id, table, options).run();
}

}  // namespace

TableFsckReport fsck_table(const IoSettings& settings, std::string_view run_id,
                           std::string_view table, const FsckOptions& options, FileSystem& fs) {
  settings.validate();
  validate_run_id(run_id);
  core::get_table(table);
  return check_table(fs, settings, run_id, table, options);
}

FsckReport fsck_run(const IoSettings& settings, std::string_view run_id, const FsckOptions& options,
                    FileSystem& fs) {
  settings.validate();
  validate_run_id(run_id);
  const std::filesystem::path root = run_root(settings, run_id);
  if (!fs.is_directory(root)) {
    throw IoError(fmt::format("run '{}' has no folder under the root '{}'", run_id,
                              settings.root_dir.string()),
                  {.path = root.string()});
  }
  FsckReport report{.run_id = std::string(run_id), .repair = options.repair};
  for (const core::TableName name : core::kAllTables) {
    const std::string_view table = core::to_string(name);
    if (fs.is_directory(table_dir(settings, run_id, table))) {
      report.tables.push_back(check_table(fs, settings, run_id, table, options));
    }
  }
  return report;
}

}  // namespace crv::io
