#pragma once
// Checks an appended frame against its table descriptor and brings it into the table's
// canonical shape: every descriptor column, in descriptor order, with its exact type.
//
// Rules, each violation an IoSchemaError naming the column, the row and the value:
//   - `tick` is required, Int64 (an integral Float64 is cast), non-null and >= 0.
//   - `bucket` is tick / bucket_size; a supplied `bucket` column must agree row by row.
//   - Required columns are present and hold no nulls; absent nullable columns become
//     typed all-null columns, so every part of a table has the same columns.
//   - Scalar casts are lossless only: an Int64 becomes Float64 when the double holds it
//     exactly, an integral Float64 becomes Int64, and numbers become strings in their
//     shortest exact decimal form. Anything else is an error, never a silent null.
//   - struct columns are Struct with at least one field; list[struct] columns are List
//     of Struct.
//   - In strict mode no other columns are allowed; otherwise they are kept, after the
//     descriptor's, and their names must be lower_snake.
//   - Every string, nested ones included, is valid UTF-8 (validate_partitioning checks
//     this too).

#include <cstdint>
#include <vector>

#include "crv/core/table_descriptor.hpp"
#include "crv/frame/frame.hpp"

namespace crv::io {

// The frame type of a descriptor dtype: int64, float64 or utf8, and the null type for
// struct and list[struct] columns, whose members only data tells.
frame::TypePtr descriptor_type(core::DType dtype);

struct ValidateOptions {
  int64_t bucket_size = 100;
  bool strict = true;
};

struct ValidatedFrame {
  frame::Frame frame;                // canonical columns, then any extras
  std::vector<frame::Field> fields;  // the Parquet schema: required columns not nullable
};

ValidatedFrame validate_frame(const frame::Frame& input, const core::TableDescriptor& table,
                              const ValidateOptions& options);

// Only the partitioning rules (`tick` and `bucket`), for frames already known to fit:
// the frame as given with `bucket` computed and placed first, every column nullable but
// those two.
ValidatedFrame validate_partitioning(const frame::Frame& input, int64_t bucket_size);

}  // namespace crv::io
