#pragma once
// Dictionary encoding (Encodings.md, RLE_DICTIONARY = 8; PLAIN_DICTIONARY = 2 in old
// files): a column chunk's distinct values go once into a PLAIN-encoded dictionary page
// and every value becomes a dense index into it, written with the RLE/bit-packing
// hybrid (see rle_hybrid.hpp).
//
// The builders give each distinct value the next index in first-seen order, so indices
// are dense and never change. They also report the dictionary page's size, so a writer
// can give up on a dictionary that outgrows a limit.
//
// Reading, the gather functions map decoded indices back to values, checking each index
// against the dictionary size.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "parquet/bit_util.hpp"
#include "parquet/plain.hpp"

namespace crv::parquet {

// The dictionary page size above which writers fall back to PLAIN by default.
inline constexpr size_t kDefaultDictionaryPageLimit = size_t{1} << 20;

// What a writer checks before dictionary encoding a chunk.
struct DictionarySizes {
  size_t entries = 0;               // distinct values
  size_t dictionary_page_size = 0;  // bytes of the PLAIN-encoded dictionary page

  bool exceeds(size_t dictionary_page_limit) const {
    return dictionary_page_size > dictionary_page_limit;
  }
};

// Dictionary of INT32, INT64, FLOAT or DOUBLE values. Floating-point values are told
// apart by their bits, so 0.0 and -0.0 get separate entries and a NaN matches only the
// same NaN bits: reading back yields exactly the bits written.
template <PlainFixedWidth T>
class FixedWidthDictionaryBuilder {
 public:
  FixedWidthDictionaryBuilder();

  // The index of `value`, adding it as a new entry when it is not there yet.
  uint32_t insert(T value);
  // Inserts the non-null slots of `values` and appends their indices to `indices`.
  void insert(std::span<const T> values, BitmapView validity, std::vector<uint32_t>& indices);

  size_t size() const { return entries_.size(); }
  // Entries in index order.
  std::span<const T> entries() const { return entries_; }
  // Appends the dictionary page body: the entries PLAIN-encoded.
  void encode_dictionary_page(std::vector<uint8_t>& out) const;
  DictionarySizes sizes() const;
  // Forgets every entry (e.g. for the next column chunk), keeping the memory.
  void clear();

 private:
  using Bits = std::conditional_t<sizeof(T) == 8, uint64_t, uint32_t>;
  struct Slot {
    Bits bits;
    uint32_t index;  // kEmptySlot when unused
  };

  void grow();

  std::vector<Slot> slots_;  // open addressing, linear probing, power-of-two size
  int slot_shift_;           // 64 - log2(slots_.size()): the hash bits that pick a slot
  std::vector<T> entries_;
};

using Int64DictionaryBuilder = FixedWidthDictionaryBuilder<int64_t>;
using DoubleDictionaryBuilder = FixedWidthDictionaryBuilder<double>;

// Dictionary of BYTE_ARRAY values (strings). The entries are kept contiguous in their
// PLAIN form (4-byte length, then the bytes), which is the dictionary page itself.
class ByteArrayDictionaryBuilder {
 public:
  ByteArrayDictionaryBuilder();

  // The index of `value`, adding it as a new entry when it is not there yet. Throws
  // IoWriteError for a value longer than kMaxByteArrayLength.
  uint32_t insert(std::string_view value);
  // Inserts the non-null values of a string column (see encode_plain_byte_array) and
  // appends their indices to `indices`.
  template <ByteArrayOffset O>
  void insert(std::span<const O> offsets, const uint8_t* data, BitmapView validity,
              std::vector<uint32_t>& indices);

  size_t size() const { return entry_starts_.size(); }
  std::string_view entry(uint32_t index) const;
  // The dictionary page body: the entries PLAIN-encoded.
  std::span<const uint8_t> dictionary_page() const { return plain_; }
  DictionarySizes sizes() const;
  void clear();

 private:
  struct Slot {
    uint32_t hash;   // low half of the 64-bit hash (the slot comes from the high bits)
    uint32_t index;  // kEmptySlot when unused
  };

  uint32_t insert_hashed(std::string_view value, uint64_t hash);
  void grow();

  std::vector<Slot> slots_;
  int slot_shift_;
  std::vector<uint8_t> plain_;
  std::vector<size_t> entry_starts_;  // where each entry's length prefix starts in plain_
};

// Appends dictionary[index] for each index. An index at or past the dictionary's end
// throws IoFormatError naming the index and its position in `indices`.
template <PlainFixedWidth T>
void gather_dictionary(std::span<const T> dictionary, std::span<const uint32_t> indices,
                       std::vector<T>& out);

// The same for a BYTE_ARRAY dictionary decoded (decode_plain_byte_array) into
// `dictionary_offsets` (entries + 1 of them) and `dictionary_data`; appends to a string
// column as decode_plain_byte_array does, with the same overflow check. The output can be
// far larger than the pages it comes from (a short RLE run may repeat a long entry
// millions of times): 32-bit offsets cap it at 2 GiB, with 64-bit ones the caller bounds
// it through the number of indices.
template <ByteArrayOffset O>
void gather_dictionary_byte_array(std::span<const O> dictionary_offsets,
                                  const uint8_t* dictionary_data, std::span<const uint32_t> indices,
                                  std::vector<O>& offsets, std::vector<uint8_t>& data);

}  // namespace crv::parquet
