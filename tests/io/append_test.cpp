// Appending through Dataset: what lands on disk (parts, manifest, summary), what is
// rejected (and that a rejection leaves the disk untouched), transactions, batched
// manifest commits and the manifest cache.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"
#include "crv/frame/value.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/manifest.hpp"
#include "crv/io/paths.hpp"
#include "crv/parquet/reader.hpp"
#include "io/dataset_test_util.hpp"
#include "io/fault_injecting_file_system.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace crv::io {
namespace {

using namespace dataset_test;
using frame::Value;
using test_support::expect_error;
using testing::ElementsAre;
using testing::ElementsAreArray;
using testing::HasSubstr;
using testing::IsEmpty;
using testing::MatchesRegex;
using testing::UnorderedElementsAreArray;

using ordered_json = nlohmann::ordered_json;

class AppendTest : public testing::Test {
 protected:
  test_support::TempDir scratch;
  IoSettings settings = test_settings(scratch / "out");
};

std::vector<std::string> object_keys(const ordered_json& object) {
  std::vector<std::string> keys;
  for (const auto& item : object.items()) keys.push_back(item.key());
  return keys;
}

// --- the reference implementation's own checks ---------------------------------------

TEST_F(AppendTest, HundredFiftyEdgesFillTwoBucketsThatTheManifestNames) {
  Dataset dataset(settings, std::string(kRunId));
  const AppendSummary summary = dataset.append(kEdges, edge_rows(tick_range(0, 150)));
  dataset.flush();  // manifest.json follows the commit log at flush() and when closed

  EXPECT_THAT(summary.buckets, ElementsAre(0, 1));
  EXPECT_EQ(summary.rows, 150);

  const ordered_json manifest = ordered_json::parse(read_bytes(edges_manifest(settings)));
  EXPECT_THAT(object_keys(manifest["partitions"]), ElementsAre("000000", "000001"));
  int64_t total_rows = 0;
  for (const auto& [key, partition] : manifest["partitions"].items()) {
    total_rows += partition["row_count"].get<int64_t>();
    for (const ordered_json& part : partition["parts"]) {
      const auto file = edges_dir(settings) / ("bucket=" + key) / part["path"].get<std::string>();
      EXPECT_TRUE(std::filesystem::exists(file)) << file;
    }
  }
  EXPECT_EQ(total_rows, 150);
  EXPECT_EQ(manifest["partitions"]["000000"]["row_count"], 100);
  EXPECT_EQ(manifest["partitions"]["000001"]["row_count"], 50);

  for (const auto& file : files_under(settings.root_dir)) {
    EXPECT_THAT(file.filename().string(), testing::Not(HasSubstr(".tmp"))) << file;
  }
  expect_table_consistent(settings, kEdges);
}

TEST_F(AppendTest, IntegerEdgeWeightsAreStoredAsDoubles) {
  const frame::Frame rows =
      edge_rows({1, 2, 3}).replace_column("edge_weight", frame::make_int64({4, -5, 1'000'000}));
  const AppendSummary summary = append(settings, kRunId, kEdges, rows);

  ASSERT_EQ(summary.parts.size(), 1u);
  auto reader = parquet::ParquetReader::open(summary.parts[0].path);
  const frame::Frame stored = reader.read({.columns = {"edge_weight"}});
  const frame::ArrayPtr& weights = stored.column("edge_weight");
  ASSERT_EQ(weights->type_id(), frame::TypeId::Float64);
  EXPECT_TRUE(weights->equals(*frame::make_float64({4.0, -5.0, 1'000'000.0})))
      << weights->to_string();
}

TEST_F(AppendTest, AMissingEdgeWeightIsASchemaError) {
  const auto error = expect_error<IoSchemaError>([&] {
    append(settings, kRunId, kEdges, edge_rows({1, 2}).drop_column("edge_weight"));
  });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->context().column, "edge_weight");
  EXPECT_THAT(error->message(), HasSubstr("edge_weight"));
  EXPECT_FALSE(std::filesystem::exists(settings.root_dir));
}

TEST_F(AppendTest, NonStrictModeKeepsAnExtraColumnAfterTheDescriptorColumns) {
  settings.strict_schema = false;
  const frame::Frame rows =
      edge_rows({7, 8}).add_column("debug_note", frame::make_utf8({"first", "second"}));
  const AppendSummary summary = append(settings, kRunId, kEdges, rows);

  ASSERT_EQ(summary.parts.size(), 1u);
  auto reader = parquet::ParquetReader::open(summary.parts[0].path);
  ASSERT_FALSE(reader.info().fields.empty());
  EXPECT_EQ(reader.info().fields.back().name, "debug_note");
  EXPECT_TRUE(reader.info().fields.back().nullable);
  const frame::Frame stored = reader.read({.columns = {"debug_note", "tick"}});
  EXPECT_TRUE(stored.column("debug_note")->equals(*frame::make_utf8({"first", "second"})));
  EXPECT_THAT(int64_column(stored, "tick"), ElementsAre(7, 8));
}

// --- summary and part contents ---------------------------------------------------------

