#pragma once
// Table names as Python passes them: a TableName member or its lower_snake string.

#include <pybind11/pybind11.h>

#include <string>

#include "crv/core/table_name.hpp"

namespace crv::python {

namespace py = pybind11;

// The canonical table `table` names (a TableName member or a str); GrammarError for an
// unknown name, TypeError for anything but a str.
core::TableName table_name_of(const py::handle& table);

// The TableName member of `table`.
py::object table_name_member(core::TableName table);

}  // namespace crv::python
