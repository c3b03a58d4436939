#pragma once
// crv_io.Table: rows in Arrow's layout, handed to Python as Arrow streams (without
// copying), Python objects or numpy arrays.

#include <pybind11/pybind11.h>

#include <vector>

#include "crv/frame/frame.hpp"

namespace crv::python {

namespace py = pybind11;

struct Table {
  // Columns named and typed like `frame`'s, all nullable.
  explicit Table(frame::Frame rows);
  Table(frame::Frame rows, std::vector<frame::Field> columns);

  frame::Frame frame;
  std::vector<frame::Field> fields;  // one per column of `frame`
};

// Column name to type text, e.g. {"tick": "int64"}.
py::dict schema_dict(const std::vector<frame::Field>& fields);

}  // namespace crv::python
