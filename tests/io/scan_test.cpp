// Reading tables back through Dataset: tick-range pruning at the manifest, row-group and
// row levels, column projection, schema unification across parts, limits, and the
// errors for a missing manifest or a missing or corrupt part.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/core/table_descriptor.hpp"
#include "crv/frame/builders.hpp"
#include "crv/frame/value.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/scan.hpp"
#include "crv/parquet/writer.hpp"
#include "io/dataset_test_util.hpp"
#include "io/fault_injecting_file_system.hpp"
#include "io/part_damage.hpp"
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

class ScanTest : public testing::Test {
 protected:
  Dataset open() { return Dataset(settings, std::string(kRunId), fs); }

  // Adds `rows` as a part that no append of this table checked (written into another
  // run, copied in, and the manifest rebuilt), so parts can disagree as those of a table
  // assembled by hand may.
  AppendSummary append_unchecked(std::string_view table, const frame::Frame& rows) {
    AppendSummary summary = Dataset(settings, "elsewhere", fs).append(table, rows);
    for (PartSummary& part : summary.parts) {
      const std::filesystem::path copy = bucket_dir(settings, kRunId, table, part.bucket_id) /
                                         std::filesystem::path(part.path).filename();
      std::filesystem::create_directories(copy.parent_path());
      std::filesystem::copy_file(part.path, copy);
      part.path = copy.string();
    }
    open().rebuild_manifest(table);
    return summary;
  }

  int part_opens(std::string_view pattern = "*/part-*.parquet") const {
    return fs.calls(FsOperation::kOpenForRead, pattern);
  }

  test_support::TempDir scratch;
  IoSettings settings = test_settings(scratch / "out");
  FaultInjectingFileSystem fs;
};

std::vector<std::string> string_column(const frame::Frame& rows, std::string_view name) {
  const frame::ArrayPtr& column = rows.column(name);
  std::vector<std::string> values;
  for (int64_t row = 0; row < column->length(); ++row) {
    values.emplace_back(column->string_at(row));
  }
  return values;
}

std::vector<Value> values_of(const frame::Frame& rows, std::string_view name) {
  const frame::ArrayPtr& column = rows.column(name);
  std::vector<Value> values;
  for (int64_t row = 0; row < column->length(); ++row) values.push_back(column->value_at(row));
  return values;
}

// The ticks of `ticks` in [low, high], in their order.
std::vector<int64_t> ticks_between(const std::vector<int64_t>& ticks, int64_t low, int64_t high) {
  std::vector<int64_t> kept;
  std::copy_if(ticks.begin(), ticks.end(), std::back_inserter(kept),
               [&](int64_t tick) { return tick >= low && tick <= high; });
  return kept;
}

