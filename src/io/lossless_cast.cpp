// Lossless int64 <-> float64 casts of appended columns.

#include "io/lossless_cast.hpp"

#include <fmt/format.h>

#include <cmath>

#include "crv/core/errors.hpp"

namespace crv::io {
namespace {

// True when `value` converts to double and back unchanged.
bool exact_as_double(int64_t value) {
  const auto converted = static_cast<double>(value);
  // 2^63 itself is out of int64's range, and the cast back would be undefined.
  if (converted >= 9223372036854775808.0) return false;
  return static_cast<int64_t>(converted) == value;
}

}  // namespace

frame::ArrayPtr float64_to_int64(const std::string& column, const frame::Array& array) {
  const double* values = array.float64_values();
  return convert_valid<frame::Int64Builder>(array, [&](int64_t i) {
    const double value = values[i];
    if (!(std::trunc(value) == value && value >= -9223372036854775808.0 &&
          value < 9223372036854775808.0)) {
      throw IoSchemaError(
          fmt::format("value {} in column '{}' is not an exact 64-bit integer", value, column),
          {.column = column, .row = i});
    }
    return static_cast<int64_t>(value);
  });
}

frame::ArrayPtr int64_to_float64(const std::string& column, const frame::Array& array) {
  const int64_t* values = array.int64_values();
  return convert_valid<frame::Float64Builder>(array, [&](int64_t i) {
    if (!exact_as_double(values[i])) {
      throw IoSchemaError(
          fmt::format("integer {} in column '{}' has no exact double", values[i], column),
          {.column = column, .row = i});
    }
    return static_cast<double>(values[i]);
  });
}

}  // namespace crv::io
