// The conformance fixtures: the canonical tables and edge cases crv-io writes for the oracles.

#include "fixtures.hpp"

#include <fmt/format.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <random>
#include <utility>

#include "crv/core/errors.hpp"
#include "crv/core/table_descriptor.hpp"
#include "crv/frame/value.hpp"
#include "crv/sim/synthetic_run.hpp"

namespace crv::conformance {
namespace {

using frame::Field;
using frame::TypePtr;
using frame::Value;
using parquet::Compression;

constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr double kInfinity = std::numeric_limits<double>::infinity();

const std::vector<Compression> kEveryCodec = {Compression::kNone, Compression::kSnappy,
                                              Compression::kGzip, Compression::kLz4,
                                              Compression::kZstd};

// Doubles spelled as bit patterns, so the fixtures do not depend on how the compiler
// folds special values.
double from_bits(uint64_t bits) {
  return std::bit_cast<double>(bits);
}

Field required(std::string name, TypePtr type) {
  return Field{std::move(name), type, false};
}
Field nullable(std::string name, TypePtr type) {
  return Field{std::move(name), type, true};
}

Fixture from_rows(const std::vector<Value>& rows, std::vector<Field> fields, std::string table,
                  parquet::WriterOptions options) {
  frame::Frame frame = frame::Frame::from_rows(rows, frame::struct_(fields));
  return Fixture{std::move(frame), std::move(fields), std::move(table), std::move(options)};
}

// ---- the canonical tables ------------------------------------------------------------

// 16 agents over 40 ticks in buckets of 10: a few hundred rows per table (holdings a
// couple of thousand), four buckets, several row groups.
Fixture canonical_table(core::TableName table) {
  const sim::SyntheticRun run({.agents = 16, .ticks = 40, .seed = 7}, 10);
  parquet::WriterOptions options;
  options.row_group_size = 100;
  // Vary the layouts the writer chooses between across the tables.
  switch (table) {
    case core::TableName::kIdentityEdges:
    case core::TableName::kHoldings:
      options.data_page_size = 512;  // many pages per column chunk
      break;
    case core::TableName::kOracleCalls:
      options.enable_dictionary = false;
      break;
    case core::TableName::kMessages:
      options.dictionary_page_limit = 256;  // some columns fall back to PLAIN
      break;
    default:
      break;
  }
  return Fixture{run.table_rows(table), sim::SyntheticRun::fields(table),
                 std::string(core::to_string(table)), options};
}

// ---- edge cases -------------------------------------------------------------------------

Fixture edge_scalars() {
  const double nan = from_bits(0x7ff8000000000000);
  const double negative_nan_with_payload = from_bits(0xfff8000000000001);
  const double min_subnormal = from_bits(0x0000000000000001);
  const double max_double = from_bits(0x7fefffffffffffff);
  const double lowest_double = from_bits(0xffefffffffffffff);
  const double negative_zero = from_bits(0x8000000000000000);
  const std::string nul_inside("nul\0byte", 8);
  // (i, i_required, f, f_required, s, s_required, b, b_required)
  const std::vector<std::vector<Value>> columns = {
      {kInt64Min, kInt64Max, int64_t{0}, int64_t{-1}, nullptr, int64_t{9007199254740993},
       int64_t{-9007199254740993}, int64_t{1}, nullptr, int64_t{123456789012345678}, int64_t{-2},
       int64_t{42}},
      {kInt64Max, kInt64Min, int64_t{7}, int64_t{7}, int64_t{7}, int64_t{0}, int64_t{-1},
       int64_t{1} << 40, int64_t{7}, int64_t{7}, int64_t{7}, int64_t{-7}},
      {0.0, negative_zero, nan, kInfinity, -kInfinity, nullptr, min_subnormal, max_double,
       lowest_double, 0.1, negative_nan_with_payload, -2.5},
      {negative_zero, 0.0, kInfinity, -kInfinity, nan, 1e-300, 1.0, 1.0, 1.0, -1.0, 1.0,
       min_subnormal},
      {"", "ascii", "h\xc3\xa9llo w\xc3\xb6rld", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
       "\xf0\x9f\xa6\x86\xf0\x9f\x8e\x89", nullptr, "quote \" back \\ slash /",
       "tab\tnewline\ncr\r", "\x01\x1f\x7f", nul_inside, "\xe2\x9c\x93 \xc2\xb1 \xe2\x82\xac",
       "ascii"},
      {"same", "same", "same", "", "\xf0\x9f\x8e\x89", "same", "same", "same", "other", "same",
       "same", "same"},
      {true, false, nullptr, true, true, false, nullptr, false, true, true, false, true},
      {false, false, true, true, false, true, false, true, false, true, false, true},
  };
  const std::vector<std::string> names = {"i", "i_required", "f", "f_required",
                                          "s", "s_required", "b", "b_required"};
  std::vector<Value> rows;
  for (size_t row = 0; row < columns.front().size(); ++row) {
    Value::Record record;
    for (size_t column = 0; column < names.size(); ++column) {
      record.emplace_back(names[column], columns[column][row]);
    }
    rows.push_back(Value::record(std::move(record)));
  }
  parquet::WriterOptions options;
  options.row_group_size = 5;
  return from_rows(rows,
                   {nullable("i", frame::int64()), required("i_required", frame::int64()),
                    nullable("f", frame::float64()), required("f_required", frame::float64()),
                    nullable("s", frame::utf8()), required("s_required", frame::utf8()),
                    nullable("b", frame::boolean()), required("b_required", frame::boolean())},
                   "edge_scalars", options);
}

std::string repeated(std::string_view piece, size_t times) {
  std::string text;
  text.reserve(piece.size() * times);
  for (size_t i = 0; i < times; ++i) text += piece;
  return text;
}

Fixture edge_long_strings() {
  // Over 64 KiB of two-, four- and one-byte characters, and a value larger than a page.
  const std::string long_text =
      repeated("\xc3\xa9", 33000) + repeated("\xf0\x9f\xa6\x86", 100) + repeated("x", 1000);
  const std::string huge_text = repeated(
      "\xc3\xbc\xe2\x82\xac\xf0\x9d\x84\x9e"
      "a",
      150000);
  std::vector<Value> rows;
  const auto add = [&](int64_t id, Value text, Value texts) {
    rows.push_back(
        Value::record({{"id", id}, {"text", std::move(text)}, {"texts", std::move(texts)}}));
  };
  add(0, long_text, Value::list({long_text, "", nullptr}));
  add(1, "", Value::list({}));
  add(2, nullptr, nullptr);
  add(3, huge_text, Value::list({"short", huge_text}));
  add(4, "short", Value::list({nullptr}));
  add(5, long_text, Value::list({long_text}));
  return from_rows(rows,
                   {required("id", frame::int64()), nullable("text", frame::utf8()),
                    nullable("texts", frame::list(frame::utf8()))},
                   "edge_long_strings", parquet::WriterOptions{});
}

// The schema shared by the nested fixtures: nulls possible at every level except where a
// field is declared required, structs holding lists, lists of structs, and
// list > struct > struct > list.
std::vector<Field> nested_fields() {
  const TypePtr int_list = frame::list(frame::int64());
  const TypePtr s = frame::struct_(
      {nullable("a", frame::int64()), required("b", frame::utf8()), nullable("l", int_list)});
  const TypePtr tags = frame::list(required("item", frame::utf8()));
  const TypePtr ls_item = frame::struct_(
      {nullable("x", frame::float64()), nullable("y", frame::utf8()), nullable("tags", tags)});
  const TypePtr inner = frame::struct_({nullable("v", frame::float64()), nullable("w", int_list)});
  const TypePtr deep_item = frame::struct_({nullable("inner", inner)});
  const TypePtr required_items = frame::list(required("item", frame::int64()));
  const TypePtr record =
      frame::struct_({required("k", frame::int64()), nullable("m", frame::utf8())});
  return {required("id", frame::int64()),
          nullable("s", s),
          nullable("ls", frame::list(ls_item)),
          nullable("deep", frame::list(deep_item)),
          required("required_list", required_items),
          required("required_struct", record)};
}

// `value`, or null when `is_null`.
Value or_null(bool is_null, Value value) {
  if (is_null) return Value();
  return value;
}

Value nested_row(int64_t id, Value s, Value ls, Value deep, Value required_list, Value record) {
  return Value::record({{"id", id},
                        {"s", std::move(s)},
                        {"ls", std::move(ls)},
                        {"deep", std::move(deep)},
                        {"required_list", std::move(required_list)},
                        {"required_struct", std::move(record)}});
}

Fixture edge_nested() {
  const auto s = [](Value a, Value b, Value l) {
    return Value::record({{"a", std::move(a)}, {"b", std::move(b)}, {"l", std::move(l)}});
  };
  const auto item = [](Value x, Value y, Value tags) {
    return Value::record({{"x", std::move(x)}, {"y", std::move(y)}, {"tags", std::move(tags)}});
  };
  const auto deep = [](Value v, Value w) {
    return Value::record({{"inner", Value::record({{"v", std::move(v)}, {"w", std::move(w)}})}});
  };
  const auto record = [](int64_t k, Value m) {
    return Value::record({{"k", k}, {"m", std::move(m)}});
  };
  const double nan = from_bits(0x7ff8000000000000);
  const double negative_zero = from_bits(0x8000000000000000);
  std::vector<Value> rows;
  rows.push_back(nested_row(0, s(int64_t{1}, "x", Value::list({int64_t{1}, nullptr, int64_t{3}})),
                            Value::list({item(1.5, "a", Value::list({"t1", "t2"})), nullptr,
                                         item(nullptr, nullptr, nullptr)}),
                            Value::list({deep(negative_zero, Value::list({}))}),
                            Value::list({int64_t{1}, int64_t{2}}), record(1, "m")));
  rows.push_back(nested_row(1, nullptr, nullptr, nullptr, Value::list({}), record(2, nullptr)));
  rows.push_back(nested_row(
      2, s(nullptr, "", nullptr), Value::list({}),
      Value::list({nullptr, Value::record({{"inner", nullptr}}), deep(nullptr, nullptr)}),
      Value::list({int64_t{0}}), record(3, "")));
  rows.push_back(nested_row(
      3, s(int64_t{-5}, "y", Value::list({})), Value::list({item(nan, "", Value::list({}))}),
      Value::list({deep(kInfinity, Value::list({nullptr}))}), Value::list({kInt64Min, kInt64Max}),
      record(kInt64Min, "\xe2\x9c\x93")));
  rows.push_back(nested_row(4, s(kInt64Max, "z", Value::list({nullptr})), Value::list({nullptr}),
                            Value::list({}), Value::list({int64_t{-1}}),
                            record(kInt64Max, nullptr)));
  // Longer rows with a pattern of nulls and sizes, so levels span many pages.
  for (int64_t id = 5; id < 60; ++id) {
    Value::List ints;
    for (int64_t k = 0; k < id % 4; ++k) {
      ints.push_back(or_null(k == 1, id * 10 + k));
    }
    Value::List items;
    for (int64_t k = 0; k < id % 5; ++k) {
      Value::List tags;
      for (int64_t t = 0; t < (id + k) % 3; ++t) tags.push_back(fmt::format("tag-{}-{}", id, t));
      items.push_back(or_null(
          (id + k) % 7 == 0,
          item(static_cast<double>(id) / 8.0, or_null((id + k) % 4 == 0, fmt::format("y{}", k)),
               Value::list(std::move(tags)))));
    }
    Value::List deeps;
    for (int64_t k = 0; k < id % 3; ++k) {
      deeps.push_back(deep(static_cast<double>(k) - 0.5, Value::list(ints)));
    }
    Value::List required_ints;
    for (int64_t k = 0; k < id % 6; ++k) required_ints.emplace_back(id - k);
    rows.push_back(nested_row(
        id, or_null(id % 9 == 0, s(id, fmt::format("b{}", id), Value::list(ints))),
        or_null(id % 11 == 0, Value::list(std::move(items))),
        or_null(id % 13 == 0, Value::list(std::move(deeps))), Value::list(std::move(required_ints)),
        record(id, or_null(id % 2 == 0, fmt::format("m{}", id)))));
  }
  parquet::WriterOptions options;
  options.row_group_size = 7;
  options.data_page_size = 64;  // a few rows per page
  return from_rows(rows, nested_fields(), "edge_nested", options);
}

Fixture edge_empty() {
  return from_rows({}, nested_fields(), "edge_empty", parquet::WriterOptions{});
}

// About 20,000 decisions of 100 agents over 800 ticks: nested columns whose row groups
// span many data pages, in both directions.
Fixture decisions_long_run() {
  const sim::SyntheticRun run({.agents = 100, .ticks = 800, .seed = 5}, 100);
  parquet::WriterOptions options;
  options.row_group_size = 8'000;
  options.data_page_size = 16 << 10;
  return Fixture{run.table_rows(core::TableName::kDecisions),
                 sim::SyntheticRun::fields(core::TableName::kDecisions), "decisions", options};
}

// A million holdings_valuation rows of 1,000 agents: row groups of 250,000 rows, each
// column chunk many pages long.
Fixture million_rows() {
  constexpr int64_t kRows = 1'000'000;
  const sim::SyntheticRun run({.agents = 1000, .ticks = 400, .seed = 11}, 100);
  const frame::Frame all = run.table_rows(core::TableName::kHoldingsValuation);
  if (all.num_rows() < kRows) {
    throw SchemaError(
        fmt::format("the synthetic run made {} rows, fewer than {}", all.num_rows(), kRows));
  }
  parquet::WriterOptions options;
  options.row_group_size = 250'000;
  return Fixture{all.slice(0, kRows),
                 sim::SyntheticRun::fields(core::TableName::kHoldingsValuation),
                 "holdings_valuation", options};
}

// ---- forced encodings ---------------------------------------------------------------

// 20,000 rows in four row groups of many pages: sorted ticks, full-range integers whose
// deltas wrap, doubles repeating in turn and random ones with special values, nulls, and
// integers and doubles inside a list and a struct.
Fixture encoding_mix() {
  std::mt19937_64 random(17);
  std::vector<double> pool(1000);
  for (double& value : pool) value = static_cast<double>(random() % 1'000'000) / 1024.0;
  const std::vector<double> specials = {from_bits(0x7ff8000000000000),
                                        from_bits(0x8000000000000000), kInfinity, -kInfinity,
                                        from_bits(0x0000000000000001)};
  std::vector<Value> rows;
  for (int64_t row = 0; row < 20'000; ++row) {
    Value::List ints;
    const uint64_t items = random() % 4;
    for (uint64_t k = 0; k < items; ++k) {
      ints.push_back(or_null(k == 2, static_cast<int64_t>(random() % 1000) - 500));
    }
    const double price = row % 97 == 0 ? specials[static_cast<size_t>(row / 97) % specials.size()]
                                       : std::bit_cast<double>(random() >> 2);
    const int64_t id =
        row % 50 == 0 ? (row % 100 == 0 ? kInt64Min : kInt64Max) : static_cast<int64_t>(random());
    rows.push_back(Value::record(
        {{"tick", row / 50},
         {"id", or_null(row % 11 == 0, id)},
         {"weight", or_null(row % 13 == 0, pool[static_cast<size_t>(row) % pool.size()])},
         {"price", price},
         {"ints", or_null(row % 17 == 0, Value::list(std::move(ints)))},
         {"pos", or_null(row % 19 == 0, Value::record({{"x", static_cast<double>(row % 300) * 0.25},
                                                       {"n", or_null(row % 3 == 0, row * 7)}}))}}));
  }
  parquet::WriterOptions options;
  options.row_group_size = 6'000;
  options.data_page_size = 4096;
  const TypePtr pos =
      frame::struct_({nullable("x", frame::float64()), nullable("n", frame::int64())});
  return from_rows(rows,
                   {required("tick", frame::int64()), nullable("id", frame::int64()),
                    nullable("weight", frame::float64()), required("price", frame::float64()),
                    nullable("ints", frame::list(frame::int64())), nullable("pos", pos)},
                   "encoding_mix", options);
}

// Labels, each one of 12 drawn evenly, in four row groups of 131,072: 4-bit dictionary
// indices in which no byte value is frequent enough for zstd to code a whole page (at
// this seed, three of the four pages), so the writer compresses those again as one frame
// of 8 KiB blocks.
Fixture dictionary_indices_in_zstd_blocks() {
  const std::vector<std::string> labels = {"buy",    "sell",   "hold",   "cancel",
                                           "amend",  "quote",  "fill",   "partial_fill",
                                           "reject", "expire", "borrow", "repay"};
  std::mt19937_64 random(2);
  std::vector<Value> rows;
  for (int64_t row = 0; row < 4 * 131'072; ++row) {
    rows.push_back(Value::record({{"kind", labels[random() % labels.size()]}}));
  }
  return from_rows(rows, {required("kind", frame::utf8())}, "dictionary_indices_in_zstd_blocks",
                   {});
}

// `make`'s fixture with every column's encoding forced.
std::function<Fixture()> forcing(parquet::ValueEncoding encoding, Fixture (*make)()) {
  return [encoding, make] {
    Fixture fixture = make();
    fixture.options.value_encoding = encoding;
    return fixture;
  };
}

}  // namespace

std::vector<FixtureSpec> fixture_specs() {
  std::vector<FixtureSpec> specs;
  for (const core::TableName table : core::kAllTables) {
    specs.push_back({std::string(core::to_string(table)), kEveryCodec, false,
                     [table] { return canonical_table(table); }});
  }
  specs.push_back({"edge_scalars", kEveryCodec, false, edge_scalars});
  specs.push_back({"edge_long_strings", kEveryCodec, false, edge_long_strings});
  specs.push_back({"edge_nested", kEveryCodec, false, edge_nested});
  specs.push_back({"edge_empty", kEveryCodec, false, edge_empty});
  specs.push_back({"decisions_long_run", kEveryCodec, false, decisions_long_run});
  const std::pair<std::string_view, parquet::ValueEncoding> forced[] = {
      {"plain", parquet::ValueEncoding::kPlain},
      {"dictionary", parquet::ValueEncoding::kDictionary},
      {"byte_stream_split", parquet::ValueEncoding::kByteStreamSplit},
      {"delta_binary_packed", parquet::ValueEncoding::kDeltaBinaryPacked}};
  for (const auto& [name, encoding] : forced) {
    const std::vector<Compression> codecs = {Compression::kNone, Compression::kZstd};
    specs.push_back(
        {fmt::format("{}_scalars", name), codecs, false, forcing(encoding, edge_scalars)});
    specs.push_back(
        {fmt::format("{}_nested", name), codecs, false, forcing(encoding, edge_nested)});
    specs.push_back({fmt::format("{}_mix", name), codecs, false, forcing(encoding, encoding_mix)});
  }
  specs.push_back({"dictionary_indices_in_zstd_blocks",
                   {Compression::kZstd},
                   true,
                   dictionary_indices_in_zstd_blocks});
  specs.push_back({"million_rows", {Compression::kZstd}, true, million_rows});
  return specs;
}

}  // namespace crv::conformance
