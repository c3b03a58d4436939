#pragma once
// The Arrow PyCapsule interface: capsules named "arrow_schema", "arrow_array" and
// "arrow_array_stream" holding the C Data Interface structures. A capsule's destructor
// releases its structure unless a consumer has moved it out (release set to NULL).

#include <pybind11/pybind11.h>

#include <memory>
#include <vector>

#include "crv/frame/arrow_c_stream.hpp"
#include "crv/frame/frame.hpp"

namespace crv::python {

namespace py = pybind11;

inline constexpr const char* kSchemaCapsule = "arrow_schema";
inline constexpr const char* kArrayCapsule = "arrow_array";
inline constexpr const char* kStreamCapsule = "arrow_array_stream";

// A stream capsule over the batches `source` yields, each with the columns of `fields`.
py::object stream_capsule(std::vector<frame::Field> fields, frame::BatchSource source);

// A schema capsule describing a record batch of `fields` (a "+s" struct).
py::object schema_capsule(const std::vector<frame::Field>& fields);

// Consumes the stream a capsule holds. SchemaError when `capsule` is not a capsule of
// that name, or has been consumed already.
std::unique_ptr<frame::ArrowStreamReader> read_stream_capsule(const py::handle& capsule);

// Consumes the record batch an (arrow_schema, arrow_array) capsule pair holds; the schema
// is only read. SchemaError as read_stream_capsule.
frame::Frame read_array_capsules(const py::handle& schema, const py::handle& array);

// The requested_schema argument of __arrow_c_stream__: None or a schema capsule
// (TypeError otherwise). crv-io exports its own types whatever is asked for, as the
// interface allows; consumers compare the schema they get with the one they wanted.
void check_requested_schema(const py::handle& requested_schema);

}  // namespace crv::python
