// Array::take: gathering the rows at given indices into a new array.

#include <fmt/format.h>

#include <cstring>
#include <limits>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/array.hpp"
#include "frame/array_limits.hpp"

namespace crv::frame {

void require_int32_offset(int64_t end, const Array& source) {
  if (end > std::numeric_limits<int32_t>::max()) {
    throw SchemaError(
        fmt::format("copying slots would need offsets beyond the int32 range ({}) for a {}", end,
                    source.type()->to_string()));
  }
}

namespace {

// Gathers slots `indices[k] + shift` of `source` (positions relative to its logical
// start; `shift` carries a struct parent's offset down to its members) into a new array
// with offset 0. Null slots keep no string bytes or list items.
ArrayPtr gather(const Array& source, std::span<const int64_t> indices, int64_t shift);

struct GatheredValidity {
  BufferPtr bitmap;
  int64_t null_count = 0;
};

GatheredValidity gather_validity(const Array& source, std::span<const int64_t> indices,
                                 int64_t shift) {
  if (source.validity_bits() == nullptr) return {};
  BitmapBuilder bitmap;
  bitmap.reserve(static_cast<int64_t>(indices.size()));
  int64_t nulls = 0;
  for (const int64_t index : indices) {
    const bool valid = source.is_valid(index + shift);
    nulls += !valid;
    bitmap.append(valid);
  }
  if (nulls == 0) return {};
  return {bitmap.finish(), nulls};
}

template <class T>
BufferPtr gather_fixed_width(const T* values, std::span<const int64_t> indices, int64_t shift) {
  BufferBuilder out;
  out.resize(static_cast<int64_t>(indices.size() * sizeof(T)));
  T* target = out.data_as<T>();
  for (size_t k = 0; k < indices.size(); ++k) target[k] = values[indices[k] + shift];
  return out.finish();
}

BufferPtr gather_bools(const Array& source, std::span<const int64_t> indices, int64_t shift) {
  BitmapBuilder out;
  out.reserve(static_cast<int64_t>(indices.size()));
  for (const int64_t index : indices) out.append(source.bool_at(index + shift));
  return out.finish();
}

// Offsets of the gathered slots (null slots are empty), built from per-slot sizes.
BufferPtr gather_offsets(const Array& source, std::span<const int64_t> indices, int64_t shift) {
  BufferBuilder offsets;
  offsets.resize(static_cast<int64_t>((indices.size() + 1) * sizeof(int32_t)));
  int32_t* out = offsets.data_as<int32_t>();
  const int32_t* in = source.value_offsets();
  int64_t end = 0;
  out[0] = 0;
  for (size_t k = 0; k < indices.size(); ++k) {
    const int64_t slot = indices[k] + shift;
    if (source.is_valid(slot)) end += in[slot + 1] - in[slot];
    require_int32_offset(end, source);
    out[k + 1] = static_cast<int32_t>(end);
  }
  return offsets.finish();
}

BufferPtr gather_characters(const Array& source, std::span<const int64_t> indices, int64_t shift,
                            const int32_t* new_offsets) {
  BufferBuilder characters;
  characters.resize(new_offsets[indices.size()]);
  char* out = reinterpret_cast<char*>(characters.data());
  for (size_t k = 0; k < indices.size(); ++k) {
    const int64_t slot = indices[k] + shift;
    if (!source.is_valid(slot)) continue;
    const std::string_view text = source.string_at(slot);
    if (!text.empty()) std::memcpy(out + new_offsets[k], text.data(), text.size());
  }
  return characters.finish();
}

ArrayPtr gather_list_items(const Array& source, std::span<const int64_t> indices, int64_t shift,
                           int64_t item_count) {
  std::vector<int64_t> item_positions;
  item_positions.reserve(static_cast<size_t>(item_count));
  for (const int64_t index : indices) {
    const int64_t slot = index + shift;
    if (!source.is_valid(slot)) continue;
    const Range range = source.list_range(slot);
    for (int64_t item = range.begin; item < range.end; ++item) item_positions.push_back(item);
  }
  return gather(*source.list_items(), item_positions, 0);
}

ArrayPtr gather(const Array& source, std::span<const int64_t> indices, int64_t shift) {
  GatheredValidity validity = gather_validity(source, indices, shift);
  ArrayData data{.type = source.type(),
                 .length = static_cast<int64_t>(indices.size()),
                 .null_count = validity.null_count,
                 .validity = std::move(validity.bitmap)};
  switch (source.type_id()) {
    case TypeId::Int64:
      data.values = gather_fixed_width(source.int64_values(), indices, shift);
      break;
    case TypeId::Float64:
      data.values = gather_fixed_width(source.float64_values(), indices, shift);
      break;
    case TypeId::Bool:
      data.values = gather_bools(source, indices, shift);
      break;
    case TypeId::Utf8:
      data.offsets = gather_offsets(source, indices, shift);
      data.values = gather_characters(source, indices, shift, data.offsets->data_as<int32_t>());
      break;
    case TypeId::Struct:
      for (const ArrayPtr& member : source.children()) {
        data.children.push_back(gather(*member, indices, shift + source.offset()));
      }
      break;
    case TypeId::List: {
      data.offsets = gather_offsets(source, indices, shift);
      const int64_t item_count = data.offsets->data_as<int32_t>()[indices.size()];
      data.children.push_back(gather_list_items(source, indices, shift, item_count));
      break;
    }
    case TypeId::Null:
      break;
  }
  return Array::make(std::move(data));
}

}  // namespace

ArrayPtr Array::take(std::span<const int64_t> indices) const {
  for (size_t k = 0; k < indices.size(); ++k) {
    if (indices[k] < 0 || indices[k] >= length_) {
      throw SchemaError(
          fmt::format("take index {} (position {}) is out of range for an array of {} slots",
                      indices[k], k, length_),
          {.row = static_cast<int64_t>(k)});
    }
  }
  return gather(*this, indices, 0);
}

}  // namespace crv::frame
