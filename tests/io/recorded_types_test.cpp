// A table remembers the types of its free-form struct members and the bucket size it was
// created with, so that no append can leave it unreadable or mixed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/file_system.hpp"
#include "crv/io/fsck.hpp"
#include "crv/parquet/reader.hpp"
#include "io/dataset_test_util.hpp"
#include "io/table_metadata.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace crv::io {
namespace {

using namespace dataset_test;
using frame::Value;
using test_support::expect_error;
using testing::AllOf;
using testing::ElementsAre;
using testing::HasSubstr;

constexpr std::string_view kDecisions = "decisions";

// One decision per tick whose limit price is `limit_price` (null when absent).
frame::Frame decision_rows_with_limit(const std::vector<int64_t>& ticks, Value limit_price) {
  std::vector<Value> rows;
  for (const int64_t tick : ticks) {
    rows.push_back(Value::record(
        {{"tick", tick},
         {"agent_id", "a-" + std::to_string(tick)},
         {"chosen_action",
          Value::record({{"action_type", "bid"},
                         {"parameters", Value::record({{"limit_price", limit_price}})}})},
         {"action_candidates", Value::list({Value::record({{"key", "k"}, {"score", 0.5}})})},
         {"token_value_estimates", Value::record({{"gold", 1.5}})}}));
  }
  return frame::Frame::from_rows(rows);
}

class RecordedTypesTest : public testing::Test {
 protected:
  Dataset open() { return Dataset(settings, std::string(kRunId)); }

  std::filesystem::path table_folder(std::string_view table) const {
    return table_dir(settings, kRunId, table);
  }

  // The type the part's footer gives a top-level column.
  static std::string part_type(const std::string& part, std::string_view column) {
    const parquet::ParquetReader reader = parquet::ParquetReader::open(part);
    for (const frame::Field& field : reader.info().fields) {
      if (field.name == column) return field.type->to_string();
    }
    return "<absent>";
  }

