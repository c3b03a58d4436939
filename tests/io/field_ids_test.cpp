// Parquet field ids: how paths get them, how table.json records them, and that every part
// carries the ids its table recorded, through appends, concurrent writers, compaction and
// members only ever null.

#include "io/field_ids.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <unordered_map>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/fsck.hpp"
#include "crv/io/iceberg.hpp"
#include "crv/parquet/reader.hpp"
#include "dataset_test_util.hpp"
#include "io/table_metadata.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace crv::io {
namespace {

using dataset_test::kRunId;
using test_support::expect_error;
using ::testing::HasSubstr;

constexpr std::string_view kExchange = "exchange";
constexpr std::string_view kPayload = "additional_payload";

// Two members of the exchange table's payload whose paths hash to one id: found by
// drawing names until two collide (the birthday bound makes that a few tens of thousands
// of draws).
const std::pair<std::string, std::string>& colliding_members() {
  static const std::pair<std::string, std::string> members = [] {
    std::unordered_map<int32_t, std::string> seen;
    for (int i = 0;; ++i) {
      std::string name = "m" + std::to_string(i);
      const auto [found, inserted] =
          seen.emplace(hashed_field_id({std::string(kPayload), name}), name);
      if (!inserted) return std::pair(found->second, name);
    }
  }();
  return members;
}

frame::Field field(std::string name, frame::TypePtr type) {
  return {std::move(name), std::move(type), true};
}

TEST(FieldIdsTest, AnIdIsAFixedHashOfThePathInTheHashedRange) {
  // The ids of parts already written: a change here would make tables disagree with
  // themselves.
  EXPECT_NE(hashed_field_id({"a", "b"}), hashed_field_id({"ab"}));
  EXPECT_NE(hashed_field_id({"a", "b"}), hashed_field_id({"b", "a"}));
  for (const FieldPath& path :
       std::vector<FieldPath>{{"tick"}, {"bucket"}, {"x", "element"}, {""}}) {
    const int32_t id = hashed_field_id(path);
    EXPECT_GE(id, kFirstHashedFieldId) << field_path_text(path);
    EXPECT_LT(id, kFieldIdLimit) << field_path_text(path);
  }
  // FNV-1a of "tick\x1f" is 0x7fd8ca6c6a3d8961, which is 295471457 in the range: pinned,
  // since every part written so far carries it.
  EXPECT_EQ(hashed_field_id({"tick"}), 295471457);
}

TEST(FieldIdsTest, EveryPathTakesItsHashUnlessAnotherPathHoldsIt) {
  const auto [first, second] = colliding_members();
  const std::vector<frame::Field> columns = {
      field("tick", frame::int64()),
      field(std::string(kPayload),
            frame::struct_({field(first, frame::float64()), field(second, frame::utf8()),
                            field("tags", frame::list(field("item", frame::utf8()))),
                            field("never", frame::null_type())}))};
  FieldIds ids;
  assign_field_ids(columns, ids);
  const std::string payload(kPayload);
  const int32_t hash = hashed_field_id({payload, first});
  EXPECT_EQ(ids.at({payload, first}), hash);
  EXPECT_EQ(ids.at({payload, second}), hash + 1);
  EXPECT_EQ(ids.at({"tick"}), hashed_field_id({"tick"}));
  EXPECT_EQ(ids.at({payload, "tags", "element"}), hashed_field_id({payload, "tags", "element"}));
  EXPECT_TRUE(ids.contains({payload, "never"}));
  EXPECT_EQ(ids.size(), 7u);

  // Recorded ids stay: the path recorded first keeps the hash, whatever order comes later.
  FieldIds recorded = {{{payload, second}, hash}};
  assign_field_ids(columns, recorded);
  EXPECT_EQ(recorded.at({payload, second}), hash);
  EXPECT_EQ(recorded.at({payload, first}), hash + 1);

  // A part stores no values for a null member, so it carries no id for it.
  const FieldIds stored = stored_field_ids(columns, ids);
  EXPECT_FALSE(stored.contains({payload, "never"}));
  EXPECT_EQ(stored.size(), 6u);
}

TEST(FieldIdsTest, MergingRefusesAnIdGivenToTwoPathsAndChangesNothing) {
  FieldIds recorded = {{{"a"}, 70000}, {{"b"}, 70001}};
  const FieldIds before = recorded;
  expect_error<IoSchemaError>(
      [&] {
        merge_field_ids(recorded, {{{"c"}, 70000}});
      },
      {.message_has = {"field id 70000 is 'c' here but 'a' in the table"}, .column = "c"});
  expect_error<IoSchemaError>(
      [&] {
        merge_field_ids(recorded, {{{"z"}, 1}, {{"b"}, 70002}});
      },
      {.message_has = {"'b' has field id 70002 here but 70001 in the table"}, .column = "b"});
  expect_error<IoSchemaError>(
      [&] {
        merge_field_ids(recorded, {{{"x"}, 70010}, {{"y"}, 70010}});
      },
      {.message_has = {"field id 70010 is 'y' here but 'x' in the table"}, .column = "y"});
  EXPECT_EQ(recorded, before);
  merge_field_ids(recorded, {{{"a"}, 70000}, {{"c"}, 70005}});
  EXPECT_EQ(recorded.size(), 3u);
}

TEST(FieldIdsTest, TableJsonKeepsTheIdsAndRefusesDamagedOnes) {
  TableMetadata metadata{"exchange", 100, {field("tick", frame::int64())}, {}};
  metadata.field_ids = {{{"tick"}, 906}, {{"additional_payload", "fee"}, 70000}};
  const std::string bytes = to_json_bytes(metadata);
  EXPECT_THAT(bytes, HasSubstr(R"("field_ids":[{"path":["additional_payload","fee"],"id":70000})"));
  EXPECT_EQ(parse_table_metadata(bytes, "table.json", "exchange"), metadata);
  const std::string prefix =
      R"({"table": "exchange", "format_version": 1, "tick_bucket_size": 100, "columns": [], )";
  for (const auto& [ids, message] : std::vector<std::pair<std::string, std::string>>{
           {R"("field_ids": {})", "'field_ids' is not an array"},
           {R"("field_ids": [{"path": [], "id": 1}])", "is not a list of names"},
           {R"("field_ids": [{"path": ["a", 1], "id": 1}])", "is not a list of names"},
           {R"("field_ids": [{"path": ["a"], "id": 0}])", "is not a positive 32-bit integer"},
           {R"("field_ids": [{"path": ["a"], "id": 2147483648}])", "positive 32-bit"},
           {R"("field_ids": [{"path": ["a"]}])", "a field id has no 'id'"},
           {R"("field_ids": [{"path": ["a"], "id": 5}, {"path": ["b"], "id": 5}])", "twice"},
           {R"("field_ids": [{"path": ["a"], "id": 5}, {"path": ["a"], "id": 6}])", "twice"}}) {
    SCOPED_TRACE(ids);
    expect_error<IoManifestError>(
        [&] { parse_table_metadata(prefix + ids + "}", "table.json", "exchange"); },
        {.message_has = {message}, .path = "table.json"});
  }
}

class FieldIdsDatasetTest : public ::testing::Test {
 protected:
  FieldIdsDatasetTest() : settings(dataset_test::test_settings(scratch.path())) {
    settings.iceberg_metadata = false;
  }

