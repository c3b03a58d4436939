// A table's Iceberg metadata: its Avro files read back by avro-c against the Iceberg
// spec's manifest and manifest-list schemas, its metadata JSON checked for the fields
// format version 2 requires, schema evolution, manifest merging and expiry, failures at
// every step of an update, and updates racing each other.

#include <avro.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "crv/core/errors.hpp"
#include "crv/io/fsck.hpp"
#include "crv/io/iceberg.hpp"
#include "crv/parquet/reader.hpp"
#include "dataset_test_util.hpp"
#include "fault_injecting_file_system.hpp"
#include "io/iceberg_schema.hpp"
#include "io/iceberg_table.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace crv::io {
namespace {

using dataset_test::edge_rows;
using dataset_test::kEdges;
using dataset_test::kRunId;
using dataset_test::PristineCopy;
using dataset_test::test_settings;
using dataset_test::tick_range;
using nlohmann::json;
using test_support::expect_error;
using ::testing::HasSubstr;

// The reader schemas, written from the Iceberg spec's tables (format version 2) for the
// fields crv-io fills: a file that does not resolve against them is not a manifest (list).
constexpr std::string_view kSpecManifestEntry = R"({"type":"record","name":"manifest_entry",
"fields":[{"name":"status","type":"int"},
{"name":"snapshot_id","type":["null","long"]},
{"name":"sequence_number","type":["null","long"]},
{"name":"file_sequence_number","type":["null","long"]},
{"name":"data_file","type":{"type":"record","name":"r2","fields":[
 {"name":"content","type":"int"},
 {"name":"file_path","type":"string"},
 {"name":"file_format","type":"string"},
 {"name":"partition","type":{"type":"record","name":"r102","fields":[
   {"name":"bucket","type":["null","long"]}]}},
 {"name":"record_count","type":"long"},
 {"name":"file_size_in_bytes","type":"long"},
 {"name":"lower_bounds","type":["null",{"type":"array","items":{"type":"record",
   "name":"k126_v127","fields":[{"name":"key","type":"int"},{"name":"value","type":"bytes"}]}}]},
 {"name":"upper_bounds","type":["null",{"type":"array","items":{"type":"record",
   "name":"k129_v130","fields":[{"name":"key","type":"int"},{"name":"value","type":"bytes"}]}}]}
]}}]})";

constexpr std::string_view kSpecManifestFile = R"({"type":"record","name":"manifest_file",
"fields":[{"name":"manifest_path","type":"string"},
{"name":"manifest_length","type":"long"},
{"name":"partition_spec_id","type":"int"},
{"name":"content","type":"int"},
{"name":"sequence_number","type":"long"},
{"name":"min_sequence_number","type":"long"},
{"name":"added_snapshot_id","type":"long"},
{"name":"added_files_count","type":"int"},
{"name":"existing_files_count","type":"int"},
{"name":"deleted_files_count","type":"int"},
{"name":"added_rows_count","type":"long"},
{"name":"existing_rows_count","type":"long"},
{"name":"deleted_rows_count","type":"long"}]})";

// manifest_file with its partition summaries.
constexpr std::string_view kSpecManifestFileSummaries = R"({"type":"record","name":"manifest_file",
"fields":[{"name":"manifest_path","type":"string"},
{"name":"partitions","type":["null",{"type":"array","items":{"type":"record","name":"r508",
 "fields":[{"name":"contains_null","type":"boolean"},
 {"name":"contains_nan","type":["null","boolean"]},
 {"name":"lower_bound","type":["null","bytes"]},
 {"name":"upper_bound","type":["null","bytes"]}]}}]}]})";

// Every record of an Avro file, resolved by avro-c into `reader_schema` and handed to
// `visit`. Fails the test when the file cannot be read or does not resolve.
template <typename Visit>
void read_avro(const std::filesystem::path& path, std::string_view reader_schema, Visit visit) {
  avro_file_reader_t reader = nullptr;
  ASSERT_EQ(avro_file_reader(path.c_str(), &reader), 0) << path << ": " << avro_strerror();
  avro_schema_t writer_schema = avro_file_reader_get_writer_schema(reader);
  avro_schema_t schema = nullptr;
  ASSERT_EQ(avro_schema_from_json_length(reader_schema.data(), reader_schema.size(), &schema), 0)
      << avro_strerror();
  avro_value_iface_t* resolver = avro_resolved_writer_new(writer_schema, schema);
  ASSERT_NE(resolver, nullptr) << path << " does not resolve: " << avro_strerror();
  avro_value_iface_t* reader_class = avro_generic_class_from_schema(schema);
  avro_value_t resolved;
  avro_value_t record;
  avro_generic_value_new(reader_class, &record);
  avro_resolved_writer_new_value(resolver, &resolved);
  avro_resolved_writer_set_dest(&resolved, &record);
  while (avro_file_reader_read_value(reader, &resolved) == 0) visit(record);
  avro_value_decref(&resolved);
  avro_value_decref(&record);
  avro_value_iface_decref(reader_class);
  avro_value_iface_decref(resolver);
  avro_schema_decref(schema);
  avro_schema_decref(writer_schema);
  avro_file_reader_close(reader);
}

avro_value_t field(avro_value_t& record, const char* name) {
  avro_value_t value;
  EXPECT_EQ(avro_value_get_by_name(&record, name, &value, nullptr), 0) << name;
  return value;
}
int64_t long_field(avro_value_t& record, const char* name) {
  avro_value_t value = field(record, name);
  int64_t result = 0;
  if (avro_value_get_long(&value, &result) != 0) {
    int32_t narrow = 0;
    EXPECT_EQ(avro_value_get_int(&value, &narrow), 0) << name;
    result = narrow;
  }
  return result;
}
std::string string_field(avro_value_t& record, const char* name) {
  avro_value_t value = field(record, name);
  const char* text = nullptr;
  size_t size = 0;
  EXPECT_EQ(avro_value_get_string(&value, &text, &size), 0) << name;
  return text ? std::string(text, size - 1) : std::string();  // size counts the NUL
}
// The present branch of a ["null", T] union, or nothing.
std::optional<avro_value_t> present(avro_value_t& record, const char* name) {
  avro_value_t value = field(record, name);
  int discriminant = 0;
  avro_value_get_discriminant(&value, &discriminant);
  if (discriminant == 0) return std::nullopt;
  avro_value_t branch;
  avro_value_get_current_branch(&value, &branch);
  return branch;
}
// A column-id map's value for `key`, as the 8 little-endian bytes of a long bound.
std::optional<int64_t> long_bound(avro_value_t& record, const char* name, int key) {
  std::optional<avro_value_t> map = present(record, name);
  if (!map) return std::nullopt;
  size_t count = 0;
  avro_value_get_size(&*map, &count);
  for (size_t i = 0; i < count; ++i) {
    avro_value_t item;
    avro_value_get_by_index(&*map, i, &item, nullptr);
    if (long_field(item, "key") != key) continue;
    avro_value_t value = field(item, "value");
    const void* bytes = nullptr;
    size_t size = 0;
    avro_value_get_bytes(&value, &bytes, &size);
    EXPECT_EQ(size, 8u);
    int64_t bound = 0;
    for (size_t b = 0; b < 8; ++b) {
      bound |= static_cast<int64_t>(static_cast<const uint8_t*>(bytes)[b]) << (8 * b);
    }
    return bound;
  }
  return std::nullopt;
}

