// crv-io's error classes as Python exceptions, and the translation of every crv::Error
// thrown by the engine into the class of the same name, with its context as attributes.

#include <pybind11/pybind11.h>

#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bindings.hpp"
#include "crv/core/errors.hpp"

namespace crv::python {
namespace {

struct ErrorClass {
  const char* name;
  const char* base;     // nullptr: the root, CrvError
  bool is_value_error;  // also a ValueError, as Python code checking arguments expects
  const char* doc;
};

// Bases before subclasses. The names are Error::kind() values.
constexpr ErrorClass kErrorClasses[] = {
    {"CrvError", nullptr, false,
     "Base of every crv-io error. str(e) is the message followed by its context; the "
     "attributes message, path, column, row and offset hold the parts (None when unknown)."},
    {"GrammarError", "CrvError", true,
     "A name breaks the grammar: unknown table, not lower_snake, bad run id."},
    {"SchemaError", "CrvError", true,
     "In-memory data breaks a rule of its own: a row rule, or a malformed Arrow array."},
    {"IoError", "CrvError", false,
     "Base of the I/O errors; raised itself for operating-system failures."},
    {"IoConfigError", "IoError", false, "A setting or argument value is invalid."},
    {"IoSchemaError", "IoError", false,
     "Data does not fit the table's descriptor; names the column, row and value."},
    {"IoWriteError", "IoError", false, "A part or file could not be encoded or stored."},
    {"IoManifestError", "IoError", false,
     "A manifest is missing, corrupt or could not be written."},
    {"IoFormatError", "IoError", false,
     "A file is not valid Parquet, or uses a feature crv-io does not read."},
};

// Owned by the module (module attributes); kept here for the translator.
std::vector<std::pair<std::string, py::handle>>& registered_classes() {
  static std::vector<std::pair<std::string, py::handle>> classes;
  return classes;
}

py::handle class_named(std::string_view name) {
  for (const auto& [class_name, type] : registered_classes()) {
    if (class_name == name) return type;
  }
  return registered_classes().front().second;  // CrvError
}

py::object optional_text(const std::string& text) {
  return text.empty() ? py::object(py::none()) : py::object(py::str(text));
}

template <class T>
py::object optional_number(const std::optional<T>& number) {
  return number ? py::object(py::int_(*number)) : py::object(py::none());
}

void raise_error(const Error& error) {
  const py::handle type = class_named(error.kind());
  py::object instance = type(error.what());
  instance.attr("message") = error.message();
  instance.attr("path") = optional_text(error.context().path);
  instance.attr("column") = optional_text(error.context().column);
  instance.attr("row") = optional_number(error.context().row);
  instance.attr("offset") = optional_number(error.context().offset);
  PyErr_SetObject(type.ptr(), instance.ptr());
}

}  // namespace

void bind_errors(py::module_& module) {
  for (const ErrorClass& error_class : kErrorClasses) {
    py::tuple bases = error_class.base == nullptr  ? py::make_tuple(py::handle(PyExc_Exception))
                      : error_class.is_value_error ? py::make_tuple(class_named(error_class.base),
                                                                    py::handle(PyExc_ValueError))
                                                   : py::make_tuple(class_named(error_class.base));
    const std::string qualified = std::string("crv_io.") + error_class.name;
    PyObject* type =
        PyErr_NewExceptionWithDoc(qualified.c_str(), error_class.doc, bases.ptr(), nullptr);
    if (type == nullptr) throw py::error_already_set();
    py::object type_object = py::reinterpret_steal<py::object>(type);
    if (error_class.base == nullptr) {
      // Errors raised from Python code have no context: the attributes default to None.
      for (const char* attribute : {"message", "path", "column", "row", "offset"}) {
        type_object.attr(attribute) = py::none();
      }
    }
    module.add_object(error_class.name, type_object);
    registered_classes().emplace_back(error_class.name, type_object.release());
  }
  py::register_exception_translator([](std::exception_ptr pending) {
    try {
      if (pending) std::rethrow_exception(pending);
    } catch (const Error& error) {
      raise_error(error);
    }
  });
}

}  // namespace crv::python