  // One exchange row at `tick` with `payload` as its additional_payload.
  static frame::Frame exchange_row(int64_t tick, frame::ArrayPtr payload) {
    return frame::Frame({{"tick", frame::make_int64({tick})},
                         {"venue_id", frame::make_utf8({"venue"})},
                         {"token_id", frame::make_utf8({"tok"})},
                         {"exchange_event_type", frame::make_utf8({"trade"})},
                         {std::string(kPayload), std::move(payload)}});
  }

  std::filesystem::path table_folder() const { return table_dir(settings, kRunId, kExchange); }

  FieldIds recorded_ids() const {
    const std::optional<TableMetadata> metadata =
        load_table_metadata(fs, table_folder() / kTableMetadataFileName, kExchange);
    return metadata ? metadata->field_ids : FieldIds{};
  }

  // The field ids of every committed part, by file.
  std::map<std::filesystem::path, FieldIds> part_ids() {
    std::map<std::filesystem::path, FieldIds> ids;
    const TableManifest manifest = Dataset(settings, std::string(kRunId)).manifest(kExchange);
    for (const auto& [bucket, partition] : manifest.partitions) {
      for (const PartMeta& part : partition.parts) {
        const auto path = table_folder() / bucket_folder_name(bucket) / part.path;
        ids[path] = parquet::ParquetReader(parquet::open_file_source(path)).info().field_ids;
      }
    }
    return ids;
  }

  // Every id each part carries is the one table.json records for the path, and every path
  // the part stores values of has one.
  void expect_parts_carry_recorded_ids() {
    const FieldIds recorded = recorded_ids();
    for (const auto& [path, ids] : part_ids()) {
      const auto reader = parquet::ParquetReader(parquet::open_file_source(path));
      EXPECT_EQ(ids, stored_field_ids(reader.info().fields, recorded)) << path;
      EXPECT_FALSE(ids.empty()) << path;
    }
  }

