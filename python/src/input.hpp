#pragma once
// Python data as frames. Accepted, in this order of precedence:
//   - an object with __arrow_c_stream__ (Polars, pyarrow, DuckDB, nanoarrow, crv_io.Table):
//     its batches, imported without copying;
//   - an object with __arrow_c_array__: one record batch, imported without copying;
//   - a pandas DataFrame, or a mapping of column name to list, tuple, numpy array or
//     pandas Series (crv_io/_input.py reduces both to typed columns): int64 and float64
//     numpy columns are shared without copying (or copied, see NumpyMemory), the others
//     converted;
//   - a list or tuple of mappings, one per row (fields missing from a row are null).
// Python values map to int64 (int), float64 (float), utf8 (str), bool, struct (a mapping
// with str keys) and list (list or tuple); None, and pandas' NA, are null. Anything else
// is an IoSchemaError naming the column and row.

#include <pybind11/pybind11.h>

#include <memory>
#include <optional>

#include "crv/frame/arrow_c_stream.hpp"
#include "crv/frame/frame.hpp"

namespace crv::python {

namespace py = pybind11;

// Whether int64 and float64 numpy columns are shared or copied. Sharing suits a frame
// encoded before the Python call returns; a frame kept beyond it (a transaction buffers
// rows until a row group fills) is copied, since the caller may change the array
// meanwhile. Arrow inputs are always shared: the Arrow C interfaces make exported memory
// immutable while the consumer holds it.
enum class NumpyMemory { kShare, kCopy };

class InputBatches {
 public:
  // Converts `data` (needs the GIL). A stream is only opened here: its batches are read
  // by next(). TypeError for an object of none of the accepted kinds.
  explicit InputBatches(const py::handle& data, NumpyMemory numpy = NumpyMemory::kShare);

  // The next batch, nothing at the end. Needs no GIL: producers that need it take it.
  std::optional<frame::Frame> next();

  // True when the input may hold several batches.
  bool is_stream() const { return stream_ != nullptr; }

 private:
  std::optional<frame::Frame> single_;
  std::unique_ptr<frame::ArrowStreamReader> stream_;
};

// All of `data` as one frame (batches concatenated).
frame::Frame frame_from_python(const py::handle& data);

}  // namespace crv::python