TEST_F(AppendTest, SummaryJsonHasTheReferenceShapeAndTheWrittenValues) {
  Dataset dataset(settings, std::string(kRunId));
  const AppendSummary summary = dataset.append(kEdges, edge_rows({5, 7, 120, 130, 199, 250}));

  const ordered_json json = ordered_json::parse(summary.to_json());
  EXPECT_THAT(object_keys(json), ElementsAre("table", "run_id", "parts", "rows", "buckets"));
  EXPECT_EQ(json["table"], "identity_edges");
  EXPECT_EQ(json["run_id"], "run-1");
  EXPECT_EQ(json["rows"], 6);
  EXPECT_EQ(json["buckets"], ordered_json::parse("[0, 1, 2]"));

  struct ExpectedPart {
    int64_t bucket, rows, tick_min, tick_max;
  };
  const std::vector<ExpectedPart> expected = {{0, 2, 5, 7}, {1, 3, 120, 199}, {2, 1, 250, 250}};
  ASSERT_EQ(json["parts"].size(), expected.size());
  const TableManifest manifest = *load_from_disk(edges_manifest(settings));
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(i);
    const ordered_json& part = json["parts"][i];
    EXPECT_THAT(object_keys(part),
                ElementsAre("bucket_id", "path", "rows", "bytes", "tick_min", "tick_max"));
    EXPECT_EQ(part["bucket_id"], expected[i].bucket);
    EXPECT_EQ(part["rows"], expected[i].rows);
    EXPECT_EQ(part["tick_min"], expected[i].tick_min);
    EXPECT_EQ(part["tick_max"], expected[i].tick_max);

    const std::filesystem::path path = part["path"].get<std::string>();
    EXPECT_EQ(path.parent_path(), bucket_dir(settings, kRunId, kEdges, expected[i].bucket));
    EXPECT_THAT(path.filename().string(), MatchesRegex("part-[0-9a-f]{32}\\.parquet"));
    ASSERT_TRUE(std::filesystem::exists(path));
    EXPECT_EQ(part["bytes"].get<uint64_t>(), std::filesystem::file_size(path));

    const PartitionMeta& partition = manifest.partitions.at(expected[i].bucket);
    ASSERT_EQ(partition.parts.size(), 1u);
    EXPECT_EQ(partition.parts[0].path, path.filename().string());
    EXPECT_EQ(partition.parts[0].bytes, part["bytes"].get<int64_t>());
    EXPECT_EQ(partition.parts[0].rows, expected[i].rows);
  }
  // The struct and its JSON agree.
  EXPECT_EQ(summary.rows, 6);
  EXPECT_THAT(summary.buckets, ElementsAre(0, 1, 2));
  ASSERT_EQ(summary.parts.size(), 3u);
  EXPECT_EQ(summary.parts[1].path, json["parts"][1]["path"].get<std::string>());
  EXPECT_EQ(summary.parts[1].bytes, json["parts"][1]["bytes"].get<int64_t>());
}

TEST_F(AppendTest, EveryPartCarriesTheSchemaVersionTableAndRunId) {
  const AppendSummary summary = append(settings, kRunId, kEdges, edge_rows({1, 101, 201, 301}));
  ASSERT_EQ(summary.parts.size(), 4u);
  for (const PartSummary& part : summary.parts) {
    SCOPED_TRACE(part.path);
    const auto reader = parquet::ParquetReader::open(part.path);
    EXPECT_EQ(reader.info().metadata("crv_schema_version"), "0.1@2025-09-20");
    EXPECT_EQ(reader.info().metadata("crv_table_name"), "identity_edges");
    EXPECT_EQ(reader.info().metadata("crv_run_id"), "run-1");
  }
}

TEST_F(AppendTest, EveryPartHoldsEveryDescriptorColumnInOrderWithRequiredOnesNotNullable) {
  // The columns of identity_edges as the contracts list them: name, type, required.
  struct ExpectedColumn {
    std::string name;
    frame::TypeId type;
    bool required;
  };
  const std::vector<ExpectedColumn> expected = {
      {"bucket", frame::TypeId::Int64, true},           {"tick", frame::TypeId::Int64, true},
      {"observer_agent_id", frame::TypeId::Utf8, true}, {"edge_kind", frame::TypeId::Utf8, true},
      {"subject_id", frame::TypeId::Utf8, false},       {"object_id", frame::TypeId::Utf8, false},
      {"related_agent_id", frame::TypeId::Utf8, false}, {"token_id", frame::TypeId::Utf8, false},
      {"edge_weight", frame::TypeId::Float64, true},    {"edge_sign", frame::TypeId::Int64, false},
  };
  Dataset dataset(settings, std::string(kRunId));
  // Only the required columns, given in a shuffled order.
  const frame::Frame minimal =
      edge_rows({3, 4, 5}).select({"edge_weight", "edge_kind", "tick", "observer_agent_id"});
  const AppendSummary first = dataset.append(kEdges, minimal);
  // Some nullable columns too, with nulls in them.
  const AppendSummary second =
      dataset.append(kEdges, edge_rows({6, 7})
                                 .add_column("edge_sign", frame::make_int64({std::nullopt, -1}))
                                 .add_column("subject_id", frame::make_utf8({"s", std::nullopt})));

  std::vector<frame::Field> first_fields;
  for (const AppendSummary* summary : {&first, &second}) {
    ASSERT_EQ(summary->parts.size(), 1u);
    auto reader = parquet::ParquetReader::open(summary->parts[0].path);
    const std::vector<frame::Field>& fields = reader.info().fields;
    ASSERT_EQ(fields.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      SCOPED_TRACE(expected[i].name);
      EXPECT_EQ(fields[i].name, expected[i].name);
      EXPECT_EQ(fields[i].type->id(), expected[i].type);
      EXPECT_EQ(fields[i].nullable, !expected[i].required);
    }
    if (first_fields.empty()) {
      first_fields = fields;
    } else {
      EXPECT_EQ(fields, first_fields) << "parts of one table must share one schema";
    }
  }

  auto first_reader = parquet::ParquetReader::open(first.parts[0].path);
  const frame::Frame first_rows = first_reader.read();
  for (const char* absent :
       {"subject_id", "object_id", "related_agent_id", "token_id", "edge_sign"}) {
    EXPECT_EQ(first_rows.column(absent)->null_count(), 3) << absent;
  }
  EXPECT_THAT(int64_column(first_rows, "tick"), ElementsAre(3, 4, 5));
  EXPECT_THAT(int64_column(first_rows, "bucket"), ElementsAre(0, 0, 0));

  auto second_reader = parquet::ParquetReader::open(second.parts[0].path);
  const frame::Frame second_rows = second_reader.read();
  EXPECT_TRUE(second_rows.column("edge_sign")->equals(*frame::make_int64({std::nullopt, -1})));
  EXPECT_TRUE(second_rows.column("subject_id")->equals(*frame::make_utf8({"s", std::nullopt})));
  EXPECT_EQ(second_rows.column("object_id")->null_count(), 2);
}

