// Updating a table's Iceberg metadata: compare the committed parts with what the current
// version lists (its .crv.json), write a manifest for the parts added, rewrite the manifests
// that lost parts, merge small manifests, then link the next v<N>.metadata.json and point
// version-hint.text at it. Files no kept snapshot or version names are removed last.

#include "io/iceberg_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "crv/core/errors.hpp"
#include "crv/io/paths.hpp"
#include "io/iceberg_manifest.hpp"
#include "io/iceberg_schema.hpp"
#include "io/table_state.hpp"

namespace crv::io {
namespace {

using nlohmann::ordered_json;

constexpr std::string_view kMetadataSuffix = ".metadata.json";
constexpr std::string_view kStateSuffix = ".crv.json";
constexpr std::string_view kListingSuffix = ".files.json";
constexpr std::string_view kAvroSuffix = ".avro";
constexpr std::string_view kStateProperty = "crv.state";
constexpr std::string_view kLogVersionProperty = "crv.log-version";
// The column a table over several runs gets, whose value is each part's run.
constexpr std::string_view kRunColumn = "run_id";
// Snapshots kept while only parts are added; an update that removes parts keeps only its
// own, since the removed parts are deleted from disk.
constexpr size_t kKeptSnapshots = 5;
constexpr int64_t kKeptVersions = 5;
// Manifests of about the same size are merged this many at a time, so a table of n parts
// lists O(log n) manifests and each part is rewritten O(log n) times.
constexpr size_t kMergeFanIn = 4;
// Updates that lose the race for a version number try again this often.
constexpr int kMaxAttempts = 20;
// Manifests and manifest lists no version names, left by an update that died before it
// linked its version, are deleted once they are this old: an update still writing its
// files (on another host, without the table's lock) is done long before.
constexpr std::chrono::hours kOrphanAge{1};

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// 16 random bytes.
std::string sync_marker() {
  const std::string hex = new_part_uid();
  std::string bytes(hex.size() / 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  }
  return bytes;
}

// A random positive 60-bit id.
int64_t new_snapshot_id() {
  return std::stoll(new_part_uid().substr(0, 15), nullptr, 16);
}

// A random (version 4) UUID.
std::string new_uuid() {
  std::string hex = new_part_uid();
  hex[12] = '4';
  hex[16] = "89ab"[std::stoi(hex.substr(16, 1), nullptr, 16) & 3];
  return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                     hex.substr(16, 4), hex.substr(20));
}

std::string metadata_file_name(int64_t version) {
  return fmt::format("v{}{}", version, kMetadataSuffix);
}

// N of "v<N><suffix>" or "v<N>-...<suffix>".
std::optional<int64_t> version_of_name(std::string_view name, std::string_view suffix) {
  if (!name.starts_with('v') || !name.ends_with(suffix)) return std::nullopt;
  const std::string_view digits = name.substr(1, name.find_first_not_of("0123456789", 1) - 1);
  if (digits.empty() || digits.size() > 18) return std::nullopt;
  const std::string_view rest = name.substr(1 + digits.size());
  if (rest != suffix && !rest.starts_with('-')) return std::nullopt;
  return std::stoll(std::string(digits));
}

// --- What a version lists (.crv.json) ---

struct ListedManifest {
  IcebergManifestFile file;
  std::vector<IcebergDataFile> files;  // its live data files
};

struct KeptSnapshot {
  int64_t id = 0;
  std::string manifest_list;
  std::vector<std::string> manifests;
};

struct ListedState {
  std::string location;
  std::vector<std::string> sources;       // "run=<its table folder's URI>", as the files name them
  std::vector<ListedManifest> manifests;  // the current snapshot's
  std::vector<KeptSnapshot> snapshots;    // oldest first; the last is current
  // Files the previous version's snapshots named and this version's do not: removed once
  // version-hint.text names this version (or a later update removes them).
  std::vector<std::string> retired;
};

ordered_json to_json(const ListedState& state) {
  ordered_json manifests = ordered_json::array();
  for (const ListedManifest& manifest : state.manifests) {
    const IcebergManifestFile& file = manifest.file;
    manifests.push_back({{"name", file.name},
                         {"length", file.length},
                         {"added_snapshot_id", file.added_snapshot_id},
                         {"sequence_number", file.sequence_number},
                         {"min_sequence_number", file.min_sequence_number},
                         {"counts",
                          {file.added_files, file.existing_files, file.deleted_files,
                           file.added_rows, file.existing_rows, file.deleted_rows}},
                         {"buckets", {file.bucket_min, file.bucket_max}},
                         {"runs", {file.run_min, file.run_max}}});
  }
  ordered_json snapshots = ordered_json::array();
  for (const KeptSnapshot& snapshot : state.snapshots) {
    snapshots.push_back({{"id", snapshot.id},
                         {"manifest_list", snapshot.manifest_list},
                         {"manifests", snapshot.manifests}});
  }
  return {{"location", state.location},
          {"sources", state.sources},
          {"manifests", std::move(manifests)},
          {"snapshots", std::move(snapshots)},
          {"retired", state.retired}};
}

// A manifest's live data files, written beside it when it is written (and, like it, never
// changed), so that an update writes only what changed.
std::string listing_name(const std::string& manifest) {
  return manifest.substr(0, manifest.rfind('.')) + std::string(kListingSuffix);
}

// The manifest whose listing `name` is, or `name` itself.
std::string manifest_of_file(const std::string& name) {
  if (!name.ends_with(kListingSuffix)) return name;
  return name.substr(0, name.size() - kListingSuffix.size()) + std::string(kAvroSuffix);
}

std::string listing_json(const std::vector<IcebergDataFile>& files) {
  ordered_json json = ordered_json::array();
  for (const IcebergDataFile& data : files) {
    json.push_back({data.bucket, data.part, data.rows, data.bytes, data.tick_min, data.tick_max,
                    data.snapshot_id, data.sequence_number, data.run});
  }
  return json.dump();
}

std::optional<std::vector<IcebergDataFile>> listing_from_json(const std::string& text) {
  try {
    std::vector<IcebergDataFile> files;
    for (const ordered_json& data : ordered_json::parse(text)) {
      files.push_back(
          {data.at(0).get<int64_t>(), data.at(1).get<std::string>(), data.at(2).get<int64_t>(),
           data.at(3).get<int64_t>(), data.at(4).get<int64_t>(), data.at(5).get<int64_t>(),
           data.at(6).get<int64_t>(), data.at(7).get<int64_t>(), data.at(8).get<std::string>()});
    }
    return files;
  } catch (const ordered_json::exception&) {
    return std::nullopt;
  }
}

// Nothing when the JSON is not a state this code wrote: the update then starts afresh.
// The manifests' files are read from their listings.
std::optional<ListedState> state_from_json(const std::string& text) {
  try {
    const ordered_json json = ordered_json::parse(text);
    ListedState state;
    state.location = json.at("location").get<std::string>();
    state.sources = json.at("sources").get<std::vector<std::string>>();
    for (const ordered_json& manifest : json.at("manifests")) {
      ListedManifest listed;
      IcebergManifestFile& file = listed.file;
      file.name = manifest.at("name").get<std::string>();
      file.length = manifest.at("length").get<int64_t>();
      file.added_snapshot_id = manifest.at("added_snapshot_id").get<int64_t>();
      file.sequence_number = manifest.at("sequence_number").get<int64_t>();
      file.min_sequence_number = manifest.at("min_sequence_number").get<int64_t>();
      const ordered_json& counts = manifest.at("counts");
      file.added_files = counts.at(0).get<int32_t>();
      file.existing_files = counts.at(1).get<int32_t>();
      file.deleted_files = counts.at(2).get<int32_t>();
      file.added_rows = counts.at(3).get<int64_t>();
      file.existing_rows = counts.at(4).get<int64_t>();
      file.deleted_rows = counts.at(5).get<int64_t>();
      file.bucket_min = manifest.at("buckets").at(0).get<int64_t>();
      file.bucket_max = manifest.at("buckets").at(1).get<int64_t>();
      file.run_min = manifest.at("runs").at(0).get<std::string>();
      file.run_max = manifest.at("runs").at(1).get<std::string>();
      state.manifests.push_back(std::move(listed));
    }
    for (const ordered_json& snapshot : json.at("snapshots")) {
      state.snapshots.push_back({snapshot.at("id").get<int64_t>(),
                                 snapshot.at("manifest_list").get<std::string>(),
                                 snapshot.at("manifests").get<std::vector<std::string>>()});
    }
    state.retired = json.at("retired").get<std::vector<std::string>>();
    return state;
  } catch (const ordered_json::exception&) {
    return std::nullopt;
  }
}

// Throws ordered_json::exception unless `metadata` has, with their types, every member an
// update reads from the version it extends.
void check_extendable(const ordered_json& metadata) {
  for (const char* number :
       {"last-column-id", "current-schema-id", "last-sequence-number", "last-updated-ms"}) {
    if (!metadata.at(number).is_number_integer()) {
      throw ordered_json::type_error::create(302, std::string(number) + " is not an integer",
                                             &metadata);
    }
  }
  metadata.at("table-uuid").get<std::string>();
  metadata.at("properties").get<std::map<std::string, std::string>>();
  for (const ordered_json& schema : metadata.at("schemas")) {
    schema.at("schema-id").get<int>();
    iceberg_field_ids(schema.at("fields"));
  }
  for (const char* list : {"snapshots", "snapshot-log"}) {
    for (const ordered_json& entry : metadata.at(list)) entry.at("snapshot-id").get<int64_t>();
  }
  for (const ordered_json& entry : metadata.at("metadata-log")) {
    entry.at("metadata-file").get<std::string>();
  }
}

// --- The current version ---

struct CurrentVersion {
  int64_t version = 0;            // 0: none yet
  std::optional<int64_t> hinted;  // what version-hint.text says
  std::optional<ordered_json> metadata;
  std::optional<ListedState> state;  // when the metadata names a state it can read
  // Whether the state was dropped because it lists another table folder's (or run's)
  // files: the table moved, so the version names none of the parts where they are now.
  bool moved = false;
};

class IcebergUpdate {
 public:
  IcebergUpdate(FileSystem& fs, const IcebergSource& source)
      : fs_(fs),
        source_(source),
        folder_(source.folder / kIcebergFolderName),
        location_(file_uri(source.folder)) {
    for (const IcebergRunParts& run : source.runs) {
      run_folders_[run.run] = file_uri(run.folder);
      sources_.push_back(fmt::format("{}={}", run.run, run_folders_[run.run]));
    }
    columns_ = source.columns;
    if (partitioned_by_run()) {
      // Field names are unique in an Iceberg schema (Java engines refuse the table otherwise).
      const bool taken =
          std::any_of(columns_.begin(), columns_.end(),
                      [](const frame::Field& column) { return column.name == kRunColumn; });
      if (taken) {
        throw IoSchemaError(
            fmt::format("table '{}' has a column named '{}' (kept with --no-strict), which a "
                        "table over several runs needs for its partition column: rename it",
                        source.table, kRunColumn),
            {.path = source.folder.string(), .column = std::string(kRunColumn)});
      }
      columns_.push_back({std::string(kRunColumn), frame::utf8(), true});
    }
    // Paths no committed part carries (a table whose parts carry no ids, the run column)
    // take the ids their parts would be given.
    field_ids_ = source.field_ids;
    assign_field_ids(columns_, field_ids_);
  }

