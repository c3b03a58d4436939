// DELTA_BYTE_ARRAY decoding: prefix lengths, suffixes, values rebuilt.

#include "parquet/delta_byte_array.hpp"

#include <fmt/format.h>

#include <cstring>

#include "crv/core/errors.hpp"
#include "parquet/delta_binary_packed.hpp"
#include "parquet/delta_length_byte_array.hpp"
#include "parquet/plain.hpp"

namespace crv::parquet {
namespace {

// The prefix lengths and the suffixes, read in step.
class DeltaByteArrayReader {
 public:
  DeltaByteArrayReader(std::span<const uint8_t> input, size_t needed, int32_t fixed_length)
      : prefixes_(input, 32),
        suffixes_(input.subspan(prefixes_.stream_bytes())),
        fixed_length_(fixed_length) {
    if (prefixes_.total_values() < needed || suffixes_.total_values() < needed) {
      throw IoFormatError(fmt::format(
          "DELTA_BYTE_ARRAY stream holds {} prefix lengths and {} suffixes, the page {} values",
          prefixes_.total_values(), suffixes_.total_values(), needed));
    }
  }

  struct Value {
    size_t prefix;                    // bytes taken from the value before
    std::span<const uint8_t> suffix;  // the bytes that follow them
    size_t size() const { return prefix + suffix.size(); }
  };

  // The next value, checked against the length of the one before.
  Value next() {
    const int64_t prefix = prefixes_.next();
    if (prefix < 0 || static_cast<uint64_t>(prefix) > previous_size_) {
      throw IoFormatError(fmt::format(
          "DELTA_BYTE_ARRAY value {} has prefix length {}, but the value before it has {} bytes",
          index_, prefix, previous_size_));
    }
    const Value value{static_cast<size_t>(prefix), suffixes_.next()};
    if (fixed_length_ > 0 && value.size() != static_cast<size_t>(fixed_length_)) {
      throw IoFormatError(
          fmt::format("DELTA_BYTE_ARRAY value {} has {} bytes, the column's fixed length {}",
                      index_, value.size(), fixed_length_));
    }
    previous_size_ = value.size();
    ++index_;
    return value;
  }

 private:
  DeltaBinaryPackedDecoder prefixes_;
  DeltaLengthByteArrayReader suffixes_;
  int32_t fixed_length_;
  size_t previous_size_ = 0;
  uint64_t index_ = 0;
};

}  // namespace

void decode_delta_byte_array(std::span<const uint8_t> input, size_t skip, size_t keep,
                             int32_t fixed_length, size_t max_bytes, std::vector<int32_t>& offsets,
                             std::vector<uint8_t>& data) {
  if (offsets.empty()) offsets.push_back(0);
  if (keep == 0) return;
  // First pass: check every value and size the kept ones, allocating nothing.
  size_t kept_bytes = 0;
  {
    DeltaByteArrayReader reader(input, skip + keep, fixed_length);
    for (size_t i = 0; i < skip; ++i) reader.next();
    for (size_t i = 0; i < keep; ++i) {
      kept_bytes += reader.next().size();
      if (kept_bytes > max_bytes) {
        throw IoFormatError(fmt::format(
            "DELTA_BYTE_ARRAY values of one page exceed {} bytes once decoded", max_bytes));
      }
    }
  }
  const size_t base = data.size();
  check_offset_capacity<int32_t>(base, kept_bytes);
  // Second pass: the skipped values rebuilt in `previous`, the kept ones in place.
  DeltaByteArrayReader reader(input, skip + keep, fixed_length);
  std::vector<uint8_t> previous;
  for (size_t i = 0; i < skip; ++i) {
    const auto value = reader.next();
    previous.resize(value.size());  // keeps the prefix
    if (!value.suffix.empty()) {
      std::memcpy(previous.data() + value.prefix, value.suffix.data(), value.suffix.size());
    }
  }
  data.resize(base + kept_bytes);
  const uint8_t* before = previous.data();  // the value before the next one
  size_t written = base;
  offsets.reserve(offsets.size() + keep);
  for (size_t i = 0; i < keep; ++i) {
    const auto value = reader.next();
    uint8_t* out = data.data() + written;
    if (value.prefix > 0) std::memcpy(out, before, value.prefix);
    if (!value.suffix.empty()) {
      std::memcpy(out + value.prefix, value.suffix.data(), value.suffix.size());
    }
    before = out;
    written += value.size();
    offsets.push_back(static_cast<int32_t>(written));
  }
}

}  // namespace crv::parquet