TEST_F(AppendTest, UnsortedTicksAreSplitIntoTheirBucketsWithTheirRows) {
  const std::vector<int64_t> ticks = {250, 5, 120, 7, 260, 101, 3, 199};
  std::map<int64_t, std::multiset<int64_t>> expected_ticks;
  for (const int64_t tick : ticks) expected_ticks[tick / 100].insert(tick);

  const AppendSummary summary = append(settings, kRunId, kEdges, edge_rows(ticks));
  EXPECT_EQ(summary.rows, 8);
  EXPECT_THAT(summary.buckets, ElementsAre(0, 1, 2));
  ASSERT_EQ(summary.parts.size(), expected_ticks.size());

  for (const PartSummary& part : summary.parts) {
    SCOPED_TRACE(part.bucket_id);
    const std::multiset<int64_t>& wanted = expected_ticks.at(part.bucket_id);
    EXPECT_EQ(part.rows, static_cast<int64_t>(wanted.size()));
    EXPECT_EQ(part.tick_min, *wanted.begin());
    EXPECT_EQ(part.tick_max, *wanted.rbegin());
    auto reader = parquet::ParquetReader::open(part.path);
    const frame::Frame rows = reader.read();
    const std::vector<int64_t> stored = int64_column(rows, "tick");
    EXPECT_THAT(stored, UnorderedElementsAreArray(wanted));
    // Every row kept its own values, not a neighbour's.
    const frame::ArrayPtr& observers = rows.column("observer_agent_id");
    const double* weights = rows.column("edge_weight")->float64_values();
    for (size_t row = 0; row < stored.size(); ++row) {
      EXPECT_EQ(observers->string_at(static_cast<int64_t>(row)), observer_for_tick(stored[row]));
      EXPECT_EQ(weights[row], weight_for_tick(stored[row]));
    }
    EXPECT_THAT(int64_column(rows, "bucket"),
                ElementsAreArray(std::vector<int64_t>(stored.size(), part.bucket_id)));
  }
  expect_table_consistent(settings, kEdges);
}

TEST_F(AppendTest, AnEmptyFrameIsANoOpThatCreatesNothing) {
  Dataset dataset(settings, std::string(kRunId));
  for (const frame::Frame& empty : {frame::Frame(), edge_rows({})}) {
    const AppendSummary summary = dataset.append(kEdges, empty);
    EXPECT_EQ(summary.table, "identity_edges");
    EXPECT_EQ(summary.run_id, "run-1");
    EXPECT_EQ(summary.rows, 0);
    EXPECT_THAT(summary.parts, IsEmpty());
    EXPECT_THAT(summary.buckets, IsEmpty());
    EXPECT_EQ(ordered_json::parse(summary.to_json()),
              ordered_json::parse(R"({"table": "identity_edges", "run_id": "run-1",
                                     "parts": [], "rows": 0, "buckets": []})"));
  }
  dataset.flush();
  EXPECT_FALSE(std::filesystem::exists(settings.root_dir));

  // Nor does it touch a table that has data.
  dataset.append(kEdges, edge_rows({1}));
  const TreeSnapshot before = snapshot_tree(settings.root_dir);
  dataset.append(kEdges, edge_rows({}));
  EXPECT_EQ(describe_differences(before, snapshot_tree(settings.root_dir)), "");
}

TEST_F(AppendTest, WithoutSchemaValidationTheFrameIsWrittenAsGivenWithItsBucket) {
  const frame::Frame rows = frame::Frame(
      {{"tick", frame::make_int64({1, 150})}, {"anything", frame::make_utf8({"a", "b"})}});
  const AppendSummary summary =
      append(settings, kRunId, kEdges, rows, AppendOptions{.validate_schema = false});
  ASSERT_EQ(summary.parts.size(), 2u);
  auto reader = parquet::ParquetReader::open(summary.parts[1].path);
  std::vector<std::string> names;
  for (const frame::Field& field : reader.info().fields) names.push_back(field.name);
  EXPECT_THAT(names, ElementsAre("bucket", "tick", "anything"));
  EXPECT_THAT(int64_column(reader.read(), "bucket"), ElementsAre(1));

  // The partitioning rules still hold, and strings must still be UTF-8 (the row named is
  // the frame's, not that of its second bucket's part).
  EXPECT_TRUE(expect_error<IoSchemaError>([&] {
    append(settings, kRunId, kEdges, frame::Frame({{"tick", frame::make_int64({-3})}}),
           AppendOptions{.validate_schema = false});
  }));
  const auto invalid = expect_error<IoSchemaError>([&] {
    append(settings, kRunId, kEdges,
           frame::Frame({{"tick", frame::make_int64({1, 150, 151})},
                         {"anything", frame::make_utf8({"a", "b", "\xE2\x82"})}}),
           AppendOptions{.validate_schema = false});
  });
  ASSERT_TRUE(invalid);
  EXPECT_EQ(invalid->context().column, "anything");
  EXPECT_EQ(invalid->context().row, 2);
}