  IcebergSummary run() {
    try {
      fs_.create_directories(folder_);
      for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
        const CurrentVersion current = read_current();
        std::optional<IcebergSummary> summary = try_commit(current);
        if (summary) return *summary;
      }
    } catch (const IoManifestError&) {
      throw;
    } catch (const IoError& error) {
      throw IoManifestError(fmt::format("cannot update the Iceberg metadata: {}", error.what()),
                            {.path = folder_.string()});
    } catch (const ordered_json::exception& error) {
      // Not reached for what read_current checks; a last guard, so that no JSON error
      // escapes as anything but the documented class.
      throw IoManifestError(fmt::format("cannot update the Iceberg metadata: a file in it is "
                                        "not as crv-io writes it ({})",
                                        error.what()),
                            {.path = folder_.string()});
    }
    throw IoManifestError(fmt::format("cannot update the Iceberg metadata: {} other updates "
                                      "committed version after version meanwhile",
                                      kMaxAttempts),
                          {.path = folder_.string()});
  }

  bool hint_current() {
    const CurrentVersion current = find_current();
    return current.version == 0 || current.hinted == current.version;
  }

  // Points a lagging hint at the current version; whether it names it now.
  bool repoint_hint() {
    const CurrentVersion current = find_current();
    if (current.version == 0 || current.hinted == current.version) return true;
    return point_hint_at(current.version);
  }

