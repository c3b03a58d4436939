// Dictionary encoding and decoding of a column chunk's values.

#include "parquet/dictionary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#include "crv/core/errors.hpp"
#include "parquet/value_hash.hpp"

namespace crv::parquet {
namespace {

constexpr uint32_t kEmptySlot = std::numeric_limits<uint32_t>::max();
// Indices are uint32 and kEmptySlot marks a free slot, so one index fewer is usable.
constexpr size_t kMaxEntries = kEmptySlot;
constexpr size_t kInitialSlots = 64;
constexpr int kInitialSlotShift = 64 - std::countr_zero(kInitialSlots);

// Doubles an open-addressing table: every used slot moves to the first free slot from the
// one its hash picks among the new, larger set of slots (the top bits of `hash(slot)`).
template <class Slot, class Hash>
void grow_table(std::vector<Slot>& slots, int& slot_shift, Hash&& hash) {
  std::vector<Slot> old = std::move(slots);
  slots.assign(2 * old.size(), Slot{0, kEmptySlot});
  --slot_shift;
  const size_t mask = slots.size() - 1;
  for (const Slot& slot : old) {
    if (slot.index == kEmptySlot) continue;
    size_t i = hash(slot) >> slot_shift;
    while (slots[i].index != kEmptySlot) i = (i + 1) & mask;
    slots[i] = slot;
  }
}

void check_room_for_entry(size_t entries) {
  if (entries >= kMaxEntries) {
    throw IoWriteError(
        fmt::format("a dictionary cannot hold more than {} distinct values", kMaxEntries));
  }
}

[[noreturn]] void index_out_of_range(uint32_t index, size_t position, size_t dictionary_size) {
  throw IoFormatError(
      fmt::format("dictionary index {} at position {} is out of range for a dictionary of {} "
                  "entries",
                  index, position, dictionary_size));
}

}  // namespace

template <PlainFixedWidth T>
FixedWidthDictionaryBuilder<T>::FixedWidthDictionaryBuilder()
    : slots_(kInitialSlots, Slot{0, kEmptySlot}), slot_shift_(kInitialSlotShift) {}

template <PlainFixedWidth T>
uint32_t FixedWidthDictionaryBuilder<T>::insert(T value) {
  const Bits bits = std::bit_cast<Bits>(value);
  const size_t mask = slots_.size() - 1;
  for (size_t i = (static_cast<uint64_t>(bits) * kGoldenMultiplier) >> slot_shift_;;
       i = (i + 1) & mask) {
    Slot& slot = slots_[i];
    if (slot.index == kEmptySlot) {
      check_room_for_entry(entries_.size());
      const auto index = static_cast<uint32_t>(entries_.size());
      slot = Slot{bits, index};
      entries_.push_back(value);
      // Below half full, linear probes stay short.
      if (2 * entries_.size() > slots_.size()) grow();
      return index;
    }
    if (slot.bits == bits) return slot.index;
  }
}

template <PlainFixedWidth T>
void FixedWidthDictionaryBuilder<T>::insert(std::span<const T> values, BitmapView validity,
                                            std::vector<uint32_t>& indices) {
  size_t next = indices.size();
  indices.resize(next + count_set_bits(validity, values.size()));
  for_each_set_run(validity, values.size(), [&](size_t start, size_t length) {
    for (size_t i = start; i < start + length; ++i) indices[next++] = insert(values[i]);
  });
}

template <PlainFixedWidth T>
void FixedWidthDictionaryBuilder<T>::grow() {
  grow_table(slots_, slot_shift_,
             [](const Slot& slot) { return static_cast<uint64_t>(slot.bits) * kGoldenMultiplier; });
}

template <PlainFixedWidth T>
void FixedWidthDictionaryBuilder<T>::encode_dictionary_page(std::vector<uint8_t>& out) const {
  encode_plain(entries(), BitmapView{}, out);
}

template <PlainFixedWidth T>
DictionarySizes FixedWidthDictionaryBuilder<T>::sizes() const {
  return DictionarySizes{.entries = entries_.size(),
                         .dictionary_page_size = entries_.size() * sizeof(T)};
}

template <PlainFixedWidth T>
void FixedWidthDictionaryBuilder<T>::clear() {
  std::fill(slots_.begin(), slots_.end(), Slot{0, kEmptySlot});
  entries_.clear();
}

ByteArrayDictionaryBuilder::ByteArrayDictionaryBuilder()
    : slots_(kInitialSlots, Slot{0, kEmptySlot}), slot_shift_(kInitialSlotShift) {}

uint32_t ByteArrayDictionaryBuilder::insert(std::string_view value) {
  if (value.size() > kMaxByteArrayLength) {
    throw IoWriteError(fmt::format("BYTE_ARRAY value has {} bytes; Parquet allows at most {}",
                                   value.size(), kMaxByteArrayLength));
  }
  const auto* bytes = reinterpret_cast<const uint8_t*>(value.data());
  return insert_hashed(value, hash_bytes(bytes, value.size()));
}

uint32_t ByteArrayDictionaryBuilder::insert_hashed(std::string_view value, uint64_t hash) {
  const auto tag = static_cast<uint32_t>(hash);
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash >> slot_shift_;; i = (i + 1) & mask) {
    Slot& slot = slots_[i];
    if (slot.index == kEmptySlot) {
      check_room_for_entry(size());
      const auto index = static_cast<uint32_t>(size());
      slot = Slot{tag, index};
      entry_starts_.push_back(plain_.size());
      const size_t start = plain_.size();
      plain_.resize(start + sizeof(uint32_t) + value.size());
      store_le(plain_.data() + start, static_cast<uint32_t>(value.size()));
      if (!value.empty()) {
        std::memcpy(plain_.data() + start + sizeof(uint32_t), value.data(), value.size());
      }
      if (2 * size() > slots_.size()) grow();
      return index;
    }
    if (slot.hash == tag && entry(slot.index) == value) return slot.index;
  }
}

