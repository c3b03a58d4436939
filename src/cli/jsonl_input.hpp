#pragma once
// JSON lines to frames: one object per line; objects become structs, arrays of objects
// lists of structs. Columns the table descriptor types as scalars take that type where
// the conversion is lossless, so a file can say 3 for an f64 column.

#include <istream>
#include <string>

#include "crv/core/table_descriptor.hpp"
#include "crv/frame/frame.hpp"

namespace crv::cli {

// Reads every line of `input` (named `source` in errors). A malformed line, a value that
// does not fit its column or a non-object line is an IoSchemaError naming the source, the
// 1-based line and the column.
frame::Frame read_jsonl(std::istream& input, const std::string& source,
                        const core::TableDescriptor& table);

}  // namespace crv::cli