std::vector<int64_t> joined(std::vector<int64_t> first, const std::vector<int64_t>& second) {
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

// Checks that every row's other columns belong to its tick.
void expect_rows_aligned(const frame::Frame& rows) {
  const std::vector<int64_t> ticks = int64_column(rows, "tick");
  const std::vector<std::string> observers = string_column(rows, "observer_agent_id");
  const frame::ArrayPtr& weights = rows.column("edge_weight");
  for (size_t row = 0; row < ticks.size(); ++row) {
    EXPECT_EQ(observers[row], observer_for_tick(ticks[row]));
    EXPECT_EQ(weights->float64_values()[row], weight_for_tick(ticks[row]));
  }
}

// --- the reference implementation's own checks ---------------------------------------

TEST_F(ScanTest, ARangeAcrossTwoAppendsReturnsExactlyItsTicksFromBothBuckets) {
  Dataset dataset = open();
  dataset.append(kEdges, edge_rows(tick_range(0, 100)));
  dataset.append(kEdges, edge_rows(tick_range(100, 100)));

  const frame::Frame rows = dataset.read(kEdges, {.tick_min = 50, .tick_max = 120});

  EXPECT_THAT(int64_column(rows, "tick"), ElementsAreArray(tick_range(50, 71)));
  expect_rows_aligned(rows);
  EXPECT_GT(part_opens("*/bucket=000000/part-*"), 0);
  EXPECT_GT(part_opens("*/bucket=000001/part-*"), 0);
}

TEST_F(ScanTest, ADamagedPageIsAFormatErrorNamingThePartUnlessVerificationIsOff) {
  Dataset dataset = open();
  const AppendSummary summary = dataset.append(kEdges, edge_rows(tick_range(100, 80)));
  ASSERT_EQ(summary.parts.size(), 1u);
  const std::string part = summary.parts.front().path;
  part_damage::flip_page_byte(part, "edge_weight");

  const auto error = expect_error<IoFormatError>([&] { dataset.read(kEdges); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->context().path, part);
  EXPECT_EQ(error->context().column, "edge_weight");
  EXPECT_THAT(error->message(), HasSubstr("checksum mismatch"));
  // Other columns do not read the damaged page.
  EXPECT_EQ(dataset.read(kEdges, {.columns = {"tick", "observer_agent_id"}}).num_rows(), 80);

  // Unverified, the flipped bit reads back as a different weight, silently.
  const frame::Frame unverified =
      dataset.read(kEdges, {.verification = {.checksums = false, .utf8 = false}});
  ASSERT_EQ(unverified.num_rows(), 80);
  const frame::ArrayPtr& weights = unverified.column("edge_weight");
  int differing = 0;
  for (int64_t row = 0; row < 80; ++row) {
    differing += weights->float64_values()[row] != weight_for_tick(100 + row);
  }
  EXPECT_EQ(differing, 1);
}

TEST_F(ScanTest, WithoutAManifestAScanPointsToRebuildManifestWhichRestoresEveryRow) {
  Dataset dataset = open();
  dataset.append(kEdges, edge_rows(tick_range(0, 20)));
  // Everything but the parts is lost: the commit log and manifest.json.
  drop_commit_log(dataset, settings, kEdges);
  std::filesystem::remove(edges_manifest(settings));

  const auto error = expect_error<IoManifestError>([&] { dataset.scan(kEdges); });
  ASSERT_TRUE(error);
  EXPECT_THAT(error->message(), HasSubstr("rebuild_manifest"));
  EXPECT_THAT(error->message(), HasSubstr("crvio rebuild-manifest"));
  EXPECT_EQ(error->context().path, edges_manifest(settings).string());

  dataset.rebuild_manifest(kEdges);
  const frame::Frame rows = dataset.read(kEdges);
  EXPECT_EQ(rows.num_rows(), 20);
  EXPECT_THAT(int64_column(rows, "tick"), ElementsAreArray(tick_range(0, 20)));
}

// --- pruning ---------------------------------------------------------------------------

TEST_F(ScanTest, OnePercentOfAHundredBucketsOpensOnlyTheOverlappingBuckets) {
  settings.tick_bucket_size = 10;
  Dataset dataset = open();
  std::vector<int64_t> ticks;
  for (int64_t tick = 0; tick < 1000; ++tick) ticks.insert(ticks.end(), 3, tick);
  ASSERT_EQ(dataset.append(kEdges, edge_rows(ticks)).buckets.size(), 100u);

  const int before = part_opens();
  const frame::Frame one_bucket = dataset.read(kEdges, {.tick_min = 500, .tick_max = 509});
  EXPECT_EQ(one_bucket.num_rows(), 30);
  EXPECT_EQ(ticks_between(int64_column(one_bucket, "tick"), 500, 509).size(), 30u);
  const int opened = part_opens() - before;
  EXPECT_GT(opened, 0);
  EXPECT_EQ(opened, part_opens("*/bucket=000050/part-*"));

  const int before_two = part_opens();
  const frame::Frame two_buckets = dataset.read(kEdges, {.tick_min = 505, .tick_max = 514});
  EXPECT_THAT(int64_column(two_buckets, "tick"), ElementsAreArray(ticks_between(ticks, 505, 514)));
  EXPECT_EQ(part_opens() - before_two,
            part_opens("*/bucket=000050/part-*") - opened + part_opens("*/bucket=000051/part-*"));
}

TEST_F(ScanTest, ChosenBucketsAreTheOnlyOnesOpenedAndCombineWithTheTickRange) {
  settings.tick_bucket_size = 10;
  Dataset dataset = open();
  const std::vector<int64_t> ticks = tick_range(0, 50);
  ASSERT_EQ(dataset.append(kEdges, edge_rows(ticks)).buckets.size(), 5u);

  const int before = part_opens();
  const frame::Frame two = dataset.read(kEdges, {.buckets = {3, 1}});
  EXPECT_THAT(int64_column(two, "tick"),
              ElementsAreArray(joined(ticks_between(ticks, 10, 19), ticks_between(ticks, 30, 39))));
  EXPECT_EQ(part_opens() - before,
            part_opens("*/bucket=000001/part-*") + part_opens("*/bucket=000003/part-*"));
  expect_rows_aligned(two);

  const frame::Frame ranged =
      dataset.read(kEdges, {.tick_min = 15, .tick_max = 42, .buckets = {1, 4}});
  EXPECT_THAT(int64_column(ranged, "tick"),
              ElementsAreArray(joined(ticks_between(ticks, 15, 19), ticks_between(ticks, 40, 42))));
  EXPECT_EQ(dataset.read(kEdges, {.buckets = {7}}).num_rows(), 0);
}

TEST_F(ScanTest, RowGroupsOutsideTheRangeAreSkippedByTheirStatistics) {
  settings.tick_bucket_size = 100'000;
  settings.row_group_size = 500;
  Dataset dataset = open();
  dataset.append(kEdges, edge_rows(tick_range(0, 10'000)));

  uint64_t before = fs.bytes_read();
  TableScanner full = dataset.scan(kEdges);
  while (full.next()) {
  }
  const uint64_t full_bytes = fs.bytes_read() - before;
  EXPECT_EQ(full.stats().row_groups_selected, 20);
  EXPECT_EQ(full.stats().row_groups_filtered, 0);

  before = fs.bytes_read();
  TableScanner aligned = dataset.scan(kEdges, {.tick_min = 5000, .tick_max = 5499});
  std::optional<frame::Frame> batch = aligned.next();
  ASSERT_TRUE(batch);
  EXPECT_THAT(int64_column(*batch, "tick"), ElementsAreArray(tick_range(5000, 500)));
  EXPECT_FALSE(aligned.next());
  const uint64_t aligned_bytes = fs.bytes_read() - before;
  EXPECT_EQ(aligned.stats().row_groups_pruned, 19);
  EXPECT_EQ(aligned.stats().row_groups_filtered, 0);
  // Both read the footer; the data of one row group of twenty is far less than all.
  EXPECT_LT(aligned_bytes * 5, full_bytes);

  TableScanner straddling = dataset.scan(kEdges, {.tick_min = 5250, .tick_max = 5749});
  std::vector<int64_t> ticks;
  while (auto rows = straddling.next()) {
    for (int64_t tick : int64_column(*rows, "tick")) ticks.push_back(tick);
  }
  EXPECT_THAT(ticks, ElementsAreArray(tick_range(5250, 500)));
  EXPECT_EQ(straddling.stats().row_groups_selected, 2);
  EXPECT_EQ(straddling.stats().row_groups_filtered, 2);
}

TEST_F(ScanTest, UnsortedTicksAreFilteredRowByRowKeepingTheStoredOrder) {
  std::vector<int64_t> ticks = tick_range(0, 60);
  std::shuffle(ticks.begin(), ticks.end(), std::mt19937(7));
  Dataset dataset = open();
  dataset.append(kEdges, edge_rows(ticks));

  const frame::Frame rows = dataset.read(kEdges, {.tick_min = 10, .tick_max = 29});
  EXPECT_THAT(int64_column(rows, "tick"), ElementsAreArray(ticks_between(ticks, 10, 29)));
  expect_rows_aligned(rows);
}

TEST_F(ScanTest, ARangeThatMissesEveryPartOpensNone) {
  Dataset dataset = open();
  dataset.append(kEdges, edge_rows(tick_range(0, 50)));
  const int before = part_opens();

  const frame::Frame rows = dataset.read(kEdges, {.tick_min = 500});
  EXPECT_EQ(rows.num_rows(), 0);
  std::vector<std::string> canonical;
  for (const auto& column : core::get_table(kEdges).columns) canonical.emplace_back(column.name);
  EXPECT_EQ(rows.names(), canonical);
  EXPECT_EQ(dataset.read(kEdges, {.tick_min = 30, .tick_max = 20}).num_rows(), 0);
  EXPECT_EQ(part_opens(), before);
}

// --- row ranges inside row groups --------------------------------------------------------

// The rows of `all` whose tick lies in [low, high], in their order: what a range scan must
// return, found without any pruning.
frame::Frame rows_between(const frame::Frame& all, int64_t low, int64_t high) {
  const frame::ArrayPtr& ticks = all.column("tick");
  std::vector<int64_t> kept;
  for (int64_t row = 0; row < ticks->length(); ++row) {
    const int64_t tick = ticks->int64_values()[row];
    if (ticks->is_valid(row) && tick >= low && tick <= high) kept.push_back(row);
  }
  return all.take(kept);
}

void expect_same_rows(const frame::Frame& actual, const frame::Frame& expected) {
  ASSERT_EQ(actual.names(), expected.names());
  ASSERT_EQ(actual.num_rows(), expected.num_rows());
  for (size_t column = 0; column < expected.num_columns(); ++column) {
    EXPECT_TRUE(actual.column(column)->equals(*expected.column(column)))
        << expected.name(column) << "\nexpected " << expected.column(column)->to_string()
        << "\nactual   " << actual.column(column)->to_string();
  }
}

// identity_edges rows with every nullable column present and null at random.
frame::Frame edges_with_nulls(const std::vector<int64_t>& ticks) {
  std::mt19937_64 random(5);
  const auto maybe = [&](int one_in, Value value) {
    return random() % one_in == 0 ? Value(nullptr) : std::move(value);
  };
  std::vector<Value> rows;
  for (const int64_t tick : ticks) {
    rows.push_back(Value::record(
        {{"tick", tick},
         {"observer_agent_id", observer_for_tick(tick)},
         {"edge_kind", random() % 2 == 0 ? "trust" : "alliance"},
         {"subject_id", maybe(3, Value("s" + std::to_string(random() % 40)))},
         {"object_id", maybe(2, Value("o" + std::to_string(random() % 1000)))},
         {"related_agent_id", maybe(4, Value("agent-" + std::to_string(random() % 9)))},
         {"token_id", maybe(5, Value("token-" + std::to_string(random() % 3)))},
         {"edge_weight", weight_for_tick(tick)},
         {"edge_sign", maybe(3, Value(static_cast<int64_t>(random() % 3) - 1))}}));
  }
  return frame::Frame::from_rows(rows);
}

// Ranged scans against the unpruned rows: ranges inside one row group, across row-group
// boundaries, ending on them, and covering everything, on one thread and on several.
void expect_ranges_match_the_unpruned_rows(Dataset& dataset, std::string_view table,
                                           const std::vector<std::pair<int64_t, int64_t>>& ranges) {
  const frame::Frame all = dataset.read(table);
  for (const auto& [low, high] : ranges) {
    for (unsigned threads : {1u, 2u}) {
      SCOPED_TRACE(testing::Message()
                   << "ticks " << low << ".." << high << ", " << threads << " threads");
      expect_same_rows(dataset.read(table, {.tick_min = low, .tick_max = high, .threads = threads}),
                       rows_between(all, low, high));
    }
  }
}

TEST_F(ScanTest, RangesInsideAndAcrossRowGroupsReturnTheUnprunedRowsWithTheirNulls) {
  settings.tick_bucket_size = 1000;
  settings.row_group_size = 64;
  Dataset dataset = open();
  std::vector<int64_t> ticks;
  for (int64_t tick = 0; tick < 100; ++tick) ticks.insert(ticks.end(), 3, tick);
  dataset.append(kEdges, edges_with_nulls(ticks));

  // Row groups hold 64 rows, 21 1/3 ticks: tick 21 straddles the first boundary.
  expect_ranges_match_the_unpruned_rows(
      dataset, kEdges,
      {{2, 5}, {0, 0}, {20, 22}, {21, 21}, {10, 50}, {42, 42}, {0, 99}, {99, 200}});
  TableScanner straddling = dataset.scan(kEdges, {.tick_min = 20, .tick_max = 22});
  while (straddling.next()) {
  }
  EXPECT_EQ(straddling.stats().row_groups_filtered, 2);
  EXPECT_EQ(straddling.stats().rows_yielded, 9);
}

TEST_F(ScanTest, UnsortedTicksReturnTheUnprunedRowsWhetherTheMatchesAreTogetherOrApart) {
  settings.row_group_size = 40;
  Dataset dataset = open();
  std::vector<int64_t> ticks = tick_range(0, 100);
  std::shuffle(ticks.begin(), ticks.end(), std::mt19937(3));
  // Tick 0 at both ends of the first row group: the span to decode is the whole group.
  std::swap(ticks[0], *std::find(ticks.begin(), ticks.end(), 0));
  ticks[39] = 0;
  // A descending run in the second row group: its matches lie together, out of order.
  std::sort(ticks.begin() + 45, ticks.begin() + 60, std::greater<>());
  dataset.append(kEdges, edges_with_nulls(ticks));

  expect_ranges_match_the_unpruned_rows(
      dataset, kEdges, {{0, 0}, {ticks[50], ticks[46]}, {30, 60}, {0, 99}, {ticks[70], ticks[70]}});
}

frame::Frame decisions(const std::vector<int64_t>& ticks) {
  std::mt19937_64 random(9);
  std::vector<Value> rows;
  for (const int64_t tick : ticks) {
    std::vector<Value> candidates;
    for (int k = 0; k < static_cast<int>(random() % 4); ++k) {
      candidates.push_back(Value::record(
          {{"action_type", random() % 2 == 0 ? "hold" : "sell"},
           {"score", random() % 5 == 0 ? Value(nullptr) : Value(0.25 * (random() % 8))}}));
    }
    rows.push_back(Value::record(
        {{"tick", tick},
         {"agent_id", "agent-" + std::to_string(random() % 5)},
         {"chosen_action", Value::record({{"action_type", "hold"}, {"size", int64_t{tick}}})},
         {"action_candidates", Value::list(std::move(candidates))},
         {"token_value_estimates",
          Value::record({{"token_x", random() % 3 == 0 ? Value(nullptr) : Value(2.0)}})}}));
  }
  return frame::Frame::from_rows(rows);
}

TEST_F(ScanTest, NestedColumnsReturnTheUnprunedRowsAcrossRowGroups) {
  settings.row_group_size = 25;
  Dataset dataset = open();
  std::vector<int64_t> ticks;
  for (int64_t tick = 0; tick < 60; ++tick) ticks.insert(ticks.end(), 2, tick);
  dataset.append("decisions", decisions(ticks));

  expect_ranges_match_the_unpruned_rows(dataset, "decisions",
                                        {{3, 4}, {12, 13}, {11, 40}, {24, 25}, {0, 59}});
}

// --- batches, projection, limits ------------------------------------------------------------

TEST_F(ScanTest, EachBatchIsOneRowGroup) {
  settings.row_group_size = 10;
  Dataset dataset = open();
  dataset.append(kEdges, edge_rows(tick_range(0, 45)));

  TableScanner scanner = dataset.scan(kEdges);
  std::vector<int64_t> sizes;
  std::vector<int64_t> ticks;
  while (auto batch = scanner.next()) {
    sizes.push_back(batch->num_rows());
    for (int64_t tick : int64_column(*batch, "tick")) ticks.push_back(tick);
  }
  EXPECT_THAT(sizes, ElementsAreArray({10, 10, 10, 10, 5}));
  EXPECT_THAT(ticks, ElementsAreArray(tick_range(0, 45)));
  EXPECT_EQ(scanner.stats().rows_yielded, 45);
}

TEST_F(ScanTest, ProjectionReturnsTheRequestedColumnsInOrderAndDropsTheFilterTick) {
  Dataset dataset = open();
  dataset.append(kEdges, edge_rows(tick_range(0, 150)));

  const frame::Frame weights =
      dataset.read(kEdges, {.tick_min = 90, .tick_max = 109, .columns = {"edge_weight"}});
  ASSERT_EQ(weights.names(), std::vector<std::string>{"edge_weight"});
  std::vector<Value> expected;
  for (int64_t tick = 90; tick <= 109; ++tick) expected.emplace_back(weight_for_tick(tick));
  EXPECT_EQ(values_of(weights, "edge_weight"), expected);

  const frame::Frame reordered =
      dataset.read(kEdges, {.tick_min = 90, .tick_max = 109, .columns = {"edge_weight", "tick"}});
  EXPECT_EQ(reordered.names(), (std::vector<std::string>{"edge_weight", "tick"}));
  EXPECT_THAT(int64_column(reordered, "tick"), ElementsAreArray(tick_range(90, 20)));
}

TEST_F(ScanTest, ProjectionReadsOnlyTheRequestedColumnChunks) {
  Dataset dataset = open();
  dataset.append(kEdges, edge_rows(tick_range(0, 100)));

  uint64_t before = fs.bytes_read();
  dataset.read(kEdges);
  const uint64_t all_columns = fs.bytes_read() - before;
  before = fs.bytes_read();
  dataset.read(kEdges, {.columns = {"edge_weight"}});
  const uint64_t one_column = fs.bytes_read() - before;
  EXPECT_LT(one_column, all_columns);
}

TEST_F(ScanTest, ADescriptorColumnThatNoPartHoldsIsAllNull) {
  Dataset dataset = open();
  dataset.append(kEdges, edge_rows(tick_range(0, 5)), {.validate_schema = false});

  const frame::Frame rows = dataset.read(kEdges, {.columns = {"tick", "subject_id", "edge_sign"}});
  ASSERT_EQ(rows.num_rows(), 5);
  EXPECT_EQ(rows.column("subject_id")->type_id(), frame::TypeId::Utf8);
  EXPECT_EQ(rows.column("subject_id")->null_count(), 5);
  EXPECT_EQ(rows.column("edge_sign")->type_id(), frame::TypeId::Int64);
  EXPECT_EQ(rows.column("edge_sign")->null_count(), 5);
}

TEST_F(ScanTest, AnUnknownColumnIsASchemaErrorListingTheTablesColumns) {
  Dataset dataset = open();
  dataset.append(kEdges, edge_rows(tick_range(0, 5)));

  const auto error = expect_error<IoSchemaError>([&] {
    dataset.scan(kEdges, {.columns = {"tick", "edge_colour"}});
  });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->context().column, "edge_colour");
  for (const auto& column : core::get_table(kEdges).columns) {
    EXPECT_THAT(error->message(), HasSubstr(std::string(column.name)));
  }
  EXPECT_TRUE(expect_error<IoSchemaError>([&] {
    dataset.scan(kEdges, {.columns = {"tick", "tick"}});
  }));
}

TEST_F(ScanTest, ALimitStopsTheRead) {
  settings.row_group_size = 10;
  Dataset dataset = open();
  dataset.append(kEdges, edge_rows(tick_range(0, 200)));

  EXPECT_THAT(int64_column(dataset.read(kEdges, {}, 7), "tick"),
              ElementsAreArray(tick_range(0, 7)));
  EXPECT_THAT(int64_column(dataset.read(kEdges, {.tick_min = 95}, 23), "tick"),
              ElementsAreArray(tick_range(95, 23)));
  EXPECT_EQ(dataset.read(kEdges, {}, 1000).num_rows(), 200);

  const frame::Frame none = dataset.read(kEdges, {}, 0);
  EXPECT_EQ(none.num_rows(), 0);
  EXPECT_TRUE(none.has_column("observer_agent_id"));

  EXPECT_TRUE(expect_error<IoConfigError>([&] { dataset.read(kEdges, {}, -1); }));
}

// --- missing and corrupt parts -------------------------------------------------------------

std::filesystem::path first_part_of(const IoSettings& settings, int64_t bucket) {
  const TableManifest manifest = *load_from_disk(edges_manifest(settings));
  return bucket_dir(settings, kRunId, kEdges, bucket) /
         manifest.partitions.at(bucket).parts.front().path;
}

TEST_F(ScanTest, AMissingPartIsAManifestErrorNamingThePart) {
  Dataset dataset = open();
  dataset.append(kEdges, edge_rows(tick_range(0, 200)));
  const std::filesystem::path part = first_part_of(settings, 1);
  std::filesystem::remove(part);

  const auto error = expect_error<IoManifestError>([&] { dataset.read(kEdges); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->context().path, part.string());
  EXPECT_THAT(error->message(), HasSubstr(part.filename().string()));
  // A range that does not reach the missing part still reads.
  EXPECT_EQ(dataset.read(kEdges, {.tick_max = 99}).num_rows(), 100);
}

TEST_F(ScanTest, ACorruptPartIsAManifestErrorNamingThePart) {
  Dataset dataset = open();
  dataset.append(kEdges, edge_rows(tick_range(0, 50)));
  const std::filesystem::path part = first_part_of(settings, 0);
  const auto size = std::filesystem::file_size(part);
  std::ofstream(part, std::ios::binary | std::ios::trunc) << std::string(size, 'x');

  const auto error = expect_error<IoManifestError>([&] { dataset.read(kEdges); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->context().path, part.string());
  EXPECT_THAT(error->message(), HasSubstr(part.filename().string()));
}

TEST_F(ScanTest, APartThatDisagreesWithTheManifestIsAManifestError) {
  Dataset dataset = open();
  dataset.append(kEdges, edge_rows(tick_range(0, 50)));
  const std::filesystem::path part = first_part_of(settings, 0);
  // Another valid part of different rows under the same name.
  const std::vector<uint8_t> other = parquet::write_parquet(edge_rows(tick_range(0, 10)));
  std::ofstream(part, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(other.data()),
             static_cast<std::streamsize>(other.size()));

  const auto error = expect_error<IoManifestError>([&] { dataset.read(kEdges); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->context().path, part.string());
  EXPECT_THAT(error->message(), HasSubstr("10 rows"));
}

// --- schema unification --------------------------------------------------------------------

TEST_F(ScanTest, AnExtraColumnOfOneAppendIsNullInTheOthers) {
  settings.strict_schema = false;
  Dataset dataset = open();
  dataset.append(
      kEdges,
      edge_rows(tick_range(0, 3)).add_column("mood", frame::make_utf8({"calm", "glad", "sour"})));
  dataset.append(kEdges, edge_rows(tick_range(3, 2)));
  dataset.append(kEdges,
                 edge_rows(tick_range(5, 2)).add_column("energy", frame::make_int64({7, 8})));

  const frame::Frame rows = dataset.read(kEdges);
  ASSERT_EQ(rows.num_rows(), 7);
  ASSERT_GE(rows.num_columns(), 2u);
  EXPECT_EQ(rows.name(rows.num_columns() - 2), "mood");
  EXPECT_EQ(rows.name(rows.num_columns() - 1), "energy");
  EXPECT_EQ(values_of(rows, "mood"),
            (std::vector<Value>{"calm", "glad", "sour", Value(), Value(), Value(), Value()}));
  EXPECT_EQ(values_of(rows, "energy"),
            (std::vector<Value>{Value(), Value(), Value(), Value(), Value(), 7, 8}));
  expect_rows_aligned(rows);
}

frame::Frame exchange_rows_with_payload(const std::vector<int64_t>& ticks,
                                        frame::ArrayPtr payload) {
  const std::vector<std::string> same(ticks.size(), "v");
  return frame::Frame({{"tick", frame::make_int64(ticks)},
                       {"venue_id", frame::make_utf8(same)},
                       {"token_id", frame::make_utf8(same)},
                       {"exchange_event_type", frame::make_utf8(same)},
                       {"additional_payload", std::move(payload)}});
}

TEST_F(ScanTest, StructMembersThatDifferBetweenAppendsAreUnitedByName) {
  Dataset dataset = open();
  dataset.append("exchange",
                 exchange_rows_with_payload(
                     {1, 2}, frame::make_struct({{"price", frame::make_int64({10, 11})}})));
  dataset.append("exchange", exchange_rows_with_payload(
                                 {3}, frame::make_struct({{"note", frame::make_utf8({"late"})},
                                                          {"price", frame::make_int64({12})}})));

  const frame::Frame rows = dataset.read("exchange", {.columns = {"tick", "additional_payload"}});
  EXPECT_EQ(rows.column("additional_payload")->type()->to_string(),
            "struct<price: int64, note: utf8>");
  EXPECT_EQ(values_of(rows, "additional_payload"),
            (std::vector<Value>{Value::record({{"price", 10}, {"note", Value()}}),
                                Value::record({{"price", 11}, {"note", Value()}}),
                                Value::record({{"price", 12}, {"note", "late"}})}));
}

TEST_F(ScanTest, IncompatibleTypesAreASchemaErrorNamingBothPartsAndTheColumnPath) {
  settings.strict_schema = false;
  Dataset dataset = open();
  const AppendSummary first =
      dataset.append(kEdges, edge_rows({1}).add_column("mood", frame::make_utf8({"calm"})));
  const AppendSummary second =
      append_unchecked(kEdges, edge_rows({2}).add_column("mood", frame::make_int64({3})));

  const auto error = expect_error<IoSchemaError>([&] { dataset.read(kEdges); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->context().column, "mood");
  EXPECT_THAT(error->message(), HasSubstr(first.parts[0].path));
  EXPECT_THAT(error->message(), HasSubstr(second.parts[0].path));
}

TEST_F(ScanTest, ANestedConflictNamesTheMemberPath) {
  Dataset dataset = open();
  dataset.append("exchange", exchange_rows_with_payload(
                                 {1}, frame::make_struct({{"price", frame::make_int64({10})}})));
  append_unchecked(
      "exchange",
      exchange_rows_with_payload({2}, frame::make_struct({{"price", frame::make_utf8({"ten"})}})));

  const auto error = expect_error<IoSchemaError>([&] { dataset.read("exchange"); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->context().column, "additional_payload.price");
}

TEST_F(ScanTest, AStructAndAListUnderOneNameConflict) {
  settings.strict_schema = false;
  Dataset dataset = open();
  dataset.append(kEdges, edge_rows({1}).add_column(
                             "extra", frame::make_struct({{"a", frame::make_int64({1})}})));
  append_unchecked(
      kEdges, edge_rows({2}).add_column("extra", frame::make_list({0, 1}, frame::make_int64({1}))));

  const auto error = expect_error<IoSchemaError>([&] { dataset.read(kEdges); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->context().column, "extra");
  // A read that does not project the column never meets the conflict.
  const frame::Frame ticks = dataset.read(kEdges, {.columns = {"tick", "edge_weight"}});
  EXPECT_THAT(int64_column(ticks, "tick"), ElementsAre(1, 2));
}

}  // namespace
}  // namespace crv::io
