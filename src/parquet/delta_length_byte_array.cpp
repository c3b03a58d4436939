// DELTA_LENGTH_BYTE_ARRAY decoding: lengths, then the values' bytes.

#include "parquet/delta_length_byte_array.hpp"

#include <fmt/format.h>

#include "crv/core/errors.hpp"
#include "parquet/plain.hpp"

namespace crv::parquet {

DeltaLengthByteArrayReader::DeltaLengthByteArrayReader(std::span<const uint8_t> input)
    : lengths_(input, 32), data_(input.subspan(lengths_.stream_bytes())) {}

std::span<const uint8_t> DeltaLengthByteArrayReader::next() {
  const int64_t length = lengths_.next();
  if (length < 0) {
    throw IoFormatError(
        fmt::format("DELTA_LENGTH_BYTE_ARRAY value {} has a negative length {}", index_, length));
  }
  if (static_cast<uint64_t>(length) > data_.size() - position_) {
    throw IoFormatError(fmt::format(
        "DELTA_LENGTH_BYTE_ARRAY value {} declares {} bytes but only {} remain after byte {}",
        index_, length, data_.size() - position_, position_));
  }
  const auto value = data_.subspan(position_, static_cast<size_t>(length));
  position_ += value.size();
  ++index_;
  return value;
}

void decode_delta_length_byte_array(std::span<const uint8_t> input, size_t skip, size_t keep,
                                    int32_t fixed_length, std::vector<int32_t>& offsets,
                                    std::vector<uint8_t>& data) {
  DeltaLengthByteArrayReader reader(input);
  if (reader.total_values() < skip + keep) {
    throw IoFormatError(fmt::format("DELTA_LENGTH_BYTE_ARRAY stream holds {} values, the page {}",
                                    reader.total_values(), skip + keep));
  }
  for (size_t i = 0; i < skip; ++i) reader.next();
  if (offsets.empty()) offsets.push_back(0);
  // The kept values lie back to back in the input: their offsets first, then one copy.
  const size_t base = data.size();
  const uint8_t* first = nullptr;
  size_t bytes = 0;
  offsets.reserve(offsets.size() + keep);
  for (size_t i = 0; i < keep; ++i) {
    const auto value = reader.next();
    if (fixed_length > 0 && value.size() != static_cast<size_t>(fixed_length)) {
      throw IoFormatError(
          fmt::format("DELTA_LENGTH_BYTE_ARRAY value {} has {} bytes, the column's fixed length {}",
                      skip + i, value.size(), fixed_length));
    }
    if (i == 0) first = value.data();
    bytes += value.size();
    check_offset_capacity<int32_t>(base, bytes);
    offsets.push_back(static_cast<int32_t>(base + bytes));
  }
  if (bytes > 0) data.insert(data.end(), first, first + bytes);
}

}  // namespace crv::parquet
