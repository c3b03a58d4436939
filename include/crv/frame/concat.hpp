#pragma once
// Concatenation of arrays and frames, e.g. the row groups of a scan collected into one
// frame. Inputs may be slices; a result built from several inputs is compact (offset 0,
// buffers of its own), while a single input is returned as is.

#include <span>

#include "crv/frame/array.hpp"
#include "crv/frame/frame.hpp"

namespace crv::frame {

// The slots of every array, in order, as one new array. All arrays must have the same
// type (DataType::equals, so nested member names and nullability included); otherwise,
// or when `arrays` is empty (there is no type to give the result), a SchemaError. Throws
// SchemaError, too, when string or list offsets would leave the int32 range.
ArrayPtr concat_arrays(std::span<const ArrayPtr> arrays);

// The rows of every frame, in order. The frames must have the same column names in the
// same order and, column by column, the same types (SchemaError naming the column and
// the frame otherwise). No frames give an empty frame; one frame is returned as is.
Frame concat(std::span<const Frame> frames);

}  // namespace crv::frame
