#pragma once
// The Parquet field ids of a table's columns: every part carries them, and the table's
// Iceberg schema gives its fields the same ids, so engines match a part's columns to the
// schema by id (docs/DESIGN.md, "Field ids").
//
// A path's id is a hash of its names, the same on every host and in every run: writers
// need not agree on ids before writing, and one Iceberg table over many runs finds each
// path under one id. table.json records the ids the committed parts carry; a path whose
// hash another recorded path already holds takes the next free id, and table.json keeps
// it from then on.

#include <cstdint>
#include <vector>

#include "crv/frame/types.hpp"
#include "crv/parquet/writer_options.hpp"

namespace crv::io {

using parquet::FieldIds;
using parquet::FieldPath;

// Hashed ids lie in [kFirstHashedFieldId, kFieldIdLimit): clear of the small ids Iceberg's
// own metadata files use, and far enough below int32's largest value (and the ids near it
// that engines reserve for their metadata columns) that an engine adding a column after
// the table's highest id never runs out.
inline constexpr int32_t kFirstHashedFieldId = int32_t{1} << 16;
inline constexpr int32_t kFieldIdLimit = int32_t{1} << 30;

// The id `path` takes unless another path holds it: FNV-1a (64 bits) over its names, each
// followed by a 0x1f byte, reduced into the hashed range.
int32_t hashed_field_id(const FieldPath& path);

// Gives each path of `columns` that `ids` lacks (every field, struct member and list
// element, of the null type too) the first id from its hash on, wrapping within the
// hashed range, that no path in `ids` holds. Paths are visited depth-first, in order.
void assign_field_ids(const std::vector<frame::Field>& columns, FieldIds& ids);

// Whether a column of `type` stores values: not the null type, nor a struct or list of
// nothing else.
bool stores_values(const frame::DataType& type);

// The ids a part of `fields` carries: those `ids` holds for the paths whose fields store
// values. A member that is only ever null carries none, so an engine matching by id
// reads it as absent (null), not as a column of another type.
FieldIds stored_field_ids(const std::vector<frame::Field>& fields, const FieldIds& ids);

// Adds `incoming` to `recorded`. IoSchemaError naming the path when `recorded` gives it
// another id, or gives its id to another path (two writers gave two new paths whose
// hashes are alike one id at once), with `recorded` unchanged.
void merge_field_ids(FieldIds& recorded, const FieldIds& incoming);

// "a.b.element", for messages.
std::string field_path_text(const FieldPath& path);

}  // namespace crv::io
