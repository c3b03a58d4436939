#pragma once
// Ways to build arrays:
//  - incremental typed builders (Int64Builder, Float64Builder, BoolBuilder, StringBuilder)
//    with inline append paths, for decoders and ingestion that fill columns quickly;
//  - make_* helpers for literal data in C++ (tests, small tables);
//  - array_from_values, which builds (and infers the type of) an array from dynamic Values.
// Every builder can be reused after finish().

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "crv/frame/array.hpp"
#include "crv/frame/bitmap.hpp"

namespace crv::frame {

// A validity bitmap that is only materialized once the first null is appended, so
// columns without nulls carry no bitmap at all.
class ValidityBuilder {
 public:
  int64_t length() const { return length_; }
  int64_t null_count() const { return null_count_; }

  void reserve(int64_t additional) {
    if (null_count_ > 0) {
      bits_.reserve(additional);
    } else {
      reserved_ = length_ + additional;
    }
  }
  void append_valid() {
    if (null_count_ > 0) bits_.append(true);
    ++length_;
  }
  void append_null() {
    if (null_count_ == 0) materialize();
    bits_.append(false);
    ++length_;
    ++null_count_;
  }
  void append(bool valid) { valid ? append_valid() : append_null(); }
  void append_valid_run(int64_t count) {
    if (null_count_ > 0) bits_.append_run(count, true);
    length_ += count;
  }

  // The bitmap, or nullptr when no null was appended. Leaves the builder empty.
  BufferPtr finish();

 private:
  void materialize();

  BitmapBuilder bits_;
  int64_t length_ = 0;
  int64_t null_count_ = 0;
  int64_t reserved_ = 0;  // slots announced by reserve() before the bitmap exists
};

// Builds Int64 or Float64 arrays.
template <class T>
class NumericBuilder {
  static_assert(std::is_same_v<T, int64_t> || std::is_same_v<T, double>);

 public:
  NumericBuilder() = default;
  explicit NumericBuilder(int64_t capacity) { reserve(capacity); }

  int64_t length() const { return validity_.length(); }
  int64_t null_count() const { return validity_.null_count(); }

  void reserve(int64_t additional) {
    values_.reserve(additional * static_cast<int64_t>(sizeof(T)));
    validity_.reserve(additional);
  }
  void append(T value) {
    values_.append_value(value);
    validity_.append_valid();
  }
  void append_null() {
    values_.append_value(T{});
    validity_.append_null();
  }
  void append(const std::optional<T>& value) { value ? append(*value) : append_null(); }
  // Appends valid values in one copy.
  void append_values(std::span<const T> values) {
    values_.append(values.data(), static_cast<int64_t>(values.size_bytes()));
    validity_.append_valid_run(static_cast<int64_t>(values.size()));
  }

  ArrayPtr finish() {
    const int64_t length = validity_.length();
    const int64_t null_count = validity_.null_count();
    return Array::make(ArrayData{.type = std::is_same_v<T, int64_t> ? int64() : float64(),
                                 .length = length,
                                 .null_count = null_count,
                                 .validity = validity_.finish(),
                                 .values = values_.finish()});
  }

 private:
  BufferBuilder values_;
  ValidityBuilder validity_;
};

using Int64Builder = NumericBuilder<int64_t>;
using Float64Builder = NumericBuilder<double>;

class BoolBuilder {
 public:
  BoolBuilder() = default;
  explicit BoolBuilder(int64_t capacity) { reserve(capacity); }

  int64_t length() const { return validity_.length(); }
  int64_t null_count() const { return validity_.null_count(); }

  void reserve(int64_t additional) {
    values_.reserve(additional);
    validity_.reserve(additional);
  }
  void append(bool value) {
    values_.append(value);
    validity_.append_valid();
  }
  void append_null() {
    values_.append(false);
    validity_.append_null();
  }
  void append(const std::optional<bool>& value) { value ? append(*value) : append_null(); }

  ArrayPtr finish();

 private:
  BitmapBuilder values_;
  ValidityBuilder validity_;
};

// Builds Utf8 arrays. The caller is responsible for UTF-8 validity (see Array::validate).
class StringBuilder {
 public:
  StringBuilder() { offsets_.append_value<int32_t>(0); }
  explicit StringBuilder(int64_t capacity, int64_t character_capacity = 0) : StringBuilder() {
    reserve(capacity, character_capacity);
  }

  int64_t length() const { return validity_.length(); }
  int64_t null_count() const { return validity_.null_count(); }
  int64_t character_count() const { return characters_.size(); }

