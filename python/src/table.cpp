// crv_io.Table; see table.hpp.

#include "table.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <string>
#include <utility>

#include "arrow_capsules.hpp"
#include "bindings.hpp"
#include "crv/frame/array.hpp"
#include "input.hpp"

namespace crv::python {
namespace {

using frame::Array;
using frame::ArrayPtr;
using frame::TypeId;

py::object value_at(const Array& array, int64_t i);

py::object struct_at(const Array& array, int64_t i) {
  py::dict record;
  const auto& members = array.type()->fields();
  for (size_t m = 0; m < members.size(); ++m) {
    record[py::str(members[m].name)] = value_at(*array.child(m), array.offset() + i);
  }
  return record;
}

py::object list_at(const Array& array, int64_t i) {
  const frame::Range range = array.list_range(i);
  const Array& items = *array.list_items();
  py::list list(range.size());
  for (int64_t k = range.begin; k < range.end; ++k) {
    list[static_cast<size_t>(k - range.begin)] = value_at(items, k);
  }
  return list;
}

// Slot i of `array` (i counted from the array's offset, as Array's accessors do).
py::object value_at(const Array& array, int64_t i) {
  if (array.is_null(i)) return py::none();
  switch (array.type_id()) {
    case TypeId::Int64:
      return py::int_(array.int64_values()[i]);
    case TypeId::Float64:
      return py::float_(array.float64_values()[i]);
    case TypeId::Utf8: {
      const std::string_view text = array.string_at(i);
      return py::reinterpret_steal<py::object>(
          PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "strict"));
    }
    case TypeId::Bool:
      return py::bool_(array.bool_at(i));
    case TypeId::Struct:
      return struct_at(array, i);
    case TypeId::List:
      return list_at(array, i);
    case TypeId::Null:
      return py::none();
  }
  return py::none();
}

py::list column_values(const ArrayPtr& column) {
  py::list values(static_cast<size_t>(column->length()));
  for (int64_t i = 0; i < column->length(); ++i) {
    values[static_cast<size_t>(i)] = value_at(*column, i);
  }
  return values;
}

// A read-only numpy view of an int64 or float64 column's values, keeping the column alive.
template <class T>
py::array numeric_view(const ArrayPtr& column, const T* values) {
  auto* keep = new ArrayPtr(column);
  py::capsule owner(keep, [](void* kept) { delete static_cast<ArrayPtr*>(kept); });
  py::array_t<T> view({column->length()}, {static_cast<py::ssize_t>(sizeof(T))}, values, owner);
  py::detail::array_proxy(view.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return view;
}

py::object null_mask(const ArrayPtr& column) {
  if (column->null_count() == 0) return py::none();
  py::array_t<bool> mask(column->length());
  bool* out = mask.mutable_data();
  for (int64_t i = 0; i < column->length(); ++i) out[i] = column->is_null(i);
  return mask;
}

// (kind, values, mask) of a column, for to_pandas: "int64" / "float64" values are numpy
// views without a copy, "bool" a numpy bool array; "object" a list of Python values.
// mask is a numpy bool array (True: null) or None.
py::tuple column_parts(const ArrayPtr& column) {
  switch (column->type_id()) {
    case TypeId::Int64:
      return py::make_tuple("int64", numeric_view(column, column->int64_values()),
                            null_mask(column));
    case TypeId::Float64:
      return py::make_tuple("float64", numeric_view(column, column->float64_values()),
                            null_mask(column));
    case TypeId::Bool: {
      py::array_t<bool> values(column->length());
      bool* out = values.mutable_data();
      for (int64_t i = 0; i < column->length(); ++i)
        out[i] = column->is_valid(i) && column->bool_at(i);
      return py::make_tuple("bool", values, null_mask(column));
    }
    default:
      return py::make_tuple("object", column_values(column), py::none());
  }
}

std::vector<frame::Field> nullable_fields(const frame::Frame& rows) {
  std::vector<frame::Field> fields;
  for (size_t i = 0; i < rows.num_columns(); ++i) {
    fields.push_back({.name = rows.name(i), .type = rows.column(i)->type(), .nullable = true});
  }
  return fields;
}

}  // namespace

Table::Table(frame::Frame rows) : frame(std::move(rows)), fields(nullable_fields(frame)) {}

Table::Table(frame::Frame rows, std::vector<frame::Field> columns)
    : frame(std::move(rows)), fields(std::move(columns)) {}

py::dict schema_dict(const std::vector<frame::Field>& fields) {
  py::dict schema;
  for (const frame::Field& field : fields) schema[py::str(field.name)] = field.type->to_string();
  return schema;
}

void bind_table(py::module_& module) {
  py::class_<Table>(module, "Table",
                    "Rows read from a table, in Arrow's columnar layout. Arrow consumers take "
                    "it without copying through __arrow_c_stream__ (pl.DataFrame(t), "
                    "pa.table(t), duckdb.from_arrow(t)).")
      .def_static(
          "from_data", [](const py::handle& data) { return Table(frame_from_python(data)); },
          py::arg("data"),
          "Converts any input an append accepts, without validating it against a table.")
      .def_property_readonly("num_rows", [](const Table& t) { return t.frame.num_rows(); })
      .def_property_readonly("num_columns", [](const Table& t) { return t.frame.num_columns(); })
      .def_property_readonly("column_names", [](const Table& t) { return t.frame.names(); })
      .def_property_readonly(
          "schema", [](const Table& t) { return schema_dict(t.fields); },
          "Column name to type, e.g. {\"tick\": \"int64\", \"payload\": \"struct<a: int64>\"}.")
      .def("__len__", [](const Table& t) { return t.frame.num_rows(); })
      .def(
          "column",
          [](const Table& t, const std::string& name) {
            const frame::ArrayPtr column = t.frame.find(name);
            if (!column) throw py::key_error("the table has no column '" + name + "'");
            return column_values(column);
          },
          py::arg("name"), "The column's values as a list; KeyError when there is none.")
      .def(
          "to_pydict",
          [](const Table& t) {
            py::dict columns;
            for (size_t i = 0; i < t.frame.num_columns(); ++i) {
              columns[py::str(t.frame.name(i))] = column_values(t.frame.column(i));
            }
            return columns;
          },
          "Column name to list of values.")
      .def(
          "to_pylist",
          [](const Table& t) {
            std::vector<py::list> columns;
            for (const ArrayPtr& column : t.frame.columns())
              columns.push_back(column_values(column));
            std::vector<py::str> names(t.frame.names().begin(), t.frame.names().end());
            py::list rows(static_cast<size_t>(t.frame.num_rows()));
            for (size_t row = 0; row < rows.size(); ++row) {
              py::dict record;
              for (size_t c = 0; c < columns.size(); ++c) record[names[c]] = columns[c][row];
              rows[row] = std::move(record);
            }
            return rows;
          },
          "One dict per row.")
      .def(
          "_column_parts",
          [](const Table& t, size_t index) { return column_parts(t.frame.column(index)); },
          py::arg("index"))
      .def(
          "to_pandas",
          [](const py::object& self) {
            return py::module_::import("crv_io._output").attr("to_pandas")(self);
          },
          "A pandas DataFrame: int64/float64/bool numpy columns without nulls; nullable pandas "
          "dtypes (Int64, Float64, boolean) where nulls occur; object columns of str, dict "
          "(structs) and list.")
      .def(
          "__arrow_c_stream__",
          [](const Table& t, const py::handle& requested_schema) {
            check_requested_schema(requested_schema);
            auto pending = std::make_shared<std::optional<frame::Frame>>(t.frame);
            return stream_capsule(t.fields, [pending]() {
              std::optional<frame::Frame> batch = std::move(*pending);
              pending->reset();
              return batch;
            });
          },
          py::arg("requested_schema") = py::none(),
          "The rows as an Arrow stream of one batch, sharing the table's buffers. "
          "requested_schema is accepted and not applied: the stream has the table's own types.")
      .def("__arrow_c_schema__", [](const Table& t) { return schema_capsule(t.fields); })
      .def("__eq__",
           [](const Table& a, const py::handle& b) {
             return py::isinstance<Table>(b) && a.frame.equals(b.cast<const Table&>().frame);
           })
      .def("__repr__", [](const Table& t) {
        std::string text = "crv_io.Table(" + std::to_string(t.frame.num_rows()) + " rows: ";
        for (size_t i = 0; i < t.fields.size(); ++i) {
          if (i > 0) text += ", ";
          text += t.fields[i].name + " " + t.fields[i].type->to_string();
        }
        return text + ")";
      });
}

}  // namespace crv::python