std::filesystem::path path_of_uri(const std::string& uri) {
  EXPECT_TRUE(uri.starts_with("file://")) << uri;
  return uri.substr(std::string_view("file://").size());
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  return json::parse(in);
}

// The reader schema of a table over several runs, whose partition holds the run too.
std::string spec_manifest_entry_by_run() {
  std::string schema(kSpecManifestEntry);
  const std::string bucket = R"({"name":"bucket","type":["null","long"]})";
  schema.replace(schema.find(bucket), bucket.size(),
                 bucket + R"(,{"name":"run_id","type":["null","string"]})");
  return schema;
}

struct DataFileEntry {
  int status = 0;
  std::filesystem::path path;
  std::string run;
  int64_t bucket = 0;
  int64_t rows = 0;
  int64_t bytes = 0;
  std::optional<int64_t> tick_min;
  std::optional<int64_t> tick_max;
};

// What the current version lists: its manifests' entries, each file read with avro-c.
struct CurrentTable {
  int64_t version = 0;
  json metadata;
  std::vector<std::filesystem::path> manifests;
  std::vector<DataFileEntry> entries;

  std::set<std::filesystem::path> live_files() const {
    std::set<std::filesystem::path> files;
    for (const DataFileEntry& entry : entries) {
      if (entry.status != 2) files.insert(entry.path);
    }
    return files;
  }
};

CurrentTable read_current(const std::filesystem::path& table_dir, bool by_run = false) {
  CurrentTable current;
  const std::filesystem::path folder = table_dir / kIcebergFolderName;
  std::ifstream hint(folder / "version-hint.text");
  hint >> current.version;
  current.metadata = read_json(folder / fmt::format("v{}.metadata.json", current.version));
  const int tick_id = [&] {
    for (const json& schema : current.metadata.at("schemas")) {
      if (schema.at("schema-id") != current.metadata.at("current-schema-id")) continue;
      for (const json& column : schema.at("fields")) {
        if (column.at("name") == "tick") return column.at("id").get<int>();
      }
    }
    return -1;
  }();
  const int64_t snapshot_id = current.metadata.at("current-snapshot-id").get<int64_t>();
  for (const json& snapshot : current.metadata.at("snapshots")) {
    if (snapshot.at("snapshot-id") != snapshot_id) continue;
    read_avro(path_of_uri(snapshot.at("manifest-list")), kSpecManifestFile, [&](avro_value_t& m) {
      current.manifests.push_back(path_of_uri(string_field(m, "manifest_path")));
    });
  }
  for (const std::filesystem::path& manifest : current.manifests) {
    const std::string reader_schema =
        by_run ? spec_manifest_entry_by_run() : std::string(kSpecManifestEntry);
    read_avro(manifest, reader_schema, [&](avro_value_t& entry) {
      DataFileEntry file;
      file.status = static_cast<int>(long_field(entry, "status"));
      avro_value_t data = field(entry, "data_file");
      file.path = path_of_uri(string_field(data, "file_path"));
      avro_value_t partition = field(data, "partition");
      std::optional<avro_value_t> bucket = present(partition, "bucket");
      if (bucket) avro_value_get_long(&*bucket, &file.bucket);
      if (by_run) {
        std::optional<avro_value_t> run = present(partition, "run_id");
        const char* text = nullptr;
        size_t size = 0;
        if (run && avro_value_get_string(&*run, &text, &size) == 0) file.run.assign(text, size - 1);
      }
      file.rows = long_field(data, "record_count");
      file.bytes = long_field(data, "file_size_in_bytes");
      file.tick_min = long_bound(data, "lower_bounds", tick_id);
      file.tick_max = long_bound(data, "upper_bounds", tick_id);
      current.entries.push_back(std::move(file));
    });
  }
  return current;
}

class IcebergTest : public ::testing::Test {
 protected:
  // Updates happen when the tests ask for them, except where a test says otherwise.
  void SetUp() override {
    settings = test_settings(scratch.path() / "root");
    settings.iceberg_metadata = false;
  }

  std::filesystem::path table_dir() const { return dataset_test::edges_dir(settings); }
  std::filesystem::path metadata_dir() const { return table_dir() / kIcebergFolderName; }

  void append(const std::vector<int64_t>& ticks) {
    Dataset(settings, std::string(kRunId)).append(kEdges, edge_rows(ticks));
  }
  IcebergSummary publish(FileSystem& fs = default_file_system()) {
    return Dataset(settings, std::string(kRunId), fs).publish_iceberg(kEdges);
  }

  // The committed parts, by path, from the table's own manifest.
  std::map<std::filesystem::path, std::pair<int64_t, PartMeta>> committed_parts() {
    std::map<std::filesystem::path, std::pair<int64_t, PartMeta>> parts;
    const TableManifest manifest = Dataset(settings, std::string(kRunId)).manifest(kEdges);
    for (const auto& [bucket, partition] : manifest.partitions) {
      for (const PartMeta& part : partition.parts) {
        parts[table_dir() / bucket_folder_name(bucket) / part.path] = {bucket, part};
      }
    }
    return parts;
  }

  // The current version lists exactly the committed parts, with their counts and bounds.
  void expect_current_lists_committed_parts() {
    const CurrentTable current = read_current(table_dir());
    const auto parts = committed_parts();
    std::set<std::filesystem::path> committed;
    for (const auto& [path, part] : parts) committed.insert(path);
    EXPECT_EQ(current.live_files(), committed);
    for (const DataFileEntry& entry : current.entries) {
      if (entry.status == 2) continue;
      const auto found = parts.find(entry.path);
      if (found == parts.end()) continue;
      const auto& [bucket, part] = found->second;
      EXPECT_EQ(entry.bucket, bucket) << entry.path;
      EXPECT_EQ(entry.rows, part.rows) << entry.path;
      EXPECT_EQ(entry.bytes, part.bytes) << entry.path;
      EXPECT_EQ(entry.tick_min, part.tick_min) << entry.path;
      EXPECT_EQ(entry.tick_max, part.tick_max) << entry.path;
    }
  }

  test_support::TempDir scratch;
  IoSettings settings;
};

