#pragma once
// Table descriptors: the columns, types and nullability of every canonical
// table. They are the source of truth the writer validates frames against.

#include <span>
#include <string_view>

#include "crv/core/schema_version.hpp"
#include "crv/core/table_name.hpp"

namespace crv::core {

// Column types of the canonical tables.
enum class DType : uint8_t {
  kI64,         // 64-bit signed integer
  kF64,         // IEEE-754 double
  kStr,         // UTF-8 string
  kStruct,      // record of named fields (validated shallowly)
  kListStruct,  // list whose items are records
};

// "i64", "f64", "str", "struct" or "list[struct]".
std::string_view to_string(DType dtype) noexcept;

struct ColumnDescriptor {
  std::string_view name;
  DType dtype;
  // Required columns must be present in every appended frame and hold no
  // nulls; the others may be absent or null.
  bool required;
  bool nullable() const noexcept { return !required; }
};

struct TableDescriptor {
  TableName name;
  // In canonical order; the first is the partition column `bucket`.
  std::span<const ColumnDescriptor> columns;
  std::span<const std::string_view> partitioning;
  const SchemaVersion& version;

  // The column called `name`, or nullptr.
  const ColumnDescriptor* find(std::string_view column) const noexcept;
};

const TableDescriptor& get_table(TableName table);
// Resolves the name first; GrammarError for an unknown table.
const TableDescriptor& get_table(std::string_view table);
// All descriptors, in the order of kAllTables.
std::span<const TableDescriptor> list_tables();

}  // namespace crv::core