  test_support::TempDir scratch;
  IoSettings settings;
  FileSystem& fs = default_file_system();
};

TEST_F(FieldIdsDatasetTest, PartsCarryTheIdsTableJsonRecordsAsMembersArrive) {
  Dataset dataset(settings, std::string(kRunId));
  dataset.append(kExchange,
                 exchange_row(1, frame::make_struct({{"fee", frame::make_float64({0.5})}})));
  const FieldIds first = recorded_ids();
  EXPECT_EQ(first.at({"tick"}), hashed_field_id({"tick"}));
  EXPECT_EQ(first.at({std::string(kPayload), "fee"}),
            hashed_field_id({std::string(kPayload), "fee"}));
  dataset.append(kExchange,
                 exchange_row(2, frame::make_struct({{"note", frame::make_utf8({"x"})},
                                                     {"fee", frame::make_float64({0.25})}})));
  const FieldIds second = recorded_ids();
  for (const auto& [path, id] : first) EXPECT_EQ(second.at(path), id) << field_path_text(path);
  EXPECT_TRUE(second.contains({std::string(kPayload), "note"}));
  expect_parts_carry_recorded_ids();
  EXPECT_EQ(part_ids().size(), 2u);
}

TEST_F(FieldIdsDatasetTest, AMemberOnlyEverNullCarriesNoIdUntilItHasValuesThenKeepsIt) {
  Dataset dataset(settings, std::string(kRunId));
  const frame::ArrayPtr null_fee =
      frame::make_struct({{"fee", frame::make_float64({0.5})},
                          {"later", frame::make_null_array(frame::null_type(), 1)}});
  dataset.append(kExchange, exchange_row(1, null_fee));
  const FieldPath later = {std::string(kPayload), "later"};
  const int32_t reserved = recorded_ids().at(later);
  for (const auto& [path, ids] : part_ids()) EXPECT_FALSE(ids.contains(later)) << path;
  dataset.append(kExchange,
                 exchange_row(2, frame::make_struct({{"later", frame::make_int64({7})}})));
  EXPECT_EQ(recorded_ids().at(later), reserved);
  int carrying = 0;
  for (const auto& [path, ids] : part_ids()) carrying += ids.contains(later);
  EXPECT_EQ(carrying, 1);
  expect_parts_carry_recorded_ids();
}

// Two writers each add a new member, the two hashing alike: the first to commit keeps the
// hash, the second's commit is refused (nothing of it stays) and its retry takes the next id.
TEST_F(FieldIdsDatasetTest, TwoWritersGivingOneIdToTwoNewMembersCommitOneAndRefuseTheOther) {
  const auto [first, second] = colliding_members();
  Dataset writer_a(settings, std::string(kRunId));
  Dataset writer_b(settings, std::string(kRunId));
  writer_a.append(kExchange,
                  exchange_row(0, frame::make_struct({{"fee", frame::make_float64({1})}})));
  writer_b.manifest(kExchange);  // both have read table.json before either adds a member
  Dataset::Transaction a = writer_a.begin(kExchange);
  Dataset::Transaction b = writer_b.begin(kExchange);
  a.add(exchange_row(1, frame::make_struct({{first, frame::make_float64({1.5})}})));
  b.add(exchange_row(2, frame::make_struct({{second, frame::make_utf8({"y"})}})));
  a.commit();
  const dataset_test::TreeSnapshot before = dataset_test::snapshot_tree(settings.root_dir);
  expect_error<IoSchemaError>(
      [&] { b.commit(); },
      {.message_has = {fmt::format("is '{0}.{1}' here but '{0}.{2}' in the table", kPayload, second,
                                   first),
                       "nothing was committed: append the rows again"},
       .path = (table_folder() / kTableMetadataFileName).string(),
       .column = std::string(kPayload) + "." + second});
  EXPECT_EQ(dataset_test::files_only(dataset_test::snapshot_tree(settings.root_dir)),
            dataset_test::files_only(before));
  writer_b.append(kExchange,
                  exchange_row(2, frame::make_struct({{second, frame::make_utf8({"y"})}})));
  const FieldIds ids = recorded_ids();
  const int32_t hash = hashed_field_id({std::string(kPayload), first});
  EXPECT_EQ(ids.at({std::string(kPayload), first}), hash);
  EXPECT_EQ(ids.at({std::string(kPayload), second}), hash + 1);
  expect_parts_carry_recorded_ids();
  EXPECT_EQ(dataset_test::manifest_rows(writer_b.manifest(kExchange)), 3);
}

// Batched appends commit later, several at once: their parts' ids are recorded then.
TEST_F(FieldIdsDatasetTest, BatchedAppendsRecordTheIdsOfEveryBatchedPart) {
  settings.write_manifest_every_n = 3;
  Dataset dataset(settings, std::string(kRunId));
  dataset.append(kExchange,
                 exchange_row(1, frame::make_struct({{"fee", frame::make_float64({1})}})));
  dataset.append(kExchange,
                 exchange_row(2, frame::make_struct({{"note", frame::make_utf8({"n"})}})));
  EXPECT_TRUE(recorded_ids().empty());
  dataset.append(
      kExchange,
      exchange_row(
          3, frame::make_struct({{"tags", frame::make_list({0, 1}, frame::make_utf8({"t"}))}})));
  const FieldIds ids = recorded_ids();
  for (const char* member : {"fee", "note", "tags"}) {
    EXPECT_TRUE(ids.contains({std::string(kPayload), member})) << member;
  }
  EXPECT_TRUE(ids.contains({std::string(kPayload), "tags", "element"}));
  expect_parts_carry_recorded_ids();
  EXPECT_EQ(part_ids().size(), 3u);
}

// Without table.json (removed, or a table older than it), the next commit takes the ids
// the parts carry, not those a fresh assignment would give.
TEST_F(FieldIdsDatasetTest, ATableWithoutTableJsonTakesTheIdsItsPartsCarry) {
  const auto& [first, second] = colliding_members();
  const std::string payload(kPayload);
  {
    Dataset dataset(settings, std::string(kRunId));
    dataset.append(kExchange,
                   exchange_row(1, frame::make_struct({{first, frame::make_float64({1})}})));
    dataset.append(kExchange,
                   exchange_row(2, frame::make_struct({{second, frame::make_utf8({"y"})}})));
  }
  const FieldIds before = recorded_ids();
  EXPECT_EQ(before.at({payload, second}), hashed_field_id({payload, first}) + 1);
  std::filesystem::remove(table_folder() / kTableMetadataFileName);
  Dataset(settings, std::string(kRunId))
      .append(kExchange, exchange_row(3, frame::make_struct({{"fee", frame::make_float64({2})}})));
  const FieldIds after = recorded_ids();
  for (const auto& [path, id] : before) EXPECT_EQ(after.at(path), id) << field_path_text(path);
  expect_parts_carry_recorded_ids();
}

TEST_F(FieldIdsDatasetTest, RewindKeepsTheIdsOfThePartsItCuts) {
  Dataset dataset(settings, std::string(kRunId));
  Dataset::Transaction transaction = dataset.begin(kExchange);
  for (int64_t tick = 0; tick < 4; ++tick) {
    transaction.add(exchange_row(tick, frame::make_struct({{"fee", frame::make_float64({0.5})}})));
  }
  transaction.commit();
  const FieldIds before = part_ids().begin()->second;
  dataset.rewind(kExchange, 1);
  const auto after = part_ids();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after.begin()->second, before);
  EXPECT_EQ(dataset_test::manifest_rows(dataset.manifest(kExchange)), 2);
}