TEST_F(IcebergTest, AvroFilesResolveAgainstTheSpecSchemasAndListTheCommittedParts) {
  append(tick_range(0, 250));
  append(tick_range(250, 10));
  const IcebergSummary summary = publish();
  EXPECT_TRUE(summary.updated);
  EXPECT_EQ(summary.metadata_version, 1);
  EXPECT_EQ(summary.data_files, 4);  // buckets 0, 1 and 2, then bucket 2 again
  EXPECT_EQ(summary.rows, 260);
  expect_current_lists_committed_parts();

  // The header metadata Iceberg requires of a manifest, and the Avro schema's field ids.
  const CurrentTable current = read_current(table_dir());
  ASSERT_EQ(current.manifests.size(), 1u);
  const std::string manifest = default_file_system().read_file(current.manifests[0]);
  for (const char* key :
       {"schema-id", "partition-spec", "partition-spec-id", "format-version", "content"}) {
    EXPECT_THAT(manifest, HasSubstr(key));
  }
  EXPECT_THAT(manifest, HasSubstr(R"("name":"data_file")"));
  EXPECT_THAT(manifest, HasSubstr(R"("field-id":2})"));
  EXPECT_THAT(manifest, HasSubstr(R"("transform":"identity")"));
}

TEST_F(IcebergTest, MetadataHasTheFieldsFormatVersion2Requires) {
  append(tick_range(0, 150));
  publish();
  const json metadata = read_json(metadata_dir() / "v1.metadata.json");
  for (const char* key :
       {"format-version", "table-uuid", "location", "last-sequence-number", "last-updated-ms",
        "last-column-id", "schemas", "current-schema-id", "partition-specs", "default-spec-id",
        "last-partition-id", "sort-orders", "default-sort-order-id"}) {
    EXPECT_TRUE(metadata.contains(key)) << key;
  }
  EXPECT_EQ(metadata.at("format-version"), 2);
  EXPECT_EQ(metadata.at("location"), file_uri(table_dir()));
  EXPECT_THAT(metadata.at("table-uuid").get<std::string>(),
              ::testing::MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                      "[0-9a-f]{12}"));
  const json& snapshot = metadata.at("snapshots").at(0);
  for (const char* key :
       {"snapshot-id", "sequence-number", "timestamp-ms", "manifest-list", "summary"}) {
    EXPECT_TRUE(snapshot.contains(key)) << key;
  }
  EXPECT_EQ(snapshot.at("summary").at("operation"), "append");
  EXPECT_EQ(metadata.at("current-snapshot-id"), snapshot.at("snapshot-id"));
  EXPECT_EQ(metadata.at("refs").at("main").at("snapshot-id"), snapshot.at("snapshot-id"));
  // Identity of bucket, which is the bucket column's id.
  const json& spec_field = metadata.at("partition-specs").at(0).at("fields").at(0);
  EXPECT_EQ(spec_field.at("transform"), "identity");
  EXPECT_EQ(spec_field.at("source-id"), metadata.at("schemas").at(0).at("fields").at(0).at("id"));
  EXPECT_EQ(metadata.at("schemas").at(0).at("fields").at(0).at("name"), "bucket");
  // Parts are matched by name: every column of the schema is in the name mapping.
  const json mapping =
      json::parse(metadata.at("properties").at("schema.name-mapping.default").get<std::string>());
  ASSERT_EQ(mapping.size(), metadata.at("schemas").at(0).at("fields").size());
  EXPECT_EQ(mapping.at(1).at("names").at(0), "tick");
  EXPECT_EQ(mapping.at(1).at("field-id"), metadata.at("schemas").at(0).at("fields").at(1).at("id"));
  EXPECT_EQ(mapping.at(1).at("field-id"), io::hashed_field_id({"tick"}));
  int highest = 0;
  for (const json& field : metadata.at("schemas").at(0).at("fields")) {
    highest = std::max(highest, field.at("id").get<int>());
  }
  EXPECT_EQ(metadata.at("last-column-id"), highest);
}

TEST_F(IcebergTest, UnchangedTableKeepsItsVersionAndEachChangeIsTheNext) {
  append(tick_range(0, 50));
  EXPECT_EQ(publish().metadata_version, 1);
  const IcebergSummary again = publish();
  EXPECT_FALSE(again.updated);
  EXPECT_EQ(again.metadata_version, 1);
  append(tick_range(50, 10));
  const IcebergSummary next = publish();
  EXPECT_TRUE(next.updated);
  EXPECT_EQ(next.metadata_version, 2);
  EXPECT_EQ(next.files_added, 1);
  const json metadata = read_json(metadata_dir() / "v2.metadata.json");
  EXPECT_EQ(metadata.at("snapshots").size(), 2u);
  EXPECT_EQ(metadata.at("snapshots").at(1).at("parent-snapshot-id"),
            metadata.at("snapshots").at(0).at("snapshot-id"));
  EXPECT_EQ(metadata.at("last-sequence-number"), 2);
  EXPECT_EQ(metadata.at("metadata-log").size(), 1u);
  expect_current_lists_committed_parts();
}

TEST_F(IcebergTest, ACompactionIsANewSnapshotWithoutTheReplacedParts) {
  for (int64_t i = 0; i < 5; ++i) append(tick_range(i * 10, 10));
  publish();
  // The compaction updates the metadata published before deleting the parts it replaced.
  Dataset(settings, std::string(kRunId)).compact(kEdges);
  const IcebergSummary summary = publish();
  EXPECT_FALSE(summary.updated);
  EXPECT_EQ(summary.metadata_version, 2);
  EXPECT_EQ(summary.data_files, 1);
  expect_current_lists_committed_parts();
  // The replaced parts are gone from disk, so no snapshot that names them is kept.
  const json metadata = read_json(metadata_dir() / "v2.metadata.json");
  EXPECT_EQ(metadata.at("snapshots").size(), 1u);
  // The rows stay: Iceberg calls that a replace.
  EXPECT_EQ(metadata.at("snapshots").at(0).at("summary").at("operation"), "replace");
  EXPECT_EQ(metadata.at("snapshots").at(0).at("summary").at("deleted-records"), "50");
  EXPECT_EQ(metadata.at("snapshots").at(0).at("summary").at("added-records"), "50");
  EXPECT_EQ(metadata.at("snapshots").at(0).at("summary").at("deleted-data-files"), "5");
  EXPECT_EQ(metadata.at("snapshots").at(0).at("summary").at("added-data-files"), "1");

  // A rewind that drops whole parts deletes; one that rewrites a part overwrites.
  append(tick_range(100, 20));
  publish();
  Dataset(settings, std::string(kRunId)).rewind(kEdges, 99);
  EXPECT_FALSE(publish().updated);
  const json rewound = read_json(metadata_dir() / "v4.metadata.json").at("snapshots").back();
  EXPECT_EQ(rewound.at("summary").at("operation"), "delete");
  EXPECT_EQ(rewound.at("summary").at("deleted-data-files"), "1");
  Dataset(settings, std::string(kRunId)).rewind(kEdges, 20);
  publish();
  EXPECT_EQ(read_json(metadata_dir() / "v5.metadata.json")
                .at("snapshots")
                .back()
                .at("summary")
                .at("operation"),
            "overwrite");
  expect_current_lists_committed_parts();
}