  void reserve(int64_t additional, int64_t additional_characters = 0) {
    offsets_.reserve(additional * static_cast<int64_t>(sizeof(int32_t)));
    characters_.reserve(additional_characters);
    validity_.reserve(additional);
  }
  // SchemaError when the column's characters would exceed the int32 offset range (2 GiB).
  void append(std::string_view text) {
    if (static_cast<int64_t>(text.size()) >
        std::numeric_limits<int32_t>::max() - characters_.size()) {
      throw_too_large(text.size());
    }
    characters_.append(text.data(), static_cast<int64_t>(text.size()));
    offsets_.append_value(static_cast<int32_t>(characters_.size()));
    validity_.append_valid();
  }
  void append_null() {
    offsets_.append_value(static_cast<int32_t>(characters_.size()));
    validity_.append_null();
  }

  ArrayPtr finish();

 private:
  [[noreturn]] void throw_too_large(size_t size) const;

  BufferBuilder offsets_;
  BufferBuilder characters_;
  ValidityBuilder validity_;
};

// --- literal arrays (std::nullopt marks a null slot). The initializer-list overloads
// serve braced literals such as make_int64({1, std::nullopt, 3}) or make_utf8({"a", "b"});
// an empty literal needs a typed vector, e.g. make_int64(std::vector<int64_t>{}).
ArrayPtr make_int64(const std::vector<int64_t>& values);
ArrayPtr make_int64(const std::vector<std::optional<int64_t>>& values);
ArrayPtr make_int64(std::initializer_list<int64_t> values);
ArrayPtr make_int64(std::initializer_list<std::optional<int64_t>> values);
ArrayPtr make_float64(const std::vector<double>& values);
ArrayPtr make_float64(const std::vector<std::optional<double>>& values);
ArrayPtr make_float64(std::initializer_list<double> values);
ArrayPtr make_float64(std::initializer_list<std::optional<double>> values);
ArrayPtr make_bool(const std::vector<bool>& values);
ArrayPtr make_bool(const std::vector<std::optional<bool>>& values);
ArrayPtr make_bool(std::initializer_list<bool> values);
ArrayPtr make_bool(std::initializer_list<std::optional<bool>> values);
ArrayPtr make_utf8(const std::vector<std::string>& values);
ArrayPtr make_utf8(const std::vector<std::optional<std::string>>& values);
ArrayPtr make_utf8(const std::vector<std::string_view>& values);
ArrayPtr make_utf8(const std::vector<std::optional<std::string_view>>& values);
ArrayPtr make_utf8(std::initializer_list<std::optional<std::string_view>> values);

// A struct array of the given members (all nullable, in order). `validity` marks valid
// rows (empty: all valid). Members must have equal lengths; with no members the length
// is validity.size().
ArrayPtr make_struct(std::vector<std::pair<std::string, ArrayPtr>> members,
                     const std::vector<bool>& validity = {});
// A list array: slot i holds items [offsets[i], offsets[i + 1]) of `items`, so there is
// one more offset than slots. `validity` as for make_struct. Offsets are validated.
ArrayPtr make_list(const std::vector<int32_t>& offsets, ArrayPtr items,
                   const std::vector<bool>& validity = {});

// `length` null slots of any type (nested members / items are empty or null too).
ArrayPtr make_null_array(const TypePtr& type, int64_t length);

// --- from dynamic values ---
// The type array_from_values infers for `values`:
//  - null values carry no type information; a position that is null (or absent, or an
//    empty list's item) in every value gets the null type, which takes any other type
//    when combined with it (a table records the type such a position has elsewhere);
//  - int64 and double at the same position unify to float64 (array_from_values then
//    requires each int64 there to be exactly representable as a double);
//  - records unify by field name: the union of all fields, in order of first appearance,
//    fields missing from a record are null;
//  - lists unify their item types;
//  - any other mix (e.g. string and int64) is a SchemaError naming the position (dotted
//    path, "[]" for list items) as column and the value's index as row.
TypePtr infer_type(std::span<const Value> values);

// An array with one slot per value. Without `type` the type is infer_type(values); with
// one, values must fit it: int64 values fit float64 when exactly representable, records
// may omit members (null) but not add unknown ones. Mismatches are SchemaErrors naming
// the position, the row and the offending value.
ArrayPtr array_from_values(std::span<const Value> values, const TypePtr& type = nullptr);

}  // namespace crv::frame
