// Array::partition: splitting an array's slots into groups in one pass over them.
//
// Gathering each group with take() reads the whole array once per group, and every slot
// it copies sits in another cache line than the last; a pass that sends each slot to its
// group reads the array in order and writes each group in order.

#include <fmt/format.h>

#include <cstring>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/array.hpp"
#include "frame/array_limits.hpp"

namespace crv::frame {
namespace {

// One bitmap per group, of `bit(i)` for each of its slots in order.
template <class Bit>
std::vector<BufferPtr> partition_bits(std::span<const uint32_t> groups,
                                      const std::vector<int64_t>& sizes, Bit&& bit) {
  std::vector<BitmapBuilder> bitmaps(sizes.size());
  for (size_t group = 0; group < sizes.size(); ++group) bitmaps[group].reserve(sizes[group]);
  for (size_t i = 0; i < groups.size(); ++i) bitmaps[groups[i]].append(bit(i));
  std::vector<BufferPtr> buffers;
  buffers.reserve(sizes.size());
  for (BitmapBuilder& bitmap : bitmaps) buffers.push_back(bitmap.finish());
  return buffers;
}

struct GroupValidity {
  BufferPtr bitmap;  // null when the group has no null slot
  int64_t null_count = 0;
};

std::vector<GroupValidity> partition_validity(const Array& source, std::span<const uint32_t> groups,
                                              const std::vector<int64_t>& sizes) {
  std::vector<GroupValidity> validity(sizes.size());
  if (source.validity_bits() == nullptr || source.null_count() == 0) return validity;
  std::vector<BufferPtr> bitmaps = partition_bits(groups, sizes, [&](size_t i) {
    const bool valid = source.is_valid(static_cast<int64_t>(i));
    validity[groups[i]].null_count += !valid;
    return valid;
  });
  for (size_t group = 0; group < sizes.size(); ++group) {
    if (validity[group].null_count > 0) validity[group].bitmap = std::move(bitmaps[group]);
  }
  return validity;
}

// One buffer per group of its slots' fixed-width values, in order.
template <class T>
std::vector<BufferPtr> partition_values(const T* values, std::span<const uint32_t> groups,
                                        const std::vector<int64_t>& sizes) {
  std::vector<BufferBuilder> builders(sizes.size());
  std::vector<T*> cursors(sizes.size());
  for (size_t group = 0; group < sizes.size(); ++group) {
    builders[group].resize(static_cast<int64_t>(sizeof(T)) * sizes[group]);
    cursors[group] = builders[group].template data_as<T>();
  }
  for (size_t i = 0; i < groups.size(); ++i) *cursors[groups[i]]++ = values[i];
  std::vector<BufferPtr> buffers;
  buffers.reserve(sizes.size());
  for (BufferBuilder& builder : builders) buffers.push_back(builder.finish());
  return buffers;
}

struct GroupStrings {
  BufferPtr offsets;
  BufferPtr characters;
};

// Null slots keep no characters, as with take().
std::vector<GroupStrings> partition_strings(const Array& source, std::span<const uint32_t> groups,
                                            const std::vector<int64_t>& sizes) {
  const int32_t* offsets = source.value_offsets();
  const auto length_of = [&](size_t i) -> int64_t {
    return source.is_valid(static_cast<int64_t>(i)) ? offsets[i + 1] - offsets[i] : 0;
  };
  std::vector<int64_t> characters(sizes.size(), 0);
  for (size_t i = 0; i < groups.size(); ++i) characters[groups[i]] += length_of(i);
  std::vector<BufferBuilder> offset_builders(sizes.size());
  std::vector<BufferBuilder> character_builders(sizes.size());
  std::vector<int32_t*> next_offset(sizes.size());
  std::vector<char*> next_character(sizes.size());
  for (size_t group = 0; group < sizes.size(); ++group) {
    require_int32_offset(characters[group], source);
    offset_builders[group].resize(static_cast<int64_t>(sizeof(int32_t)) * (sizes[group] + 1));
    next_offset[group] = offset_builders[group].data_as<int32_t>();
    *next_offset[group] = 0;
    character_builders[group].resize(characters[group]);
    next_character[group] = reinterpret_cast<char*>(character_builders[group].data());
  }
  const char* data = source.string_data();
  for (size_t i = 0; i < groups.size(); ++i) {
    const uint32_t group = groups[i];
    const int64_t length = length_of(i);
    if (length > 0) {
      std::memcpy(next_character[group], data + offsets[i], static_cast<size_t>(length));
      next_character[group] += length;
    }
    next_offset[group][1] = next_offset[group][0] + static_cast<int32_t>(length);
    ++next_offset[group];
  }
  std::vector<GroupStrings> strings(sizes.size());
  for (size_t group = 0; group < sizes.size(); ++group) {
    strings[group] = {offset_builders[group].finish(), character_builders[group].finish()};
  }
  return strings;
}

}  // namespace

std::vector<ArrayPtr> Array::partition(std::span<const uint32_t> groups, size_t count) const {
  if (static_cast<int64_t>(groups.size()) != length_) {
    throw SchemaError(fmt::format("partition needs a group for each of the {} slots, got {}",
                                  length_, groups.size()));
  }
  std::vector<int64_t> sizes(count, 0);
  for (size_t i = 0; i < groups.size(); ++i) {
    if (groups[i] >= count) {
      throw SchemaError(fmt::format("partition group {} (slot {}) is out of range for {} groups",
                                    groups[i], i, count));
    }
    ++sizes[groups[i]];
  }
  std::vector<ArrayPtr> parts;
  parts.reserve(count);
  const TypeId type = type_id();
  if (type == TypeId::Struct || type == TypeId::List || type == TypeId::Null) {
    // Nested slots keep their members' and items' shapes; take() copies those.
    std::vector<std::vector<int64_t>> indices(count);
    for (size_t group = 0; group < count; ++group) {
      indices[group].reserve(static_cast<size_t>(sizes[group]));
    }
    for (size_t i = 0; i < groups.size(); ++i) {
      indices[groups[i]].push_back(static_cast<int64_t>(i));
    }
    for (const std::vector<int64_t>& slots : indices) parts.push_back(take(slots));
    return parts;
  }
  std::vector<GroupValidity> validity = partition_validity(*this, groups, sizes);
  std::vector<ArrayData> data(count);
  for (size_t group = 0; group < count; ++group) {
    data[group] = ArrayData{.type = type_,
                            .length = sizes[group],
                            .null_count = validity[group].null_count,
                            .validity = std::move(validity[group].bitmap)};
  }
  const auto take_values = [&](std::vector<BufferPtr> buffers) {
    for (size_t group = 0; group < count; ++group) data[group].values = std::move(buffers[group]);
  };
  switch (type) {
    case TypeId::Int64:
      take_values(partition_values(int64_values(), groups, sizes));
      break;
    case TypeId::Float64:
      take_values(partition_values(float64_values(), groups, sizes));
      break;
    case TypeId::Bool:
      take_values(partition_bits(groups, sizes,
                                 [&](size_t i) { return bool_at(static_cast<int64_t>(i)); }));
      break;
    case TypeId::Utf8: {
      std::vector<GroupStrings> strings = partition_strings(*this, groups, sizes);
      for (size_t group = 0; group < count; ++group) {
        data[group].offsets = std::move(strings[group].offsets);
        data[group].values = std::move(strings[group].characters);
      }
      break;
    }
    default:
      break;
  }
  for (ArrayData& group_data : data) parts.push_back(Array::make(std::move(group_data)));
  return parts;
}

}  // namespace crv::frame