  test_support::TempDir scratch;
  IoSettings settings = test_settings(scratch / "out");
};

TEST_F(RecordedTypesTest, AMemberNullInOneAppendKeepsTheTypeItHadAndTheTableStaysReadable) {
  Dataset dataset = open();
  dataset.append(kDecisions, decision_rows_with_limit({1}, 101.5));
  const AppendSummary nulls = dataset.append(kDecisions, decision_rows_with_limit({2}, Value()));
  // Written with the recorded type, not as a string or null column.
  EXPECT_THAT(part_type(nulls.parts[0].path, "chosen_action"),
              HasSubstr("parameters: struct<limit_price: float64>"));

  const frame::Frame all = open().read(kDecisions);
  ASSERT_EQ(all.num_rows(), 2);
  EXPECT_EQ(all.column("chosen_action")->to_string(),
            R"([{"action_type": "bid", "parameters": {"limit_price": 101.5}}, )"
            R"({"action_type": "bid", "parameters": {"limit_price": null}}])");
  EXPECT_THAT(int64_column(open().read(kDecisions, {.columns = {"tick"}}), "tick"),
              ElementsAre(1, 2));
}

TEST_F(RecordedTypesTest, AMemberFirstSeenAllNullIsWrittenWithTheNullTypeAndTakesALaterType) {
  Dataset dataset = open();
  const AppendSummary nulls = dataset.append(kDecisions, decision_rows_with_limit({1}, Value()));
  EXPECT_THAT(part_type(nulls.parts[0].path, "chosen_action"),
              HasSubstr("struct<limit_price: null>"));
  dataset.append(kDecisions, decision_rows_with_limit({2}, 99.25));
  dataset.append(kDecisions, decision_rows_with_limit({3}, Value()));

  const frame::Frame all = open().read(kDecisions, {.columns = {"chosen_action"}});
  EXPECT_EQ(all.column(0)->type()->field(1).type->to_string(), "struct<limit_price: float64>");
  EXPECT_EQ(all.column(0)->to_string(),
            R"([{"action_type": "bid", "parameters": {"limit_price": null}}, )"
            R"({"action_type": "bid", "parameters": {"limit_price": 99.25}}, )"
            R"({"action_type": "bid", "parameters": {"limit_price": null}}])");
  const auto metadata = load_table_metadata(default_file_system(),
                                            table_folder(kDecisions) / "table.json", kDecisions);
  ASSERT_TRUE(metadata);
  EXPECT_THAT(metadata->find("chosen_action")->type->to_string(),
              HasSubstr("limit_price: float64"));
}

TEST_F(RecordedTypesTest, ARealConflictIsRefusedAtAppendTimeAndChangesNothing) {
  open().append(kDecisions, decision_rows_with_limit({1}, 101.5));
  const TreeSnapshot before = snapshot_tree(settings.root_dir);

  const auto error = expect_error<IoSchemaError>(
      [&] { open().append(kDecisions, decision_rows_with_limit({2}, Value("cheap"))); });
  ASSERT_TRUE(error);
  EXPECT_THAT(error->message(),
              AllOf(HasSubstr("'chosen_action.parameters.limit_price' holds utf8"),
                    HasSubstr("recorded it as float64")));
  EXPECT_EQ(describe_differences(before, snapshot_tree(settings.root_dir)), "");
  EXPECT_EQ(open().read(kDecisions).num_rows(), 1);
}

TEST_F(RecordedTypesTest, TwoTransactionsThatDisagreeCommitOnlyTheFirst) {
  Dataset first = open();
  Dataset second = open();
  Dataset::Transaction a = first.begin(kDecisions);
  Dataset::Transaction b = second.begin(kDecisions);
  a.add(decision_rows_with_limit({1}, 1.5));
  b.add(decision_rows_with_limit({2}, Value("x")));
  a.commit();
  const auto error = expect_error<IoSchemaError>([&] { b.commit(); });
  ASSERT_TRUE(error);
  EXPECT_THAT(error->message(), HasSubstr("limit_price"));
  const TableManifest manifest = expect_table_consistent(settings, kDecisions);
  EXPECT_EQ(manifest_rows(manifest), 1);
}

TEST_F(RecordedTypesTest, IntegersWhereDoublesWereRecordedAreCastLosslessly) {
  Dataset dataset = open();
  dataset.append(kDecisions, decision_rows_with_limit({1}, 1.5));
  dataset.append(kDecisions, decision_rows_with_limit({2}, Value(7)));
  const frame::ArrayPtr actions = open().read(kDecisions).column("chosen_action");
  EXPECT_EQ(actions->type()->field(1).type->to_string(), "struct<limit_price: float64>");
  EXPECT_EQ(actions->value_at(1).as_record()[1].second.as_record()[0].second, Value(7.0));
  EXPECT_TRUE(expect_error<IoSchemaError>([&] {
    dataset.append(kDecisions, decision_rows_with_limit({3}, Value(int64_t{1} << 60 | 1)));
  }));
}

// A value that does not fit the recorded type inside a list of structs is reported at the
// row holding it, not at its position among all the rows' items.
TEST_F(RecordedTypesTest, AConflictInsideAListNamesTheRowThatHoldsIt) {
  const auto decision = [](int64_t tick, std::vector<Value> scores) {
    std::vector<Value> candidates;
    for (Value& score : scores) candidates.push_back(Value::record({{"score", std::move(score)}}));
    return Value::record({{"tick", tick},
                          {"agent_id", "a"},
                          {"chosen_action", Value::record({{"action_type", "bid"}})},
                          {"action_candidates", Value::list(std::move(candidates))},
                          {"token_value_estimates", Value::record({{"gold", 1.5}})}});
  };
  const std::vector<Value> first = {decision(1, {Value(1)})};
  open().append(kDecisions, frame::Frame::from_rows(first));
  const std::vector<Value> rows = {decision(2, {Value(1), Value(2), Value(4)}), decision(3, {}),
                                   decision(4, {Value(2.5)}), decision(5, {Value(3)})};
  const frame::Frame batch = frame::Frame::from_rows(rows);
  const auto error = expect_error<IoSchemaError>([&] { open().append(kDecisions, batch); });
  ASSERT_TRUE(error);
  EXPECT_THAT(error->message(), HasSubstr("value 2.5 in column 'action_candidates[].score'"));
  EXPECT_EQ(error->context().row, 2);
  // In a slice of the batch, rows count from the slice's start.
  const auto sliced =
      expect_error<IoSchemaError>([&] { open().append(kDecisions, batch.slice(1, 3)); });
  ASSERT_TRUE(sliced);
  EXPECT_EQ(sliced->context().row, 1);
}

TEST_F(RecordedTypesTest, BatchedAppendsCheckAgainstTypesNotYetCommitted) {
  settings.write_manifest_every_n = 10;
  Dataset dataset = open();
  dataset.append(kDecisions, decision_rows_with_limit({1}, 1.5));
  EXPECT_TRUE(expect_error<IoSchemaError>(
      [&] { dataset.append(kDecisions, decision_rows_with_limit({2}, Value("x"))); }));
  dataset.flush();
  EXPECT_EQ(open().read(kDecisions).num_rows(), 1);
}

TEST_F(RecordedTypesTest, TheBucketSizeIsPinnedWhenTheTableIsCreated) {
  open().append(kEdges, edge_rows({1, 150}));
  const TreeSnapshot before = snapshot_tree(settings.root_dir);
  settings.tick_bucket_size = 50;
  const auto error = expect_error<IoConfigError>([&] { open().append(kEdges, edge_rows({2})); });
  ASSERT_TRUE(error);
  EXPECT_THAT(error->message(), AllOf(HasSubstr("created with tick_bucket_size 100"),
                                      HasSubstr("this append uses 50")));
  EXPECT_EQ(describe_differences(before, snapshot_tree(settings.root_dir)), "");
  // Another table of the run may have its own.
  EXPECT_THAT(open().append(kDecisions, decision_rows_with_limit({120}, 1.0)).buckets,
              ElementsAre(2));
}

TEST_F(RecordedTypesTest, ATableWithoutMetadataKeepsTheBucketSizeItsPartsShow) {
  open().append(kEdges, edge_rows({1, 150}));
  std::filesystem::remove(table_folder(kEdges) / "table.json");
  settings.tick_bucket_size = 50;
  EXPECT_TRUE(expect_error<IoConfigError>([&] { open().append(kEdges, edge_rows({2})); }));
  EXPECT_FALSE(std::filesystem::exists(table_folder(kEdges) / "table.json"));

  // A size that puts every committed tick in the same bucket is taken, and recorded.
  settings.tick_bucket_size = 100;
  open().append(kEdges, edge_rows({2}));
  const auto metadata =
      load_table_metadata(default_file_system(), table_folder(kEdges) / "table.json", kEdges);
  ASSERT_TRUE(metadata);
  EXPECT_EQ(metadata->tick_bucket_size, 100);
}

TEST_F(RecordedTypesTest, ATableWithoutMetadataTakesTheTypesItsPartsHold) {
  open().append(kDecisions, decision_rows_with_limit({1}, 1.5));
  std::filesystem::remove(table_folder(kDecisions) / "table.json");
  const TreeSnapshot before = snapshot_tree(settings.root_dir);
  // Without the footers' types this would be committed and break every read.
  EXPECT_TRUE(expect_error<IoSchemaError>(
      [&] { open().append(kDecisions, decision_rows_with_limit({2}, Value("x"))); }));
  EXPECT_EQ(describe_differences(before, snapshot_tree(settings.root_dir)), "");
  open().append(kDecisions, decision_rows_with_limit({3}, Value()));
  EXPECT_EQ(open().read(kDecisions).num_rows(), 2);
}

TEST_F(RecordedTypesTest, AManifestNamingAnotherTableIsRefused) {
  open().append(kEdges, edge_rows({1}));
  open().append("holdings", frame::Frame({{"tick", frame::make_int64({1})},
                                          {"agent_id", frame::make_utf8({"a"})},
                                          {"token_id", frame::make_utf8({"gold"})},
                                          {"quantity", frame::make_int64({3})}}));
  // The holdings manifest copied over the edges one, in a table without a commit log.
  std::filesystem::remove_all(table_dir(settings, kRunId, kEdges) / "_log");
  std::filesystem::copy_file(manifest_path(settings, kRunId, "holdings"),
                             manifest_path(settings, kRunId, kEdges),
                             std::filesystem::copy_options::overwrite_existing);
  const TreeSnapshot before = snapshot_tree(settings.root_dir);

  const auto error = expect_error<IoManifestError>([&] { open().read(kEdges); });
  ASSERT_TRUE(error);
  EXPECT_THAT(error->message(), HasSubstr("names table 'holdings' but sits in the folder of "
                                          "table 'identity_edges'"));
  EXPECT_TRUE(expect_error<IoManifestError>([&] { open().append(kEdges, edge_rows({2})); }));
  EXPECT_EQ(describe_differences(before, snapshot_tree(settings.root_dir)), "");

  const TableFsckReport report = fsck_table(settings, std::string(kRunId), kEdges);
  ASSERT_FALSE(report.findings.empty());
  EXPECT_EQ(report.findings.front().issue, FsckIssue::kManifestCorrupt);
}

TEST_F(RecordedTypesTest, ADamagedTableMetadataFileIsReportedAndNeverOverwritten) {
  open().append(kEdges, edge_rows({1}));
  const std::filesystem::path metadata = table_folder(kEdges) / "table.json";
  std::ofstream(metadata, std::ios::trunc) << "{\"table\": ";
  const TreeSnapshot before = snapshot_tree(settings.root_dir);
  const auto error = expect_error<IoManifestError>([&] { open().append(kEdges, edge_rows({2})); });
  ASSERT_TRUE(error);
  EXPECT_THAT(error->what(), AllOf(HasSubstr("invalid table metadata"), HasSubstr("table.json")));
  EXPECT_EQ(describe_differences(before, snapshot_tree(settings.root_dir)), "");
  // Reading does not need it.
  EXPECT_EQ(open().read(kEdges).num_rows(), 1);
  const TableFsckReport report = fsck_table(settings, std::string(kRunId), kEdges);
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings.front().issue, FsckIssue::kTableMetadataCorrupt);
  EXPECT_THAT(report.findings.front().message, HasSubstr("remove it"));

  // Removed, it is recorded again from the parts by the next append.
  std::filesystem::remove(metadata);
  open().append(kEdges, edge_rows({2}));
  EXPECT_TRUE(fsck_table(settings, std::string(kRunId), kEdges).consistent());
}

TEST_F(RecordedTypesTest, FsckReportsABucketSizeTheManifestContradicts) {
  open().append(kEdges, edge_rows({1, 150}));
  const std::filesystem::path metadata = table_folder(kEdges) / "table.json";
  std::string text = read_bytes(metadata);
  text.replace(text.find("\"tick_bucket_size\":100"), 22, "\"tick_bucket_size\":10");
  std::ofstream(metadata, std::ios::trunc) << text;
  const TableFsckReport report = fsck_table(settings, std::string(kRunId), kEdges);
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_THAT(report.findings.front().message,
              HasSubstr("tick_bucket_size 10 would not put ticks 150..150 in bucket 1"));
}

}  // namespace
}  // namespace crv::io
