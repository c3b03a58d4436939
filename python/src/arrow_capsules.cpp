// Arrow PyCapsules made and consumed by crv_io.

#include "arrow_capsules.hpp"

#include <fmt/format.h>

#include <string>
#include <utility>

#include "crv/core/errors.hpp"
#include "crv/frame/arrow_c.hpp"
#include "python_objects.hpp"

namespace crv::python {
namespace {

template <class Structure>
void release_capsule(PyObject* capsule, const char* name) {
  auto* structure = static_cast<Structure*>(PyCapsule_GetPointer(capsule, name));
  if (structure == nullptr) {
    PyErr_Clear();
    return;
  }
  if (structure->release != nullptr) structure->release(structure);
  delete structure;
}

void release_schema_capsule(PyObject* capsule) {
  release_capsule<ArrowSchema>(capsule, kSchemaCapsule);
}
void release_stream_capsule(PyObject* capsule) {
  release_capsule<ArrowArrayStream>(capsule, kStreamCapsule);
}

// The structure a capsule called `name` holds, not yet consumed.
template <class Structure>
Structure* capsule_structure(const py::handle& capsule, const char* name) {
  if (!PyCapsule_CheckExact(capsule.ptr())) {
    throw SchemaError(
        fmt::format("expected a PyCapsule named '{}', got a {}", name, type_name(capsule)));
  }
  const char* actual = PyCapsule_GetName(capsule.ptr());
  if (actual == nullptr || std::string_view(actual) != name) {
    throw SchemaError(fmt::format("expected a PyCapsule named '{}', got one named '{}'", name,
                                  actual == nullptr ? "" : actual));
  }
  auto* structure = static_cast<Structure*>(PyCapsule_GetPointer(capsule.ptr(), name));
  if (structure == nullptr) throw py::error_already_set();
  if (structure->release == nullptr) {
    throw SchemaError(fmt::format("the '{}' capsule has been consumed already", name));
  }
  return structure;
}

py::object make_capsule(void* structure, const char* name, PyCapsule_Destructor destructor) {
  PyObject* capsule = PyCapsule_New(structure, name, destructor);
  if (capsule == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(capsule);
}

}  // namespace

py::object stream_capsule(std::vector<frame::Field> fields, frame::BatchSource source) {
  auto stream = std::make_unique<ArrowArrayStream>();
  frame::export_stream(std::move(fields), std::move(source), stream.get());
  py::object capsule = make_capsule(stream.get(), kStreamCapsule, release_stream_capsule);
  stream.release();  // the capsule owns it now
  return capsule;
}

py::object schema_capsule(const std::vector<frame::Field>& fields) {
  auto schema = std::make_unique<ArrowSchema>();
  frame::export_schema(frame::Field{.name = "", .type = frame::struct_(fields), .nullable = false},
                       schema.get());
  py::object capsule = make_capsule(schema.get(), kSchemaCapsule, release_schema_capsule);
  schema.release();
  return capsule;
}

std::unique_ptr<frame::ArrowStreamReader> read_stream_capsule(const py::handle& capsule) {
  return std::make_unique<frame::ArrowStreamReader>(
      capsule_structure<ArrowArrayStream>(capsule, kStreamCapsule));
}

frame::Frame read_array_capsules(const py::handle& schema, const py::handle& array) {
  const ArrowSchema* schema_structure = capsule_structure<ArrowSchema>(schema, kSchemaCapsule);
  ArrowArray* array_structure = capsule_structure<ArrowArray>(array, kArrayCapsule);
  return frame::import_frame(array_structure, schema_structure);
}

void check_requested_schema(const py::handle& requested_schema) {
  if (requested_schema.is_none()) return;
  if (!PyCapsule_IsValid(requested_schema.ptr(), kSchemaCapsule)) {
    throw py::type_error("requested_schema must be None or a PyCapsule named 'arrow_schema'");
  }
}

}  // namespace crv::python