  // The parts of the source's table that the current version names, and the hinted one
  // when the hint lags (engines that open the hinted version read that one); nothing when
  // either cannot be read (metadata another tool wrote, or damaged).
  std::optional<std::set<std::pair<int64_t, std::string>>> current_parts() {
    const CurrentVersion current = read_current();
    std::set<std::pair<int64_t, std::string>> parts;
    if (current.version == 0 || current.moved) return parts;
    if (!current.state) return std::nullopt;
    std::optional<ListedState> hinted;
    if (current.hinted && *current.hinted != current.version &&
        fs_.exists(path_of(metadata_file_name(*current.hinted)))) {
      hinted = state_of_version(*current.hinted);
      if (!hinted) return std::nullopt;
    }
    const auto add_parts_of = [&](const ListedState& state) {
      for (const ListedManifest& manifest : state.manifests) {
        for (const IcebergDataFile& file : manifest.files) {
          if (file.run.empty()) parts.emplace(file.bucket, file.part);
        }
      }
    };
    add_parts_of(*current.state);
    if (hinted) add_parts_of(*hinted);
    return parts;
  }

 private:
  // A data file: its run, bucket and file name.
  struct FileKey {
    std::string run;
    int64_t bucket = 0;
    std::string part;
    auto operator<=>(const FileKey&) const = default;
  };

  // Whether a run `state` lists is now somewhere else (a moved root): its files' paths
  // changed. Runs added or gone are parts added or removed.
  bool moved_runs(const ListedState& state) const {
    return std::any_of(state.sources.begin(), state.sources.end(), [&](const std::string& source) {
      const std::string run = source.substr(0, source.find('='));
      const auto found = run_folders_.find(run);
      return found != run_folders_.end() && source != fmt::format("{}={}", run, found->second);
    });
  }

  // Whether every schema of `metadata` gives each path of field_ids_ its id, and none of
  // those ids to another path.
  bool ids_agree(const ordered_json& metadata) const {
    for (const ordered_json& schema : metadata.at("schemas")) {
      FieldIds merged = field_ids_;
      try {
        merge_field_ids(merged, iceberg_field_ids(schema.at("fields")));
      } catch (const IoSchemaError&) {
        return false;
      }
    }
    return true;
  }

  bool partitioned_by_run() const {
    return source_.runs.size() != 1 || !source_.runs.front().run.empty();
  }

  std::filesystem::path path_of(std::string_view name) const { return folder_ / name; }
  std::string uri_of(std::string_view name) const {
    return fmt::format("{}/{}/{}", location_, kIcebergFolderName, name);
  }

  // The current version's number and what version-hint.text says, reading nothing else.
  CurrentVersion find_current() {
    CurrentVersion current;
    std::optional<int64_t> version;
    if (const std::optional<std::string> hint =
            fs_.read_file_if_exists(path_of(kVersionHintName))) {
      try {
        version = std::stoll(*hint);
        current.hinted = version;
      } catch (const std::exception&) {
        // A damaged hint: the folder's listing tells.
      }
    }
    // A hint that names nothing (damaged, or left by an update that stalled while newer
    // versions were kept and older ones deleted) gives way to the folder's listing.
    if (!version || *version < 1 || !fs_.exists(path_of(metadata_file_name(*version)))) {
      version = newest_listed_version();
      if (!version) return current;
    }
    // The hint may lag behind a version linked just before.
    while (fs_.exists(path_of(metadata_file_name(*version + 1)))) ++*version;
    current.version = *version;
    return current;
  }

  CurrentVersion read_current() {
    CurrentVersion current = find_current();
    if (current.version == 0) return current;
    const std::optional<std::string> text =
        fs_.read_file_if_exists(path_of(metadata_file_name(current.version)));
    if (!text) return current;
    try {
      current.metadata = ordered_json::parse(*text);
      check_extendable(*current.metadata);
      current.state = state_named_by(*current.metadata);
      // A schema that gave one of the parts' ids to another path, or another id to one
      // of their paths (metadata from before the parts carried ids), would make engines
      // read an earlier snapshot's files wrongly through the current name mapping.
      if (!ids_agree(*current.metadata)) {
        current.metadata.reset();
        current.state.reset();
      }
    } catch (const ordered_json::exception&) {
      // Not metadata this code can extend: the next version starts afresh.
      current.metadata.reset();
    }
    if (current.state && (current.state->location != location_ || moved_runs(*current.state))) {
      current.state.reset();
      current.moved = true;
    }
    return current;
  }