TEST_F(IcebergTest, ManifestsStayFewAndOldVersionsAreRemovedAsPartsAreAdded) {
  constexpr int kAppends = 70;
  for (int64_t i = 0; i < kAppends; ++i) {
    append({i});
    publish();
  }
  const CurrentTable current = read_current(table_dir());
  EXPECT_EQ(current.version, kAppends);
  EXPECT_EQ(current.live_files().size(), static_cast<size_t>(kAppends));
  // Four manifests of a size merge into one: at most three per size of 1, 4, 16, 64 parts.
  EXPECT_LE(current.manifests.size(), 3u * 4u);
  expect_current_lists_committed_parts();
  int versions = 0;
  int avro_files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(metadata_dir())) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(".metadata.json")) ++versions;
    if (name.ends_with(".avro")) ++avro_files;
  }
  EXPECT_EQ(versions, 5);
  const json metadata = current.metadata;
  EXPECT_EQ(metadata.at("snapshots").size(), 5u);
  EXPECT_EQ(metadata.at("metadata-log").size(), 4u);
  // Only the files the kept snapshots name remain: their manifest lists, and manifests.
  std::set<std::filesystem::path> named;
  for (const json& snapshot : metadata.at("snapshots")) {
    const std::filesystem::path list = path_of_uri(snapshot.at("manifest-list"));
    named.insert(list);
    read_avro(list, kSpecManifestFile, [&](avro_value_t& m) {
      named.insert(path_of_uri(string_field(m, "manifest_path")));
    });
  }
  EXPECT_EQ(avro_files, static_cast<int>(named.size()));
  for (const std::filesystem::path& path : named)
    EXPECT_TRUE(std::filesystem::exists(path)) << path;
}

TEST_F(IcebergTest, AStructMemberAddedLaterIsANewSchemaThatKeepsEveryEarlierId) {
  const auto exchange_rows = [](int64_t tick, frame::ArrayPtr payload) {
    return frame::Frame({{"tick", frame::make_int64({tick})},
                         {"venue_id", frame::make_utf8({"venue"})},
                         {"token_id", frame::make_utf8({"tok"})},
                         {"exchange_event_type", frame::make_utf8({"trade"})},
                         {"additional_payload", std::move(payload)}});
  };
  Dataset dataset(settings, std::string(kRunId));
  dataset.append("exchange",
                 exchange_rows(1, frame::make_struct({{"fee", frame::make_float64({0.5})}})));
  dataset.publish_iceberg("exchange");
  dataset.append("exchange",
                 exchange_rows(2, frame::make_struct({{"fee", frame::make_float64({0.25})},
                                                      {"venue_note", frame::make_utf8({"x"})}})));
  const IcebergSummary summary = dataset.publish_iceberg("exchange");
  EXPECT_EQ(summary.schema_id, 1);
  const json metadata = read_json(io::table_dir(settings, kRunId, "exchange") / kIcebergFolderName /
                                  "v2.metadata.json");
  ASSERT_EQ(metadata.at("schemas").size(), 2u);
  EXPECT_EQ(metadata.at("current-schema-id"), 1);
  const auto payload_of = [](const json& schema) {
    for (const json& column : schema.at("fields")) {
      if (column.at("name") == "additional_payload") return column;
    }
    return json();
  };
  const json before = payload_of(metadata.at("schemas").at(0));
  const json after = payload_of(metadata.at("schemas").at(1));
  EXPECT_EQ(before.at("id"), after.at("id"));
  ASSERT_EQ(before.at("type").at("fields").size(), 1u);
  ASSERT_EQ(after.at("type").at("fields").size(), 2u);
  EXPECT_EQ(before.at("type").at("fields").at(0), after.at("type").at("fields").at(0));
  const json& added = after.at("type").at("fields").at(1);
  EXPECT_EQ(added.at("name"), "venue_note");
  EXPECT_EQ(added.at("type"), "string");
  EXPECT_EQ(added.at("id"), io::hashed_field_id({"additional_payload", "venue_note"}));
  EXPECT_GE(metadata.at("last-column-id").get<int>(), added.at("id").get<int>());
  EXPECT_EQ(metadata.at("snapshots").at(1).at("schema-id"), 1);
}

// Every file-system call of an update, failed in turn: the version that was current stays
// current and everything it names exists; the next update then succeeds.
TEST_F(IcebergTest, AFailureAtAnyStepLeavesThePreviousVersionCurrentAndWhole) {
  append(tick_range(0, 150));
  publish();
  append(tick_range(150, 100));
  {
    // Compacted while the metadata cannot be written, so that the update below is the one
    // that drops the replaced parts.
    FaultInjectingFileSystem no_metadata;
    for (int rule = 0; rule < 50; ++rule) {
      no_metadata.fail(FsOperation::kOpenForWrite, 1, EIO, "*/metadata/*");
    }
    Dataset(settings, std::string(kRunId), no_metadata).compact(kEdges);
  }
  const PristineCopy pristine(settings.root_dir, scratch.path() / "pristine");
  FaultInjectingFileSystem counter;
  publish(counter);
  pristine.restore();
  int failures = 0;
  for_each_failing_call(counter, [&](FaultInjectingFileSystem& fs) {
    std::optional<IcebergSummary> summary;
    try {
      summary = publish(fs);
    } catch (const IoError& error) {
      ++failures;
      // Reading the table's own state may fail too; failures of the update say so.
      if (std::string(error.what()).find("/" + std::string(kIcebergFolderName)) !=
          std::string::npos) {
        EXPECT_THAT(error.message(), HasSubstr("Iceberg metadata"));
      }
    }
    // The hint names version 1 or, once version 2 is linked, possibly 2; either is whole.
    const CurrentTable current = read_current(table_dir());
    EXPECT_TRUE(current.version == 1 || (summary && current.version == 2)) << current.version;
    for (const std::filesystem::path& manifest : current.manifests) {
      EXPECT_TRUE(std::filesystem::exists(manifest)) << manifest;
    }
    if (current.version == 2) expect_current_lists_committed_parts();
    EXPECT_EQ(publish().metadata_version, 2);
    expect_current_lists_committed_parts();
    pristine.restore();
  });
  EXPECT_GT(failures, 5);
}

