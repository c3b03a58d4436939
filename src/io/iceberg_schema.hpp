#pragma once
// A table's Iceberg schema, derived from the column types table.json records (canonical
// columns in order, struct members as appends have brought them), and the name mapping
// that lets engines match the parts' columns to it by name.
//
// Field ids are never reused or moved: a column or member that an earlier schema of the
// table already had keeps its id, and one seen for the first time takes the next id
// after the table's last-column-id. Members only ever seen as null have no Iceberg type
// and are left out until a value gives them one; so is a struct left with no members.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crv/frame/types.hpp"

namespace crv::io {

struct IcebergSchema {
  nlohmann::ordered_json fields = nlohmann::ordered_json::array();  // the schema's "fields"
  int last_column_id = 0;
};

// The ids of `fields` (an Iceberg schema's "fields" array), by path: member names joined by
// '\x1f', a list's element as "element". Each id comes with its type's kind ("long",
// "struct", "list", ...), so a path whose kind changed takes a new id.
using IcebergFieldIds = std::map<std::string, std::pair<int, std::string>>;
IcebergFieldIds iceberg_field_ids(const nlohmann::ordered_json& fields);

// The schema of `columns`; ids come from `known` where the path and kind match, else
// from last_column_id onwards.
IcebergSchema iceberg_schema_of(const std::vector<frame::Field>& columns,
                                const IcebergFieldIds& known, int last_column_id);

// Iceberg's schema.name-mapping.default for `fields`: every field's id under its name, a
// list's element under "element", as Parquet's three-level lists name it.
nlohmann::ordered_json iceberg_name_mapping(const nlohmann::ordered_json& fields);

}  // namespace crv::io
