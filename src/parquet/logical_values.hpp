#pragma once
// Turns a leaf's stored values into values of its frame type (see LeafConversion), page
// by page as the column reader decodes them. A value the frame type cannot hold exactly
// is reported, never rounded, wrapped or truncated.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "parquet/column_reader.hpp"
#include "parquet/schema.hpp"

namespace crv::parquet {

// How many stored values `out` holds for `leaf`, in the buffer its physical type decodes
// into.
size_t stored_value_count(const SchemaNode& leaf, const LeafData& out);

struct RefusedValue {
  int64_t index = 0;       // among the values converted, from 0
  std::string reason;      // names the stored type and the value
  bool malformed = false;  // the file is invalid (IoFormatError), not just out of range
};

// Converts the stored values `out` gained since it held `first` of them (as counted by
// stored_value_count) into the buffer of the leaf's frame type. Returns the first value
// that cannot be converted exactly; `out` is then left partly converted, to be discarded.
std::optional<RefusedValue> convert_stored_values(const SchemaNode& leaf, size_t first,
                                                  LeafData& out);

}  // namespace crv::parquet
