#pragma once
// Logical types of crv-io's columnar frames: the subset of Apache Arrow's type system
// that CRV tables use (int64, float64, utf8, bool, struct, list, and null: the type of a
// value that was only ever seen as null, which takes any other type when combined with
// it). Types are immutable and shared through TypePtr; compare them with == (structural,
// not by pointer).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crv::frame {

enum class TypeId : uint8_t { Int64, Float64, Utf8, Bool, Struct, List, Null };

// Lower-case name of a type id as used in messages and to_string(), e.g. "int64".
std::string_view type_id_name(TypeId id);

class DataType;
using TypePtr = std::shared_ptr<const DataType>;

// A named, typed slot: a struct member, a list's item or a frame column.
// `nullable` is schema metadata (exported to Arrow, used for Parquet repetition);
// the frame layer does not reject nulls in a non-nullable field.
struct Field {
  std::string name;
  TypePtr type;
  bool nullable = true;

  // Equal names, nullability and (structurally) equal types.
  friend bool operator==(const Field& a, const Field& b);
  // "name: type", with " not null" when not nullable.
  std::string to_string() const;
};

class DataType {
 public:
  TypeId id() const { return id_; }
  bool is_nested() const { return id_ == TypeId::Struct || id_ == TypeId::List; }

  // Struct: its members in order. List: its single item field. Empty otherwise.
  const std::vector<Field>& fields() const { return fields_; }
  size_t num_fields() const { return fields_.size(); }
  const Field& field(size_t index) const { return fields_.at(index); }

  // Struct members by name; nullopt / nullptr when absent (or not a struct).
  std::optional<size_t> field_index(std::string_view name) const;
  const Field* find_field(std::string_view name) const;

  // List only: the item field and its type.
  const Field& item_field() const;
  const TypePtr& item_type() const { return item_field().type; }

  // Structural equality: ids, member names, nullability and member types.
  bool equals(const DataType& other) const;
  friend bool operator==(const DataType& a, const DataType& b) { return a.equals(b); }

  // e.g. "struct<a: int64, b: list<utf8>>". A list item is shown with its name only
  // when that name is not the Arrow default "item".
  std::string to_string() const;

  friend TypePtr int64();
  friend TypePtr float64();
  friend TypePtr utf8();
  friend TypePtr boolean();
  friend TypePtr null_type();
  friend TypePtr struct_(std::vector<Field> fields);
  friend TypePtr list(Field item);

 private:
  DataType(TypeId id, std::vector<Field> fields);
  static TypePtr make(TypeId id, std::vector<Field> fields);

  TypeId id_;
  std::vector<Field> fields_;
};

// Null-safe structural comparison of two type pointers.
bool same_type(const TypePtr& a, const TypePtr& b);

TypePtr int64();
TypePtr float64();
TypePtr utf8();
TypePtr boolean();
// Every slot of an array of this type is null (Arrow's null type).
TypePtr null_type();
// Members must have non-empty, unique names and a type; otherwise SchemaError.
TypePtr struct_(std::vector<Field> fields);
// A list of `item` (which needs a type; its name is kept, e.g. "item" or "element").
TypePtr list(Field item);
// A list whose nullable item field is named "item", as Arrow names it by default.
TypePtr list(TypePtr item_type);

}  // namespace crv::frame
