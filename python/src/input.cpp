// Python data into frames; see input.hpp.

#include "input.hpp"

#include <fmt/format.h>
#include <pybind11/numpy.h>

#include <string>
#include <utility>
#include <vector>

#include "arrow_capsules.hpp"
#include "crv/core/errors.hpp"
#include "crv/frame/bitmap.hpp"
#include "crv/frame/builders.hpp"
#include "crv/frame/concat.hpp"
#include "crv/frame/value.hpp"
#include "python_objects.hpp"

namespace crv::python {
namespace {

using frame::ArrayPtr;
using frame::Frame;
using frame::Value;

// Nesting deeper than this is refused rather than risking the stack on hostile input.
constexpr int kMaxNesting = 64;

[[noreturn]] void unconvertible(const std::string& why, const std::string& column, int64_t row) {
  throw IoSchemaError(fmt::format("column '{}', row {}: {}", column, row, why),
                      {.column = column, .row = row});
}

bool is_pandas_missing(const py::handle& object) {
  // pandas.NA and pandas.NaT, without importing pandas.
  const std::string name = type_name(object);
  return name == "NAType" || name == "NaTType";
}

Value value_of(const py::handle& object, const std::string& column, int64_t row, int depth);

Value record_of(const py::handle& mapping, const std::string& column, int64_t row, int depth) {
  Value::Record fields;
  for (const auto& [key, item] : py::reinterpret_borrow<py::dict>(mapping)) {
    if (!py::isinstance<py::str>(key)) {
      unconvertible(fmt::format("a struct's field names must be str, not {}", type_name(key)),
                    column, row);
    }
    fields.emplace_back(key.cast<std::string>(), value_of(item, column, row, depth + 1));
  }
  return Value::record(std::move(fields));
}

Value list_of(const py::handle& sequence, const std::string& column, int64_t row, int depth) {
  Value::List items;
  for (const py::handle item : sequence) items.push_back(value_of(item, column, row, depth + 1));
  return Value::list(std::move(items));
}

Value value_of(const py::handle& object, const std::string& column, int64_t row, int depth) {
  if (depth > kMaxNesting) {
    unconvertible(fmt::format("values nest deeper than {} levels", kMaxNesting), column, row);
  }
  PyObject* raw = object.ptr();
  if (raw == Py_None) return nullptr;
  if (PyBool_Check(raw)) return raw == Py_True;
  if (PyLong_Check(raw)) {
    int overflow = 0;
    const long long value = PyLong_AsLongLongAndOverflow(raw, &overflow);
    if (overflow != 0) {
      unconvertible(
          fmt::format("integer {} does not fit in int64", py::str(object).cast<std::string>()),
          column, row);
    }
    return static_cast<int64_t>(value);
  }
  if (PyFloat_Check(raw)) return PyFloat_AS_DOUBLE(raw);
  if (PyUnicode_Check(raw)) {
    Py_ssize_t size = 0;
    const char* text = PyUnicode_AsUTF8AndSize(raw, &size);
    if (text == nullptr) {
      PyErr_Clear();
      unconvertible("the string is not valid Unicode (it holds a lone surrogate)", column, row);
    }
    return std::string_view(text, static_cast<size_t>(size));
  }
  if (PyDict_Check(raw)) return record_of(object, column, row, depth);
  if (PyList_Check(raw) || PyTuple_Check(raw)) return list_of(object, column, row, depth);
  if (is_pandas_missing(object)) return nullptr;
  // numpy scalars (np.int64, np.bool_, ...) and other objects that know their Python value.
  if (py::hasattr(object, "dtype") && py::hasattr(object, "item")) {
    return value_of(object.attr("item")(), column, row, depth + 1);
  }
  if (py::isinstance(object, py::module_::import("collections.abc").attr("Mapping"))) {
    return record_of(py::dict(py::reinterpret_borrow<py::object>(object)), column, row, depth);
  }
  unconvertible(fmt::format("a {} is not a value crv-io tables hold (int, float, str, bool, "
                            "dict, list or None)",
                            type_name(object)),
                column, row);
}

// Prefixes the frame column to an error the value layer raised about a position inside it.
[[noreturn]] void rethrow_in_column(const SchemaError& error, const std::string& column) {
  const std::string& inner = error.context().column;
  throw SchemaError(
      fmt::format("column '{}': {}", column, error.message()),
      {.column = inner.empty() ? column : column + "." + inner, .row = error.context().row});
}

// Keeps a Python object alive for as long as buffers wrapping its memory exist, whatever
// thread drops the last of them.
std::shared_ptr<const void> python_owner(py::object object) {
  return std::shared_ptr<const void>(new py::object(std::move(object)), [](const void* owned) {
    auto* object = static_cast<py::object*>(const_cast<void*>(owned));
    if (!Py_IsInitialized()) return;  // the interpreter is gone; so is the memory's owner
    py::gil_scoped_acquire gil;
    delete object;
  });
}

using BoolArray = py::array_t<bool, py::array::c_style | py::array::forcecast>;

// The flags of crv_io._input's mask (True: null), or nothing when there is no mask.
std::optional<BoolArray> null_flags(const py::object& mask) {
  if (mask.is_none()) return std::nullopt;
  return mask.cast<BoolArray>();
}

bool flagged(const std::optional<BoolArray>& nulls, size_t row) {
  return nulls && nulls->data()[row];
}

frame::BufferPtr validity_of(const py::object& mask, int64_t length, int64_t& null_count) {
  null_count = 0;
  const std::optional<BoolArray> flags = null_flags(mask);
  if (!flags) return nullptr;
  const bool* is_null = flags->data();
  frame::BitmapBuilder bits;
  bits.reserve(length);
  for (int64_t i = 0; i < length; ++i) {
    bits.append(!is_null[i]);
    null_count += is_null[i] ? 1 : 0;
  }
  return null_count == 0 ? nullptr : bits.finish();
}

template <class T>
ArrayPtr numeric_column(const py::object& values, const py::object& mask,
                        const frame::TypePtr& type, NumpyMemory numpy) {
  auto array = values.cast<py::array_t<T, py::array::c_style | py::array::forcecast>>();
  const int64_t length = array.size();
  int64_t null_count = 0;
  frame::BufferPtr validity = validity_of(mask, length, null_count);
  const int64_t bytes = length * static_cast<int64_t>(sizeof(T));
  frame::BufferPtr data = numpy == NumpyMemory::kCopy
                              ? frame::Buffer::copy(array.data(), bytes)
                              : frame::Buffer::wrap(array.data(), bytes, python_owner(array));
  return frame::Array::make(frame::ArrayData{.type = type,
                                             .length = length,
                                             .null_count = null_count,
                                             .validity = std::move(validity),
                                             .values = std::move(data)});
}

ArrayPtr bool_column(const py::object& values, const py::object& mask) {
  const auto array = values.cast<BoolArray>();
  const std::optional<BoolArray> nulls = null_flags(mask);
  frame::BoolBuilder builder(array.size());
  for (py::ssize_t i = 0; i < array.size(); ++i) {
    if (flagged(nulls, static_cast<size_t>(i))) {
      builder.append_null();
    } else {
      builder.append(array.data()[i]);
    }
  }
  return builder.finish();
}

// The common case of an object column, text with or without nulls, built directly: through
// Values it costs several times as much. Nothing when an item is not a str or None (or a
// str that is not valid Unicode), or no item is a str: the general path then decides.
std::optional<ArrayPtr> string_column(const py::sequence& items,
                                      const std::optional<BoolArray>& nulls) {
  const py::object fast =
      py::reinterpret_steal<py::object>(PySequence_Fast(items.ptr(), "a column is a sequence"));
  if (!fast) throw py::error_already_set();
  const Py_ssize_t length = PySequence_Fast_GET_SIZE(fast.ptr());
  PyObject** item = PySequence_Fast_ITEMS(fast.ptr());
  frame::StringBuilder builder(length);
  bool any_text = false;
  for (Py_ssize_t row = 0; row < length; ++row) {
    if (item[row] == Py_None || flagged(nulls, static_cast<size_t>(row))) {
      builder.append_null();
      continue;
    }
    if (!PyUnicode_Check(item[row])) return std::nullopt;
    Py_ssize_t size = 0;
    const char* text = PyUnicode_AsUTF8AndSize(item[row], &size);
    if (text == nullptr) {
      PyErr_Clear();
      return std::nullopt;
    }
    builder.append(std::string_view(text, static_cast<size_t>(size)));
    any_text = true;
  }
  if (!any_text) return std::nullopt;
  return builder.finish();
}

ArrayPtr object_column(const std::string& name, const py::object& values, const py::object& mask) {
  const py::sequence items = values.cast<py::sequence>();
  const std::optional<BoolArray> nulls = null_flags(mask);
  if (std::optional<ArrayPtr> text = string_column(items, nulls)) return *text;
  std::vector<Value> converted;
  converted.reserve(items.size());
  for (size_t row = 0; row < items.size(); ++row) {
    if (flagged(nulls, row)) {
      converted.emplace_back(nullptr);
    } else {
      converted.push_back(value_of(items[row], name, static_cast<int64_t>(row), 0));
    }
  }
  try {
    return frame::array_from_values(converted);
  } catch (const SchemaError& error) {
    rethrow_in_column(error, name);
  }
}

// One column of crv_io._input's (name, kind, values, mask) form.
ArrayPtr column_of(const std::string& name, const std::string& kind, const py::object& values,
                   const py::object& mask, NumpyMemory numpy) {
  if (kind == "int64") return numeric_column<int64_t>(values, mask, frame::int64(), numpy);
  if (kind == "float64") return numeric_column<double>(values, mask, frame::float64(), numpy);
  if (kind == "bool") return bool_column(values, mask);
  return object_column(name, values, mask);
}

Frame frame_of_columns(const py::list& columns, NumpyMemory numpy) {
  std::vector<std::pair<std::string, ArrayPtr>> arrays;
  for (const py::handle column : columns) {
    const auto entry = column.cast<py::tuple>();
    const auto name = entry[0].cast<std::string>();
    arrays.emplace_back(name, column_of(name, entry[1].cast<std::string>(),
                                        py::reinterpret_borrow<py::object>(entry[2]),
                                        py::reinterpret_borrow<py::object>(entry[3]), numpy));
  }
  return Frame(std::move(arrays));
}

Frame frame_of_rows(const py::sequence& rows) {
  std::vector<Value> records;
  records.reserve(rows.size());
  for (size_t row = 0; row < rows.size(); ++row) {
    const py::object item = rows[row];
    if (!PyDict_Check(item.ptr())) {
      throw IoSchemaError(fmt::format("row {}: a row is a dict of column name to value, not a {}",
                                      row, type_name(item)),
                          {.row = static_cast<int64_t>(row)});
    }
    records.push_back(record_of(item, "", static_cast<int64_t>(row), 0));
  }
  return Frame::from_rows(records);
}

}  // namespace

InputBatches::InputBatches(const py::handle& data, NumpyMemory numpy) {
  if (py::hasattr(data, "__arrow_c_stream__")) {
    stream_ = read_stream_capsule(data.attr("__arrow_c_stream__")());
    return;
  }
  if (py::hasattr(data, "__arrow_c_array__")) {
    const auto capsules = data.attr("__arrow_c_array__")().cast<py::tuple>();
    if (capsules.size() != 2) {
      throw SchemaError("__arrow_c_array__ must return a (schema, array) pair of capsules");
    }
    single_ = read_array_capsules(capsules[0], capsules[1]);
    return;
  }
  const py::object columns = py::module_::import("crv_io._input").attr("columns_of")(data);
  if (!columns.is_none()) {
    single_ = frame_of_columns(columns.cast<py::list>(), numpy);
    return;
  }
  if (PyList_Check(data.ptr()) || PyTuple_Check(data.ptr())) {
    single_ = frame_of_rows(py::reinterpret_borrow<py::sequence>(data));
    return;
  }
  throw py::type_error(fmt::format(
      "cannot append a {}: pass an Arrow table or stream (Polars, pyarrow, DuckDB), a pandas "
      "DataFrame, a dict of columns or a list of row dicts",
      type_name(data)));
}

std::optional<Frame> InputBatches::next() {
  if (stream_) return stream_->next();
  std::optional<Frame> batch = std::move(single_);
  single_.reset();
  return batch;
}

Frame frame_from_python(const py::handle& data) {
  InputBatches input(data);
  std::vector<Frame> batches;
  while (std::optional<Frame> batch = input.next()) batches.push_back(std::move(*batch));
  if (batches.size() == 1) return std::move(batches.front());
  if (batches.empty()) return Frame();
  return frame::concat(batches);
}

}  // namespace crv::python
