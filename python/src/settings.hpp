#pragma once
// IoSettings arguments.

#include <pybind11/pybind11.h>

#include "crv/io/settings.hpp"

namespace crv::python {

namespace py = pybind11;

// `settings` as the IoSettings it must be; TypeError otherwise.
const io::IoSettings& settings_of(const py::handle& settings);

}  // namespace crv::python
