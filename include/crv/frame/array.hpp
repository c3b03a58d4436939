#pragma once
// Immutable columnar arrays in the Apache Arrow memory layout, so they can be written to
// Parquet quickly and exchanged through the Arrow C Data Interface without copies.
//
// Layout by type (every array also has an optional validity bitmap, bit set = valid):
//   Int64, Float64  values buffer: one 8-byte value per slot
//   Bool            values buffer: one bit per slot
//   Utf8            offsets buffer (int32, one more entry than slots) + character data
//   Struct          one child array per member
//   List            offsets buffer (int32) + one child array holding the items
//
// Arrays carry a logical `offset` and `length` into their buffers, with Arrow's
// semantics: slot i of the array is physical slot offset() + i of every buffer. Slicing
// only changes offset/length and shares the buffers. Struct children are NOT sliced
// with their parent: row i of a struct is row offset() + i of each child (use field()
// for a child sliced to the parent's rows). List and string offsets are absolute
// positions in the child / character data.
//
// Fast iteration, e.g. over an int64 column:
//   const int64_t* values = array.int64_values();        // slot 0 at values[0]
//   const uint8_t* valid = array.validity_bits();          // nullptr: no nulls
//   for (int64_t i = 0; i < array.length(); ++i)
//     if (!valid || bits::get(valid, array.offset() + i)) use(values[i]);

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crv/frame/bitmap.hpp"
#include "crv/frame/buffer.hpp"
#include "crv/frame/types.hpp"
#include "crv/frame/value.hpp"

namespace crv::frame {

class Array;
using ArrayPtr = std::shared_ptr<const Array>;

inline constexpr int64_t kUnknownNullCount = -1;

// Everything an array is made of; see Array::make.
struct ArrayData {
  TypePtr type;
  int64_t length = 0;
  int64_t offset = 0;
  // kUnknownNullCount lets the array count the validity bitmap on first use.
  int64_t null_count = kUnknownNullCount;
  BufferPtr validity;              // null: every slot is valid
  BufferPtr offsets;               // Utf8 and List: int32 offsets, offset + length + 1 entries
  BufferPtr values;                // Int64 / Float64 values, Bool bits, Utf8 characters
  std::vector<ArrayPtr> children;  // Struct: one per member, in order; List: the items
};

// A [begin, end) range of positions, e.g. a list slot's items in list_items().
struct Range {
  int64_t begin = 0;
  int64_t end = 0;
  int64_t size() const { return end - begin; }
};

class Array {
  struct Token {};  // construction goes through make()

 public:
  // Builds an array after O(1) checks: buffers present and large enough for
  // offset + length slots, children matching the type's members and long enough (for
  // lists: for the last offset). Throws SchemaError naming the problem. Offsets are not
  // scanned here; validate() does that for untrusted data.
  static ArrayPtr make(ArrayData data);
  Array(Token, ArrayData data);

  const TypePtr& type() const { return type_; }
  TypeId type_id() const { return type_->id(); }
  int64_t length() const { return length_; }
  int64_t offset() const { return offset_; }
  // Number of null slots; counted from the bitmap on first call when not given.
  int64_t null_count() const;

  // --- validity ---
  // The raw validity bitmap (slot i is bit offset() + i), or nullptr when all are valid.
  const uint8_t* validity_bits() const { return validity_bits_; }
  bool is_valid(int64_t i) const {
    return validity_bits_ == nullptr || bits::get(validity_bits_, offset_ + i);
  }
  bool is_null(int64_t i) const { return !is_valid(i); }

  // --- typed access (pointer accessors throw SchemaError on a type mismatch; the per-slot
  // accessors assume the right type and 0 <= i < length()) ---
  const int64_t* int64_values() const;  // slot i at [i]
  const double* float64_values() const;
  // Raw boolean bits: slot i is bit offset() + i.
  const uint8_t* bool_bits() const;
  bool bool_at(int64_t i) const { return bits::get(values_data_, offset_ + i); }
  // Utf8 and List: length() + 1 offsets, slot i spans [value_offsets()[i], [i + 1]).
  const int32_t* value_offsets() const;
  // Utf8: the character data that value_offsets() index into.
  const char* string_data() const;
  std::string_view string_at(int64_t i) const {
    const int32_t* offsets = offsets_data_ + offset_ + i;
    return {reinterpret_cast<const char*>(values_data_) + offsets[0],
            static_cast<size_t>(offsets[1] - offsets[0])};
  }
  // List: the item array and slot i's positions in it.
  const ArrayPtr& list_items() const;
  Range list_range(int64_t i) const {
    const int32_t* offsets = offsets_data_ + offset_ + i;
    return {offsets[0], offsets[1]};
  }
  // Struct: raw member arrays (row i of this array is row offset() + i of each).
  const std::vector<ArrayPtr>& children() const { return children_; }
  size_t num_children() const { return children_.size(); }
  const ArrayPtr& child(size_t index) const { return children_.at(index); }
  // Struct: member `index` sliced to this array's rows (shares buffers). The member's
  // own nulls only; rows where the struct itself is null are not masked.
  ArrayPtr field(size_t index) const;
  // Struct: member by name, sliced like field(index); nullptr when there is none.
  ArrayPtr find_field(std::string_view name) const;

  // --- buffers, for zero-copy export and writers that want them whole ---
  const BufferPtr& validity_buffer() const { return validity_; }
  const BufferPtr& offsets_buffer() const { return offsets_; }
  const BufferPtr& values_buffer() const { return values_; }

  // What the array is made of (type, slots, null count, buffers, children), for building
  // another array over the same buffers, e.g. one of a wider type.
  ArrayData data() const;

  // --- operations ---
  // Slots [offset, offset + length) sharing this array's buffers; SchemaError when out of range.
  ArrayPtr slice(int64_t offset, int64_t length) const;
  // A new, compact array whose slot k is a copy of slot indices[k] (nested levels
  // included); SchemaError when an index is out of range.
  ArrayPtr take(std::span<const int64_t> indices) const;
  // Splits the slots into `count` new, compact arrays: slot i goes to array groups[i], the
  // slots of each array in their order here. The same arrays as take() of each group's
  // slots, made in one pass over the slots instead of one per group; SchemaError when
  // groups does not have one entry per slot or names a group past `count`.
  std::vector<ArrayPtr> partition(std::span<const uint32_t> groups, size_t count) const;
  // Logical equality: same type, length, validity and valid values. Doubles compare bit
  // for bit. Buffers, offsets and the contents of null slots do not matter.
  bool equals(const Array& other) const;
  // Full check of untrusted data: buffer sizes, null count, offsets (start >= 0,
  // non-decreasing, within the data / child), children, and UTF-8 validity of strings.
  // Throws SchemaError naming the problem, the nested path (as column) and the slot (as row).
  void validate() const;
  // Slot i as a Value (structs become records with every member, in order).
  Value value_at(int64_t i) const;
  // All slots as JSON-like text, e.g. [1, null, 3]; for messages and test output.
  std::string to_string() const;

 private:
  TypePtr type_;
  int64_t length_;
  int64_t offset_;
  mutable std::atomic<int64_t> null_count_;
  BufferPtr validity_;
  BufferPtr offsets_;
  BufferPtr values_;
  std::vector<ArrayPtr> children_;
  // Cached raw pointers of the buffers above, for the inline accessors.
  const uint8_t* validity_bits_;
  const int32_t* offsets_data_;
  const uint8_t* values_data_;
};

}  // namespace crv::frame