  // The highest N of the folder's v<N>.metadata.json files.
  std::optional<int64_t> newest_listed_version() {
    std::optional<int64_t> newest;
    for (const std::string& name : fs_.list_directory(folder_)) {
      const std::optional<int64_t> found = version_of_name(name, kMetadataSuffix);
      if (found && name == metadata_file_name(*found))
        newest = std::max(newest.value_or(0), *found);
    }
    return newest;
  }

  // The state (.crv.json, with its manifests' listings) that `metadata` names, when it
  // names one and every file of it can be read. ordered_json::exception for metadata
  // whose properties are not as this code writes them.
  std::optional<ListedState> state_named_by(const ordered_json& metadata) {
    const ordered_json& properties = metadata.at("properties");
    if (!properties.contains(kStateProperty)) return std::nullopt;
    const std::optional<std::string> text =
        fs_.read_file_if_exists(path_of(properties.at(kStateProperty).get<std::string>()));
    std::optional<ListedState> state = text ? state_from_json(*text) : std::nullopt;
    if (state && !read_listings(*state)) state.reset();
    return state;
  }

  // What version `version` lists, when its metadata, state and listings can be read.
  std::optional<ListedState> state_of_version(int64_t version) {
    const std::optional<std::string> text =
        fs_.read_file_if_exists(path_of(metadata_file_name(version)));
    if (!text) return std::nullopt;
    try {
      return state_named_by(ordered_json::parse(*text));
    } catch (const ordered_json::exception&) {
      return std::nullopt;
    }
  }

  // Fills in each manifest's files from its listing; false when one cannot be read.
  bool read_listings(ListedState& state) {
    for (ListedManifest& manifest : state.manifests) {
      const std::optional<std::string> text =
          fs_.read_file_if_exists(path_of(listing_name(manifest.file.name)));
      std::optional<std::vector<IcebergDataFile>> files =
          text ? listing_from_json(*text) : std::nullopt;
      if (!files) return false;
      manifest.files = std::move(*files);
    }
    return true;
  }

