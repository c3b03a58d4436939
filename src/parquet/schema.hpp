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

#include "crv/frame/types.hpp"
#include "parquet/format.hpp"

namespace crv::parquet {

// Deepest nesting of groups a schema may have, counting the footer's elements below the
// root (a three-level LIST takes two). Canonical tables nest a few levels; the limit bounds
// the recursion of building, shredding and assembling, and keeps levels far from int16's
// range, for hostile footers as for frames.
inline constexpr int kMaxSchemaDepth = 64;

// Longest FIXED_LEN_BYTE_ARRAY value a schema may declare: no page the reader accepts
// (1 GiB decompressed) could hold a longer one.
inline constexpr int32_t kMaxFixedLenByteArrayLength = int32_t{1} << 30;

struct SchemaNode {
  enum class Kind : uint8_t { kLeaf, kStruct, kList };
  Kind kind = Kind::kLeaf;
  std::string name;
  bool nullable = true;
  int16_t def_slot = 0;
  int16_t def_present = 0;
  int16_t rep_depth = 0;
  int parent = -1;
  std::vector<int> children;  // struct members in order, or a list's single item
  int first_leaf = -1;        // leftmost leaf under this node (itself for a leaf)
  frame::TypePtr type;        // the frame type this node reads into / is written from
  // Leaves only.
  format::Type physical_type = format::Type::kInt64;
  int32_t type_length = 0;  // bytes per value of a FIXED_LEN_BYTE_ARRAY leaf (0 otherwise)
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
  // deeper than kMaxSchemaDepth.
  static Schema from_fields(std::span<const frame::Field> fields);
  // The schema of a file, from its footer's depth-first schema elements. Throws
  // IoFormatError (naming `path`) for a malformed tree, a name that is not UTF-8, nesting
  // deeper than kMaxSchemaDepth, or a type this library does not read.
  static Schema from_elements(std::span<const format::SchemaElement> elements,
                              std::string_view path);

  // The depth-first footer form, root first.
  std::vector<format::SchemaElement> to_elements() const;

  const std::vector<SchemaNode>& nodes() const { return nodes_; }
  const SchemaNode& node(int index) const { return nodes_[static_cast<size_t>(index)]; }
  const std::vector<int>& columns() const { return columns_; }  // top-level nodes
  const std::vector<LeafColumn>& leaves() const { return leaves_; }
  std::vector<frame::Field> fields() const;

 private:
  int add_node(SchemaNode node);
  void finish();  // computes levels, leaves and first_leaf

  std::vector<SchemaNode> nodes_;
  std::vector<int> columns_;
  std::vector<LeafColumn> leaves_;
};

}  // namespace crv::parquet
