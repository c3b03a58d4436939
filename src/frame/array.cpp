// Array: construction with layout checks, typed accessors, slicing and single values.

#include "crv/frame/array.hpp"

#include <fmt/format.h>

#include <cstring>
#include <limits>

#include "crv/core/errors.hpp"
#include "frame/array_limits.hpp"

namespace crv::frame {
namespace {

std::string describe(const ArrayData& data) {
  return fmt::format("{} array of {} slots at offset {}", data.type->to_string(), data.length,
                     data.offset);
}

void require_absent(const ArrayData& data, const BufferPtr& buffer, std::string_view what) {
  if (buffer) throw SchemaError(fmt::format("{} cannot have {}", describe(data), what));
}

// A required buffer of at least `min_size` bytes, aligned for `alignment`-byte reads. A
// missing buffer is accepted when nothing would be read from it.
BufferPtr require_buffer(const ArrayData& data, BufferPtr buffer, std::string_view what,
                         int64_t min_size, int64_t alignment) {
  if (!buffer) {
    if (min_size == 0) return Buffer::empty();
    throw SchemaError(
        fmt::format("{} needs {} of at least {} bytes, got none", describe(data), what, min_size));
  }
  if (buffer->size() < min_size) {
    throw SchemaError(fmt::format("{} needs {} of at least {} bytes, got {}", describe(data), what,
                                  min_size, buffer->size()));
  }
  if (reinterpret_cast<uintptr_t>(buffer->data()) % alignment != 0) {
    throw SchemaError(
        fmt::format("{} has {} not aligned to {} bytes", describe(data), what, alignment));
  }
  return buffer;
}

// The single zero offset of an empty string or list array, for callers that pass none.
BufferPtr zero_offset_buffer() {
  alignas(kBufferAlignment) static const int32_t zero[1] = {0};
  static const BufferPtr buffer = Buffer::wrap(zero, sizeof(zero), nullptr);
  return buffer;
}

// Checks the offsets buffer and returns the end offset of the last slot.
int64_t check_offsets(ArrayData& data, int64_t slots) {
  if (!data.offsets && slots == 0) data.offsets = zero_offset_buffer();
  data.offsets =
      require_buffer(data, std::move(data.offsets), "an offsets buffer", (slots + 1) * 4, 4);
  const int32_t* offsets = data.offsets->data_as<int32_t>();
  if (offsets[data.offset] < 0) {
    throw SchemaError(
        fmt::format("{} starts at negative offset {}", describe(data), offsets[data.offset]));
  }
  return offsets[slots];
}

void check_children(const ArrayData& data) {
  const std::vector<Field>& fields = data.type->fields();
  if (data.children.size() != fields.size()) {
    throw SchemaError(fmt::format("{} needs {} child arrays, got {}", describe(data), fields.size(),
                                  data.children.size()));
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    const ArrayPtr& child = data.children[i];
    if (!child) {
      throw SchemaError(
          fmt::format("{} has no array for member '{}'", describe(data), fields[i].name),
          {.column = fields[i].name});
    }
    if (!same_type(child->type(), fields[i].type)) {
      throw SchemaError(
          fmt::format("{} expects member '{}' of type {}, got {}", describe(data), fields[i].name,
                      fields[i].type->to_string(), child->type()->to_string()),
          {.column = fields[i].name});
    }
  }
}

void check_layout(ArrayData& data) {
  const int64_t slots = data.offset + data.length;
  switch (data.type->id()) {
    case TypeId::Int64:
    case TypeId::Float64:
      require_absent(data, data.offsets, "an offsets buffer");
      data.values = require_buffer(data, std::move(data.values), "a values buffer", slots * 8, 8);
      break;
    case TypeId::Bool:
      require_absent(data, data.offsets, "an offsets buffer");
      data.values = require_buffer(data, std::move(data.values), "a values bitmap",
                                   bits::bytes_for(slots), 1);
      break;
    case TypeId::Utf8: {
      const int64_t end = check_offsets(data, slots);
      data.values = require_buffer(data, std::move(data.values), "a character buffer", end, 1);
      break;
    }
    case TypeId::Struct:
      require_absent(data, data.offsets, "an offsets buffer");
      require_absent(data, data.values, "a values buffer");
      check_children(data);
      for (size_t i = 0; i < data.children.size(); ++i) {
        if (data.children[i]->length() < slots) {
          throw SchemaError(fmt::format("{} has member '{}' of only {} slots", describe(data),
                                        data.type->field(i).name, data.children[i]->length()),
                            {.column = data.type->field(i).name});
        }
      }
      break;
    case TypeId::Null:
      require_absent(data, data.offsets, "an offsets buffer");
      require_absent(data, data.values, "a values buffer");
      // An all-zero bitmap, so that is_valid() needs no test of the type.
      if (slots > 0 && !data.validity) {
        throw SchemaError(fmt::format("{} needs a validity bitmap", describe(data)));
      }
      break;
    case TypeId::List: {
      require_absent(data, data.values, "a values buffer");
      const int64_t end = check_offsets(data, slots);
      check_children(data);
      if (data.children.front()->length() < end) {
        throw SchemaError(fmt::format("{} has offsets up to {} but only {} items", describe(data),
                                      end, data.children.front()->length()));
      }
      break;
    }
  }
  if (data.type->id() != TypeId::Struct && data.type->id() != TypeId::List &&
      !data.children.empty()) {
    throw SchemaError(fmt::format("{} cannot have child arrays", describe(data)));
  }
}

void require_type(const Array& array, TypeId wanted, std::string_view accessor) {
  if (array.type_id() != wanted) {
    throw SchemaError(fmt::format("{}() needs a {} array, not {}", accessor, type_id_name(wanted),
                                  array.type()->to_string()));
  }
}

}  // namespace

ArrayPtr Array::make(ArrayData data) {
  if (!data.type) throw SchemaError("an array needs a type");
  if (data.length < 0 || data.offset < 0 || data.length > kMaxSlots || data.offset > kMaxSlots) {
    throw SchemaError(fmt::format("{} has an invalid length or offset", describe(data)));
  }
  if (data.null_count < kUnknownNullCount || data.null_count > data.length) {
    throw SchemaError(
        fmt::format("{} cannot have a null count of {}", describe(data), data.null_count));
  }
  if (data.validity) {
    data.validity = require_buffer(data, std::move(data.validity), "a validity bitmap",
                                   bits::bytes_for(data.offset + data.length), 1);
  } else if (data.null_count > 0) {
    throw SchemaError(fmt::format("{} reports {} nulls but has no validity bitmap", describe(data),
                                  data.null_count));
  }
  check_layout(data);
  return std::make_shared<const Array>(Token{}, std::move(data));
}

Array::Array(Token, ArrayData data)
    : type_(std::move(data.type)),
      length_(data.length),
      offset_(data.offset),
      null_count_(data.validity ? data.null_count : 0),
      validity_(std::move(data.validity)),
      offsets_(std::move(data.offsets)),
      values_(std::move(data.values)),
      children_(std::move(data.children)),
      validity_bits_(validity_ ? validity_->data() : nullptr),
      offsets_data_(offsets_ ? offsets_->data_as<int32_t>() : nullptr),
      values_data_(values_ ? values_->data() : nullptr) {}

ArrayData Array::data() const {
  return ArrayData{.type = type_,
                   .length = length_,
                   .offset = offset_,
                   .null_count = null_count(),
                   .validity = validity_,
                   .offsets = offsets_,
                   .values = values_,
                   .children = children_};
}

int64_t Array::null_count() const {
  int64_t count = null_count_.load(std::memory_order_relaxed);
  if (count == kUnknownNullCount) {
    count = length_ - bits::count_set(validity_bits_, offset_, length_);
    null_count_.store(count, std::memory_order_relaxed);
  }
  return count;
}

const int64_t* Array::int64_values() const {
  require_type(*this, TypeId::Int64, "int64_values");
  return reinterpret_cast<const int64_t*>(values_data_) + offset_;
}

const double* Array::float64_values() const {
  require_type(*this, TypeId::Float64, "float64_values");
  return reinterpret_cast<const double*>(values_data_) + offset_;
}

const uint8_t* Array::bool_bits() const {
  require_type(*this, TypeId::Bool, "bool_bits");
  return values_data_;
}

const int32_t* Array::value_offsets() const {
  if (type_id() != TypeId::List) require_type(*this, TypeId::Utf8, "value_offsets");
  return offsets_data_ + offset_;
}

const char* Array::string_data() const {
  require_type(*this, TypeId::Utf8, "string_data");
  return reinterpret_cast<const char*>(values_data_);
}

const ArrayPtr& Array::list_items() const {
  require_type(*this, TypeId::List, "list_items");
  return children_.front();
}

ArrayPtr Array::field(size_t index) const {
  require_type(*this, TypeId::Struct, "field");
  const ArrayPtr& member = children_.at(index);
  if (offset_ == 0 && member->length() == length_) return member;
  return member->slice(offset_, length_);
}

ArrayPtr Array::find_field(std::string_view name) const {
  require_type(*this, TypeId::Struct, "find_field");
  const auto index = type_->field_index(name);
  return index ? field(*index) : nullptr;
}

ArrayPtr Array::slice(int64_t offset, int64_t length) const {
  if (offset < 0 || length < 0 || offset > length_ - length) {
    throw SchemaError(fmt::format("slice [{}, {}+{}) is out of range for an array of {} slots",
                                  offset, offset, length, length_));
  }
  const int64_t known_nulls = null_count_.load(std::memory_order_relaxed);
  int64_t null_count = kUnknownNullCount;
  if (known_nulls == 0) {
    null_count = 0;
  } else if (offset == 0 && length == length_) {
    null_count = known_nulls;
  }
  return std::make_shared<const Array>(Token{}, ArrayData{.type = type_,
                                                          .length = length,
                                                          .offset = offset_ + offset,
                                                          .null_count = null_count,
                                                          .validity = validity_,
                                                          .offsets = offsets_,
                                                          .values = values_,
                                                          .children = children_});
}

Value Array::value_at(int64_t i) const {
  if (i < 0 || i >= length_) {
    throw SchemaError(fmt::format("slot {} is out of range for an array of {} slots", i, length_));
  }
  if (is_null(i)) return Value();
  switch (type_id()) {
    case TypeId::Int64:
      return Value(int64_values()[i]);
    case TypeId::Float64:
      return Value(float64_values()[i]);
    case TypeId::Bool:
      return Value(bool_at(i));
    case TypeId::Utf8:
      return Value(string_at(i));
    case TypeId::Struct: {
      Value::Record record;
      record.reserve(children_.size());
      for (size_t k = 0; k < children_.size(); ++k) {
        record.emplace_back(type_->field(k).name, children_[k]->value_at(offset_ + i));
      }
      return Value::record(std::move(record));
    }
    case TypeId::List: {
      const Range range = list_range(i);
      Value::List items;
      items.reserve(static_cast<size_t>(range.size()));
      for (int64_t k = range.begin; k < range.end; ++k) {
        items.push_back(children_.front()->value_at(k));
      }
      return Value::list(std::move(items));
    }
    case TypeId::Null:
      break;
  }
  return Value();
}

std::string Array::to_string() const {
  std::string text = "[";
  for (int64_t i = 0; i < length_; ++i) {
    if (i > 0) text += ", ";
    text += value_at(i).to_string();
  }
  return text + "]";
}

namespace {

// Visits the runs of slots that are valid in both a[ai, ai + count) and b[bi, bi + count),
// as (start, end) relative positions; false as soon as the validity differs or `compare`
// returns false.
template <class Compare>
bool for_each_valid_run(const Array& a, int64_t ai, const Array& b, int64_t bi, int64_t count,
                        Compare&& compare) {
  int64_t k = 0;
  while (k < count) {
    const bool valid = a.is_valid(ai + k);
    if (valid != b.is_valid(bi + k)) return false;
    if (!valid) {
      ++k;
      continue;
    }
    int64_t run_end = k + 1;
    while (run_end < count && a.is_valid(ai + run_end) && b.is_valid(bi + run_end)) ++run_end;
    if (!compare(k, run_end)) return false;
    k = run_end;
  }
  return true;
}

bool ranges_equal(const Array& a, int64_t ai, const Array& b, int64_t bi, int64_t count) {
  if (count == 0) return true;
  switch (a.type_id()) {
    case TypeId::Int64:
    case TypeId::Float64: {
      // Byte comparison: doubles compare bit for bit, as documented.
      const auto* a_bytes = a.values_buffer()->data() + (a.offset() + ai) * 8;
      const auto* b_bytes = b.values_buffer()->data() + (b.offset() + bi) * 8;
      return for_each_valid_run(a, ai, b, bi, count, [&](int64_t start, int64_t end) {
        return std::memcmp(a_bytes + start * 8, b_bytes + start * 8,
                           static_cast<size_t>((end - start) * 8)) == 0;
      });
    }
    case TypeId::Bool:
      return for_each_valid_run(a, ai, b, bi, count, [&](int64_t start, int64_t end) {
        for (int64_t k = start; k < end; ++k) {
          if (a.bool_at(ai + k) != b.bool_at(bi + k)) return false;
        }
        return true;
      });
    case TypeId::Utf8:
      return for_each_valid_run(a, ai, b, bi, count, [&](int64_t start, int64_t end) {
        for (int64_t k = start; k < end; ++k) {
          if (a.string_at(ai + k) != b.string_at(bi + k)) return false;
        }
        return true;
      });
    case TypeId::Struct:
      return for_each_valid_run(a, ai, b, bi, count, [&](int64_t start, int64_t end) {
        for (size_t c = 0; c < a.num_children(); ++c) {
          if (!ranges_equal(*a.child(c), a.offset() + ai + start, *b.child(c),
                            b.offset() + bi + start, end - start)) {
            return false;
          }
        }
        return true;
      });
    case TypeId::List:
      return for_each_valid_run(a, ai, b, bi, count, [&](int64_t start, int64_t end) {
        // Items of consecutive slots are contiguous, so equal slot sizes let the whole
        // run's items be compared at once.
        for (int64_t k = start; k < end; ++k) {
          if (a.list_range(ai + k).size() != b.list_range(bi + k).size()) return false;
        }
        const Range a_items{a.list_range(ai + start).begin, a.list_range(ai + end - 1).end};
        const Range b_items{b.list_range(bi + start).begin, b.list_range(bi + end - 1).end};
        return ranges_equal(*a.list_items(), a_items.begin, *b.list_items(), b_items.begin,
                            a_items.size());
      });
    case TypeId::Null:
      return for_each_valid_run(a, ai, b, bi, count, [](int64_t, int64_t) { return true; });
  }
  return false;
}

}  // namespace

bool Array::equals(const Array& other) const {
  if (this == &other) return true;
  if (length_ != other.length_ || !same_type(type_, other.type_)) return false;
  return ranges_equal(*this, 0, other, 0, length_);
}

}  // namespace crv::frame
