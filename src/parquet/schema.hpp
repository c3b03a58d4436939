#pragma once
// The bridge between frame types and the Parquet schema tree.
//
// A file's schema becomes a tree of nodes, each knowing the definition and repetition
// levels at which its values exist, so the writer (shredding arrays into levels) and the
// reader (assembling arrays from levels) share one description:
//   def_slot     the definition level at which a slot for the node exists: every
//                ancestor is non-null and every enclosing list non-empty;
//   def_present  the level at which the node's value is non-null
//                (def_slot + 1 for an optional node, def_slot for a required one);
//   rep_depth    the number of lists enclosing the node.
// A list's items sit one definition level and one repetition level deeper than the list
// itself (the repeated group of the three-level LIST layout).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <optional>

#include "crv/frame/types.hpp"
#include "crv/parquet/writer_options.hpp"
#include "parquet/format.hpp"

namespace crv::parquet {

// Deepest nesting of groups a schema may have, counting the footer's elements below the
// root (a three-level LIST takes two). Canonical tables nest a few levels; the limit bounds
// the recursion of building, shredding and assembling, and keeps levels far from int16's
// range, for hostile footers as for frames.
inline constexpr int kMaxSchemaDepth = 64;

// How a leaf's stored values become values of its frame type, decided by its logical
// (or legacy converted) type. Stored values that the frame type cannot hold exactly are
// refused value by value (see logical_values.hpp), never changed.
struct LeafConversion {
  enum class Kind : uint8_t {
    kNone,        // stored as read: INT64, INT32 and FLOAT widened, DOUBLE, strings, booleans
    kUnsigned32,  // INT32 holding an unsigned 8-, 16- or 32-bit integer
    kUnsigned64,  // INT64 holding an unsigned integer: values above 2^63 - 1 are refused
    kDecimal,     // an unscaled integer (INT32, INT64 or big-endian bytes) over 10^scale
    kFloat16,     // two little-endian bytes of an IEEE 754 half-precision number
    kUuid,        // sixteen bytes, read as the 8-4-4-4-12 lowercase hexadecimal text
    kBinary,      // bytes without a string annotation, read as text when they are UTF-8
  };
  Kind kind = Kind::kNone;
  int32_t precision = 0;  // decimals only
  int32_t scale = 0;      // decimals only
  bool whole = false;     // decimals only: read into int64, refusing values with a fraction
  std::string type_name;  // the stored type in words, for messages, e.g. "DECIMAL(10,2)"
};

struct SchemaNode {
  enum class Kind : uint8_t { kLeaf, kStruct, kList };
  Kind kind = Kind::kLeaf;
  std::string name;
  bool nullable = true;
  int16_t def_slot = 0;
  int16_t def_present = 0;
  int16_t rep_depth = 0;
  int parent = -1;
  std::vector<int> children;        // struct members in order, or a list's single item
  int first_leaf = -1;              // leftmost leaf under this node (itself for a leaf)
  frame::TypePtr type;              // the frame type this node reads into / is written from
  std::optional<int32_t> field_id;  // the footer's field_id, when it has one
  // Leaves only.
  format::Type physical_type = format::Type::kInt64;
  int32_t type_length = 0;  // FIXED_LEN_BYTE_ARRAY only: the bytes of every value
  LeafConversion conversion;
  int leaf_index = -1;
};

struct LeafColumn {
  int node = -1;                            // the leaf's node
  std::vector<int> path;                    // nodes from the top-level column down to the leaf
  std::vector<std::string> path_in_schema;  // names as the footer lists them
  int16_t max_def = 0;
  int16_t max_rep = 0;
};

class Schema {
 public:
  // The schema a writer produces for these top-level fields. Throws IoSchemaError for a
  // struct without members (Parquet cannot store it), a name that is not UTF-8, or nesting
  // deeper than kMaxSchemaDepth. Nodes at the paths of `field_ids` take those ids.
  static Schema from_fields(std::span<const frame::Field> fields, const FieldIds& field_ids = {});
  // The schema of a file, from its footer's depth-first schema elements. Throws
  // IoFormatError (naming `path`) for a malformed tree, a name that is not UTF-8 or nesting
  // deeper than kMaxSchemaDepth; IoSchemaError naming the column for a type no frame type
  // holds (dates, times, timestamps, INT96, intervals), with how to convert it.
  static Schema from_elements(std::span<const format::SchemaElement> elements,
                              std::string_view path);

  // Reads the DECIMAL column `column` (a top-level leaf) into int64, its values required to
  // be whole, instead of float64. Other columns are left as they are. Returns whether the
  // column is such a decimal.
  bool read_decimal_as_integer(int column);

  // The depth-first footer form, root first.
  std::vector<format::SchemaElement> to_elements() const;

  const std::vector<SchemaNode>& nodes() const { return nodes_; }
  const SchemaNode& node(int index) const { return nodes_[static_cast<size_t>(index)]; }
  const std::vector<int>& columns() const { return columns_; }  // top-level nodes
  const std::vector<LeafColumn>& leaves() const { return leaves_; }
  std::vector<frame::Field> fields() const;
  // The ids of the nodes that have one, by path (a list's item named "element").
  FieldIds field_ids() const;

 private:
  friend class ElementTreeBuilder;  // builds the nodes of from_elements

  int add_node(SchemaNode node);
  void adopt_child(int parent, int child);  // appends `child` to `parent`'s children
  void finish();                            // computes levels, leaves and first_leaf
  void assign_levels(int index, int16_t def_slot, int16_t rep_depth, std::vector<int>& path);
  frame::TypePtr group_type(const SchemaNode& group) const;
  void assign_footer_paths();

  std::vector<SchemaNode> nodes_;
  std::vector<int> columns_;
  std::vector<LeafColumn> leaves_;
};

}  // namespace crv::parquet
