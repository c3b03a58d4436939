#pragma once
// Zero-copy exchange of arrays and frames through the Arrow C Data Interface
// (https://arrow.apache.org/docs/format/CDataInterface.html), e.g. with pyarrow,
// Polars or DuckDB running in the same process.
//
// Formats: "l" int64, "g" float64, "u" utf8, "b" bool, "+s" struct, "+l" list.
// Import also accepts "U" (large utf8) and "+L" (large list), whose int64 offsets are
// narrowed to int32 (a copy of the offsets only) when they fit, and "n", imported as the
// null type (at most 2^31 - 1 slots: its bitmap is allocated here). Dictionary-encoded
// and other formats, and schemas nested deeper than 64 levels, are rejected with a
// SchemaError naming the format and the field.

#include <cstdint>

#include "crv/frame/array.hpp"
#include "crv/frame/frame.hpp"
#include "crv/frame/types.hpp"

// The ABI structures, as the specification defines them. The guard is the canonical
// one, so these coexist with other headers (e.g. Arrow's own) that define them.
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

extern "C" {

struct ArrowSchema {
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;
  void (*release)(struct ArrowSchema*);
  void* private_data;
};

struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;
  void (*release)(struct ArrowArray*);
  void* private_data;
};

}  // extern "C"

#endif  // ARROW_C_DATA_INTERFACE

namespace crv::frame {

// --- export: fill caller-provided structures. The caller (consumer) must call each
// structure's release callback once; exported buffers stay alive until then, shared
// with (not copied from) the array. Consumers may move child structures out as the
// specification allows; each child keeps its own buffers alive.

// The schema of `field`: its name, ARROW_FLAG_NULLABLE when nullable, and its type.
void export_schema(const Field& field, ArrowSchema* out);
// The data of `array`, with its offset and null count.
void export_array(const ArrayPtr& array, ArrowArray* out);
// Both at once; `field.type` must equal the array's type (SchemaError otherwise).
void export_array(const ArrayPtr& array, const Field& field, ArrowArray* out_array,
                  ArrowSchema* out_schema);
// A frame as a struct array ("+s", a record batch): one child per column, no nulls.
void export_frame(const Frame& frame, ArrowArray* out_array, ArrowSchema* out_schema);

// --- import. Schemas are only read: the caller keeps them and releases them itself
// (one schema can describe many arrays, e.g. of a stream). Arrays are consumed: the
// structure is moved (the caller's copy is marked released) and its buffers are wrapped
// without copying; the producer's release callback runs exactly once, when the last
// array sharing those buffers is destroyed, or before returning when the import fails.
// The result is fully validated (Array::validate); problems are SchemaErrors naming the
// field path (as column).

Field import_field(const ArrowSchema* schema);
ArrayPtr import_array(ArrowArray* array, const ArrowSchema* schema);
// A struct array ("+s") as a frame; the struct must have no null rows.
Frame import_frame(ArrowArray* array, const ArrowSchema* schema);

}  // namespace crv::frame