TEST_F(IcebergTest, UpdatesRacingEachOtherEndAtTheNewestVersion) {
  constexpr int kRounds = 8;
  constexpr int kThreads = 4;
  for (int round = 0; round < kRounds; ++round) {
    append({round * 10});
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) threads.emplace_back([&] { publish(); });
    for (std::thread& thread : threads) thread.join();
  }
  const CurrentTable current = read_current(table_dir());
  // One version per round: the racers that lost found it current.
  EXPECT_EQ(current.version, kRounds);
  expect_current_lists_committed_parts();
}

TEST_F(IcebergTest, WithTheSettingOnEveryClosedHandleLeavesTheMetadataCurrent) {
  settings.iceberg_metadata = true;
  append(tick_range(0, 120));
  EXPECT_EQ(read_current(table_dir()).version, 1);
  expect_current_lists_committed_parts();
  append(tick_range(120, 10));
  Dataset(settings, std::string(kRunId)).compact(kEdges);
  const CurrentTable current = read_current(table_dir());
  EXPECT_EQ(current.version, 3);
  expect_current_lists_committed_parts();
  EXPECT_EQ(current.metadata.at("properties").at("crv.log-version"), "3");
}

TEST_F(IcebergTest, ARebuiltManifestIsPublished) {
  settings.iceberg_metadata = true;
  append(tick_range(0, 150));
  append(tick_range(150, 10));
  ASSERT_EQ(read_current(table_dir()).live_files().size(), 3u);
  // A part lost from disk: the rebuilt manifest leaves it out, and so does the next version.
  const std::filesystem::path lost = committed_parts().begin()->first;
  std::filesystem::remove(lost);
  Dataset(settings, std::string(kRunId)).rebuild_manifest(kEdges);
  const std::set<std::filesystem::path> listed = read_current(table_dir()).live_files();
  EXPECT_EQ(listed.size(), 2u);
  EXPECT_FALSE(listed.contains(lost));
  expect_current_lists_committed_parts();
}

TEST_F(IcebergTest, AFailedAutomaticUpdateKeepsTheCommitAndFlushReportsIt) {
  settings.iceberg_metadata = true;
  append(tick_range(0, 10));
  FaultInjectingFileSystem fs;
  fs.fail(FsOperation::kOpenForWrite, 1, EIO, "*/metadata/*");
  Dataset dataset(settings, std::string(kRunId), fs);
  const AppendSummary appended = dataset.append(kEdges, edge_rows(tick_range(10, 5)));
  EXPECT_EQ(appended.rows, 5);
  const auto error = expect_error<IoManifestError>([&] { dataset.flush(); });
  ASSERT_TRUE(error);
  EXPECT_THAT(error->message(), HasSubstr("cannot update the Iceberg metadata"));
  EXPECT_EQ(dataset.read(kEdges).num_rows(), 15);
  EXPECT_EQ(read_current(table_dir()).version, 1);
  dataset.flush();  // the failure was once: this update goes through
  EXPECT_EQ(read_current(table_dir()).version, 2);
  expect_current_lists_committed_parts();
}

TEST_F(IcebergTest, AMissingTableIsAnErrorThatCreatesNothing) {
  const auto error = expect_error<IoManifestError>([&] { publish(); });
  ASSERT_TRUE(error);
  EXPECT_THAT(error->message(), HasSubstr("has no manifest"));
  EXPECT_FALSE(std::filesystem::exists(metadata_dir()));
}

class IcebergAcrossRunsTest : public IcebergTest {
 protected:
  void append_to(const std::string& run, const std::vector<int64_t>& ticks) {
    Dataset(settings, run).append(kEdges, edge_rows(ticks));
  }
  IcebergSummary publish_all() {
    return publish_iceberg_across_runs(settings, kEdges, destination());
  }
  std::filesystem::path destination() const { return scratch.path() / "sweep" / "edges"; }

  // Every run's committed parts, each listed once under its run and bucket.
  void expect_lists_every_run(const std::vector<std::string>& runs) {
    const CurrentTable current = read_current(destination(), true);
    std::set<std::tuple<std::string, int64_t, std::filesystem::path>> expected;
    for (const std::string& run : runs) {
      const TableManifest manifest = Dataset(settings, run).manifest(kEdges);
      for (const auto& [bucket, partition] : manifest.partitions) {
        for (const PartMeta& part : partition.parts) {
          expected.insert(
              {run, bucket,
               io::table_dir(settings, run, kEdges) / bucket_folder_name(bucket) / part.path});
        }
      }
    }
    std::set<std::tuple<std::string, int64_t, std::filesystem::path>> listed;
    for (const DataFileEntry& entry : current.entries) {
      if (entry.status != 2) listed.insert({entry.run, entry.bucket, entry.path});
    }
    EXPECT_EQ(listed, expected);
  }
};

TEST_F(IcebergAcrossRunsTest, OneTableListsEveryRunsPartsPartitionedByRun) {
  append_to("run-a", tick_range(0, 150));
  append_to("run-b", tick_range(0, 40));
  const IcebergSummary summary = publish_all();
  EXPECT_EQ(summary.data_files, 3);
  EXPECT_EQ(summary.rows, 190);
  expect_lists_every_run({"run-a", "run-b"});
  const json metadata = read_current(destination(), true).metadata;
  EXPECT_EQ(metadata.at("location"), file_uri(destination()));
  const json& fields = metadata.at("schemas").at(0).at("fields");
  EXPECT_EQ(fields.back().at("name"), "run_id");
  EXPECT_EQ(fields.back().at("type"), "string");
  const json& spec = metadata.at("partition-specs").at(0).at("fields");
  ASSERT_EQ(spec.size(), 2u);
  EXPECT_EQ(spec.at(1).at("name"), "run_id");
  EXPECT_EQ(spec.at(1).at("source-id"), fields.back().at("id"));
  EXPECT_EQ(spec.at(1).at("transform"), "identity");
  EXPECT_EQ(metadata.at("last-partition-id"), 1001);

  // A run more, and a run gone: the next version adds and removes their parts.
  append_to("run-c", tick_range(0, 10));
  EXPECT_EQ(publish_all().files_added, 1);
  expect_lists_every_run({"run-a", "run-b", "run-c"});
  std::filesystem::remove_all(run_root(settings, "run-b"));
  const IcebergSummary after = publish_all();
  EXPECT_EQ(after.files_removed, 1);
  EXPECT_EQ(after.metadata_version, 3);
  expect_lists_every_run({"run-a", "run-c"});
  EXPECT_FALSE(publish_all().updated);
}

