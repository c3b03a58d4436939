// The native module of the crv_io package. The package's __init__.py re-exports it.

#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "crv/version.hpp"

PYBIND11_MODULE(_crv_io, module) {
  module.doc() =
      "crv-io's engine: append-only, tick-bucketed Parquet tables of CRV simulation runs.";
  module.attr("__version__") = crv::kLibraryVersion;
  crv::python::bind_errors(module);
  crv::python::bind_tables(module);
  crv::python::bind_settings(module);
  crv::python::bind_table(module);
  crv::python::bind_dataset(module);
  crv::python::bind_run_files(module);
}