// One run gives the second of two paths that hash alike the next id, another run that
// holds only that path gives it the hash: no one schema matches both runs' parts, and the
// export over every run says so instead of publishing one.
TEST_F(FieldIdsDatasetTest, RunsThatGaveAPathDifferentIdsCannotFormOneTable) {
  const auto& [first, second] = colliding_members();
  Dataset run_a(settings, "run-a");
  run_a.append(kExchange, exchange_row(1, frame::make_struct({{first, frame::make_float64({1})}})));
  run_a.append(kExchange, exchange_row(2, frame::make_struct({{second, frame::make_utf8({"y"})}})));
  Dataset run_b(settings, "run-b");
  run_b.append(kExchange, exchange_row(1, frame::make_struct({{second, frame::make_utf8({"z"})}})));
  const std::filesystem::path sweep = scratch.path() / "sweep";
  expect_error<IoSchemaError>(
      [&] { publish_iceberg_across_runs(settings, kExchange, sweep); },
      {.message_has = {"run 'run-b'", fmt::format("'{}.{}' has field id", kPayload, second)}});
  EXPECT_FALSE(std::filesystem::exists(sweep / "metadata" / "v1.metadata.json"));
}

// table.json that lost the ids (rewritten by a crv-io that knew none, or by a host whose
// lock locked nothing): fsck finds the parts' ids unrecorded and --repair records them; a
// table.json giving a path another id than its parts is reported as damage.
TEST_F(FieldIdsDatasetTest, FsckFindsIdsTableJsonLostAndRepairRecordsThem) {
  Dataset(settings, std::string(kRunId))
      .append(kExchange, exchange_row(1, frame::make_struct({{"fee", frame::make_float64({1})}})));
  const std::filesystem::path table_json = table_folder() / kTableMetadataFileName;
  TableMetadata metadata = *load_table_metadata(fs, table_json, kExchange);
  const FieldIds ids = metadata.field_ids;
  metadata.field_ids.clear();
  write_table_metadata(fs, table_json, metadata);

  const TableFsckReport found = fsck_table(settings, kRunId, kExchange);
  ASSERT_EQ(found.findings.size(), 1u);
  EXPECT_EQ(found.findings[0].issue, FsckIssue::kFieldIdsUnrecorded);
  EXPECT_THAT(found.findings[0].message, HasSubstr("'additional_payload.fee' "));
  const TableFsckReport repaired = fsck_table(settings, kRunId, kExchange, {.repair = true});
  ASSERT_EQ(repaired.findings.size(), 1u);
  EXPECT_EQ(repaired.findings[0].repair, FsckRepair::kRewritten);
  EXPECT_EQ(recorded_ids(), ids);
  EXPECT_TRUE(fsck_table(settings, kRunId, kExchange).findings.empty());

  metadata.field_ids = ids;
  metadata.field_ids[{"tick"}] += 1;
  write_table_metadata(fs, table_json, metadata);
  const TableFsckReport damaged = fsck_table(settings, kRunId, kExchange);
  ASSERT_EQ(damaged.findings.size(), 1u);
  EXPECT_EQ(damaged.findings[0].issue, FsckIssue::kTableMetadataCorrupt);
  EXPECT_THAT(damaged.findings[0].message,
              HasSubstr(fmt::format("'tick' has field id {} here but {} in the table",
                                    ids.at({"tick"}), ids.at({"tick"}) + 1)));
}