// Field names are unique in an Iceberg schema: a column named run_id (kept by a
// non-strict append) leaves no name for the runs' partition column.
TEST_F(IcebergAcrossRunsTest, RefusesATableWithItsOwnRunIdColumn) {
  settings.strict_schema = false;
  for (const std::string run : {"run-a", "run-b"}) {
    const frame::Frame rows = edge_rows(tick_range(0, 5));
    Dataset(settings, run)
        .append(kEdges,
                rows.add_column("run_id", frame::make_utf8(std::vector<std::optional<std::string>>(
                                              5, std::optional<std::string>(run)))));
  }
  expect_error<IoSchemaError>([&] { publish_all(); },
                              {.message_has = {"has a column named 'run_id'"}, .column = "run_id"});
  EXPECT_FALSE(std::filesystem::exists(destination() / "metadata" / "v1.metadata.json"));
}

TEST_F(IcebergAcrossRunsTest, RefusesADestinationInsideTheRunsAndATableNoRunHas) {
  append_to("run-a", tick_range(0, 10));
  expect_error<IoConfigError>(
      [&] { publish_iceberg_across_runs(settings, kEdges, run_root(settings, "run-a") / "sweep"); },
      {.message_has = {"folder of its own"}});
  expect_error<IoManifestError>(
      [&] { publish_iceberg_across_runs(settings, "holdings", destination()); },
      {.message_has = {"no run under", "'holdings'"}});
  EXPECT_FALSE(std::filesystem::exists(destination()));
}

// A summary's bound, as text.
std::string bound_text(avro_value_t& summary, const char* name) {
  std::optional<avro_value_t> bound = present(summary, name);
  if (!bound) return "<null>";
  const void* bytes = nullptr;
  size_t size = 0;
  avro_value_get_bytes(&*bound, &bytes, &size);
  return std::string(static_cast<const char*>(bytes), size);
}

TEST_F(IcebergAcrossRunsTest, EveryListedManifestKeepsTheRangeOfItsRuns) {
  append_to("run-a", tick_range(0, 10));
  append_to("run-b", tick_range(0, 10));
  publish_all();
  append_to("run-c", tick_range(0, 10));
  publish_all();  // the first manifest is listed again, as it was
  const CurrentTable current = read_current(destination(), true);
  std::map<std::filesystem::path, std::pair<std::string, std::string>> runs_of;  // min, max
  for (const std::filesystem::path& manifest : current.manifests) {
    std::set<std::string> runs;
    read_avro(manifest, spec_manifest_entry_by_run(), [&](avro_value_t& entry) {
      avro_value_t data = field(entry, "data_file");
      avro_value_t partition = field(data, "partition");
      std::optional<avro_value_t> run = present(partition, "run_id");
      const char* text = nullptr;
      size_t size = 0;
      avro_value_get_string(&*run, &text, &size);
      runs.insert(std::string(text, size - 1));
    });
    runs_of[manifest] = {*runs.begin(), *runs.rbegin()};
  }
  ASSERT_EQ(runs_of.size(), 2u);
  int checked = 0;
  const json& snapshot = current.metadata.at("snapshots").back();
  read_avro(path_of_uri(snapshot.at("manifest-list")), kSpecManifestFileSummaries,
            [&](avro_value_t& listed) {
              const std::filesystem::path manifest =
                  path_of_uri(string_field(listed, "manifest_path"));
              std::optional<avro_value_t> summaries = present(listed, "partitions");
              ASSERT_TRUE(summaries);
              size_t count = 0;
              avro_value_get_size(&*summaries, &count);
              ASSERT_EQ(count, 2u);  // bucket, then run_id
              avro_value_t run_summary;
              avro_value_get_by_index(&*summaries, 1, &run_summary, nullptr);
              EXPECT_EQ(bound_text(run_summary, "lower_bound"), runs_of.at(manifest).first);
              EXPECT_EQ(bound_text(run_summary, "upper_bound"), runs_of.at(manifest).second);
              ++checked;
            });
  EXPECT_EQ(checked, 2);
}

// A compaction's replaced parts are deleted only once the Iceberg metadata no longer
// names them; when its update fails they stay on disk.
TEST_F(IcebergTest, ACompactionDeletesNoPartTheCurrentVersionStillNames) {
  settings.iceberg_metadata = true;
  for (int64_t i = 0; i < 4; ++i) append(tick_range(i * 10, 10));
  {
    Dataset dataset(settings, std::string(kRunId));
    dataset.compact(kEdges);
    const CurrentTable current = read_current(table_dir());
    for (const std::filesystem::path& file : current.live_files()) {
      EXPECT_TRUE(std::filesystem::exists(file)) << file;
    }
    expect_current_lists_committed_parts();
  }
  for (int64_t i = 4; i < 8; ++i) append(tick_range(i * 10, 10));
  const std::set<std::filesystem::path> before = read_current(table_dir()).live_files();
  FaultInjectingFileSystem fs;
  for (int nth = 1; nth <= 3; ++nth) fs.fail(FsOperation::kOpenForWrite, nth, EIO, "*/metadata/*");
  Dataset(settings, std::string(kRunId), fs).compact(kEdges);
  for (const std::filesystem::path& file : before) {
    EXPECT_TRUE(std::filesystem::exists(file)) << file;
  }
  publish();
  expect_current_lists_committed_parts();
}

// Metadata exported while the setting is off is what engines read all the same: a
// compaction keeps it current before it deletes the parts it replaced.
TEST_F(IcebergTest, AnExportedTableStaysCurrentThroughACompactionWithTheSettingOff) {
  settings.iceberg_metadata = false;
  for (int64_t i = 0; i < 4; ++i) append(tick_range(i * 10, 10));
  publish();
  EXPECT_EQ(Dataset(settings, std::string(kRunId)).compact(kEdges).parts_removed, 4);
  for (const std::filesystem::path& file : read_current(table_dir()).live_files()) {
    EXPECT_TRUE(std::filesystem::exists(file)) << file;
  }
  expect_current_lists_committed_parts();
}