  // The committed summary, or nothing when another update linked the version first.
  std::optional<IcebergSummary> try_commit(const CurrentVersion& current) {
    // The parts as they are committed, by run, bucket and file name.
    std::map<FileKey, const PartMeta*> committed;
    for (const IcebergRunParts& run : source_.runs) {
      for (const auto& [bucket, partition] : run.manifest->partitions) {
        for (const PartMeta& part : partition.parts)
          committed[{run.run, bucket, part.path}] = &part;
      }
    }

    // Schema: the parts' field ids (read_current saw that no earlier schema gave them
    // to other paths).
    int last_column_id = 0;
    int schema_id = 0;
    std::optional<ordered_json> current_schema;
    if (current.metadata) {
      const ordered_json& metadata = *current.metadata;
      last_column_id = metadata.value("last-column-id", 0);
      schema_id = metadata.value("current-schema-id", 0);
      for (const ordered_json& schema : metadata.at("schemas")) {
        if (schema.at("schema-id") == schema_id) current_schema = schema;
      }
    }
    IcebergSchema schema = iceberg_schema_of(columns_, field_ids_, last_column_id);
    const bool schema_changed = !current_schema || current_schema->at("fields") != schema.fields;
    if (schema_changed && current_schema) ++schema_id;

    // The data files the current snapshot lists that are still committed, and the rest.
    std::vector<ListedManifest> kept;
    std::vector<std::pair<ListedManifest, std::vector<IcebergDataFile>>> shrunk;
    std::set<FileKey> listed;
    if (current.state) {
      for (const ListedManifest& manifest : current.state->manifests) {
        ListedManifest live{manifest.file, {}};
        std::vector<IcebergDataFile> removed;
        for (const IcebergDataFile& file : manifest.files) {
          const FileKey key{file.run, file.bucket, file.part};
          const bool still = committed.contains(key);
          (still ? live.files : removed).push_back(file);
          if (still) listed.insert(key);
        }
        if (removed.empty()) {
          // One left holding only the entries of files an earlier snapshot deleted is not
          // listed again.
          if (!live.files.empty()) kept.push_back(std::move(live));
        } else {
          shrunk.emplace_back(std::move(live), std::move(removed));
        }
      }
    }
    std::vector<std::pair<const FileKey*, const PartMeta*>> added_parts;
    for (const auto& [key, part] : committed) {
      if (!listed.contains(key)) added_parts.emplace_back(&key, part);
    }
    int64_t removed_files = 0;
    int64_t removed_rows = 0;
    for (const auto& [manifest, removed] : shrunk) {
      removed_files += static_cast<int64_t>(removed.size());
      for (const IcebergDataFile& file : removed) removed_rows += file.rows;
    }

    const bool has_snapshot = current.state && !current.state->snapshots.empty();
    // A writer that read the table before another published a later commit leaves it be.
    if (current.state && log_version_of(*current.metadata) > source_.log_version) {
      return summary_of(current.version, false, *current.metadata, *current.state, 0, 0);
    }
    if (current.state && !schema_changed && added_parts.empty() && shrunk.empty() &&
        (has_snapshot || committed.empty())) {
      if (current.hinted != current.version && point_hint_at(current.version)) {
        remove_retired(current.state->retired, current.version, *current.state);
      }
      return summary_of(current.version, false, *current.metadata, *current.state, 0, 0);
    }

    // The new snapshot.
    const int64_t snapshot_id = new_snapshot_id();
    const int64_t sequence_number =
        (current.metadata ? current.metadata->value("last-sequence-number", int64_t{0}) : 0) + 1;
    const std::string uid = new_part_uid();
    IcebergTableContext table;
    table.location = location_;
    const ordered_json schema_json = schema_object(schema, schema_id);
    table.schema_json = schema_json.dump();
    table.schema_id = schema_id;
    const FieldIds ids = iceberg_field_ids(schema.fields);
    for (const char* column : {"bucket", "tick"}) {
      if (!ids.contains({column})) {
        throw IoManifestError(fmt::format("cannot update the Iceberg metadata: table '{}' has "
                                          "no {} column recorded in table.json or its parts",
                                          source_.table, column),
                              {.path = folder_.string()});
      }
    }
    table.bucket_field_id = ids.at({"bucket"});
    table.tick_field_id = ids.at({"tick"});
    if (partitioned_by_run()) table.run_field_id = ids.at({std::string(kRunColumn)});
    table.run_folders = run_folders_;
    if (current.state) {
      // Where runs gone since were, for their files' entries as removed.
      for (const std::string& source : current.state->sources) {
        const size_t split = source.find('=');
        table.run_folders.emplace(source.substr(0, split), source.substr(split + 1));
      }
    }

    std::vector<std::filesystem::path> written;
    try {
      // Manifests to list: those kept as they are, and new ones (written once planned).
      std::vector<PlannedManifest> planned;
      for (ListedManifest& manifest : kept) planned.push_back({std::move(manifest), {}});
      // A shrunk manifest is written again even when no live file is left: its deleted
      // entries are how readers learn which files this snapshot removed.
      for (auto& [manifest, removed] : shrunk) {
        std::vector<IcebergManifestEntry> entries = existing_entries(manifest.files);
        for (IcebergDataFile& file : removed) {
          file.snapshot_id = snapshot_id;
          entries.push_back({IcebergEntryStatus::kDeleted, file});
        }
        planned.push_back({{}, std::move(entries)});
      }
      if (!added_parts.empty()) {
        std::vector<IcebergManifestEntry> entries;
        for (const auto& [key, part] : added_parts) {
          entries.push_back({IcebergEntryStatus::kAdded,
                             {key->bucket, part->path, part->rows, part->bytes, part->tick_min,
                              part->tick_max, snapshot_id, sequence_number, key->run}});
        }
        planned.push_back({{}, std::move(entries)});
      }
      merge_small_manifests(planned);

      std::vector<ListedManifest> manifests;
      for (size_t i = 0; i < planned.size(); ++i) {
        PlannedManifest& manifest = planned[i];
        if (manifest.entries.empty()) {
          manifests.push_back(std::move(manifest.listed));
          continue;
        }
        ListedManifest result;
        result.file.name = fmt::format("{}-m{}.avro", uid, i);
        write_file(result.file.name,
                   iceberg_manifest_bytes(table, manifest.entries, snapshot_id, sequence_number,
                                          sync_marker(), result.file),
                   written);
        for (IcebergManifestEntry& entry : manifest.entries) {
          if (entry.status == IcebergEntryStatus::kDeleted) continue;
          if (entry.status == IcebergEntryStatus::kAdded) {
            entry.file.sequence_number = sequence_number;
          }
          result.files.push_back(entry.file);
        }
        write_file(listing_name(result.file.name), listing_json(result.files), written);
        manifests.push_back(std::move(result));
      }

      std::vector<IcebergManifestFile> list_files;
      for (const ListedManifest& manifest : manifests) list_files.push_back(manifest.file);
      const std::optional<int64_t> parent =
          has_snapshot ? std::optional(current.state->snapshots.back().id) : std::nullopt;
      const std::string list_name = fmt::format("snap-{}-{}.avro", snapshot_id, uid);
      write_file(list_name,
                 iceberg_manifest_list_bytes(table, list_files, snapshot_id, parent,
                                             sequence_number, sync_marker()),
                 written);

      ListedState state;
      state.location = location_;
      state.sources = sources_;
      if (has_snapshot && shrunk.empty()) state.snapshots = current.state->snapshots;
      KeptSnapshot own{snapshot_id, list_name, {}};
      for (const ListedManifest& manifest : manifests) own.manifests.push_back(manifest.file.name);
      state.snapshots.push_back(std::move(own));
      if (state.snapshots.size() > kKeptSnapshots) {
        state.snapshots.erase(state.snapshots.begin(),
                              state.snapshots.end() - static_cast<std::ptrdiff_t>(kKeptSnapshots));
      }
      state.manifests = std::move(manifests);
      state.retired = retired_by(current, state);
      const int64_t version = current.version + 1;
      const std::string state_name = fmt::format("v{}-{}{}", version, uid, kStateSuffix);
      write_file(state_name, to_json(state).dump(), written);

      Change change{operation_of(current, added_parts.size(), removed_files),
                    snapshot_id,
                    parent,
                    sequence_number,
                    static_cast<int64_t>(added_parts.size()),
                    removed_files,
                    removed_rows};
      for (const auto& [key, part] : added_parts) change.added_rows += part->rows;
      const ordered_json metadata = metadata_json(current, table, schema, schema_json,
                                                  schema_changed, state, state_name, change);
      if (!link_version(version, metadata.dump(2))) {
        remove_quietly(fs_, written);
        return std::nullopt;
      }
      written.clear();
      if (point_hint_at(version)) {
        std::vector<std::string> retired = state.retired;
        if (current.state) {
          retired.insert(retired.end(), current.state->retired.begin(),
                         current.state->retired.end());
        }
        remove_retired(retired, version, state);
      }
      return summary_of(version, true, metadata, state, change.added_files, removed_files);
    } catch (const IoError& error) {
      remove_quietly(fs_, written);
      throw IoManifestError(fmt::format("cannot update the Iceberg metadata: {}", error.what()),
                            {.path = folder_.string()});
    } catch (...) {
      remove_quietly(fs_, written);
      throw;
    }
  }

