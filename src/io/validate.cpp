// Validation of an appended frame against its table descriptor, and its canonical shape.

#include "crv/io/validate.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <string>

#include "crv/core/errors.hpp"
#include "crv/core/lower_snake.hpp"
#include "crv/frame/builders.hpp"
#include "crv/frame/utf8.hpp"
#include "crv/io/paths.hpp"
#include "io/lossless_cast.hpp"
#include "io/map_to_struct.hpp"

namespace crv::io {
namespace {

using core::ColumnDescriptor;
using core::DType;
using frame::ArrayPtr;
using frame::TypeId;

[[noreturn]] void fail(const std::string& column, std::optional<int64_t> row,
                       const std::string& message) {
  throw IoSchemaError(message, {.column = column, .row = row});
}

[[noreturn]] void wrong_type(const std::string& column, const frame::Array& array, DType expected) {
  fail(column, std::nullopt,
       fmt::format("column '{}' has type {}, which cannot be stored as {}", column,
                   array.type()->to_string(), core::to_string(expected)));
}

// A column whose values were never seen as anything but null takes the descriptor's type.
ArrayPtr typed_if_all_null(const ArrayPtr& array, const frame::TypePtr& type) {
  if (array->type_id() != TypeId::Null) return nullptr;
  return frame::make_null_array(type, array->length());
}

ArrayPtr to_int64(const std::string& column, const ArrayPtr& array) {
  if (array->type_id() == TypeId::Int64) return array;
  if (ArrayPtr nulls = typed_if_all_null(array, frame::int64())) return nulls;
  if (array->type_id() != TypeId::Float64) wrong_type(column, *array, DType::kI64);
  return float64_to_int64(column, *array);
}

ArrayPtr to_float64(const std::string& column, const ArrayPtr& array) {
  if (array->type_id() == TypeId::Float64) return array;
  if (ArrayPtr nulls = typed_if_all_null(array, frame::float64())) return nulls;
  if (array->type_id() != TypeId::Int64) wrong_type(column, *array, DType::kF64);
  return int64_to_float64(column, *array);
}

ArrayPtr to_utf8(const std::string& column, const ArrayPtr& array) {
  switch (array->type_id()) {
    case TypeId::Utf8:
      return array;
    case TypeId::Null:
      return typed_if_all_null(array, frame::utf8());
    case TypeId::Int64: {
      const int64_t* values = array->int64_values();
      return convert_valid<frame::StringBuilder>(
          *array, [&](int64_t i) { return fmt::format("{}", values[i]); });
    }
    case TypeId::Float64: {
      const double* values = array->float64_values();
      return convert_valid<frame::StringBuilder>(*array, [&](int64_t i) {
        if (!std::isfinite(values[i])) {
          fail(column, i,
               fmt::format("value {} in column '{}' has no decimal form", values[i], column));
        }
        // fmt's default is the shortest decimal that reads back as the same double.
        return fmt::format("{}", values[i]);
      });
    }
    default:
      wrong_type(column, *array, DType::kStr);
  }
}

// Parquet cannot store a struct without fields, at any depth.
void require_struct_fields(const std::string& path, const frame::DataType& type) {
  if (type.id() == TypeId::Struct && type.num_fields() == 0) {
    fail(path, std::nullopt,
         fmt::format("'{}' is a struct without fields, which Parquet cannot store", path));
  }
  for (const frame::Field& field : type.fields()) {
    const std::string child = type.id() == TypeId::List ? path + "[]" : path + "." + field.name;
    require_struct_fields(child, *field.type);
  }
}

// The writer refuses strings that are not UTF-8 as well; checking here names the row of
// the frame appended rather than that of one bucket's part.
void require_utf8(const std::string& column, const frame::Array& array) {
  if (const auto invalid = frame::find_invalid_utf8(array)) {
    const std::string path = column + invalid->path;
    fail(path, invalid->slot, fmt::format("a string in column '{}' is not valid UTF-8", path));
  }
}

ArrayPtr to_descriptor_type(const ColumnDescriptor& descriptor, ArrayPtr array) {
  const std::string column(descriptor.name);
  switch (descriptor.dtype) {
    case DType::kI64:
      return to_int64(column, array);
    case DType::kF64:
      return to_float64(column, array);
    case DType::kStr:
      return to_utf8(column, array);
    // An all-null column (null type) is reported by the required-column check instead,
    // and lists whose items were all null or absent may hold the null type.
    case DType::kStruct:
      if (holds_map_entries(*array)) array = map_entries_to_struct(column, *array);
      if (array->type_id() != TypeId::Struct && array->type_id() != TypeId::Null) {
        wrong_type(column, *array, descriptor.dtype);
      }
      break;
    case DType::kListStruct:
      if (array->type_id() == TypeId::Null) break;
      if (array->type_id() != TypeId::List || (array->type()->item_type()->id() != TypeId::Struct &&
                                               array->type()->item_type()->id() != TypeId::Null)) {
        wrong_type(column, *array, descriptor.dtype);
      }
      break;
  }
  require_struct_fields(column, *array->type());
  return array;
}

std::optional<int64_t> first_null(const frame::Array& array) {
  if (array.null_count() == 0) return std::nullopt;
  for (int64_t i = 0; i < array.length(); ++i) {
    if (array.is_null(i)) return i;
  }
  return std::nullopt;
}

ArrayPtr validated_ticks(const frame::Frame& input) {
  const ArrayPtr column = input.find("tick");
  if (!column) fail("tick", std::nullopt, "missing required column 'tick'");
  ArrayPtr ticks = to_int64("tick", column);
  if (const auto row = first_null(*ticks)) {
    fail("tick", row, "null in required column 'tick'");
  }
  const int64_t* values = ticks->int64_values();
  for (int64_t i = 0; i < ticks->length(); ++i) {
    if (values[i] < 0) fail("tick", i, fmt::format("tick {} is negative", values[i]));
  }
  return ticks;
}

ArrayPtr computed_buckets(const frame::Frame& input, const frame::Array& ticks,
                          int64_t bucket_size) {
  const int64_t* tick_values = ticks.int64_values();
  frame::Int64Builder buckets(ticks.length());
  for (int64_t i = 0; i < ticks.length(); ++i) {
    buckets.append(bucket_for_tick(tick_values[i], bucket_size));
  }
  ArrayPtr computed = buckets.finish();
  if (const ArrayPtr supplied_column = input.find("bucket")) {
    const ArrayPtr supplied = to_int64("bucket", supplied_column);
    const int64_t* expected = computed->int64_values();
    const int64_t* given = supplied->int64_values();
    for (int64_t i = 0; i < supplied->length(); ++i) {
      if (supplied->is_null(i) || given[i] != expected[i]) {
        fail("bucket", i,
             fmt::format("bucket {} disagrees with tick {} // bucket size {} = {}",
                         supplied->is_null(i) ? std::string("null") : std::to_string(given[i]),
                         tick_values[i], bucket_size, expected[i]));
      }
    }
  }
  return computed;
}

}  // namespace

ValidatedFrame validate_frame(const frame::Frame& input, const core::TableDescriptor& table,
                              const ValidateOptions& options) {
  const ArrayPtr ticks = validated_ticks(input);
  const ArrayPtr buckets = computed_buckets(input, *ticks, options.bucket_size);

  std::vector<std::string> names;
  std::vector<ArrayPtr> columns;
  ValidatedFrame result;
  for (const ColumnDescriptor& descriptor : table.columns) {
    const std::string name(descriptor.name);
    ArrayPtr column;
    if (name == "bucket") {
      column = buckets;
    } else if (name == "tick") {
      column = ticks;
    } else if (const ArrayPtr given = input.find(name)) {
      column = to_descriptor_type(descriptor, given);
    } else if (descriptor.required) {
      fail(name, std::nullopt,
           fmt::format("missing required column '{}' of table {}", name,
                       core::to_string(table.name)));
    } else {
      // Only scalar columns are nullable, so a typed all-null column is always possible.
      const frame::TypePtr type = descriptor.dtype == DType::kI64   ? frame::int64()
                                  : descriptor.dtype == DType::kF64 ? frame::float64()
                                                                    : frame::utf8();
      column = frame::make_null_array(type, input.num_rows());
    }
    if (descriptor.required) {
      if (const auto row = first_null(*column)) {
        fail(name, row, fmt::format("null in required column '{}'", name));
      }
    }
    require_utf8(name, *column);
    result.fields.push_back({name, column->type(), !descriptor.required});
    names.push_back(name);
    columns.push_back(std::move(column));
  }

  std::vector<std::string> extras;
  for (const std::string& name : input.names()) {
    if (!table.find(name)) extras.push_back(name);
  }
  if (!extras.empty() && options.strict) {
    std::string allowed;
    for (const ColumnDescriptor& descriptor : table.columns) {
      allowed += (allowed.empty() ? "" : ", ") + std::string(descriptor.name);
    }
    fail(extras.front(), std::nullopt,
         fmt::format("column{} {} not in table {} (strict schema; allowed: {})",
                     extras.size() > 1 ? "s" : "", fmt::join(extras, ", "),
                     core::to_string(table.name), allowed));
  }
  for (const std::string& name : extras) {
    if (!core::is_lower_snake(name)) {
      fail(name, std::nullopt, fmt::format("extra column name '{}' is not lower_snake", name));
    }
    const ArrayPtr column = input.column(name);
    require_struct_fields(name, *column->type());
    require_utf8(name, *column);
    result.fields.push_back({name, column->type(), true});
    names.push_back(name);
    columns.push_back(column);
  }
  result.frame = frame::Frame(std::move(names), std::move(columns));
  return result;
}

ValidatedFrame validate_partitioning(const frame::Frame& input, int64_t bucket_size) {
  const ArrayPtr ticks = validated_ticks(input);
  ValidatedFrame result;
  std::vector<std::string> names{"bucket"};
  std::vector<ArrayPtr> columns{computed_buckets(input, *ticks, bucket_size)};
  result.fields.push_back({"bucket", frame::int64(), false});
  for (size_t i = 0; i < input.num_columns(); ++i) {
    const std::string& name = input.name(i);
    if (name == "bucket") continue;
    const ArrayPtr column = name == "tick" ? ticks : input.column(i);
    require_struct_fields(name, *column->type());
    require_utf8(name, *column);
    result.fields.push_back({name, column->type(), name != "tick"});
    names.push_back(name);
    columns.push_back(column);
  }
  result.frame = frame::Frame(std::move(names), std::move(columns));
  return result;
}

frame::TypePtr descriptor_type(core::DType dtype) {
  switch (dtype) {
    case core::DType::kI64:
      return frame::int64();
    case core::DType::kF64:
      return frame::float64();
    case core::DType::kStr:
      return frame::utf8();
    case core::DType::kStruct:
    case core::DType::kListStruct:
      break;
  }
  return frame::null_type();
}

}  // namespace crv::io
