// Decoding of data page values per encoding, and of the dictionary page they index.

#include "parquet/page_values.hpp"

#include <fmt/format.h>

#include "crv/core/errors.hpp"
#include "crv/frame/utf8.hpp"
#include "parquet/byte_stream_split.hpp"
#include "parquet/delta_binary_packed.hpp"
#include "parquet/delta_byte_array.hpp"
#include "parquet/delta_length_byte_array.hpp"
#include "parquet/dictionary.hpp"
#include "parquet/plain.hpp"

namespace crv::parquet {
namespace {

[[noreturn]] void malformed(const std::string& message) {
  throw IoFormatError(message);
}

// INT32 and FLOAT columns read into the frame's 64-bit types.
template <class Narrow, class Wide>
void decode_widened(std::span<const uint8_t> data, size_t count, std::vector<Wide>& out) {
  std::vector<Narrow> narrow;
  decode_plain<Narrow>(data, count, narrow);
  out.insert(out.end(), narrow.begin(), narrow.end());
}

// Checks that a BYTE_STREAM_SPLIT page holds the values needed, before anything grows.
void check_split_count(std::span<const uint8_t> data, size_t width, size_t skip, size_t keep) {
  const size_t count = byte_stream_split_count(data, width);
  if (skip > count || keep > count - skip) {
    malformed(
        fmt::format("BYTE_STREAM_SPLIT page holds {} values, the page {}", count, skip + keep));
  }
}

}  // namespace

size_t ValueScratch::retained_bytes() const {
  return indices.capacity() * sizeof(uint32_t) + dictionary_int64.capacity() * sizeof(int64_t) +
         dictionary_float64.capacity() * sizeof(double) +
         dictionary_offsets.capacity() * sizeof(int32_t) + dictionary_data.capacity();
}

void ValueDecoder::read_dictionary(std::span<const uint8_t> data, size_t count, bool verify_utf8) {
  scratch_.dictionary_int64.clear();
  scratch_.dictionary_float64.clear();
  scratch_.dictionary_offsets.clear();
  scratch_.dictionary_data.clear();
  switch (node_.physical_type) {
    case format::Type::kInt64:
      decode_plain<int64_t>(data, count, scratch_.dictionary_int64);
      break;
    case format::Type::kInt32:
      decode_widened<int32_t>(data, count, scratch_.dictionary_int64);
      break;
    case format::Type::kDouble:
      decode_plain<double>(data, count, scratch_.dictionary_float64);
      break;
    case format::Type::kFloat:
      decode_widened<float>(data, count, scratch_.dictionary_float64);
      break;
    case format::Type::kByteArray:
      decode_plain_byte_array<int32_t>(data, count, scratch_.dictionary_offsets,
                                       scratch_.dictionary_data);
      if (scratch_.dictionary_offsets.empty()) scratch_.dictionary_offsets.push_back(0);
      // Checked once here, the dictionary spares checking each value gathered from it;
      // an invalid entry is reported only where a row uses it, which names the row.
      dictionary_utf8_ =
          !verify_utf8 || !frame::first_invalid_utf8_string(scratch_.dictionary_offsets.data(),
                                                            scratch_.dictionary_data.data(),
                                                            static_cast<int64_t>(count));
      break;
    case format::Type::kFixedLenByteArray:
      decode_plain_fixed_len_byte_array(data, count, fixed_length(), scratch_.dictionary_offsets,
                                        scratch_.dictionary_data);
      break;
    default:
      malformed("dictionary pages of this column's type are not supported");
  }
  has_dictionary_ = true;
}

void ValueDecoder::decode(format::Encoding encoding, std::span<const uint8_t> data, size_t skip,
                          size_t keep) {
  switch (encoding) {
    case format::Encoding::kPlain:
      decode_plain_values(data, skip, keep);
      return;
    case format::Encoding::kPlainDictionary:
    case format::Encoding::kRleDictionary:
      decode_dictionary_values(data, skip, keep);
      return;
    case format::Encoding::kRle:
      if (node_.physical_type == format::Type::kBoolean) {
        decode_rle_booleans(data, skip, keep);
        return;
      }
      break;
    case format::Encoding::kDeltaBinaryPacked:
      if (decode_delta_binary_packed_values(data, skip, keep)) return;
      break;
    case format::Encoding::kDeltaLengthByteArray:
    case format::Encoding::kDeltaByteArray:
      if (decode_delta_byte_array_values(encoding, data, skip, keep)) return;
      break;
    case format::Encoding::kByteStreamSplit:
      if (decode_byte_stream_split_values(data, skip, keep)) return;
      break;
    default:
      break;
  }
  malformed(fmt::format("value encoding {} is not supported for physical type {}",
                        format::encoding_name(encoding), format::type_name(node_.physical_type)));
}

void ValueDecoder::decode_plain_values(std::span<const uint8_t> data, size_t skip, size_t keep) {
  switch (node_.physical_type) {
    case format::Type::kInt64:
      decode_plain<int64_t>(data.subspan(skip_plain<int64_t>(data, skip)), keep, out_.int64_values);
      return;
    case format::Type::kInt32:
      decode_widened<int32_t>(data.subspan(skip_plain<int32_t>(data, skip)), keep,
                              out_.int64_values);
      return;
    case format::Type::kDouble:
      decode_plain<double>(data.subspan(skip_plain<double>(data, skip)), keep, out_.float64_values);
      return;
    case format::Type::kFloat:
      decode_widened<float>(data.subspan(skip_plain<float>(data, skip)), keep, out_.float64_values);
      return;
    case format::Type::kByteArray:
      decode_plain_byte_array<int32_t>(data.subspan(skip_plain_byte_array(data, skip)), keep,
                                       out_.string_offsets, out_.string_data);
      return;
    case format::Type::kFixedLenByteArray:
      decode_plain_fixed_len_byte_array(
          data.subspan(skip_plain_fixed_len_byte_array(data, skip, fixed_length())), keep,
          fixed_length(), out_.string_offsets, out_.string_data);
      return;
    case format::Type::kBoolean:
      decode_plain_boolean(data, skip, keep, out_.bool_bits, out_.bool_count);
      return;
    default:
      malformed("unsupported physical type");
  }
}

// The value length of a FIXED_LEN_BYTE_ARRAY column (the schema checked it).
size_t ValueDecoder::fixed_length() const {
  if (node_.type_length <= 0) {
    malformed(fmt::format("FIXED_LEN_BYTE_ARRAY column with type length {}", node_.type_length));
  }
  return static_cast<size_t>(node_.type_length);
}

// DELTA_BINARY_PACKED INT32 and INT64 values; false for other types. INT32 values widen
// (sign-extended) as PLAIN ones do.
bool ValueDecoder::decode_delta_binary_packed_values(std::span<const uint8_t> data, size_t skip,
                                                     size_t keep) {
  int bits = 0;
  if (node_.physical_type == format::Type::kInt32) bits = 32;
  if (node_.physical_type == format::Type::kInt64) bits = 64;
  if (bits == 0) return false;
  DeltaBinaryPackedDecoder decoder(data, bits);
  if (decoder.total_values() < skip + keep) {
    malformed(fmt::format("DELTA_BINARY_PACKED stream holds {} values, the page {}",
                          decoder.total_values(), skip + keep));
  }
  decoder.skip(skip);
  const size_t start = out_.int64_values.size();
  out_.int64_values.resize(start + keep);
  decoder.decode(std::span<int64_t>(out_.int64_values).subspan(start));
  return true;
}

// DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY values of BYTE_ARRAY and
// FIXED_LEN_BYTE_ARRAY columns; false for other types.
bool ValueDecoder::decode_delta_byte_array_values(format::Encoding encoding,
                                                  std::span<const uint8_t> data, size_t skip,
                                                  size_t keep) {
  int32_t length = 0;  // any
  if (node_.physical_type == format::Type::kFixedLenByteArray) {
    length = static_cast<int32_t>(fixed_length());
  } else if (node_.physical_type != format::Type::kByteArray) {
    return false;
  }
  if (encoding == format::Encoding::kDeltaLengthByteArray) {
    decode_delta_length_byte_array(data, skip, keep, length, out_.string_offsets, out_.string_data);
  } else {
    // Prefixes let a small page stand for many bytes; one page's values are capped like
    // a decompressed page.
    decode_delta_byte_array(data, skip, keep, length, kMaxPageBytes, out_.string_offsets,
                            out_.string_data);
  }
  return true;
}

// BYTE_STREAM_SPLIT values of fixed-width columns; false for other types.
bool ValueDecoder::decode_byte_stream_split_values(std::span<const uint8_t> data, size_t skip,
                                                   size_t keep) {
  switch (node_.physical_type) {
    case format::Type::kInt64:
      split_into(data, skip, keep, out_.int64_values);
      return true;
    case format::Type::kDouble:
      split_into(data, skip, keep, out_.float64_values);
      return true;
    case format::Type::kInt32: {
      std::vector<int32_t> narrow;
      split_into(data, skip, keep, narrow);
      out_.int64_values.insert(out_.int64_values.end(), narrow.begin(), narrow.end());
      return true;
    }
    case format::Type::kFloat: {
      std::vector<float> narrow;
      split_into(data, skip, keep, narrow);
      out_.float64_values.insert(out_.float64_values.end(), narrow.begin(), narrow.end());
      return true;
    }
    case format::Type::kFixedLenByteArray: {
      const size_t width = fixed_length();
      check_split_count(data, width, skip, keep);  // bounds keep * width by the page
      if (out_.string_offsets.empty()) out_.string_offsets.push_back(0);
      const size_t base = out_.string_data.size();
      check_offset_capacity<int32_t>(base, keep * width);
      out_.string_data.resize(base + keep * width);
      decode_byte_stream_split(data, width, skip, keep, out_.string_data.data() + base);
      for (size_t i = 1; i <= keep; ++i) {
        out_.string_offsets.push_back(static_cast<int32_t>(base + i * width));
      }
      return true;
    }
    default:
      return false;
  }
}

// Values of T's width from a BYTE_STREAM_SPLIT page, appended to `out`.
template <class T>
void ValueDecoder::split_into(std::span<const uint8_t> data, size_t skip, size_t keep,
                              std::vector<T>& out) {
  check_split_count(data, sizeof(T), skip, keep);
  const size_t start = out.size();
  out.resize(start + keep);
  decode_byte_stream_split(data, sizeof(T), skip, keep,
                           reinterpret_cast<uint8_t*>(out.data() + start));
}

// Decodes the indices of the skipped and the kept values (cheap next to gathering) and
// returns those of the kept ones.
std::span<const uint32_t> ValueDecoder::decode_indices(RleHybridDecoder&& decoder, size_t skip,
                                                       size_t keep) {
  scratch_.indices.resize(skip + keep);
  decoder.decode(std::span<uint32_t>(scratch_.indices));
  return std::span<const uint32_t>(scratch_.indices).subspan(skip);
}

void ValueDecoder::decode_dictionary_values(std::span<const uint8_t> data, size_t skip,
                                            size_t keep) {
  if (!has_dictionary_) malformed("dictionary-encoded page without a dictionary page");
  const auto indices = decode_indices(open_bit_width_prefixed_runs(data), skip, keep);
  switch (node_.physical_type) {
    case format::Type::kInt64:
    case format::Type::kInt32:
      gather_dictionary<int64_t>(scratch_.dictionary_int64, indices, out_.int64_values);
      return;
    case format::Type::kDouble:
    case format::Type::kFloat:
      gather_dictionary<double>(scratch_.dictionary_float64, indices, out_.float64_values);
      return;
    case format::Type::kByteArray:
    case format::Type::kFixedLenByteArray:
      gather_dictionary_byte_array<int32_t>(scratch_.dictionary_offsets,
                                            scratch_.dictionary_data.data(), indices,
                                            out_.string_offsets, out_.string_data);
      return;
    default:
      malformed("dictionary encoding of this column's type is not supported");
  }
}

void ValueDecoder::decode_rle_booleans(std::span<const uint8_t> data, size_t skip, size_t keep) {
  const auto bits =
      decode_indices(RleHybridDecoder(take_length_prefixed_runs(data), 1), skip, keep);
  out_.bool_bits.resize((out_.bool_count + keep + 7) / 8, 0);
  for (uint32_t bit : bits) {
    if (bit)
      out_.bool_bits[out_.bool_count >> 3] |= static_cast<uint8_t>(1u << (out_.bool_count & 7));
    ++out_.bool_count;
  }
}

}  // namespace crv::parquet
