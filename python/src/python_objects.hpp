#pragma once
// Small conversions every part of the module uses. Paths need none: pybind11's
// filesystem caster (pybind11/stl/filesystem.h) takes str and os.PathLike arguments and
// returns pathlib.Path.

#include <pybind11/pybind11.h>

#include <string>

namespace crv::python {

namespace py = pybind11;

// The qualified name of `object`'s type, for messages, e.g. "DataFrame".
inline std::string type_name(const py::handle& object) {
  return py::str(py::type::handle_of(object).attr("__qualname__")).cast<std::string>();
}

// The Python value of a JSON text the engine produced (a manifest, a summary).
inline py::object json_value(const std::string& text) {
  return py::module_::import("json").attr("loads")(text);
}

}  // namespace crv::python