template <ByteArrayOffset O>
void ByteArrayDictionaryBuilder::insert(std::span<const O> offsets, const uint8_t* data,
                                        BitmapView validity, std::vector<uint32_t>& indices) {
  const size_t slots = offsets.empty() ? 0 : offsets.size() - 1;
  size_t next = indices.size();
  indices.resize(next + count_set_bits(validity, slots));
  for_each_set_run(validity, slots, [&](size_t start, size_t length) {
    for (size_t i = start; i < start + length; ++i) {
      const auto size = static_cast<size_t>(offsets[i + 1] - offsets[i]);
      indices[next++] =
          insert(std::string_view(reinterpret_cast<const char*>(data) + offsets[i], size));
    }
  });
}

std::string_view ByteArrayDictionaryBuilder::entry(uint32_t index) const {
  const size_t start = entry_starts_[index];
  const uint32_t size = load_le<uint32_t>(plain_.data() + start);
  return std::string_view(reinterpret_cast<const char*>(plain_.data()) + start + sizeof(uint32_t),
                          size);
}

void ByteArrayDictionaryBuilder::grow() {
  grow_table(slots_, slot_shift_, [this](const Slot& slot) {
    const std::string_view value = entry(slot.index);
    return hash_bytes(reinterpret_cast<const uint8_t*>(value.data()), value.size());
  });
}

DictionarySizes ByteArrayDictionaryBuilder::sizes() const {
  return DictionarySizes{.entries = size(), .dictionary_page_size = plain_.size()};
}

void ByteArrayDictionaryBuilder::clear() {
  std::fill(slots_.begin(), slots_.end(), Slot{0, kEmptySlot});
  plain_.clear();
  entry_starts_.clear();
}

// Each gather checks its indices in the loop that uses them: the branch never goes the
// failing way in a valid file, so it costs less than a separate pass.
template <PlainFixedWidth T>
void gather_dictionary(std::span<const T> dictionary, std::span<const uint32_t> indices,
                       std::vector<T>& out) {
  const size_t start = out.size();
  out.resize(start + indices.size());
  T* next = out.data() + start;
  for (size_t i = 0; i < indices.size(); ++i) {
    if (indices[i] >= dictionary.size()) {
      out.resize(start);
      index_out_of_range(indices[i], i, dictionary.size());
    }
    next[i] = dictionary[indices[i]];
  }
}

template <ByteArrayOffset O>
void gather_dictionary_byte_array(std::span<const O> dictionary_offsets,
                                  const uint8_t* dictionary_data, std::span<const uint32_t> indices,
                                  std::vector<O>& offsets, std::vector<uint8_t>& data) {
  const size_t entries = dictionary_offsets.empty() ? 0 : dictionary_offsets.size() - 1;
  size_t total = 0;
  for (size_t i = 0; i < indices.size(); ++i) {
    if (indices[i] >= entries) index_out_of_range(indices[i], i, entries);
    total +=
        static_cast<size_t>(dictionary_offsets[indices[i] + 1] - dictionary_offsets[indices[i]]);
  }
  if (offsets.empty()) offsets.push_back(0);
  const size_t data_start = data.size();
  check_offset_capacity<O>(data_start, total);
  const size_t offsets_start = offsets.size();
  offsets.resize(offsets_start + indices.size());
  data.resize(data_start + total);
  size_t written = data_start;
  for (size_t i = 0; i < indices.size(); ++i) {
    const O begin = dictionary_offsets[indices[i]];
    const auto size = static_cast<size_t>(dictionary_offsets[indices[i] + 1] - begin);
    if (size > 0) std::memcpy(data.data() + written, dictionary_data + begin, size);
    written += size;
    offsets[offsets_start + i] = static_cast<O>(written);
  }
}

#define CRV_INSTANTIATE_FIXED_DICTIONARY(T)                                         \
  template class FixedWidthDictionaryBuilder<T>;                                    \
  template void gather_dictionary<T>(std::span<const T>, std::span<const uint32_t>, \
                                     std::vector<T>&);
CRV_INSTANTIATE_FIXED_DICTIONARY(int32_t)
CRV_INSTANTIATE_FIXED_DICTIONARY(int64_t)
CRV_INSTANTIATE_FIXED_DICTIONARY(float)
CRV_INSTANTIATE_FIXED_DICTIONARY(double)
#undef CRV_INSTANTIATE_FIXED_DICTIONARY

#define CRV_INSTANTIATE_BYTE_ARRAY_DICTIONARY(O)                                            \
  template void ByteArrayDictionaryBuilder::insert<O>(std::span<const O>, const uint8_t*,   \
                                                      BitmapView, std::vector<uint32_t>&);  \
  template void gather_dictionary_byte_array<O>(std::span<const O>, const uint8_t*,         \
                                                std::span<const uint32_t>, std::vector<O>&, \
                                                std::vector<uint8_t>&);
CRV_INSTANTIATE_BYTE_ARRAY_DICTIONARY(int32_t)
CRV_INSTANTIATE_BYTE_ARRAY_DICTIONARY(int64_t)
#undef CRV_INSTANTIATE_BYTE_ARRAY_DICTIONARY

}  // namespace crv::parquet
