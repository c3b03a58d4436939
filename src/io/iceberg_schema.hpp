#pragma once
// A table's Iceberg schema, derived from the column types table.json records (canonical
// columns in order, struct members as appends have brought them), and the name mapping
// that lets engines match the columns of parts without field ids to it by name.
//
// A field's id is the Parquet field id the parts carry for its path (io/field_ids.hpp),
// so it never moves and is the same in every run. Members only ever seen as null have no
// Iceberg type and are left out until a value gives them one; so is a struct left with
// no members.

#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "crv/frame/types.hpp"
#include "io/field_ids.hpp"

namespace crv::io {

struct IcebergSchema {
  nlohmann::ordered_json fields = nlohmann::ordered_json::array();  // the schema's "fields"
  int last_column_id = 0;  // the highest id of the fields and of `last_column_id` given
};

// The ids `fields` (an Iceberg schema's "fields" array) give, by path (a list's element
// as "element"). Throws nlohmann::json::exception when `fields` is not such an array.
FieldIds iceberg_field_ids(const nlohmann::ordered_json& fields);

// The schema of `columns`, each field with its id from `ids`, which holds every path of
// `columns` (see assign_field_ids).
IcebergSchema iceberg_schema_of(const std::vector<frame::Field>& columns, const FieldIds& ids,
                                int last_column_id);

// Iceberg's schema.name-mapping.default for `columns`, for parts that carry no field ids:
// every field's id (from `ids`, which holds every path) under its name, a list's element
// under "element", as Parquet's three-level lists name it. Members only ever null are
// mapped too, to ids the schema does not have yet: an engine then knows the part's
// column and leaves it out, where a column it cannot map may fail the read.
nlohmann::ordered_json iceberg_name_mapping(const std::vector<frame::Field>& columns,
                                            const FieldIds& ids);

}  // namespace crv::io
