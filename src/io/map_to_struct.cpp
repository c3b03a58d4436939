// Parquet MAP columns read into struct columns whose members are the map's keys.

#include "io/map_to_struct.hpp"

#include <fmt/format.h>

#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/bitmap.hpp"
#include "crv/frame/builders.hpp"
#include "crv/parquet/reader.hpp"

namespace crv::io {
namespace {

using frame::ArrayPtr;
using frame::TypeId;

// One key's slots: for each row, the entry holding its value, or none.
struct Member {
  std::string name;
  std::vector<int64_t> entry;  // per row; -1 where the row lacks the key
};

}  // namespace

bool holds_map_entries(const frame::Array& array) {
  if (array.type_id() != TypeId::List) return false;
  const frame::Field& item = array.type()->item_field();
  if (item.name != parquet::kMapEntriesName || item.type->id() != TypeId::Struct) return false;
  const std::vector<frame::Field>& members = item.type->fields();
  return members.size() == 2 && members[0].name == parquet::kMapKeyName &&
         members[1].name == parquet::kMapValueName;
}

ArrayPtr map_entries_to_struct(const std::string& column, const frame::Array& array) {
  const frame::Array& entries = *array.list_items();
  const ArrayPtr keys = entries.field(0);
  const ArrayPtr values = entries.field(1);
  if (keys->type_id() != TypeId::Utf8) {
    throw IoSchemaError(fmt::format("column '{}' is a map with {} keys; a struct column takes "
                                    "maps whose keys are strings, which name its members",
                                    column, keys->type()->to_string()),
                        {.column = column});
  }
  std::vector<Member> members;
  std::unordered_map<std::string_view, size_t> member_of_key;
  std::unordered_set<std::string_view> keys_of_row;
  const auto refuse = [&column](int64_t row, const std::string& message) {
    throw IoSchemaError(message, {.column = column, .row = row});
  };
  for (int64_t row = 0; row < array.length(); ++row) {
    if (array.is_null(row)) continue;
    keys_of_row.clear();
    const frame::Range range = array.list_range(row);
    for (int64_t entry = range.begin; entry < range.end; ++entry) {
      if (keys->is_null(entry))
        refuse(row, fmt::format("a key of map column '{}' is null", column));
      const std::string_view key = keys->string_at(entry);
      if (key.empty()) {
        refuse(row, fmt::format("a key of map column '{}' is empty, and an empty name cannot "
                                "name a struct member",
                                column));
      }
      if (!keys_of_row.insert(key).second) {
        refuse(row, fmt::format("key '{}' appears twice in one map of column '{}'", key, column));
      }
      auto [found, added] = member_of_key.try_emplace(key, members.size());
      if (added) members.push_back({std::string(key), std::vector<int64_t>(array.length(), -1)});
      members[found->second].entry[static_cast<size_t>(row)] = entry;
    }
  }

  std::vector<std::pair<std::string, ArrayPtr>> arrays;
  for (Member& member : members) {
    // Rows lacking the key take any entry's value, then are masked null.
    std::vector<int64_t> taken(member.entry.size());
    frame::BitmapBuilder validity;
    for (size_t row = 0; row < member.entry.size(); ++row) {
      const int64_t entry = member.entry[row];
      taken[row] = entry < 0 ? 0 : entry;
      validity.append(entry >= 0 && values->is_valid(entry));
    }
    frame::ArrayData data = values->take(taken)->data();
    data.validity = validity.finish();
    data.null_count = frame::kUnknownNullCount;
    arrays.emplace_back(std::move(member.name), frame::Array::make(std::move(data)));
  }
  std::vector<bool> rows_valid(static_cast<size_t>(array.length()));
  for (int64_t row = 0; row < array.length(); ++row)
    rows_valid[static_cast<size_t>(row)] = array.is_valid(row);
  if (arrays.empty()) return frame::make_struct({}, rows_valid);
  return frame::make_struct(std::move(arrays), rows_valid);
}

}  // namespace crv::io