TEST_F(AppendTest, LosslessCastsAreApplied) {
  // Integral float ticks, an agreeing bucket column, and numbers for string columns.
  const frame::Frame rows = edge_rows({5, 150})
                                .replace_column("tick", frame::make_float64({5.0, 150.0}))
                                .add_column("bucket", frame::make_float64({0.0, 1.0}))
                                .add_column("subject_id", frame::make_int64({42, -7}))
                                .add_column("object_id", frame::make_float64({0.1, 2.5}));
  const AppendSummary summary = append(settings, kRunId, kEdges, rows);
  ASSERT_EQ(summary.parts.size(), 2u);
  std::vector<int64_t> ticks;
  std::vector<std::string> subjects;
  std::vector<std::string> objects;
  for (const PartSummary& part : summary.parts) {
    auto reader = parquet::ParquetReader::open(part.path);
    const frame::Frame stored = reader.read();
    ASSERT_EQ(stored.column("tick")->type_id(), frame::TypeId::Int64);
    EXPECT_THAT(int64_column(stored, "bucket"), ElementsAre(part.bucket_id));
    ticks.push_back(int64_column(stored, "tick").at(0));
    subjects.emplace_back(stored.column("subject_id")->string_at(0));
    objects.emplace_back(stored.column("object_id")->string_at(0));
  }
  EXPECT_THAT(ticks, ElementsAre(5, 150));
  EXPECT_THAT(subjects, ElementsAre("42", "-7"));
  EXPECT_THAT(objects, ElementsAre("0.1", "2.5"));
}

TEST_F(AppendTest, BucketsOfAMillionAndMoreKeepAllTheirDigits) {
  const AppendSummary summary = append(settings, kRunId, kEdges, edge_rows({123'456'789}));
  EXPECT_THAT(summary.buckets, ElementsAre(1'234'567));
  ASSERT_EQ(summary.parts.size(), 1u);
  EXPECT_EQ(std::filesystem::path(summary.parts[0].path).parent_path(),
            edges_dir(settings) / "bucket=1234567");
  const ordered_json manifest = ordered_json::parse(read_bytes(edges_manifest(settings)));
  EXPECT_THAT(object_keys(manifest["partitions"]), ElementsAre("1234567"));
  expect_table_consistent(settings, kEdges);
}

// --- rejected input leaves the disk untouched -------------------------------------------

frame::Frame exchange_rows(const std::vector<int64_t>& ticks) {
  std::vector<Value> rows;
  for (const int64_t tick : ticks) {
    rows.push_back(Value::record({{"tick", tick},
                                  {"venue_id", "venue-a"},
                                  {"token_id", "token-x"},
                                  {"exchange_event_type", "trade"},
                                  {"price", 1.5},
                                  {"additional_payload", Value::record({{"note", "ok"}})}}));
  }
  return frame::Frame::from_rows(rows);
}

frame::Frame decision_rows(const std::vector<int64_t>& ticks) {
  std::vector<Value> rows;
  for (const int64_t tick : ticks) {
    const Value candidate = Value::record({{"action_type", "hold"}, {"score", 0.5}});
    rows.push_back(Value::record({{"tick", tick},
                                  {"agent_id", "agent-1"},
                                  {"chosen_action", Value::record({{"action_type", "hold"}})},
                                  {"action_candidates", Value::list({candidate, candidate})},
                                  {"token_value_estimates", Value::record({{"token_x", 2.0}})}}));
  }
  return frame::Frame::from_rows(rows);
}

struct RejectedFrame {
  std::string name;
  std::string table;
  std::function<frame::Frame()> make;
  std::string column;  // the column the error must name
  std::optional<int64_t> row;
  std::vector<std::string> message_parts;
  bool strict = true;
};

std::ostream& operator<<(std::ostream& out, const RejectedFrame& rejected) {
  return out << rejected.name;
}

frame::Frame three_edges() {
  return edge_rows({5, 6, 7});
}

