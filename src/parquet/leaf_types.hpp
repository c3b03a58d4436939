#pragma once
// The frame type a leaf column of any writer's file reads into, decided by its physical
// type and its logical (or legacy converted) type, and the conversion its stored values
// need on the way. Unsigned integers, decimals, half floats, UUIDs and unannotated bytes
// all read as one of the frame's types exactly; dates, times, timestamps, INT96 and
// intervals have no frame type and are refused rather than read as bare numbers.

#include <string_view>

#include "crv/frame/types.hpp"
#include "parquet/format.hpp"
#include "parquet/schema.hpp"

namespace crv::parquet {

struct LeafTyping {
  frame::TypePtr type;
  LeafConversion conversion;
};

// The typing of leaf `element`, whose dotted path in the schema is `column`, in file
// `file`. Throws IoSchemaError naming the column for a type no frame type holds (saying
// how to convert it), and IoFormatError for an annotation its physical type cannot carry.
LeafTyping type_leaf(const format::SchemaElement& element, std::string_view column,
                     std::string_view file);

}  // namespace crv::parquet
