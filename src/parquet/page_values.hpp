#pragma once
// Decoding the values of a leaf column's data pages in every encoding the reader knows,
// and the chunk's dictionary they may refer to.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "parquet/column_reader.hpp"
#include "parquet/format.hpp"
#include "parquet/rle_hybrid.hpp"
#include "parquet/schema.hpp"

namespace crv::parquet {

// The most bytes one page may take decompressed, or its values decoded, whatever its
// header claims.
inline constexpr size_t kMaxPageBytes = size_t{1} << 30;

// Buffers of value decoding that one thread reuses from chunk to chunk: a chunk's
// dictionary and a page's dictionary indices.
struct ValueScratch {
  std::vector<uint32_t> indices;
  std::vector<int64_t> dictionary_int64;
  std::vector<double> dictionary_float64;
  std::vector<int32_t> dictionary_offsets;
  std::vector<uint8_t> dictionary_data;

  size_t retained_bytes() const;
};

// Appends decoded values of one column chunk to a LeafData, widening INT32 and FLOAT to
// the frame's 64-bit types. Malformed values are IoFormatErrors without a location; the
// caller, which knows the file, column and page, adds it.
class ValueDecoder {
 public:
  ValueDecoder(const SchemaNode& node, LeafData& out, ValueScratch& scratch)
      : node_(node), out_(out), scratch_(scratch) {}

  // Decodes the chunk's dictionary page of `count` PLAIN values (decompressed), checking
  // once that its strings are UTF-8 when `verify_utf8`.
  void read_dictionary(std::span<const uint8_t> data, size_t count, bool verify_utf8);
  // Every dictionary entry is valid UTF-8, or was not to be checked.
  bool dictionary_utf8() const { return dictionary_utf8_; }

  // Passes over the first `skip` values of a page's decompressed `data`, stored in
  // `encoding`, and appends the next `keep` to the LeafData.
  void decode(format::Encoding encoding, std::span<const uint8_t> data, size_t skip, size_t keep);

 private:
  void decode_plain_values(std::span<const uint8_t> data, size_t skip, size_t keep);
  size_t fixed_length() const;
  bool decode_delta_binary_packed_values(std::span<const uint8_t> data, size_t skip, size_t keep);
  bool decode_delta_byte_array_values(format::Encoding encoding, std::span<const uint8_t> data,
                                      size_t skip, size_t keep);
  bool decode_byte_stream_split_values(std::span<const uint8_t> data, size_t skip, size_t keep);
  template <class T>
  void split_into(std::span<const uint8_t> data, size_t skip, size_t keep, std::vector<T>& out);
  std::span<const uint32_t> decode_indices(RleHybridDecoder&& decoder, size_t skip, size_t keep);
  void decode_dictionary_values(std::span<const uint8_t> data, size_t skip, size_t keep);
  void decode_rle_booleans(std::span<const uint8_t> data, size_t skip, size_t keep);

  const SchemaNode& node_;
  LeafData& out_;
  ValueScratch& scratch_;
  bool has_dictionary_ = false;
  bool dictionary_utf8_ = false;
};

}  // namespace crv::parquet