std::vector<RejectedFrame> rejected_frames() {
  return {
      {"NegativeTick",
       "identity_edges",
       [] {
         return three_edges().replace_column("tick", frame::make_int64({5, -1, 7}));
       },
       "tick",
       1,
       {"-1", "negative"}},
      {"NullTick",
       "identity_edges",
       [] {
         return three_edges().replace_column("tick", frame::make_int64({5, std::nullopt, 7}));
       },
       "tick",
       1,
       {"null", "tick"}},
      {"MissingTick",
       "identity_edges",
       [] { return three_edges().drop_column("tick"); },
       "tick",
       std::nullopt,
       {"missing", "tick"}},
      {"NonIntegralFloatTick",
       "identity_edges",
       [] {
         return three_edges().replace_column("tick", frame::make_float64({5.0, 1.5, 7.0}));
       },
       "tick",
       1,
       {"1.5", "tick"}},
      {"BucketDisagreesWithTick",
       "identity_edges",
       [] {
         return edge_rows({5, 150, 7}).add_column("bucket", frame::make_int64({0, 2, 0}));
       },
       "bucket",
       1,
       {"bucket 2", "tick 150"}},
      {"NullInRequiredColumn",
       "identity_edges",
       [] {
         return three_edges().replace_column("observer_agent_id",
                                             frame::make_utf8({"a", std::nullopt, "c"}));
       },
       "observer_agent_id",
       1,
       {"null", "observer_agent_id"}},
      {"MissingRequiredColumn",
       "identity_edges",
       [] { return three_edges().drop_column("edge_kind"); },
       "edge_kind",
       std::nullopt,
       {"missing", "edge_kind", "identity_edges"}},
      {"ExtraColumnInStrictMode",
       "identity_edges",
       [] {
         return three_edges().add_column("debug_note", frame::make_utf8({"a", "b", "c"}));
       },
       "debug_note",
       std::nullopt,
       {"debug_note", "identity_edges", "strict"}},
      {"ExtraColumnNotLowerSnake",
       "identity_edges",
       [] {
         return three_edges().add_column("DebugNote", frame::make_utf8({"a", "b", "c"}));
       },
       "DebugNote",
       std::nullopt,
       {"DebugNote", "lower_snake"},
       /*strict=*/false},
      {"FractionIntoIntegerColumn",
       "identity_edges",
       [] {
         return three_edges().add_column("edge_sign", frame::make_float64({1.0, 1.5, -1.0}));
       },
       "edge_sign",
       1,
       {"1.5", "edge_sign"}},
      {"IntegerWithoutExactDoubleIntoFloatColumn",
       "identity_edges",
       [] {
         return three_edges().replace_column(
             "edge_weight", frame::make_int64(std::vector<int64_t>{1, 9007199254740993, 2}));
       },
       "edge_weight",
       1,
       {"9007199254740993", "edge_weight"}},
      {"BoolIntoStringColumn",
       "identity_edges",
       [] {
         return three_edges().add_column("subject_id", frame::make_bool({true, false, true}));
       },
       "subject_id",
       std::nullopt,
       {"subject_id", "bool", "str"}},
      {"StringIntoStructColumn",
       "exchange",
       [] {
         return exchange_rows({5, 6}).replace_column("additional_payload",
                                                     frame::make_utf8({"{}", "{}"}));
       },
       "additional_payload",
       std::nullopt,
       {"additional_payload", "struct"}},
      {"StructWithoutFields",
       "exchange",
       [] {
         return exchange_rows({5, 6}).replace_column("additional_payload",
                                                     frame::make_struct({}, {true, true}));
       },
       "additional_payload",
       std::nullopt,
       {"additional_payload", "without fields"}},
      {"NonFiniteNumberIntoStringColumn",
       "identity_edges",
       [] {
         return three_edges().add_column(
             "subject_id",
             frame::make_float64({0.5, std::numeric_limits<double>::infinity(), 1.0}));
       },
       "subject_id",
       1,
       {"inf", "subject_id"}},
      {"NestedStructWithoutFields",
       "exchange",
       [] {
         return exchange_rows({5, 6}).replace_column(
             "additional_payload",
             frame::make_struct({{"inner", frame::make_struct({}, {true, true})}}));
       },
       "additional_payload.inner",
       std::nullopt,
       {"additional_payload.inner", "without fields"}},
      {"StringThatIsNotUtf8",
       "identity_edges",
       [] {
         return three_edges().replace_column("observer_agent_id",
                                             frame::make_utf8({"a", "b\xFF", "c"}));
       },
       "observer_agent_id",
       1,
       {"not valid UTF-8", "observer_agent_id"}},
      {"NestedStringThatIsNotUtf8",
       "exchange",
       [] {
         return exchange_rows({5, 6}).replace_column(
             "additional_payload",
             frame::make_struct({{"note", frame::make_utf8({"ok", "\xC3"})}}));
       },
       "additional_payload.note",
       1,
       {"not valid UTF-8", "additional_payload.note"}},
      {"ListOfStringsIntoListOfStructColumn",
       "decisions",
       [] {
         return decision_rows({5, 6}).replace_column(
             "action_candidates", frame::make_list({0, 1, 3}, frame::make_utf8({"a", "b", "c"})));
       },
       "action_candidates",
       std::nullopt,
       {"action_candidates", "list[struct]"}},
  };
}

class RejectedAppend : public testing::TestWithParam<RejectedFrame> {
 protected:
  test_support::TempDir scratch;
  IoSettings settings = test_settings(scratch / "out");
};

