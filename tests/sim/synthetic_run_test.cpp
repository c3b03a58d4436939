// Tests of the synthetic run: determinism, shapes and validity of every table.

#include "crv/sim/synthetic_run.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "crv/core/errors.hpp"
#include "crv/core/table_descriptor.hpp"
#include "crv/io/validate.hpp"
#include "crv/parquet/reader.hpp"
#include "crv/parquet/writer.hpp"
#include "support/expect_error.hpp"

namespace crv::sim {
namespace {

using core::TableName;
using frame::TypeId;
using test_support::expect_error;

constexpr SyntheticRunOptions kSmallRun{.agents = 12, .ticks = 30, .seed = 7};

std::string table_label(TableName table) {
  return std::string(core::to_string(table));
}

// The frame type a descriptor dtype must map to.
bool matches_dtype(const frame::DataType& type, core::DType dtype) {
  switch (dtype) {
    case core::DType::kI64:
      return type.id() == TypeId::Int64;
    case core::DType::kF64:
      return type.id() == TypeId::Float64;
    case core::DType::kStr:
      return type.id() == TypeId::Utf8;
    case core::DType::kStruct:
      return type.id() == TypeId::Struct && type.num_fields() > 0;
    case core::DType::kListStruct:
      return type.id() == TypeId::List && type.item_type()->id() == TypeId::Struct;
  }
  return false;
}

// Whether any slot of `array` or of its nested members / items is null or an empty list.
bool has_nested_null(const frame::Array& array) {
  for (const frame::ArrayPtr& child : array.children()) {
    if (child->null_count() > 0 || has_nested_null(*child)) return true;
  }
  return false;
}

bool has_empty_list(const frame::Array& array) {
  for (int64_t i = 0; i < array.length(); ++i) {
    if (array.is_valid(i) && array.list_range(i).size() == 0) return true;
  }
  return false;
}

TEST(SyntheticRun, SameSeedGivesIdenticalRowsAndAnotherSeedDifferentOnes) {
  const SyntheticRun first(kSmallRun, 10);
  const SyntheticRun second(kSmallRun, 10);
  SyntheticRunOptions reseeded = kSmallRun;
  reseeded.seed = 8;
  const SyntheticRun other(reseeded, 10);
  for (const TableName table : core::kAllTables) {
    const frame::Frame rows = first.table_rows(table);
    EXPECT_TRUE(rows.equals(second.table_rows(table))) << table_label(table);
    EXPECT_FALSE(rows.equals(other.table_rows(table))) << table_label(table);
  }
}

TEST(SyntheticRun, FramesFollowTheDescriptorsExactly) {
  const SyntheticRun run(kSmallRun, 10);
  for (const core::TableDescriptor& descriptor : core::list_tables()) {
    SCOPED_TRACE(table_label(descriptor.name));
    const frame::Frame rows = run.table_rows(descriptor.name);
    const std::vector<frame::Field> fields = SyntheticRun::fields(descriptor.name);
    ASSERT_GT(rows.num_rows(), 0);
    ASSERT_EQ(rows.num_columns(), descriptor.columns.size());
    ASSERT_EQ(fields.size(), descriptor.columns.size());
    for (size_t i = 0; i < descriptor.columns.size(); ++i) {
      const core::ColumnDescriptor& column = descriptor.columns[i];
      SCOPED_TRACE(std::string(column.name));
      EXPECT_EQ(rows.name(i), column.name);
      EXPECT_TRUE(matches_dtype(*rows.column(i)->type(), column.dtype))
          << rows.column(i)->type()->to_string() << " for " << core::to_string(column.dtype);
      EXPECT_EQ(fields[i].name, column.name);
      EXPECT_TRUE(fields[i].type->equals(*rows.column(i)->type()));
      EXPECT_EQ(fields[i].nullable, column.nullable());
      if (column.required) {
        EXPECT_EQ(rows.column(i)->null_count(), 0);
      }
    }
    rows.to_struct_array()->validate();
  }
}

TEST(SyntheticRun, NullableColumnsNestedValuesAndListsVaryLikeRealData) {
  const SyntheticRun run({.agents = 40, .ticks = 40, .seed = 3}, 10);
  for (const core::TableDescriptor& descriptor : core::list_tables()) {
    SCOPED_TRACE(table_label(descriptor.name));
    const frame::Frame rows = run.table_rows(descriptor.name);
    for (const core::ColumnDescriptor& column : descriptor.columns) {
      SCOPED_TRACE(std::string(column.name));
      const frame::ArrayPtr& array = rows.column(column.name);
      if (column.nullable()) {
        EXPECT_GT(array->null_count(), 0);
        EXPECT_LT(array->null_count(), rows.num_rows());
      }
      if (column.dtype == core::DType::kStruct || column.dtype == core::DType::kListStruct) {
        EXPECT_TRUE(has_nested_null(*array));
      }
      if (column.dtype == core::DType::kListStruct) {
        EXPECT_TRUE(has_empty_list(*array));
      }
    }
  }
}

TEST(SyntheticRun, BucketsFollowTheBucketSizeAndTicksAscend) {
  const SyntheticRun run(kSmallRun, 7);
  for (const TableName table : core::kAllTables) {
    SCOPED_TRACE(table_label(table));
    const frame::Frame rows = run.table_rows(table);
    const int64_t* buckets = rows.column("bucket")->int64_values();
    const int64_t* ticks = rows.column("tick")->int64_values();
    for (int64_t row = 0; row < rows.num_rows(); ++row) {
      ASSERT_EQ(buckets[row], ticks[row] / 7) << "row " << row;
      ASSERT_GE(ticks[row], 0);
      ASSERT_LT(ticks[row], kSmallRun.ticks);
      if (row > 0) {
        ASSERT_LE(ticks[row - 1], ticks[row]);
      }
    }
  }
}

TEST(SyntheticRun, TickByTickRowsAddUpToTheWholeRun) {
  const SyntheticRun run(kSmallRun, 10);
  for (const TableName table : core::kAllTables) {
    SCOPED_TRACE(table_label(table));
    const frame::Frame whole = run.table_rows(table);
    int64_t offset = 0;
    for (int64_t tick = 0; tick < kSmallRun.ticks; ++tick) {
      const frame::Frame one = run.tick_rows(table, tick);
      ASSERT_LE(offset + one.num_rows(), whole.num_rows());
      EXPECT_TRUE(whole.slice(offset, one.num_rows()).equals(one)) << "tick " << tick;
      for (int64_t row = 0; row < one.num_rows(); ++row) {
        ASSERT_EQ(one.column("tick")->int64_values()[row], tick);
      }
      offset += one.num_rows();
    }
    EXPECT_EQ(offset, whole.num_rows());
    const frame::Frame middle = run.rows(table, 10, 20);
    int64_t before = 0;
    for (int64_t tick = 0; tick < 10; ++tick) before += run.tick_rows(table, tick).num_rows();
    EXPECT_TRUE(whole.slice(before, middle.num_rows()).equals(middle));
  }
}

TEST(SyntheticRun, AgentIdsAreZeroPadded) {
  const SyntheticRun run(kSmallRun);
  EXPECT_EQ(run.agent_id(7), "agent-0007");
  EXPECT_EQ(SyntheticRun::format_agent_id(12345), "agent-12345");
  const frame::Frame holdings = run.table_rows(TableName::kHoldings);
  EXPECT_EQ(holdings.column("agent_id")->string_at(0), "agent-0000");
}

TEST(SyntheticRun, InvalidOptionsAndTicksAreConfigErrors) {
  EXPECT_THROW(SyntheticRun({.agents = 0, .ticks = 5, .seed = 1}), IoConfigError);
  EXPECT_THROW(SyntheticRun({.agents = 3, .ticks = -1, .seed = 1}), IoConfigError);
  EXPECT_THROW(SyntheticRun(kSmallRun, 0), IoConfigError);
  const SyntheticRun run(kSmallRun);
  EXPECT_THROW(run.tick_rows(TableName::kDecisions, kSmallRun.ticks), IoConfigError);
  EXPECT_THROW(run.tick_rows(TableName::kDecisions, -1), IoConfigError);
  EXPECT_THROW(run.rows(TableName::kDecisions, 5, 4), IoConfigError);
  EXPECT_THROW(run.agent_id(kSmallRun.agents), IoConfigError);
  EXPECT_THROW(run.agent_id(-1), IoConfigError);
  EXPECT_EQ(run.agent_id(kSmallRun.agents - 1), "agent-0011");
  expect_error<IoConfigError>([&] { run.tick_rows(TableName::kHoldings, 99); },
                              {.message_has = {"tick 99"}});
  // A run without ticks has empty tables.
  const SyntheticRun empty({.agents = 3, .ticks = 0, .seed = 1});
  EXPECT_EQ(empty.table_rows(TableName::kExchange).num_rows(), 0);
}

TEST(SyntheticRun, FramesAreAlreadyInTheShapeAppendsValidateInto) {
  const SyntheticRun run(kSmallRun, 10);
  for (const core::TableDescriptor& descriptor : core::list_tables()) {
    SCOPED_TRACE(table_label(descriptor.name));
    const frame::Frame rows = run.table_rows(descriptor.name);
    const io::ValidatedFrame validated =
        io::validate_frame(rows, descriptor, {.bucket_size = 10, .strict = true});
    EXPECT_TRUE(validated.frame.equals(rows));
    EXPECT_EQ(validated.fields, SyntheticRun::fields(descriptor.name));
  }
}

TEST(SyntheticRun, EveryTableWritesAsParquetWithItsFieldsAndReadsBack) {
  const SyntheticRun run(kSmallRun, 10);
  for (const TableName table : core::kAllTables) {
    SCOPED_TRACE(table_label(table));
    const frame::Frame rows = run.table_rows(table);
    std::vector<uint8_t> bytes;
    parquet::write_parquet(rows, SyntheticRun::fields(table), {}, bytes);
    parquet::ParquetReader reader(parquet::memory_source(bytes, "synthetic.parquet"));
    EXPECT_TRUE(reader.read().equals(rows));
  }
}

}  // namespace
}  // namespace crv::sim
