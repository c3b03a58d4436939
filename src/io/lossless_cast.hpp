#pragma once
// The only numeric casts crv-io makes on appended data: between int64 and float64, and
// only when every value survives unchanged; and the loop such conversions share.

#include <string>

#include "crv/frame/array.hpp"
#include "crv/frame/builders.hpp"

namespace crv::io {

// Builds a column of the array's length where `convert(i)` gives each valid slot's value
// (Builder: one of frame's typed builders). Nulls stay null.
template <class Builder, class Convert>
frame::ArrayPtr convert_valid(const frame::Array& array, Convert&& convert) {
  Builder builder(array.length());
  for (int64_t i = 0; i < array.length(); ++i) {
    if (array.is_null(i)) {
      builder.append_null();
    } else {
      builder.append(convert(i));
    }
  }
  return builder.finish();
}

// An int64 copy of a float64 array; IoSchemaError naming `column`, the row and the value
// unless every value is an integer within int64's range. Nulls stay null.
frame::ArrayPtr float64_to_int64(const std::string& column, const frame::Array& array);

// A float64 copy of an int64 array; IoSchemaError naming `column`, the row and the value
// unless every value has an exact double. Nulls stay null.
frame::ArrayPtr int64_to_float64(const std::string& column, const frame::Array& array);

}  // namespace crv::io
