#pragma once
// Frame: an immutable table of ordered, uniquely named columns of equal length. Frames
// share their column arrays; the "modifying" operations return new frames.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crv/frame/array.hpp"
#include "crv/frame/value.hpp"

namespace crv::frame {

class Frame {
 public:
  // No columns, no rows.
  Frame() = default;
  // SchemaError naming the column when a name is empty or repeated, an array is missing,
  // or lengths differ.
  explicit Frame(std::vector<std::pair<std::string, ArrayPtr>> columns);
  Frame(std::vector<std::string> names, std::vector<ArrayPtr> columns);

  // One row per record; columns are the record fields (see infer_type for how differing
  // field sets unify). With `schema` (a struct type) the columns follow it instead.
  // SchemaError naming the row when a row is not a record.
  static Frame from_rows(std::span<const Value> rows, const TypePtr& schema = nullptr);
  // The members of a struct array as columns (sliced to its rows). The struct must have
  // no null rows.
  static Frame from_struct_array(const ArrayPtr& array);

  int64_t num_rows() const { return num_rows_; }
  size_t num_columns() const { return columns_.size(); }
  const std::vector<std::string>& names() const { return names_; }
  const std::vector<ArrayPtr>& columns() const { return columns_; }
  const std::string& name(size_t index) const { return names_.at(index); }
  const ArrayPtr& column(size_t index) const { return columns_.at(index); }

  // SchemaError naming `name` and listing the existing columns when absent.
  const ArrayPtr& column(std::string_view name) const;
  // nullptr when absent.
  ArrayPtr find(std::string_view name) const;
  std::optional<size_t> index_of(std::string_view name) const;
  bool has_column(std::string_view name) const { return index_of(name).has_value(); }

  // New frames; SchemaError when the name exists already (add) or is absent
  // (replace, drop, select), or when the column's length differs.
  Frame add_column(std::string name, ArrayPtr column) const;
  Frame replace_column(std::string_view name, ArrayPtr column) const;
  Frame drop_column(std::string_view name) const;
  // The named columns in the given order.
  Frame select(const std::vector<std::string>& names) const;

  // Rows [offset, offset + length), sharing buffers.
  Frame slice(int64_t offset, int64_t length) const;
  // Rows indices[0], indices[1], ... copied into new columns.
  Frame take(std::span<const int64_t> indices) const;
  // The rows split into `count` new frames: row i goes to frame groups[i], in order (see
  // Array::partition).
  std::vector<Frame> partition(std::span<const uint32_t> groups, size_t count) const;

  // Same names in the same order and logically equal columns.
  bool equals(const Frame& other) const;

  // The columns as a struct type: nullable members named and typed like the columns.
  TypePtr schema() const;
  // The frame as a struct array without nulls (sharing the column arrays).
  ArrayPtr to_struct_array() const;

 private:
  std::vector<std::string> names_;
  std::vector<ArrayPtr> columns_;
  int64_t num_rows_ = 0;
};

}  // namespace crv::frame