TEST_P(RejectedAppend, IsASchemaErrorNamingTheProblemAndChangesNothingOnDisk) {
  const RejectedFrame& rejected = GetParam();
  settings.strict_schema = rejected.strict;
  Dataset dataset(settings, std::string(kRunId));
  // A valid append first, so there is a manifest and a bucket folder to disturb.
  const frame::Frame valid = rejected.table == "exchange"    ? exchange_rows({1, 2})
                             : rejected.table == "decisions" ? decision_rows({1, 2})
                                                             : edge_rows({1, 2});
  ASSERT_EQ(dataset.append(rejected.table, valid).rows, 2);
  dataset.flush();  // manifest.json too is up to date
  const TreeSnapshot before = snapshot_tree(settings.root_dir);

  const frame::Frame input = rejected.make();
  const auto error = expect_error<IoSchemaError>([&] { dataset.append(rejected.table, input); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->context().column, rejected.column);
  EXPECT_EQ(error->context().row, rejected.row);
  for (const std::string& part : rejected.message_parts) {
    EXPECT_THAT(error->message(), HasSubstr(part));
  }
  dataset.flush();
  EXPECT_EQ(describe_differences(before, snapshot_tree(settings.root_dir)), "");

  // A transaction rejects the batch the same way and stays usable.
  Dataset::Transaction transaction = dataset.begin(rejected.table);
  EXPECT_TRUE(expect_error<IoSchemaError>([&] { transaction.add(input); }));
  EXPECT_EQ(transaction.pending_rows(), 0);
  EXPECT_TRUE(transaction.commit().parts.empty());
  EXPECT_EQ(describe_differences(before, snapshot_tree(settings.root_dir)), "");
}

INSTANTIATE_TEST_SUITE_P(Frames, RejectedAppend, testing::ValuesIn(rejected_frames()),
                         [](const auto& info) { return info.param.name; });

// The canonical table names, as the contracts list them.
const std::vector<std::string> kCanonicalTables = {
    "exchange",  "identity_edges", "scenarios_seen", "messages",
    "decisions", "oracle_calls",   "holdings",       "holdings_valuation"};

TEST_F(AppendTest, AnUnknownTableIsAGrammarErrorListingTheValidNames) {
  Dataset dataset(settings, std::string(kRunId));
  dataset.append(kEdges, edge_rows({1}));
  const TreeSnapshot before = snapshot_tree(settings.root_dir);

  for (const char* table : {"edges", "Identity_Edges", "identity_edges/../holdings", ""}) {
    SCOPED_TRACE(table);
    const auto error = expect_error<GrammarError>([&] { dataset.append(table, edge_rows({2})); });
    ASSERT_TRUE(error);
    EXPECT_THAT(error->message(), HasSubstr(fmt::format("'{}'", table)));
    for (const std::string& valid : kCanonicalTables) {
      EXPECT_THAT(error->message(), HasSubstr(valid));
    }
    EXPECT_TRUE(expect_error<GrammarError>([&] { dataset.begin(table); }));
    EXPECT_TRUE(
        expect_error<GrammarError>([&] { append(settings, kRunId, table, edge_rows({2})); }));
  }
  EXPECT_EQ(describe_differences(before, snapshot_tree(settings.root_dir)), "");
}

TEST_F(AppendTest, BadRunIdsAreGrammarErrorsAndWriteNothing) {
  append(settings, kRunId, kEdges, edge_rows({1}));
  const TreeSnapshot before = snapshot_tree(settings.root_dir);

  const std::vector<std::pair<std::string, std::string>> bad_ids = {
      {"..", "outside"},
      {".", "outside"},
      {"a/b", "'/'"},
      {"", "empty"},
      {std::string(256, 'r'), "256"},
  };
  for (const auto& [run_id, explanation] : bad_ids) {
    SCOPED_TRACE(run_id);
    const auto error = expect_error<GrammarError>([&] { Dataset dataset(settings, run_id); });
    ASSERT_TRUE(error);
    EXPECT_THAT(error->message(), HasSubstr("run id"));
    EXPECT_THAT(error->message(), HasSubstr(explanation));
    EXPECT_TRUE(
        expect_error<GrammarError>([&] { append(settings, run_id, kEdges, edge_rows({2})); }));
  }
  // The longest allowed id is fine.
  EXPECT_EQ(append(settings, std::string(255, 'r'), kEdges, edge_rows({2})).rows, 1);
  std::filesystem::remove_all(run_root(settings, std::string(255, 'r')));
  EXPECT_EQ(describe_differences(before, snapshot_tree(settings.root_dir)), "");
}

class CorruptManifest : public AppendTest,
                        public testing::WithParamInterface<std::pair<const char*, std::string>> {};

TEST_P(CorruptManifest, IsAManifestErrorThatOverwritesNothingAndLeavesNoPart) {
  Dataset dataset(settings, std::string(kRunId));
  dataset.append(kEdges, edge_rows({1, 2}));
  // manifest.json is the table's committed state only in a table without a commit log.
  drop_commit_log(dataset, settings, kEdges);
  const std::filesystem::path manifest = edges_manifest(settings);
  default_file_system().write_file(manifest, GetParam().second);
  // Files only: an empty bucket folder left behind holds nothing a reader could see.
  const TreeSnapshot before = files_only(snapshot_tree(settings.root_dir));

  // Into the existing bucket, and into new ones.
  for (const std::vector<int64_t>& ticks : {std::vector<int64_t>{3}, {3, 450, 999}}) {
    Dataset fresh(settings, std::string(kRunId));
    for (Dataset* handle : {&dataset, &fresh}) {
      const auto error =
          expect_error<IoManifestError>([&] { handle->append(kEdges, edge_rows(ticks)); });
      ASSERT_TRUE(error);
      EXPECT_EQ(error->context().path, manifest.string());
      EXPECT_EQ(read_bytes(manifest), GetParam().second);
      EXPECT_EQ(describe_differences(before, files_only(snapshot_tree(settings.root_dir))), "");
    }
  }
}

// A manifest that the first append wrote, edited so that it no longer holds together.
INSTANTIATE_TEST_SUITE_P(
    Manifests, CorruptManifest,
    testing::Values(
        std::make_pair("Truncated", std::string(R"({"table": "identity_edges", "version": 1, )")),
        std::make_pair("NotJson", std::string("not json at all")),
        std::make_pair("Empty", std::string()),
        std::make_pair("WrongAggregate", std::string(R"({"table": "identity_edges", "version": 1,
 "created_at": "2025-01-01T00:00:00.000000+00:00",
 "updated_at": "2025-01-01T00:00:00.000000+00:00",
 "partitions": {"000000": {"bucket_id": 0, "state": "ready", "tick_min": 1, "tick_max": 2,
   "row_count": 3, "byte_size": 10, "parts": [
   {"path": "part-0123456789abcdef0123456789abcdef.parquet", "rows": 2, "bytes": 10,
    "tick_min": 1, "tick_max": 2, "created_at": "2025-01-01T00:00:00.000000+00:00"}]}}})"))),
    [](const auto& info) { return std::string(info.param.first); });

// --- transactions ---------------------------------------------------------------------

TEST_F(AppendTest, ATransactionCommitsSeveralBatchesTogether) {
  settings.row_group_size = 1;        // rows reach the open parts' files as they come
  settings.iceberg_metadata = false;  // the files counted are the table's own
  Dataset dataset(settings, std::string(kRunId));
  const AppendSummary earlier = dataset.append(kEdges, edge_rows({1}));
  dataset.flush();
  const std::string manifest_before = read_bytes(edges_manifest(settings));

  Dataset::Transaction transaction = dataset.begin(kEdges);
  transaction.add(edge_rows({2, 3}));
  transaction.add(edge_rows({150, 151, 250}));
  EXPECT_EQ(transaction.pending_rows(), 5);
  // Written but not committed: the parts exist and no manifest names them.
  EXPECT_EQ(read_bytes(edges_manifest(settings)), manifest_before);
  EXPECT_EQ(named_part_paths(settings, kEdges, *load_from_disk(edges_manifest(settings))),
            summary_part_paths({earlier}));
  // manifest.json, table.json, .lock, the earlier part, the log's first checkpoint and
  // first entry, and one open part per bucket
  EXPECT_EQ(files_under(edges_dir(settings)).size(), 6u + 3u);

  const AppendSummary summary = transaction.commit();
  EXPECT_EQ(summary.rows, 5);
  EXPECT_THAT(summary.buckets, ElementsAre(0, 1, 2));
  EXPECT_EQ(summary.parts.size(), 3u);
  EXPECT_EQ(summary.table, "identity_edges");
  EXPECT_EQ(summary.run_id, "run-1");

  const TableManifest manifest = expect_table_consistent(settings, kEdges);
  EXPECT_EQ(named_part_paths(settings, kEdges, manifest), summary_part_paths({earlier, summary}));
  EXPECT_THAT(committed_ticks(settings, kEdges, manifest),
              UnorderedElementsAreArray({1, 2, 3, 150, 151, 250}));
}

TEST_F(AppendTest, ARejectedBatchLeavesTheEarlierBatchesPendingAndCommittable) {
  settings.row_group_size = 1;  // rows reach the open parts' files as they come
  Dataset dataset(settings, std::string(kRunId));
  Dataset::Transaction transaction = dataset.begin(kEdges);
  transaction.add(edge_rows({10, 110}));
  const std::vector<std::filesystem::path> first_batch_files = files_under(edges_dir(settings));
  ASSERT_EQ(first_batch_files.size(), 2u);

  EXPECT_TRUE(expect_error<IoSchemaError>([&] {
    transaction.add(edge_rows({20, 21}).drop_column("edge_weight"));
  }));
  EXPECT_EQ(transaction.pending_rows(), 2);
  EXPECT_EQ(files_under(edges_dir(settings)), first_batch_files);
  EXPECT_FALSE(std::filesystem::exists(edges_manifest(settings)));

  transaction.add(edge_rows({330}));
  const AppendSummary summary = transaction.commit();
  EXPECT_EQ(summary.rows, 3);
  EXPECT_THAT(summary.buckets, ElementsAre(0, 1, 3));
  const TableManifest manifest = expect_table_consistent(settings, kEdges);
  EXPECT_EQ(named_part_paths(settings, kEdges, manifest), summary_part_paths({summary}));
  EXPECT_THAT(committed_ticks(settings, kEdges, manifest),
              UnorderedElementsAreArray({10, 110, 330}));
}

TEST_F(AppendTest, RollbackAndDestructionWithoutCommitRemoveEveryPart) {
  settings.row_group_size = 1;        // rows reach the open parts' files as they come
  settings.iceberg_metadata = false;  // the files counted are the table's own
  Dataset dataset(settings, std::string(kRunId));
  const AppendSummary earlier = dataset.append(kEdges, edge_rows({1, 2}));
  dataset.flush();
  const TreeSnapshot before = files_only(snapshot_tree(settings.root_dir));

  {
    Dataset::Transaction transaction = dataset.begin(kEdges);
    transaction.add(edge_rows({3, 120}));
    transaction.add(edge_rows({530}));
    // manifest.json, table.json, .lock, the earlier part, the log's first checkpoint and
    // first entry, and one open part per bucket
    EXPECT_EQ(files_under(edges_dir(settings)).size(), 6u + 3u);
    transaction.rollback();
    EXPECT_EQ(transaction.pending_rows(), 0);
    EXPECT_EQ(describe_differences(before, files_only(snapshot_tree(settings.root_dir))), "");
  }
  {
    Dataset::Transaction transaction = dataset.begin(kEdges);
    transaction.add(edge_rows({4, 220}));
    Dataset::Transaction moved = std::move(transaction);
    moved.add(edge_rows({640}));
    EXPECT_EQ(files_under(edges_dir(settings)).size(), 6u + 3u);
  }
  EXPECT_EQ(describe_differences(before, files_only(snapshot_tree(settings.root_dir))), "");

  // The table is still appendable and lost nothing.
  const AppendSummary later = dataset.append(kEdges, edge_rows({5}));
  const TableManifest manifest = expect_table_consistent(settings, kEdges);
  EXPECT_EQ(named_part_paths(settings, kEdges, manifest), summary_part_paths({earlier, later}));
  EXPECT_THAT(committed_ticks(settings, kEdges, manifest), UnorderedElementsAreArray({1, 2, 5}));
}

// --- batched manifest commits ---------------------------------------------------------

TEST_F(AppendTest, EveryThirdAppendCommitsTheBatchAndFlushAndDestructionCommitTheRest) {
  settings.write_manifest_every_n = 3;
  // The one-shot append commits at once whatever the setting says.
  const AppendSummary one_shot = append(settings, kRunId, kEdges, edge_rows({0}));
  const auto named_now = [&] {
    return named_part_paths(settings, kEdges, *load_from_disk(edges_manifest(settings)));
  };
  EXPECT_EQ(named_now(), summary_part_paths({one_shot}));

  std::vector<AppendSummary> appended = {one_shot};
  {
    Dataset dataset(settings, std::string(kRunId));
    appended.push_back(dataset.append(kEdges, edge_rows({1, 101})));
    appended.push_back(dataset.append(kEdges, edge_rows({2})));
    EXPECT_EQ(named_now(), summary_part_paths({one_shot})) << "committed before the third append";
    // Their parts are on disk already.
    for (const auto& path : summary_part_paths({appended[1], appended[2]})) {
      EXPECT_TRUE(std::filesystem::exists(path)) << path;
    }

    appended.push_back(dataset.append(kEdges, edge_rows({3})));
    EXPECT_EQ(named_now(), summary_part_paths(appended));

    appended.push_back(dataset.append(kEdges, edge_rows({4})));
    appended.push_back(dataset.append(kEdges, edge_rows({205})));
    EXPECT_EQ(named_now(), summary_part_paths({appended.begin(), appended.begin() + 4}));
    dataset.flush();
    EXPECT_EQ(named_now(), summary_part_paths(appended));
    dataset.flush();  // nothing left: no change
    EXPECT_EQ(named_now(), summary_part_paths(appended));

    appended.push_back(dataset.append(kEdges, edge_rows({6})));
    EXPECT_NE(named_now(), summary_part_paths(appended));
  }
  EXPECT_EQ(named_now(), summary_part_paths(appended)) << "destruction must commit";
  const TableManifest manifest = expect_table_consistent(settings, kEdges);
  EXPECT_THAT(committed_ticks(settings, kEdges, manifest),
              UnorderedElementsAreArray({0, 1, 101, 2, 3, 4, 205, 6}));
}

TEST_F(AppendTest, BatchedAppendsWithoutAManifestYetLeaveNone) {
  settings.write_manifest_every_n = 3;
  Dataset dataset(settings, std::string(kRunId));
  const AppendSummary first = dataset.append(kEdges, edge_rows({1}));
  const AppendSummary second = dataset.append(kEdges, edge_rows({2}));
  EXPECT_FALSE(std::filesystem::exists(edges_manifest(settings)));
  EXPECT_EQ(first.rows + second.rows, 2);
  // Empty appends do not count towards the batch.
  dataset.append(kEdges, edge_rows({}));
  EXPECT_FALSE(std::filesystem::exists(edges_manifest(settings)));
  const AppendSummary third = dataset.append(kEdges, edge_rows({3}));
  // The third append commits the three (one log entry); manifest.json follows at flush().
  EXPECT_EQ(named_part_paths(settings, kEdges, expect_table_consistent(settings, kEdges)),
            summary_part_paths({first, second, third}));
  EXPECT_FALSE(std::filesystem::exists(edges_manifest(settings)));
  dataset.flush();
  EXPECT_EQ(named_part_paths(settings, kEdges,
                             *load_manifest(default_file_system(), edges_manifest(settings))),
            summary_part_paths({first, second, third}));
}

// --- the manifest cache ---------------------------------------------------------------

TEST_F(AppendTest, AHandleReadsOnlyTheLogEntriesOtherHandlesCommittedSinceItsLastCommit) {
  FaultInjectingFileSystem first_fs;
  Dataset first(settings, std::string(kRunId), first_fs);
  const auto reads = [&](const char* pattern) {
    return first_fs.calls(FsOperation::kOpenForRead, pattern);
  };
  std::vector<AppendSummary> appended;
  appended.push_back(first.append(kEdges, edge_rows({1})));
  appended.push_back(first.append(kEdges, edge_rows({2, 102})));
  appended.push_back(first.append(kEdges, edge_rows({3})));
  EXPECT_EQ(reads("*/_log/*.entry"), 0) << "the handle wrote every entry itself";

  {
    FaultInjectingFileSystem second_fs;
    Dataset second(settings, std::string(kRunId), second_fs);
    appended.push_back(second.append(kEdges, edge_rows({4})));
    // A new handle starts from the checkpoint and reads the three entries after it.
    EXPECT_EQ(second_fs.calls(FsOperation::kOpenForRead, "*/_log/*.checkpoint"), 1);
    EXPECT_EQ(second_fs.calls(FsOperation::kOpenForRead, "*/_log/*.entry"), 3);
  }

  appended.push_back(first.append(kEdges, edge_rows({5})));
  EXPECT_EQ(reads("*/_log/*.entry"), 1);
  appended.push_back(first.append(kEdges, edge_rows({6})));
  EXPECT_EQ(reads("*/_log/*.entry"), 1);
  EXPECT_EQ(reads("*/manifest.json"), 0);
  EXPECT_EQ(reads("*/_log/*.checkpoint"), 0);

  const TableManifest manifest = expect_table_consistent(settings, kEdges);
  EXPECT_EQ(named_part_paths(settings, kEdges, manifest), summary_part_paths(appended));
  EXPECT_EQ(manifest_rows(manifest), 7);
}

TEST_F(AppendTest, ManifestJsonIsRewrittenAtFlushAndCloseOrAtEveryCommitWhenAskedTo) {
  {
    Dataset dataset(settings, std::string(kRunId));
    const AppendSummary first = dataset.append(kEdges, edge_rows({1}));
    EXPECT_FALSE(std::filesystem::exists(edges_manifest(settings)));
    dataset.flush();
    EXPECT_EQ(named_part_paths(settings, kEdges,
                               *load_manifest(default_file_system(), edges_manifest(settings))),
              summary_part_paths({first}));
    dataset.append(kEdges, edge_rows({2}));
    EXPECT_EQ(manifest_rows(*load_manifest(default_file_system(), edges_manifest(settings))), 1);
  }
  EXPECT_EQ(manifest_rows(*load_manifest(default_file_system(), edges_manifest(settings))), 2)
      << "closing the handle rewrites manifest.json";

  settings.manifest_every_commit = true;
  Dataset dataset(settings, std::string(kRunId));
  dataset.append(kEdges, edge_rows({3}));
  EXPECT_EQ(manifest_rows(*load_manifest(default_file_system(), edges_manifest(settings))), 3);
  EXPECT_EQ(*load_manifest(default_file_system(), edges_manifest(settings)),
            *load_from_disk(edges_manifest(settings)));
}

}  // namespace
}  // namespace crv::io
