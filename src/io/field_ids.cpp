#include "io/field_ids.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <string>

#include "crv/core/errors.hpp"

namespace crv::io {
namespace {

using frame::TypeId;

constexpr std::string_view kElementName = "element";

// Calls `visit(path, type)` for every path of `field` (its own first), depth-first.
template <class Visit>
void for_each_path(const frame::Field& field, FieldPath& path, Visit& visit) {
  path.push_back(field.name);
  visit(path, *field.type);
  if (field.type->id() == TypeId::Struct) {
    for (const frame::Field& member : field.type->fields()) for_each_path(member, path, visit);
  } else if (field.type->id() == TypeId::List) {
    frame::Field element = field.type->item_field();
    element.name = std::string(kElementName);
    for_each_path(element, path, visit);
  }
  path.pop_back();
}

template <class Visit>
void for_each_path(const std::vector<frame::Field>& columns, Visit visit) {
  FieldPath path;
  for (const frame::Field& column : columns) for_each_path(column, path, visit);
}

std::map<int32_t, const FieldPath*> paths_by_id(const FieldIds& ids) {
  std::map<int32_t, const FieldPath*> paths;
  for (const auto& [path, id] : ids) paths.emplace(id, &path);
  return paths;
}

}  // namespace

int32_t hashed_field_id(const FieldPath& path) {
  uint64_t hash = 14695981039346656037ULL;
  const auto mix = [&hash](unsigned char byte) {
    hash ^= byte;
    hash *= 1099511628211ULL;
  };
  for (const std::string& name : path) {
    for (const char c : name) mix(static_cast<unsigned char>(c));
    mix(0x1f);
  }
  constexpr auto kRange = static_cast<uint64_t>(kFieldIdLimit - kFirstHashedFieldId);
  return kFirstHashedFieldId + static_cast<int32_t>(hash % kRange);
}

void assign_field_ids(const std::vector<frame::Field>& columns, FieldIds& ids) {
  std::map<int32_t, const FieldPath*> taken = paths_by_id(ids);
  for_each_path(columns, [&](const FieldPath& path, const frame::DataType&) {
    if (ids.contains(path)) return;
    int32_t id = hashed_field_id(path);
    while (taken.contains(id)) id = id + 1 == kFieldIdLimit ? kFirstHashedFieldId : id + 1;
    const auto [added, inserted] = ids.emplace(path, id);
    taken.emplace(id, &added->first);
  });
}

bool stores_values(const frame::DataType& type) {
  switch (type.id()) {
    case TypeId::Null:
      return false;
    case TypeId::Struct:
      return std::any_of(type.fields().begin(), type.fields().end(),
                         [](const frame::Field& member) { return stores_values(*member.type); });
    case TypeId::List:
      return stores_values(*type.item_type());
    default:
      return true;
  }
}

FieldIds stored_field_ids(const std::vector<frame::Field>& fields, const FieldIds& ids) {
  FieldIds stored;
  for_each_path(fields, [&](const FieldPath& path, const frame::DataType& type) {
    const auto found = ids.find(path);
    if (found != ids.end() && stores_values(type)) stored.insert(*found);
  });
  return stored;
}

void merge_field_ids(FieldIds& recorded, const FieldIds& incoming) {
  FieldIds merged = recorded;
  std::map<int32_t, const FieldPath*> holders = paths_by_id(merged);
  for (const auto& [path, id] : incoming) {
    const auto [found, added] = merged.emplace(path, id);
    if (found->second != id) {
      throw IoSchemaError(fmt::format("'{}' has field id {} here but {} in the table",
                                      field_path_text(path), id, found->second),
                          {.column = field_path_text(path)});
    }
    const auto [holder, first] = holders.emplace(id, &found->first);
    if (*holder->second != path) {
      throw IoSchemaError(fmt::format("field id {} is '{}' here but '{}' in the table", id,
                                      field_path_text(path), field_path_text(*holder->second)),
                          {.column = field_path_text(path)});
    }
  }
  recorded = std::move(merged);
}

std::string field_path_text(const FieldPath& path) {
  return fmt::format("{}", fmt::join(path, "."));
}

}  // namespace crv::io