// DuckDB's iceberg_scan opens the version version-hint.text names: while the hint still
// names the version before a compaction, the parts that version lists stay.
TEST_F(IcebergTest, ACompactionWhoseHintWasNotUpdatedKeepsTheReplacedParts) {
  settings.iceberg_metadata = true;
  for (int64_t i = 0; i < 4; ++i) append(tick_range(i * 10, 10));
  const std::set<std::filesystem::path> before = read_current(table_dir()).live_files();
  FaultInjectingFileSystem fs;
  // Each rule fails the first call it counts: together, every call.
  for (int rule = 0; rule < 20; ++rule) {
    fs.fail(FsOperation::kRename, 1, EIO, "*/metadata/version-hint.text*");
  }
  EXPECT_EQ(Dataset(settings, std::string(kRunId), fs).compact(kEdges).parts_removed, 0);
  for (const std::filesystem::path& file : before) {
    EXPECT_TRUE(std::filesystem::exists(file)) << file;
  }
  const TableFsckReport kept = fsck_table(settings, kRunId, kEdges);
  EXPECT_EQ(kept.findings_of(FsckIssue::kIcebergHintBehind).size(), 1u);
  EXPECT_EQ(kept.findings_of(FsckIssue::kPartKeptForIceberg).size(), before.size());
  EXPECT_TRUE(kept.findings_of(FsckIssue::kUnnamedPart).empty());

  // Repair points the hint at the current version first, as an update would; the parts
  // only the version before named are then unnamed, and moved away.
  const TableFsckReport moved = fsck_table(settings, kRunId, kEdges, {.repair = true});
  ASSERT_EQ(moved.findings_of(FsckIssue::kIcebergHintBehind).size(), 1u);
  EXPECT_EQ(moved.findings_of(FsckIssue::kIcebergHintBehind)[0]->repair, FsckRepair::kRewritten);
  EXPECT_EQ(moved.findings_of(FsckIssue::kUnnamedPart).size(), before.size());
  EXPECT_TRUE(moved.consistent());
  EXPECT_TRUE(iceberg_hint_current(default_file_system(), std::string(kEdges), table_dir()));
  expect_current_lists_committed_parts();
}

// Every file a snapshot removes has a deleted entry in its manifests, also when its
// manifest keeps no live file and when that manifest is merged with others.
TEST_F(IcebergTest, EveryFileASnapshotRemovesHasADeletedEntry) {
  std::set<std::filesystem::path> removed_parts;
  for (int64_t i = 0; i < 20; ++i) {
    const AppendSummary summary =
        Dataset(settings, std::string(kRunId)).append(kEdges, edge_rows({i * 100}));
    if (i * 100 > 1450) removed_parts.insert(summary.parts.front().path);
    publish();
  }
  Dataset(settings, std::string(kRunId)).rewind(kEdges, 1450);
  publish();
  const CurrentTable current = read_current(table_dir());
  std::set<std::filesystem::path> deleted;
  for (const DataFileEntry& entry : current.entries) {
    if (entry.status == 2) deleted.insert(entry.path);
  }
  EXPECT_EQ(deleted, removed_parts);
  const json& snapshot = current.metadata.at("snapshots").back();
  EXPECT_EQ(snapshot.at("summary").at("deleted-data-files"), std::to_string(removed_parts.size()));
  expect_current_lists_committed_parts();

  // Later snapshots never list them as live.
  append(tick_range(0, 1));
  publish();
  for (const DataFileEntry& entry : read_current(table_dir()).entries) {
    if (removed_parts.contains(entry.path)) {
      EXPECT_EQ(entry.status, 2) << entry.path;
    }
  }
  expect_current_lists_committed_parts();
}

// A current version this code did not write (or one damaged in place) is not extended:
// the next version starts afresh, and the append that triggers it is not disturbed.
TEST_F(IcebergTest, MetadataItCannotExtendIsFollowedByAFreshVersion) {
  settings.iceberg_metadata = true;
  settings.manifest_every_commit = true;
  append(tick_range(0, 10));
  const json original = read_json(metadata_dir() / "v1.metadata.json");
  for (const char* foreign :
       {R"({"format-version": 1})", R"({"format-version": 2, "properties": {}, "schemas": "none"})",
        R"([1, 2, 3])"}) {
    SCOPED_TRACE(foreign);
    const int64_t version = read_current(table_dir()).version;
    write_text(metadata_dir() / fmt::format("v{}.metadata.json", version), foreign);
    Dataset dataset(settings, std::string(kRunId));
    EXPECT_EQ(dataset.append(kEdges, edge_rows({10 + version})).rows, 1);
    dataset.flush();
    const CurrentTable current = read_current(table_dir());
    EXPECT_EQ(current.version, version + 1);
    EXPECT_NE(current.metadata.at("table-uuid"), original.at("table-uuid"));
    expect_current_lists_committed_parts();
  }
}

// The current schema of `metadata`.
json current_schema(const json& metadata) {
  for (const json& schema : metadata.at("schemas")) {
    if (schema.at("schema-id") == metadata.at("current-schema-id")) return schema;
  }
  return json();
}

// Every data file of the current snapshot carries, for each column it stores, the id the
// current schema gives the column's path: engines that match by id read every column.
TEST_F(IcebergTest, EveryDataFileCarriesTheFieldIdsOfTheSchema) {
  append(tick_range(0, 250));
  Dataset(settings, std::string(kRunId)).compact(kEdges);
  append(tick_range(250, 10));
  publish();
  const CurrentTable current = read_current(table_dir());
  const FieldIds schema_ids = iceberg_field_ids(current_schema(current.metadata).at("fields"));
  ASSERT_FALSE(current.live_files().empty());
  for (const std::filesystem::path& file : current.live_files()) {
    const parquet::FileInfo info = parquet::ParquetReader(parquet::open_file_source(file)).info();
    EXPECT_EQ(info.field_ids, stored_field_ids(info.fields, schema_ids)) << file;
    EXPECT_EQ(info.field_ids.size(), info.fields.size()) << file;
  }
}

// A member only ever null is not in the schema, and its parts' column carries no id; the
// name mapping still names it, under the id table.json reserved, so an engine that maps
// such a part by name knows the column (and leaves it out) instead of failing on it.
TEST_F(IcebergTest, TheNameMappingNamesMembersOnlyEverNull) {
  Dataset dataset(settings, std::string(kRunId));
  dataset.append(
      "exchange",
      frame::Frame(
          {{"tick", frame::make_int64({1})},
           {"venue_id", frame::make_utf8({"venue"})},
           {"token_id", frame::make_utf8({"tok"})},
           {"exchange_event_type", frame::make_utf8({"trade"})},
           {"additional_payload",
            frame::make_struct({{"fee", frame::make_float64({0.5})},
                                {"later", frame::make_null_array(frame::null_type(), 1)}})}}));
  dataset.publish_iceberg("exchange");
  const CurrentTable current = read_current(io::table_dir(settings, kRunId, "exchange"));
  const FieldIds schema_ids = iceberg_field_ids(current_schema(current.metadata).at("fields"));
  EXPECT_TRUE(schema_ids.contains({"additional_payload", "fee"}));
  EXPECT_FALSE(schema_ids.contains({"additional_payload", "later"}));
  const json mapping = json::parse(
      current.metadata.at("properties").at("schema.name-mapping.default").get<std::string>());
  json payload;
  for (const json& entry : mapping) {
    if (entry.at("names").at(0) == "additional_payload") payload = entry;
  }
  ASSERT_TRUE(payload.contains("fields"));
  ASSERT_EQ(payload.at("fields").size(), 2u);
  EXPECT_EQ(payload.at("fields").at(1).at("names").at(0), "later");
  EXPECT_EQ(payload.at("fields").at(1).at("field-id"),
            hashed_field_id({"additional_payload", "later"}));
}