  struct Change {
    std::string operation;
    int64_t snapshot_id = 0;
    std::optional<int64_t> parent_snapshot_id;
    int64_t sequence_number = 0;
    int64_t added_files = 0;
    int64_t removed_files = 0;
    int64_t removed_rows = 0;
    int64_t added_rows = 0;
  };

  // A manifest as the update plans it: one the current version lists, kept as it is
  // (no entries), or one to write with `entries`.
  struct PlannedManifest {
    ListedManifest listed;
    std::vector<IcebergManifestEntry> entries;

    size_t live_files() const {
      if (entries.empty()) return listed.files.size();
      return static_cast<size_t>(std::count_if(
          entries.begin(), entries.end(),
          [](const IcebergManifestEntry& e) { return e.status != IcebergEntryStatus::kDeleted; }));
    }
  };

  static std::vector<IcebergManifestEntry> existing_entries(
      const std::vector<IcebergDataFile>& files) {
    std::vector<IcebergManifestEntry> entries;
    for (const IcebergDataFile& file : files) {
      entries.push_back({IcebergEntryStatus::kExisting, file});
    }
    return entries;
  }

  static size_t level_of(size_t files) {
    size_t level = 0;
    for (; files >= kMergeFanIn; files /= kMergeFanIn) ++level;
    return level;
  }

  // While kMergeFanIn manifests are of one level (their live files' count in powers of
  // kMergeFanIn), they become one manifest. Entries keep their status: files this update
  // adds stay added, and those it deletes stay deleted (entries of manifests listed
  // before are their live files).
  static void merge_small_manifests(std::vector<PlannedManifest>& planned) {
    for (bool merged = true; merged;) {
      merged = false;
      std::map<size_t, std::vector<size_t>> by_level;
      for (size_t i = 0; i < planned.size(); ++i) {
        by_level[level_of(planned[i].live_files())].push_back(i);
      }
      for (const auto& [level, members] : by_level) {
        if (members.size() < kMergeFanIn) continue;
        PlannedManifest merged_manifest;
        for (const size_t i : members) {
          const PlannedManifest& member = planned[i];
          if (member.entries.empty()) {
            for (IcebergManifestEntry& entry : existing_entries(member.listed.files)) {
              merged_manifest.entries.push_back(std::move(entry));
            }
          }
          merged_manifest.entries.insert(merged_manifest.entries.end(), member.entries.begin(),
                                         member.entries.end());
        }
        for (auto i = members.rbegin(); i != members.rend(); ++i) {
          planned.erase(planned.begin() + static_cast<std::ptrdiff_t>(*i));
        }
        planned.push_back(std::move(merged_manifest));
        merged = true;
        break;
      }
    }
  }

  void write_file(const std::string& name, const std::string& bytes,
                  std::vector<std::filesystem::path>& written) {
    const std::filesystem::path path = path_of(name);
    written.push_back(path);
    fs_.write_file(path, bytes);
  }

  ordered_json schema_object(const IcebergSchema& schema, int schema_id) const {
    ordered_json json;
    json["type"] = "struct";
    json["schema-id"] = schema_id;
    json["fields"] = schema.fields;
    return json;
  }