// Two parts giving one id to two paths, neither recorded: fsck reports both, and --repair
// records neither, since which part table.json should follow is not its choice.
TEST_F(FieldIdsDatasetTest, RepairRecordsNoIdsWhenThePartsDisagree) {
  const auto& [first, second] = colliding_members();
  Dataset(settings, std::string(kRunId))
      .append(kExchange, exchange_row(1, frame::make_struct({{first, frame::make_float64({1})}})));
  Dataset(settings, "other")
      .append(kExchange,
              exchange_row(150, frame::make_struct({{second, frame::make_utf8({"y"})}})));
  // The other run's part, which gives `second` the id `first` has here, adopted by a
  // rebuild of this run's manifest.
  const std::filesystem::path other_bucket =
      table_dir(settings, "other", kExchange) / "bucket=000001";
  const std::filesystem::path bucket = table_folder() / "bucket=000001";
  std::filesystem::create_directories(bucket);
  for (const auto& entry : std::filesystem::directory_iterator(other_bucket)) {
    std::filesystem::copy_file(entry.path(), bucket / entry.path().filename());
  }
  Dataset(settings, std::string(kRunId)).rebuild_manifest(kExchange);
  const std::filesystem::path table_json = table_folder() / kTableMetadataFileName;
  TableMetadata metadata = *load_table_metadata(fs, table_json, kExchange);
  metadata.field_ids.clear();
  write_table_metadata(fs, table_json, metadata);

  const TableFsckReport repaired = fsck_table(settings, kRunId, kExchange, {.repair = true});
  std::vector<FsckIssue> issues;
  for (const FsckFinding& finding : repaired.findings) {
    issues.push_back(finding.issue);
    EXPECT_EQ(finding.repair, FsckRepair::kNone);
  }
  EXPECT_EQ(issues, (std::vector<FsckIssue>{FsckIssue::kFieldIdsUnrecorded,
                                            FsckIssue::kTableMetadataCorrupt}));
  EXPECT_TRUE(recorded_ids().empty());
}

TEST_F(FieldIdsDatasetTest, CompactionKeepsTheIdsOfThePartsItRewrites) {
  Dataset dataset(settings, std::string(kRunId));
  for (int64_t tick = 0; tick < 4; ++tick) {
    dataset.append(kExchange,
                   exchange_row(tick, frame::make_struct({{"fee", frame::make_float64({0.5})}})));
  }
  const FieldIds before = part_ids().begin()->second;
  const CompactionSummary summary = dataset.compact(kExchange);
  EXPECT_EQ(summary.parts_after, 1);
  const auto after = part_ids();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after.begin()->second, before);
  expect_parts_carry_recorded_ids();
}

}  // namespace
}  // namespace crv::io
