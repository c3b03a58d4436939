// The commit log: entry and checkpoint files, their frame, and the commit protocol.

#include "io/commit_log.hpp"

#include <fmt/format.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "crv/core/errors.hpp"
#include "crv/io/paths.hpp"

namespace crv::io {
namespace {

constexpr std::string_view kFrameMagic = "CRVLOG 1 ";
constexpr std::string_view kEntrySuffix = ".entry";
constexpr std::string_view kCheckpointSuffix = ".checkpoint";
constexpr std::string_view kPointerFileName = "_last_checkpoint";
constexpr int kVersionDigits = 20;
// Checkpoints are not written more often than this many bytes of entries (overheads
// included) would make them.
constexpr int64_t kMinCheckpointInterval = 64 * 1024;
// A writer that keeps losing the race for the next version gives up after this many tries.
constexpr int kMaxCommitAttempts = 10000;
// A reader whose checkpoint keeps being replaced under it gives up after this many tries.
constexpr int kMaxReadAttempts = 100;

uint32_t crc32_of(std::string_view bytes) {
  return static_cast<uint32_t>(
      ::crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

std::string version_file_name(int64_t version, std::string_view suffix) {
  return fmt::format("{:0{}d}{}", version, kVersionDigits, suffix);
}

// The version a file of the log is named for, when it has the form of `suffix`.
std::optional<int64_t> version_of_file_name(std::string_view name, std::string_view suffix) {
  if (name.size() != kVersionDigits + suffix.size() || !name.ends_with(suffix)) return std::nullopt;
  int64_t version = 0;
  const char* end = name.data() + kVersionDigits;
  const auto [stop, error] = std::from_chars(name.data(), end, version);
  if (error != std::errc() || stop != end || version < 0) return std::nullopt;
  return version;
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0) return {};
  return name;
}

[[noreturn]] void fail_log(const std::string& source, const std::string& problem) {
  throw IoManifestError(fmt::format("commit log: {}", problem), {.path = source});
}

nlohmann::json part_to_json(const PartMeta& part) {
  return {{"path", part.path},         {"rows", part.rows},
          {"bytes", part.bytes},       {"tick_min", part.tick_min},
          {"tick_max", part.tick_max}, {"created_at", part.created_at}};
}

// Reads JSON members with the type the format gives them, naming the key otherwise.
class Fields {
 public:
  Fields(const nlohmann::json& object, std::string where, const std::string& source)
      : object_(object), where_(std::move(where)), source_(source) {
    if (!object_.is_object()) fail_log(source_, fmt::format("{} is not an object", where_));
  }

  const nlohmann::json& member(std::string_view key) const {
    const auto found = object_.find(key);
    if (found == object_.end()) fail_log(source_, fmt::format("{} has no \"{}\"", where_, key));
    return *found;
  }
  bool has(std::string_view key) const {
    const auto found = object_.find(key);
    return found != object_.end() && !found->is_null();
  }
  int64_t integer(std::string_view key) const {
    const nlohmann::json& value = member(key);
    if (!value.is_number_integer()) {
      fail_log(source_, fmt::format("{}.{} is not an integer", where_, key));
    }
    return value.get<int64_t>();
  }
  std::string text(std::string_view key) const {
    const nlohmann::json& value = member(key);
    if (!value.is_string()) fail_log(source_, fmt::format("{}.{} is not a string", where_, key));
    return value.get<std::string>();
  }
  bool flag(std::string_view key) const {
    const nlohmann::json& value = member(key);
    if (!value.is_boolean()) fail_log(source_, fmt::format("{}.{} is not a boolean", where_, key));
    return value.get<bool>();
  }
  const nlohmann::json& array(std::string_view key) const {
    const nlohmann::json& value = member(key);
    if (!value.is_array()) fail_log(source_, fmt::format("{}.{} is not an array", where_, key));
    return value;
  }

 private:
  const nlohmann::json& object_;
  std::string where_;
  const std::string& source_;
};

PartMeta part_from_json(const nlohmann::json& json, const std::string& where,
                        const std::string& source) {
  const Fields fields(json, where, source);
  PartMeta part{fields.text("path"),        fields.integer("rows"),     fields.integer("bytes"),
                fields.integer("tick_min"), fields.integer("tick_max"), fields.text("created_at")};
  if (!uid_of_part_file_name(part.path)) {
    fail_log(source, fmt::format("{}.path '{}' is not of the form {}", where, part.path,
                                 kPartFileNameForm));
  }
  if (part.rows < 0 || part.bytes < 0 || part.tick_min < 0 || part.tick_min > part.tick_max) {
    fail_log(source,
             fmt::format("{} has negative counts or a tick range that is not ordered", where));
  }
  return part;
}

nlohmann::json writer_mark_to_json(const WriterMark& mark) {
  return {{"sequence", mark.sequence}, {"version", mark.version}};
}

WriterMark writer_mark_from_json(const nlohmann::json& json, const std::string& where,
                                 const std::string& source) {
  const Fields fields(json, where, source);
  return {fields.integer("sequence"), fields.integer("version")};
}

void recompute_aggregates(PartitionMeta& partition) {
  partition.row_count = 0;
  partition.byte_size = 0;
  partition.tick_min = partition.parts.front().tick_min;
  partition.tick_max = partition.parts.front().tick_max;
  for (const PartMeta& part : partition.parts) {
    partition.row_count += part.rows;
    partition.byte_size += part.bytes;
    partition.tick_min = std::min(partition.tick_min, part.tick_min);
    partition.tick_max = std::max(partition.tick_max, part.tick_max);
  }
}

}  // namespace

void apply_change(TableManifest& manifest, const BucketChange& change, const std::string& source) {
  auto found = manifest.partitions.find(change.bucket_id);
  if (found == manifest.partitions.end()) {
    if (!change.removed.empty()) {
      fail_log(source, fmt::format("bucket {} has no part '{}' to remove", change.bucket_id,
                                   change.removed.front()));
    }
    if (change.added.empty()) return;
    found = manifest.partitions.emplace(change.bucket_id, PartitionMeta{}).first;
    found->second.bucket_id = change.bucket_id;
  }
  std::vector<PartMeta>& parts = found->second.parts;
  const auto position_of = [&](const std::string& path) {
    return std::find_if(parts.begin(), parts.end(),
                        [&](const PartMeta& part) { return part.path == path; });
  };
  auto insert_at = parts.end();
  if (!change.removed.empty()) {
    size_t first = parts.size();
    for (const std::string& path : change.removed) {
      const auto at = position_of(path);
      if (at == parts.end()) {
        fail_log(source,
                 fmt::format("bucket {} has no part '{}' to remove", change.bucket_id, path));
      }
      first = std::min(first, static_cast<size_t>(at - parts.begin()));
    }
    std::erase_if(parts, [&](const PartMeta& part) {
      return std::find(change.removed.begin(), change.removed.end(), part.path) !=
             change.removed.end();
    });
    // Nothing removed precedes the first removed part, so it marks the place still.
    insert_at = parts.begin() + static_cast<std::ptrdiff_t>(first);
  }
  for (const PartMeta& part : change.added) {
    if (position_of(part.path) != parts.end()) {
      fail_log(source, fmt::format("bucket {} already has part '{}'", change.bucket_id, part.path));
    }
  }
  parts.insert(insert_at, change.added.begin(), change.added.end());
  if (parts.empty()) {
    manifest.partitions.erase(found);
  } else {
    recompute_aggregates(found->second);
  }
}

void apply_entry(TableSnapshot& snapshot, const LogEntry& entry, const std::string& source) {
  if (entry.version != snapshot.version + 1) {
    fail_log(source, fmt::format("entry of version {} does not follow version {}", entry.version,
                                 snapshot.version));
  }
  if (entry.replaces_all) {
    // A rebuild starts the table's history again.
    snapshot.manifest.partitions.clear();
    snapshot.manifest.created_at = entry.committed_at;
  }
  for (const BucketChange& change : entry.changes) apply_change(snapshot.manifest, change, source);
  snapshot.manifest.updated_at = entry.committed_at;
  if (entry.writer && entry.sequence) {
    snapshot.writers[*entry.writer] = {*entry.sequence, entry.version};
  }
  for (const auto& [writer, mark] : entry.writer_marks) {
    if (mark) {
      snapshot.writers[writer] = *mark;
    } else {
      snapshot.writers.erase(writer);
    }
  }
  snapshot.version = entry.version;
}

void require_entry_applies(const TableManifest& manifest, const LogEntry& entry,
                           const std::string& source) {
  // Only the buckets the entry changes are copied, so checking costs what applying does.
  TableManifest touched;
  if (!entry.replaces_all) {
    for (const BucketChange& change : entry.changes) {
      const auto found = manifest.partitions.find(change.bucket_id);
      if (found != manifest.partitions.end()) touched.partitions.insert(*found);
    }
  }
  for (const BucketChange& change : entry.changes) apply_change(touched, change, source);
}

std::string entry_to_json(const LogEntry& entry) {
  nlohmann::json changes = nlohmann::json::array();
  for (const BucketChange& change : entry.changes) {
    nlohmann::json added = nlohmann::json::array();
    for (const PartMeta& part : change.added) added.push_back(part_to_json(part));
    changes.push_back(
        {{"bucket_id", change.bucket_id}, {"remove", change.removed}, {"add", std::move(added)}});
  }
  nlohmann::json json = {
      {"version", entry.version},
      {"operation", entry.operation},
      {"committed_at", entry.committed_at},
      {"writer", entry.writer ? nlohmann::json(*entry.writer) : nlohmann::json()},
      {"sequence", entry.sequence ? nlohmann::json(*entry.sequence) : nlohmann::json()},
      {"host", entry.host},
      {"pid", entry.pid},
      {"replaces_all", entry.replaces_all},
      {"changes", std::move(changes)}};
  if (!entry.writer_marks.empty()) {
    nlohmann::json marks = nlohmann::json::object();
    for (const auto& [writer, mark] : entry.writer_marks) {
      marks[writer] = mark ? writer_mark_to_json(*mark) : nlohmann::json();
    }
    json["writer_marks"] = std::move(marks);
  }
  return json.dump();
}

LogEntry entry_from_json(std::string_view json, const std::string& source) {
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(json);
  } catch (const nlohmann::json::parse_error& error) {
    fail_log(source, fmt::format("entry is not JSON ({})", error.what()));
  }
  const Fields fields(document, "entry", source);
  LogEntry entry;
  entry.version = fields.integer("version");
  entry.operation = fields.text("operation");
  entry.committed_at = fields.text("committed_at");
  if (fields.has("writer")) entry.writer = fields.text("writer");
  if (fields.has("sequence")) entry.sequence = fields.integer("sequence");
  entry.host = fields.text("host");
  entry.pid = fields.integer("pid");
  entry.replaces_all = fields.flag("replaces_all");
  const nlohmann::json& changes = fields.array("changes");
  for (size_t i = 0; i < changes.size(); ++i) {
    const std::string where = fmt::format("changes[{}]", i);
    const Fields change_fields(changes[i], where, source);
    BucketChange change;
    change.bucket_id = change_fields.integer("bucket_id");
    for (const nlohmann::json& path : change_fields.array("remove")) {
      if (!path.is_string()) fail_log(source, fmt::format("{}.remove holds a non-string", where));
      change.removed.push_back(path.get<std::string>());
    }
    const nlohmann::json& added = change_fields.array("add");
    for (size_t j = 0; j < added.size(); ++j) {
      change.added.push_back(part_from_json(added[j], fmt::format("{}.add[{}]", where, j), source));
    }
    entry.changes.push_back(std::move(change));
  }
  if (fields.has("writer_marks")) {
    const nlohmann::json& marks = fields.member("writer_marks");
    if (!marks.is_object()) fail_log(source, "entry.writer_marks is not an object");
    for (const auto& [writer, mark] : marks.items()) {
      entry.writer_marks[writer] =
          mark.is_null()
              ? std::nullopt
              : std::optional(writer_mark_from_json(mark, "entry.writer_marks." + writer, source));
    }
  }
  return entry;
}

std::string frame_log_record(std::string_view payload) {
  std::string record = fmt::format("{}{} {:08x}\n", kFrameMagic, payload.size(), crc32_of(payload));
  record.append(payload);
  return record;
}

std::optional<std::string_view> unframe_log_record(std::string_view bytes) {
  if (!bytes.starts_with(kFrameMagic)) return std::nullopt;
  const size_t line_end = bytes.find('\n');
  if (line_end == std::string_view::npos) return std::nullopt;
  const std::string_view header = bytes.substr(kFrameMagic.size(), line_end - kFrameMagic.size());
  const size_t space = header.find(' ');
  if (space == std::string_view::npos || header.size() - space - 1 != 8) return std::nullopt;
  uint64_t length = 0;
  uint32_t checksum = 0;
  const auto parse = [](std::string_view text, auto& value, int base) {
    const auto [stop, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    return error == std::errc() && stop == text.data() + text.size();
  };
  if (!parse(header.substr(0, space), length, 10) ||
      !parse(header.substr(space + 1), checksum, 16)) {
    return std::nullopt;
  }
  const std::string_view payload = bytes.substr(line_end + 1);
  if (payload.size() != length || crc32_of(payload) != checksum) return std::nullopt;
  return payload;
}

std::optional<TableManifest> load_committed_manifest(FileSystem& fs,
                                                     const std::filesystem::path& table_dir,
                                                     std::string_view table) {
  std::optional<TableSnapshot> snapshot = CommitLog(fs, table_dir, std::string(table)).load();
  if (!snapshot) return std::nullopt;
  return std::move(snapshot->manifest);
}

CommitLog::CommitLog(FileSystem& fs, std::filesystem::path table_dir, std::string table)
    : fs_(fs),
      table_dir_(std::move(table_dir)),
      folder_(table_dir_ / kLogFolderName),
      table_(std::move(table)) {}

std::filesystem::path CommitLog::entry_path(int64_t version) const {
  return folder_ / version_file_name(version, kEntrySuffix);
}

std::filesystem::path CommitLog::checkpoint_path(int64_t version) const {
  return folder_ / version_file_name(version, kCheckpointSuffix);
}

bool CommitLog::exists() {
  // The folder alone is not enough: a writer that failed to write the first checkpoint
  // leaves it empty, and the table's state is still manifest.json.
  return fs_.exists(folder_ / kPointerFileName) || fs_.exists(checkpoint_path(0)) ||
         fs_.exists(entry_path(1));
}

CommitLog::EntryState CommitLog::read_entry_file(int64_t version, LogEntry& entry, int64_t& bytes) {
  const std::filesystem::path path = entry_path(version);
  std::optional<std::string> contents;
  try {
    contents = fs_.read_file_if_exists(path);
  } catch (const IoError& error) {
    // Gone between the check and the read: a repair removed a damaged tail.
    if (!fs_.exists(path)) return EntryState::kAbsent;
    throw IoManifestError(fmt::format("cannot read commit log entry: {}", error.what()),
                          {.path = path.string()});
  }
  if (!contents) return EntryState::kAbsent;
  const std::optional<std::string_view> payload = unframe_log_record(*contents);
  if (!payload) return EntryState::kDamaged;
  entry = entry_from_json(*payload, path.string());
  if (entry.version != version) {
    fail_log(path.string(), fmt::format("the entry says version {}", entry.version));
  }
  bytes = static_cast<int64_t>(contents->size());
  return EntryState::kValid;
}

bool CommitLog::entry_torn(int64_t version) {
  LogEntry entry;
  int64_t bytes = 0;
  return read_entry_file(version, entry, bytes) == EntryState::kDamaged;
}

std::optional<LogEntry> CommitLog::read_entry(int64_t version) {
  LogEntry entry;
  int64_t bytes = 0;
  switch (read_entry_file(version, entry, bytes)) {
    case EntryState::kAbsent:
      return std::nullopt;
    case EntryState::kDamaged:
      fail_log(entry_path(version).string(), "the entry is damaged (length or checksum)");
    case EntryState::kValid:
      break;
  }
  return entry;
}

bool CommitLog::catch_up(TableSnapshot& snapshot, std::optional<int64_t> until) {
  for (int64_t version = snapshot.version + 1; !until || version <= *until; ++version) {
    LogEntry entry;
    int64_t bytes = 0;
    const EntryState state = read_entry_file(version, entry, bytes);
    if (state == EntryState::kAbsent) break;
    if (state == EntryState::kDamaged) {
      // A damaged last entry never completed; one that later commits follow did.
      if (!fs_.exists(entry_path(version + 1))) return true;
      fail_log(entry_path(version).string(),
               "the entry is damaged (length or checksum) and later commits follow it; restore "
               "it, or rebuild the manifest from the parts (crvio rebuild-manifest)");
    }
    apply_entry(snapshot, entry, entry_path(version).string());
    ++snapshot.entries_since_checkpoint;
    snapshot.entry_bytes_since_checkpoint += bytes;
  }
  return false;
}

CommitLog::CheckpointPointer CommitLog::read_pointer(const std::filesystem::path& pointer) {
  CheckpointPointer result;
  const std::optional<std::string> contents = fs_.read_file_if_exists(pointer);
  if (!contents) return result;
  const std::optional<std::string_view> payload = unframe_log_record(*contents);
  if (!payload) return result;
  const nlohmann::json json = nlohmann::json::parse(*payload, nullptr, false);
  if (!json.is_object()) return result;
  const auto integer = [&](const char* key) -> std::optional<int64_t> {
    const auto found = json.find(key);
    if (found == json.end() || !found->is_number_integer()) return std::nullopt;
    return found->get<int64_t>();
  };
  result.version = integer("version");
  result.previous = integer("previous");
  return result;
}

TableSnapshot CommitLog::load_as_of(int64_t version) {
  const std::optional<TableSnapshot> current = load();
  if (!current || !current->logged || version < 0 || version > current->version) {
    throw IoConfigError(
        fmt::format("table '{}' has no version {} (its commit log holds versions 0 to {})", table_,
                    version, current && current->logged ? current->version : 0),
        {.path = folder_.string()});
  }
  const CheckpointPointer pointer = read_pointer(folder_ / kPointerFileName);
  int64_t start = 0;
  for (const std::optional<int64_t> candidate : {pointer.version, pointer.previous}) {
    if (candidate && *candidate <= version && *candidate > start &&
        fs_.exists(checkpoint_path(*candidate))) {
      start = *candidate;
    }
  }
  TableSnapshot snapshot;
  try {
    snapshot = read_checkpoint(start);
  } catch (const IoError&) {
    // Removed meanwhile by newer checkpoints; checkpoint 0 always stays.
    if (start == 0 || fs_.exists(checkpoint_path(start))) throw;
    snapshot = read_checkpoint(0);
  }
  catch_up(snapshot, version);
  if (snapshot.version != version) {
    fail_log(entry_path(snapshot.version + 1).string(),
             fmt::format("version {} cannot be rebuilt: an entry before it is missing", version));
  }
  return snapshot;
}

std::vector<LogEntry> CommitLog::history() {
  std::vector<LogEntry> entries;
  for (int64_t version = 1;; ++version) {
    LogEntry entry;
    int64_t bytes = 0;
    const EntryState state = read_entry_file(version, entry, bytes);
    if (state == EntryState::kAbsent) break;
    if (state == EntryState::kValid) entries.push_back(std::move(entry));
  }
  return entries;
}

std::optional<int64_t> CommitLog::latest_checkpoint() {
  const CheckpointPointer pointer = read_pointer(folder_ / kPointerFileName);
  if (pointer.version && fs_.exists(checkpoint_path(*pointer.version))) return pointer.version;
  // No pointer, or a damaged one: the newest checkpoint on disk.
  std::optional<int64_t> newest;
  for (const std::string& name : fs_.list_directory(folder_)) {
    const std::optional<int64_t> version = version_of_file_name(name, kCheckpointSuffix);
    if (version && (!newest || *version > *newest)) newest = version;
  }
  return newest;
}

TableSnapshot CommitLog::read_checkpoint(int64_t version) {
  const std::filesystem::path path = checkpoint_path(version);
  const std::string contents = fs_.read_file(path);
  const std::optional<std::string_view> payload = unframe_log_record(contents);
  if (!payload) fail_log(path.string(), "the checkpoint is damaged (length or checksum)");
  const size_t line_end = payload->find('\n');
  if (line_end == std::string_view::npos) fail_log(path.string(), "the checkpoint has no manifest");
  const nlohmann::json meta = nlohmann::json::parse(payload->substr(0, line_end), nullptr, false);
  const Fields fields(meta, "checkpoint", path.string());
  TableSnapshot snapshot;
  snapshot.version = fields.integer("version");
  if (snapshot.version != version) {
    fail_log(path.string(), fmt::format("the checkpoint says version {}", snapshot.version));
  }
  const nlohmann::json& writers = fields.member("writers");
  if (!writers.is_object()) fail_log(path.string(), "checkpoint.writers is not an object");
  for (const auto& [writer, mark] : writers.items()) {
    snapshot.writers[writer] =
        writer_mark_from_json(mark, "checkpoint.writers." + writer, path.string());
  }
  snapshot.manifest = parse_manifest(payload->substr(line_end + 1), path);
  if (snapshot.manifest.table != table_) {
    fail_log(path.string(),
             fmt::format("the checkpoint is of table '{}'", snapshot.manifest.table));
  }
  snapshot.checkpoint_bytes = static_cast<int64_t>(contents.size());
  snapshot.logged = true;
  return snapshot;
}

std::optional<TableSnapshot> CommitLog::load() {
  try {
    return load_unguarded();
  } catch (const IoManifestError&) {
    throw;
  } catch (const IoError& error) {
    throw IoManifestError(fmt::format("cannot read the commit log: {}", error.what()),
                          {.path = folder_.string()});
  }
}

std::optional<TableSnapshot> CommitLog::load_unguarded() {
  if (!exists()) {
    std::optional<TableManifest> manifest =
        load_manifest(fs_, table_dir_ / "manifest.json", table_);
    // A writer that created the log meanwhile may have rewritten manifest.json already.
    if (!exists()) {
      if (!manifest) return std::nullopt;
      TableSnapshot snapshot;
      snapshot.manifest = std::move(*manifest);
      return snapshot;
    }
  }
  for (int attempt = 1;; ++attempt) {
    const std::optional<int64_t> checkpoint = latest_checkpoint();
    if (!checkpoint) {
      fail_log(folder_.string(),
               "there is no checkpoint; rebuild the manifest from the parts "
               "(crvio rebuild-manifest)");
    }
    try {
      TableSnapshot snapshot = read_checkpoint(*checkpoint);
      catch_up(snapshot);
      return snapshot;
    } catch (const IoError&) {
      // Writers that checkpointed twice since the pointer was read removed this checkpoint;
      // the pointer names a newer one now.
      if (attempt == kMaxReadAttempts || fs_.exists(checkpoint_path(*checkpoint))) throw;
    }
  }
}

void CommitLog::create(TableSnapshot& base) {
  fs_.create_directories(folder_);
  // Writers that start the log at once must agree on its base (a new table's created_at
  // is when its writer first looked): the first checkpoint 0 linked stays, and the other
  // writers read it.
  const std::filesystem::path path = checkpoint_path(0);
  if (!fs_.exists(path)) {
    const std::string record = checkpoint_record(base);
    const std::filesystem::path temp = replacement_temp_path(path);
    bool linked = false;
    try {
      fs_.write_file(temp, record);
      linked = fs_.link_if_absent(temp, path);
    } catch (const IoError&) {
      remove_quietly(temp);
      throw;
    }
    remove_quietly(temp);
    if (linked) {
      fs_.sync_directory(folder_);
      base.entries_since_checkpoint = 0;
      base.entry_bytes_since_checkpoint = 0;
      base.checkpoint_bytes = static_cast<int64_t>(record.size());
      base.logged = true;
      return;
    }
  }
  base = read_checkpoint(0);
}

void CommitLog::remove_quietly(const std::filesystem::path& file) noexcept {
  try {
    fs_.remove_file(file);
  } catch (const IoError&) {
    // fsck --repair removes the temporary files of the log.
  }
}

TableSnapshot CommitLog::rebuild(const TableManifest& manifest) {
  fs_.create_directories(folder_);
  int64_t last = 0;
  for (const std::string& name : fs_.list_directory(folder_)) {
    for (const std::string_view suffix : {kEntrySuffix, kCheckpointSuffix}) {
      if (const std::optional<int64_t> version = version_of_file_name(name, suffix)) {
        last = std::max(last, *version);
      }
    }
  }
  LogEntry entry;
  entry.operation = "rebuild";
  entry.committed_at = manifest.created_at;  // the rebuilt table's parts carry this time
  entry.replaces_all = true;
  for (const auto& [bucket, partition] : manifest.partitions) {
    entry.changes.push_back({bucket, {}, partition.parts});
  }
  TableSnapshot snapshot;
  snapshot.manifest = manifest;
  snapshot.manifest.partitions.clear();
  snapshot.version = last;
  snapshot.logged = true;
  // Nothing is read before the rebuild's version: a damaged entry there must not stop it.
  commit_at_next_free(snapshot, entry);
  write_checkpoint(snapshot);
  return snapshot;
}

bool CommitLog::checkpoint_due(const TableSnapshot& snapshot) {
  const int64_t cost = snapshot.entry_bytes_since_checkpoint +
                       snapshot.entries_since_checkpoint * kEntryOverheadBytes;
  return cost >= std::max(snapshot.checkpoint_bytes, kMinCheckpointInterval);
}

std::string CommitLog::checkpoint_record(const TableSnapshot& snapshot) {
  nlohmann::json writers = nlohmann::json::object();
  for (const auto& [writer, mark] : snapshot.writers) {
    writers[writer] = writer_mark_to_json(mark);
  }
  const nlohmann::json meta = {{"version", snapshot.version}, {"writers", std::move(writers)}};
  return frame_log_record(meta.dump() + "\n" + to_json_bytes(snapshot.manifest));
}

void CommitLog::write_checkpoint(TableSnapshot& snapshot) {
  const std::string record = checkpoint_record(snapshot);
  const std::filesystem::path pointer = folder_ / kPointerFileName;
  const CheckpointPointer before = read_pointer(pointer);
  fs_.replace_file(checkpoint_path(snapshot.version), record, "commit log checkpoint");
  nlohmann::json pointer_json = {{"version", snapshot.version}};
  if (before.version && *before.version < snapshot.version) {
    pointer_json["previous"] = *before.version;
  }
  fs_.replace_file(pointer, frame_log_record(pointer_json.dump()), "commit log checkpoint pointer");
  // Readers that follow the pointer need the new checkpoint, and one that read the old
  // pointer a moment ago the previous one; the one before that can go. Entries stay, and
  // so does checkpoint 0, from which any version can be replayed.
  if (before.previous && *before.previous > 0 && *before.previous < snapshot.version) {
    try {
      fs_.remove_file(checkpoint_path(*before.previous));
    } catch (const IoError&) {
      // A stale checkpoint costs only space.
    }
  }
  snapshot.entries_since_checkpoint = 0;
  snapshot.entry_bytes_since_checkpoint = 0;
  snapshot.checkpoint_bytes = static_cast<int64_t>(record.size());
}

bool CommitLog::link_entry(LogEntry& entry, int64_t version, int64_t& record_bytes) {
  static const std::string host = host_name();
  entry.version = version;
  if (entry.committed_at.empty()) entry.committed_at = now_iso_utc();
  entry.host = host;
  entry.pid = static_cast<int64_t>(::getpid());
  const std::string record = frame_log_record(entry_to_json(entry));
  record_bytes = static_cast<int64_t>(record.size());
  const std::filesystem::path temp = replacement_temp_path(folder_ / "entry");
  bool linked = false;
  try {
    fs_.write_file(temp, record);
    linked = fs_.link_if_absent(temp, entry_path(version));
  } catch (const IoError& error) {
    remove_quietly(temp);
    throw IoManifestError(fmt::format("cannot commit to the commit log: {}", error.what()),
                          {.path = entry_path(version).string()});
  }
  remove_quietly(temp);
  return linked;
}

void CommitLog::settle(TableSnapshot& snapshot, const LogEntry& entry, int64_t record_bytes) {
  apply_entry(snapshot, entry, entry_path(entry.version).string());
  ++snapshot.entries_since_checkpoint;
  snapshot.entry_bytes_since_checkpoint += record_bytes;
  try {
    fs_.sync_directory(folder_);
  } catch (const IoError& error) {
    throw IoManifestError(fmt::format("the commit log entry was written, but a crash may still "
                                      "undo it: {}",
                                      error.what()),
                          {.path = entry_path(entry.version).string()});
  }
}

std::optional<int64_t> CommitLog::commit(
    TableSnapshot& snapshot,
    const std::function<std::optional<LogEntry>(const TableSnapshot&)>& prepare) {
  linked_ = false;
  // A snapshot read from the log needs no look for it; one of manifest.json (or of an
  // empty table) starts the log unless another writer has.
  if (!snapshot.logged) {
    try {
      create(snapshot);
    } catch (const IoManifestError&) {
      throw;
    } catch (const IoError& error) {
      throw IoManifestError(fmt::format("cannot start the commit log: {}", error.what()),
                            {.path = folder_.string()});
    }
  }
  for (int attempt = 0; attempt < kMaxCommitAttempts; ++attempt) {
    if (catch_up(snapshot)) {
      fail_log(entry_path(snapshot.version + 1).string(),
               "the last entry is damaged (a torn write); run `crvio fsck --repair` to remove "
               "it before committing");
    }
    const int64_t version = snapshot.version + 1;
    std::optional<LogEntry> entry = prepare(snapshot);
    if (!entry) return std::nullopt;
    try {
      require_entry_applies(snapshot.manifest, *entry, entry_path(version).string());
    } catch (const IoManifestError& error) {
      throw IoManifestError(
          fmt::format("nothing was committed: the change does not fit the table as committed "
                      "(a manifest rebuild meanwhile may have named its parts): {}",
                      error.message()),
          error.context());
    }
    int64_t record_bytes = 0;
    if (!link_entry(*entry, version, record_bytes)) continue;  // another writer took it
    linked_ = true;
    settle(snapshot, *entry, record_bytes);
    return version;
  }
  fail_log(folder_.string(), fmt::format("gave up after losing the race for the next version "
                                         "{} times",
                                         kMaxCommitAttempts));
}

void CommitLog::commit_at_next_free(TableSnapshot& snapshot, LogEntry entry) {
  for (int attempt = 0; attempt < kMaxCommitAttempts; ++attempt) {
    int64_t record_bytes = 0;
    if (link_entry(entry, snapshot.version + 1, record_bytes)) {
      settle(snapshot, entry, record_bytes);
      return;
    }
    ++snapshot.version;
  }
  fail_log(folder_.string(), fmt::format("gave up after losing the race for the next version "
                                         "{} times",
                                         kMaxCommitAttempts));
}

}  // namespace crv::io