  ordered_json metadata_json(const CurrentVersion& current, const IcebergTableContext& table,
                             const IcebergSchema& schema, const ordered_json& schema_json,
                             bool schema_changed, const ListedState& state,
                             const std::string& state_name, const Change& change) const {
    const ordered_json* previous = current.metadata ? &*current.metadata : nullptr;
    const int64_t now = std::max(
        now_ms(), previous ? previous->value("last-updated-ms", int64_t{0}) + 1 : int64_t{0});
    ordered_json metadata;
    metadata["format-version"] = 2;
    metadata["table-uuid"] = previous && previous->contains("table-uuid")
                                 ? previous->at("table-uuid").get<std::string>()
                                 : new_uuid();
    metadata["location"] = location_;
    metadata["last-sequence-number"] = change.sequence_number;
    metadata["last-updated-ms"] = now;
    metadata["last-column-id"] = schema.last_column_id;
    ordered_json schemas = previous ? previous->at("schemas") : ordered_json::array();
    if (schema_changed) schemas.push_back(schema_json);
    metadata["current-schema-id"] = schema_json.at("schema-id");
    metadata["schemas"] = std::move(schemas);
    metadata["default-spec-id"] = kIcebergPartitionSpecId;
    metadata["partition-specs"] = ordered_json::array(
        {{{"spec-id", kIcebergPartitionSpecId},
          {"fields", ordered_json::parse(iceberg_partition_fields_json(table))}}});
    metadata["last-partition-id"] =
        table.run_field_id ? kIcebergRunPartitionFieldId : kIcebergPartitionFieldId;
    metadata["default-sort-order-id"] = 0;
    metadata["sort-orders"] =
        ordered_json::array({{{"order-id", 0}, {"fields", ordered_json::array()}}});
    metadata["properties"] = {
        {"schema.name-mapping.default", iceberg_name_mapping(columns_, field_ids_).dump()},
        {std::string(kStateProperty), state_name},
        {std::string(kLogVersionProperty), std::to_string(source_.log_version)},
    };
    metadata["current-snapshot-id"] = change.snapshot_id;
    metadata["refs"] = {{"main", {{"snapshot-id", change.snapshot_id}, {"type", "branch"}}}};

    // Earlier snapshots still kept, as the previous version described them.
    ordered_json snapshots = ordered_json::array();
    ordered_json snapshot_log = ordered_json::array();
    std::set<int64_t> kept_ids;
    for (const KeptSnapshot& snapshot : state.snapshots) kept_ids.insert(snapshot.id);
    if (previous) {
      for (const ordered_json& snapshot : previous->value("snapshots", ordered_json::array())) {
        if (kept_ids.contains(snapshot.at("snapshot-id").get<int64_t>()))
          snapshots.push_back(snapshot);
      }
      for (const ordered_json& entry : previous->value("snapshot-log", ordered_json::array())) {
        if (kept_ids.contains(entry.at("snapshot-id").get<int64_t>()))
          snapshot_log.push_back(entry);
      }
    }
    int64_t total_files = 0;
    int64_t total_rows = 0;
    for (const ListedManifest& manifest : state.manifests) {
      total_files += static_cast<int64_t>(manifest.files.size());
      for (const IcebergDataFile& file : manifest.files) total_rows += file.rows;
    }
    ordered_json summary;
    summary["operation"] = change.operation;
    summary["added-data-files"] = std::to_string(change.added_files);
    summary["added-records"] = std::to_string(change.added_rows);
    summary["deleted-data-files"] = std::to_string(change.removed_files);
    summary["deleted-records"] = std::to_string(change.removed_rows);
    summary["total-data-files"] = std::to_string(total_files);
    summary["total-records"] = std::to_string(total_rows);
    summary["total-delete-files"] = "0";
    summary["total-position-deletes"] = "0";
    summary["total-equality-deletes"] = "0";
    summary[std::string(kLogVersionProperty)] = std::to_string(source_.log_version);
    ordered_json snapshot;
    snapshot["snapshot-id"] = change.snapshot_id;
    if (change.parent_snapshot_id) snapshot["parent-snapshot-id"] = *change.parent_snapshot_id;
    snapshot["sequence-number"] = change.sequence_number;
    snapshot["timestamp-ms"] = now;
    snapshot["manifest-list"] = uri_of(state.snapshots.back().manifest_list);
    snapshot["summary"] = std::move(summary);
    snapshot["schema-id"] = schema_json.at("schema-id");
    snapshots.push_back(std::move(snapshot));
    snapshot_log.push_back({{"timestamp-ms", now}, {"snapshot-id", change.snapshot_id}});
    metadata["snapshots"] = std::move(snapshots);
    metadata["snapshot-log"] = std::move(snapshot_log);

    // The versions still on disk before this one.
    ordered_json metadata_log = ordered_json::array();
    if (previous) {
      const int64_t oldest_kept = current.version + 1 - kKeptVersions + 1;
      for (const ordered_json& entry : previous->value("metadata-log", ordered_json::array())) {
        const std::string file = entry.at("metadata-file").get<std::string>();
        const std::string name = file.substr(file.rfind('/') + 1);
        const std::optional<int64_t> version = version_of_name(name, kMetadataSuffix);
        if (version && *version >= oldest_kept) metadata_log.push_back(entry);
      }
      if (current.version >= oldest_kept) {
        metadata_log.push_back({{"timestamp-ms", previous->value("last-updated-ms", now)},
                                {"metadata-file", uri_of(metadata_file_name(current.version))}});
      }
    }
    metadata["metadata-log"] = std::move(metadata_log);
    return metadata;
  }

  // Put-if-absent: false when another update linked this version first.
  bool link_version(int64_t version, const std::string& text) {
    const std::filesystem::path path = path_of(metadata_file_name(version));
    const std::filesystem::path temp = replacement_temp_path(path);
    bool linked = false;
    try {
      fs_.write_file(temp, text);
      linked = fs_.link_if_absent(temp, path);
    } catch (const IoError&) {
      remove_quietly(fs_, {temp});
      throw;
    }
    remove_quietly(fs_, {temp});
    if (!linked) return false;
    try {
      fs_.sync_directory(folder_);
    } catch (const IoError&) {
      // The version is linked and names the files just written, so they stay; a crash
      // may undo it, and the next update then writes it again.
    }
    return true;
  }

