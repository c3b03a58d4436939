#pragma once
// The parts of the native module _crv_io, each adding its classes and functions to the
// module in the order module.cpp calls them (errors first: the others raise them).

#include <pybind11/pybind11.h>

namespace crv::python {

namespace py = pybind11;

void bind_errors(py::module_& module);
void bind_tables(py::module_& module);
void bind_settings(py::module_& module);
void bind_table(py::module_& module);
void bind_dataset(py::module_& module);
void bind_run_files(py::module_& module);

}  // namespace crv::python