// Metadata whose schema gives the columns other ids than the parts carry (as versions
// written before the parts carried ids do) is not extended: the next version starts
// afresh, so no earlier snapshot reads its files through ids that are not theirs.
TEST_F(IcebergTest, MetadataWhoseIdsAreNotThePartsIsFollowedByAFreshVersion) {
  append(tick_range(0, 10));
  publish();
  const std::filesystem::path v1 = metadata_dir() / "v1.metadata.json";
  json metadata = read_json(v1);
  int small_id = 0;
  for (json& schema : metadata.at("schemas")) {
    for (json& column : schema.at("fields")) column["id"] = ++small_id;
  }
  metadata["last-column-id"] = small_id;
  write_text(v1, metadata.dump());
  append(tick_range(10, 10));
  const IcebergSummary summary = publish();
  EXPECT_EQ(summary.metadata_version, 2);
  const CurrentTable current = read_current(table_dir());
  EXPECT_NE(current.metadata.at("table-uuid"), metadata.at("table-uuid"));
  EXPECT_EQ(current.metadata.at("schemas").size(), 1u);
  EXPECT_EQ(current.metadata.at("snapshots").size(), 1u);
  EXPECT_EQ(current_schema(current.metadata).at("fields").at(1).at("id"),
            hashed_field_id({"tick"}));
  expect_current_lists_committed_parts();
}

// Manifests and lists no version names (an update that died before linking leaves them)
// go with the next update once they are an hour old; younger ones may belong to an update
// still writing, and stay. Files the current version names stay however old.
TEST_F(IcebergTest, OrphanedManifestsAnHourOldGoWithTheNextUpdate) {
  append(tick_range(0, 120));
  publish();
  const auto hours_ago = std::filesystem::file_time_type::clock::now() - std::chrono::hours(2);
  for (const auto& entry : std::filesystem::directory_iterator(metadata_dir())) {
    std::filesystem::last_write_time(entry.path(), hours_ago);
  }
  const std::vector<std::string> old_orphans = {"0123abcd-m0.avro", "0123abcd-m0.files.json",
                                                "snap-42-0123abcd.avro"};
  for (const std::string& name : old_orphans) {
    write_text(metadata_dir() / name, "left by an update that died");
    std::filesystem::last_write_time(metadata_dir() / name, hours_ago);
  }
  write_text(metadata_dir() / "4567cdef-m0.avro", "an update still writing");
  append(tick_range(120, 10));
  publish();
  for (const std::string& name : old_orphans) {
    EXPECT_FALSE(std::filesystem::exists(metadata_dir() / name)) << name;
  }
  EXPECT_TRUE(std::filesystem::exists(metadata_dir() / "4567cdef-m0.avro"));
  expect_current_lists_committed_parts();
  const CurrentTable current = read_current(table_dir());
  EXPECT_EQ(current.version, 2);
  ASSERT_EQ(current.metadata.at("snapshots").size(), 2u);
  for (const json& snapshot : current.metadata.at("snapshots")) {
    EXPECT_TRUE(std::filesystem::exists(path_of_uri(snapshot.at("manifest-list"))));
  }
}

TEST_F(IcebergTest, AHintNamingADeletedVersionIsPassedOverNotForked) {
  for (int64_t i = 0; i < 7; ++i) {
    append({i});
    publish();
  }
  const std::string uuid =
      read_json(metadata_dir() / "v7.metadata.json").at("table-uuid").get<std::string>();
  ASSERT_FALSE(std::filesystem::exists(metadata_dir() / "v1.metadata.json"));
  write_text(metadata_dir() / "version-hint.text", "1");
  append({7});
  const IcebergSummary summary = publish();
  EXPECT_EQ(summary.metadata_version, 8);
  EXPECT_EQ(read_json(metadata_dir() / "v8.metadata.json").at("table-uuid"), uuid);
  EXPECT_EQ(read_current(table_dir()).version, 8);
  expect_current_lists_committed_parts();
}

TEST_F(IcebergTest, AnUpdateShowsStructMembersOtherWritersRecorded) {
  settings.iceberg_metadata = true;
  const auto exchange_row = [](int64_t tick,
                               std::vector<std::pair<std::string, frame::ArrayPtr>> members) {
    return frame::Frame({{"tick", frame::make_int64({tick})},
                         {"venue_id", frame::make_utf8({"venue"})},
                         {"token_id", frame::make_utf8({"tok"})},
                         {"exchange_event_type", frame::make_utf8({"trade"})},
                         {"additional_payload", frame::make_struct(std::move(members))}});
  };
  Dataset first(settings, std::string(kRunId));
  first.append("exchange", exchange_row(1, {{"fee", frame::make_float64({0.5})}}));
  {
    Dataset second(settings, std::string(kRunId));
    second.append("exchange", exchange_row(2, {{"fee", frame::make_float64({0.5})},
                                               {"venue_note", frame::make_utf8({"x"})}}));
  }
  first.flush();
  const CurrentTable current = read_current(io::table_dir(settings, kRunId, "exchange"));
  EXPECT_THAT(current.metadata.at("schemas").back().dump(), HasSubstr("venue_note"));
}

TEST_F(IcebergTest, OneTableFailingItsUpdateLeavesTheOthersUpdated) {
  settings.iceberg_metadata = true;
  FaultInjectingFileSystem fs;
  for (int nth = 1; nth <= 5; ++nth) {
    fs.fail(FsOperation::kOpenForWrite, nth, EIO, "*/exchange/metadata/*");
  }
  Dataset dataset(settings, std::string(kRunId), fs);
  dataset.append("exchange",
                 frame::Frame({{"tick", frame::make_int64({1})},
                               {"venue_id", frame::make_utf8({"venue"})},
                               {"token_id", frame::make_utf8({"tok"})},
                               {"exchange_event_type", frame::make_utf8({"trade"})},
                               {"additional_payload",
                                frame::make_struct({{"fee", frame::make_float64({0.5})}})}}));
  dataset.append(kEdges, edge_rows(tick_range(0, 5)));
  EXPECT_THROW(dataset.flush(), IoManifestError);
  EXPECT_EQ(read_current(table_dir()).version, 1);
  expect_current_lists_committed_parts();
}

TEST(FileUri, IsAbsoluteAndKeepsThePathAsItIs) {
  EXPECT_EQ(file_uri("/data/run 1/t%"), "file:///data/run 1/t%");
  EXPECT_EQ(file_uri("/data/a/../b/"), "file:///data/b");
  EXPECT_TRUE(file_uri("relative").starts_with("file:///"));
}

}  // namespace
}  // namespace crv::io
