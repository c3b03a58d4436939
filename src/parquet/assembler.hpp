#pragma once
// Assembly: rebuilds nested frame arrays from the levels and values of their leaf
// columns, the inverse of shredding.
//
// Every node is rebuilt from the levels of its leftmost leaf. An entry starts a slot of
// node N when its repetition level is at most N's rep_depth and its definition level
// reaches the level at which N's slot exists: N's own def_slot, or for a struct member
// its struct's (Arrow keeps struct members as long as the struct, null rows included).
// The slot is null below N's def_present. A list's items are the entries, within its
// slot, that start a slot one repetition level deeper.

#include <span>

#include "crv/frame/array.hpp"
#include "parquet/column_reader.hpp"
#include "parquet/schema.hpp"

namespace crv::parquet {

// Builds the array of top-level node `column` from `leaves` (indexed by leaf index; the
// leaves under `column` must be filled). Their data is moved from where possible.
// IoFormatError naming `path` when the leaves disagree about the rows they hold.
frame::ArrayPtr assemble_column(const Schema& schema, int column, std::span<LeafData> leaves,
                                const std::string& path);

}  // namespace crv::parquet
