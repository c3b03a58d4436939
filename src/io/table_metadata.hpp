#pragma once
// A table's own metadata, <table_dir>/table.json: what the table fixed when it was
// created (the tick bucket size) and the types its columns have taken so far.
//
// Canonical struct columns have free-form members, so the Parquet type of a member is
// whatever the first rows that held it gave it. Recording those types lets every later
// append write the same types: a member that is absent or all null in one append is
// written with the recorded type, and a member of another type is refused before it
// can make the table unreadable. A member only ever seen as null is recorded (and
// written) with the null type, which any later type replaces.
//
//   {"table": "decisions", "format_version": 2, "tick_bucket_size": 100,
//    "columns": [{"name": "tick", "type": "int64"},
//                {"name": "chosen_action",
//                 "type": {"struct": [{"name": "score", "type": "float64"}, ...]}},
//                {"name": "action_candidates", "type": {"list": {"struct": [...]}}}],
//    "field_ids": [{"path": ["tick"], "id": 906123421}, {"path": ["chosen_action",
//                  "score"], "id": 71231234}, ...]}
//
// Scalar types are "int64", "float64", "utf8", "bool" and "null". Nullability is not
// recorded: it belongs to each part's schema. "field_ids" are the Parquet field ids the
// committed parts carry, by path (see io/field_ids.hpp), and those reserved for members
// only ever null.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crv/frame/array.hpp"
#include "crv/frame/types.hpp"
#include "crv/io/file_system.hpp"
#include "crv/io/validate.hpp"
#include "io/field_ids.hpp"

namespace crv::io {

inline constexpr std::string_view kTableMetadataFileName = "table.json";
// Version 2 added "field_ids". Version 1 files are read (their parts carry no ids) and
// written back as version 2; a crv-io that knows only version 1 refuses version 2
// rather than rewrite it without the ids.
inline constexpr int64_t kTableMetadataFormatVersion = 2;
inline constexpr int64_t kTableMetadataFirstFormatVersion = 1;

struct TableMetadata {
  std::string table;
  int64_t tick_bucket_size = 0;
  std::vector<frame::Field> columns;  // in order of first appearance
  FieldIds field_ids;                 // of the paths the committed parts carry

  const frame::Field* find(std::string_view name) const;
  bool operator==(const TableMetadata&) const = default;
};

std::string to_json_bytes(const TableMetadata& metadata);

// IoManifestError naming `path` unless `bytes` is a table.json of table `table`.
TableMetadata parse_table_metadata(std::string_view bytes, const std::filesystem::path& path,
                                   std::string_view table);

// Nothing when there is no file at `path`.
std::optional<TableMetadata> load_table_metadata(FileSystem& fs, const std::filesystem::path& path,
                                                 std::string_view table);

// Replaces the file atomically (see FileSystem::replace_file); IoManifestError on failure.
void write_table_metadata(FileSystem& fs, const std::filesystem::path& path,
                          const TableMetadata& metadata);

// The type a column has once `incoming` is added to what was recorded (`recorded` may be
// null: nothing recorded yet). The null type gives way to any other; struct members are
// merged by name, new ones last. Any other difference is an IoSchemaError naming the
// column path and both types. Nested members come out nullable.
frame::TypePtr merge_recorded_type(const frame::TypePtr& recorded, const frame::TypePtr& incoming,
                                   const std::string& column);

// Merges every column of `incoming` into `columns` with merge_recorded_type; true when
// anything changed.
bool merge_recorded_columns(std::vector<frame::Field>& columns,
                            const std::vector<frame::Field>& incoming);

// `array` written the way the table recorded its column: all-null (null-typed) values
// take the recorded type, struct members the array lacks are added as nulls, and an
// integer or double where the other was recorded is cast when no value changes. The
// result's type is merge_recorded_type(recorded, array's type). IoSchemaError naming the
// column path, both types and, for a failed cast, the row.
frame::ArrayPtr conform_to_recorded(const frame::ArrayPtr& array, const frame::TypePtr& recorded,
                                    const std::string& column);

// Every column of `validated` (its frame and its Parquet fields) conformed to the type
// `recorded` holds for it, then `recorded` merged with the result.
void conform_to_recorded(ValidatedFrame& validated, std::vector<frame::Field>& recorded);

}  // namespace crv::io
