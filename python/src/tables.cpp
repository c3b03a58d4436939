// The canonical tables: the TableName enum (a str enum, so members are their names) and
// the read-only descriptors.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <utility>
#include <vector>

#include "bindings.hpp"
#include "crv/core/schema_version.hpp"
#include "crv/core/table_descriptor.hpp"
#include "names.hpp"
#include "python_objects.hpp"

namespace crv::python {
namespace {

std::string upper_case(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper;
}

// Created once by bind_tables and never freed: a static py::object would be released
// after the interpreter is gone.
py::object& table_name_enum() {
  static auto* type = new py::object();
  return *type;
}

}  // namespace

core::TableName table_name_of(const py::handle& table) {
  if (!py::isinstance<py::str>(table)) {
    throw py::type_error("a table is a TableName or its name as a str, not " + type_name(table));
  }
  return core::parse_table_name(table.cast<std::string>());
}

py::object table_name_member(core::TableName table) {
  return table_name_enum()(std::string(core::to_string(table)));
}

void bind_tables(py::module_& module) {
  py::list members;
  for (core::TableName table : core::kAllTables) {
    const std::string_view name = core::to_string(table);
    members.append(py::make_tuple(upper_case(name), std::string(name)));
  }
  py::object enum_type = py::module_::import("enum").attr("Enum");
  table_name_enum() = enum_type("TableName", members, py::arg("module") = "crv_io",
                                py::arg("type") = py::module_::import("builtins").attr("str"));
  table_name_enum().attr("__doc__") =
      "The canonical tables. Wherever a table is asked for, its lower_snake name works too.";
  module.add_object("TableName", table_name_enum());

  py::class_<core::ColumnDescriptor>(module, "ColumnDescriptor", "A column of a canonical table.")
      .def_property_readonly("name",
                             [](const core::ColumnDescriptor& c) { return std::string(c.name); })
      .def_property_readonly(
          "dtype",
          [](const core::ColumnDescriptor& c) { return std::string(core::to_string(c.dtype)); })
      .def_readonly("required", &core::ColumnDescriptor::required,
                    "Present in every appended frame, never null.")
      .def_property_readonly("nullable", &core::ColumnDescriptor::nullable)
      .def("__repr__", [](const core::ColumnDescriptor& c) {
        return "ColumnDescriptor(" + std::string(c.name) + ": " +
               std::string(core::to_string(c.dtype)) + (c.required ? ", required)" : ")");
      });

  py::class_<core::TableDescriptor>(module, "TableDescriptor",
                                    "The columns, partitioning and version of a table.")
      .def_property_readonly(
          "name", [](const core::TableDescriptor& t) { return table_name_member(t.name); })
      .def_property_readonly(
          "columns",
          [](const core::TableDescriptor& t) {
            return std::vector<core::ColumnDescriptor>(t.columns.begin(), t.columns.end());
          },
          "In canonical order; the first is the partition column `bucket`.")
      .def_property_readonly("partitioning",
                             [](const core::TableDescriptor& t) {
                               return std::vector<std::string>(t.partitioning.begin(),
                                                               t.partitioning.end());
                             })
      .def_property_readonly(
          "version", [](const core::TableDescriptor& t) { return t.version.to_string(); },
          "The schema version, \"major.minor@date\".")
      .def(
          "column",
          [](const core::TableDescriptor& t, const std::string& name) -> py::object {
            const core::ColumnDescriptor* column = t.find(name);
            return column ? py::cast(*column) : py::none();
          },
          py::arg("name"), "The column called `name`, or None.")
      .def("__repr__", [](const core::TableDescriptor& t) {
        return "TableDescriptor(" + std::string(core::to_string(t.name)) + ", " +
               std::to_string(t.columns.size()) + " columns)";
      });

  module.def(
      "get_table",
      [](const py::handle& table) -> const core::TableDescriptor& {
        return core::get_table(table_name_of(table));
      },
      py::arg("table"), py::return_value_policy::reference,
      "The descriptor of `table`; GrammarError for an unknown name.");
  module.def(
      "list_tables",
      [] {
        const auto tables = core::list_tables();
        return std::vector<core::TableDescriptor>(tables.begin(), tables.end());
      },
      "Every table's descriptor, in canonical order.");
  module.attr("SCHEMA_VERSION") = core::schema_v().to_string();
}

}  // namespace crv::python