  // version-hint.text names `version`, or a newer version another update linked meanwhile
  // (whose hint this one may have just replaced). A failure leaves the hint behind, which
  // costs nothing but time: readers and the next update look past it for newer versions,
  // and the next update rewrites it.
  // True when it names `version` or a newer one.
  bool point_hint_at(int64_t version) {
    try {
      // Never back: a newer update may have written its number already.
      if (const std::optional<std::string> hint =
              fs_.read_file_if_exists(path_of(kVersionHintName))) {
        try {
          if (std::stoll(*hint) >= version &&
              fs_.exists(path_of(metadata_file_name(std::stoll(*hint))))) {
            return true;
          }
        } catch (const std::exception&) {
          // A damaged hint is replaced.
        }
      }
      for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
        fs_.replace_file(path_of(kVersionHintName), std::to_string(version), "version-hint.text");
        int64_t newest = version;
        while (fs_.exists(path_of(metadata_file_name(newest + 1)))) ++newest;
        if (newest == version) return true;
        version = newest;
      }
      return true;
    } catch (const IoError&) {
      return false;
    }
  }

  // What the current version's snapshots name and `state`'s do not: the manifest lists
  // and manifests of expired snapshots.
  static std::vector<std::string> retired_by(const CurrentVersion& current,
                                             const ListedState& state) {
    std::set<std::string> named;
    for (const KeptSnapshot& snapshot : state.snapshots) {
      named.insert(snapshot.manifest_list);
      named.insert(snapshot.manifests.begin(), snapshot.manifests.end());
    }
    std::set<std::string> retired;
    if (current.state) {
      for (const KeptSnapshot& snapshot : current.state->snapshots) {
        if (!named.contains(snapshot.manifest_list)) retired.insert(snapshot.manifest_list);
        for (const std::string& manifest : snapshot.manifests) {
          if (!named.contains(manifest)) {
            retired.insert(manifest);
            retired.insert(listing_name(manifest));
          }
        }
      }
    }
    return {retired.begin(), retired.end()};
  }

  // Removes `retired`, the versions older than the kept ones with their states, and
  // orphans older than kOrphanAge (manifests and lists `state`, the state of `version`,
  // does not name), once version-hint.text names `version`. Failures only cost space.
  void remove_retired(const std::vector<std::string>& retired, int64_t version,
                      const ListedState& state) {
    std::vector<std::filesystem::path> files;
    for (const std::string& name : retired) files.push_back(path_of(name));
    std::set<std::string> named(retired.begin(), retired.end());
    for (const ListedManifest& manifest : state.manifests) named.insert(manifest.file.name);
    for (const KeptSnapshot& snapshot : state.snapshots) {
      named.insert(snapshot.manifest_list);
      named.insert(snapshot.manifests.begin(), snapshot.manifests.end());
    }
    const auto old_enough = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                (std::chrono::system_clock::now() - kOrphanAge).time_since_epoch())
                                .count();
    try {
      for (const std::string& name : fs_.list_directory(folder_)) {
        for (const std::string_view suffix : {kMetadataSuffix, kStateSuffix}) {
          const std::optional<int64_t> found = version_of_name(name, suffix);
          if (found && *found <= version - kKeptVersions) files.push_back(path_of(name));
        }
        const bool manifest_or_list = name.ends_with(kAvroSuffix) || name.ends_with(kListingSuffix);
        if (!manifest_or_list || named.contains(manifest_of_file(name))) continue;
        const std::optional<FileIdentity> identity = fs_.stat(path_of(name));
        if (identity && identity->modified_ns < old_enough) files.push_back(path_of(name));
      }
    } catch (const IoError&) {
      // Old versions and orphans stay until the next update.
    }
    remove_quietly(fs_, files);
  }

  // Iceberg's name for what the snapshot does: only adds parts ("append"), only removes
  // them ("delete"), rearranges rows that stay ("replace", for compactions) or changes
  // them ("overwrite").
  std::string operation_of(const CurrentVersion& current, size_t added, int64_t removed) const {
    if (removed == 0) return "append";
    if (added == 0) return "delete";
    const bool compactions =
        current.metadata && source_.only_compactions &&
        source_.only_compactions(log_version_of(*current.metadata), source_.log_version);
    return compactions ? "replace" : "overwrite";
  }

  static int64_t log_version_of(const ordered_json& metadata) {
    const ordered_json& properties = metadata.at("properties");
    if (!properties.contains(kLogVersionProperty)) return 0;
    try {
      return std::stoll(properties.at(kLogVersionProperty).get<std::string>());
    } catch (const std::exception&) {
      return 0;
    }
  }

  IcebergSummary summary_of(int64_t version, bool updated, const ordered_json& metadata,
                            const ListedState& state, int64_t added, int64_t removed) const {
    IcebergSummary summary;
    summary.table = source_.table;
    summary.metadata_version = version;
    summary.metadata_file = uri_of(metadata_file_name(version));
    summary.updated = updated;
    if (!state.snapshots.empty()) summary.snapshot_id = state.snapshots.back().id;
    summary.schema_id = metadata.value("current-schema-id", 0);
    summary.log_version = log_version_of(metadata);
    summary.manifests = static_cast<int64_t>(state.manifests.size());
    for (const ListedManifest& manifest : state.manifests) {
      summary.data_files += static_cast<int64_t>(manifest.files.size());
      for (const IcebergDataFile& file : manifest.files) summary.rows += file.rows;
    }
    summary.files_added = added;
    summary.files_removed = removed;
    return summary;
  }

  FileSystem& fs_;
  const IcebergSource& source_;
  std::filesystem::path folder_;
  std::string location_;
  std::vector<frame::Field> columns_;  // the schema's columns
  FieldIds field_ids_;                 // the ids of every path of columns_
  std::map<std::string, std::string> run_folders_;
  std::vector<std::string> sources_;
};

}  // namespace

std::string file_uri(const std::filesystem::path& folder) {
  std::string path = std::filesystem::absolute(folder).lexically_normal().string();
  while (path.size() > 1 && path.ends_with('/')) path.pop_back();
  return "file://" + path;
}

IcebergSummary update_iceberg_metadata(FileSystem& fs, const IcebergSource& source) {
  return IcebergUpdate(fs, source).run();
}

bool iceberg_hint_current(FileSystem& fs, const std::string& table,
                          const std::filesystem::path& table_folder) {
  IcebergSource source{.table = table, .folder = table_folder};
  source.runs.push_back({.run = "", .folder = table_folder});
  return IcebergUpdate(fs, source).hint_current();
}

bool repoint_iceberg_hint(FileSystem& fs, const std::string& table,
                          const std::filesystem::path& table_folder) {
  IcebergSource source{.table = table, .folder = table_folder};
  source.runs.push_back({.run = "", .folder = table_folder});
  return IcebergUpdate(fs, source).repoint_hint();
}

std::optional<std::set<std::pair<int64_t, std::string>>> iceberg_current_parts(
    FileSystem& fs, const std::string& table, const std::filesystem::path& table_folder) {
  if (!fs.is_directory(table_folder / kIcebergFolderName)) {
    return std::set<std::pair<int64_t, std::string>>{};
  }
  IcebergSource source{.table = table, .folder = table_folder};
  source.runs.push_back({.run = "", .folder = table_folder});
  return IcebergUpdate(fs, source).current_parts();
}

}  // namespace crv::io
