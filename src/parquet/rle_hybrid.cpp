// The RLE/bit-packing hybrid encoding, for levels and dictionary indices.

#include "parquet/rle_hybrid.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "crv/core/errors.hpp"
#include "parquet/bit_util.hpp"

namespace crv::parquet {
namespace {

// Shorter repeats cost more as an RLE run (header + value) than inside a bit-packed group.
constexpr size_t kMinRleRun = 8;
// Encodings.md: run lengths lie in [1, 2^31 - 1], so readers may hold them in an int32.
constexpr uint64_t kMaxRunLength = (uint64_t{1} << 31) - 1;
constexpr uint64_t kMaxPackedGroups = kMaxRunLength / 8;
// A run header is a ULEB128 of at most 32 bits: (2^31 - 1) << 1 | 1.
constexpr int kMaxHeaderBytes = 5;

void check_bit_width(int bit_width) {
  if (bit_width < 0 || bit_width > kMaxBitWidth) {
    throw std::invalid_argument(
        fmt::format("RLE/bit-packed bit width {} is outside 0..{}", bit_width, kMaxBitWidth));
  }
}

size_t value_bytes(int bit_width) {
  return static_cast<size_t>(bit_width + 7) / 8;
}

void append_rle_runs(uint32_t value, uint64_t count, int bit_width, std::vector<uint8_t>& out) {
  const size_t width_bytes = value_bytes(bit_width);
  while (count > 0) {
    const uint64_t run = std::min(count, kMaxRunLength);
    append_uleb128(out, run << 1);
    const size_t pos = out.size();
    out.resize(pos + width_bytes);
    std::memcpy(out.data() + pos, &value, width_bytes);
    count -= run;
  }
}

// Only the encoding's last run may hold a count that is not a multiple of 8; its last
// group is padded with zeros, which the reader never asks for.
template <typename In>
void append_bit_packed_runs(const In* values, size_t count, int bit_width,
                            std::vector<uint8_t>& out) {
  const auto pack = bitpack::kPackGroups<In>[bit_width];
  const size_t width = static_cast<size_t>(bit_width);
  size_t done = 0;
  while (done < count) {
    const size_t groups = std::min<uint64_t>((count - done + 7) / 8, kMaxPackedGroups);
    append_uleb128(out, groups << 1 | 1);
    const size_t pos = out.size();
    out.resize(pos + groups * width);
    const size_t full_groups = std::min(groups, (count - done) / 8);
    pack(values + done, full_groups, out.data() + pos);
    if (full_groups < groups) {
      In last_group[8] = {};
      std::copy(values + done + 8 * full_groups, values + count, last_group);
      pack(last_group, 1, out.data() + pos + full_groups * width);
    }
    done = std::min(count, done + 8 * groups);
  }
}

template <typename In>
void check_values_fit(std::span<const In> values, int bit_width) {
  // Sign-extending first makes a negative level fail every width up to 32.
  uint64_t combined = 0;
  for (In value : values) combined |= static_cast<uint64_t>(static_cast<int64_t>(value));
  if ((combined >> bit_width) == 0) return;
  for (size_t i = 0; i < values.size(); ++i) {
    if ((static_cast<uint64_t>(static_cast<int64_t>(values[i])) >> bit_width) != 0) {
      throw std::invalid_argument(
          fmt::format("value {} at position {} does not fit in RLE/bit-packed bit width {}",
                      static_cast<int64_t>(values[i]), i, bit_width));
    }
  }
}

template <typename In>
void encode_runs(std::span<const In> values, int bit_width, std::vector<uint8_t>& out) {
  check_values_fit(values, bit_width);
  const size_t n = values.size();
  // Values from literal_start up to the current run wait to be bit-packed.
  size_t literal_start = 0;
  size_t i = 0;
  while (i < n) {
    const In value = values[i];
    size_t run_end = i + 1;
    while (run_end < n && values[run_end] == value) ++run_end;
    size_t run_start = i;
    i = run_end;
    if (run_end - run_start < kMinRleRun) continue;
    // A bit-packed run in the middle must hold whole groups: lend it the first values of
    // this run, unless too few would be left to be worth an RLE run.
    const size_t pending = (run_start - literal_start) % 8;
    if (pending != 0) {
      const size_t lent = 8 - pending;
      if (run_end - run_start - lent < kMinRleRun) continue;
      run_start += lent;
    }
    append_bit_packed_runs(values.data() + literal_start, run_start - literal_start, bit_width,
                           out);
    append_rle_runs(static_cast<uint32_t>(value), run_end - run_start, bit_width, out);
    literal_start = run_end;
  }
  append_bit_packed_runs(values.data() + literal_start, n - literal_start, bit_width, out);
}

template <typename Encode>
void encode_framed(int bit_width, RleFraming framing, std::vector<uint8_t>& out, Encode&& encode) {
  check_bit_width(bit_width);
  switch (framing) {
    case RleFraming::kRaw:
      encode();
      return;
    case RleFraming::kBitWidthPrefixed:
      out.push_back(static_cast<uint8_t>(bit_width));
      encode();
      return;
    case RleFraming::kLengthPrefixed: {
      const size_t prefix_pos = out.size();
      out.resize(prefix_pos + sizeof(uint32_t));
      encode();
      const size_t length = out.size() - prefix_pos - sizeof(uint32_t);
      if (length > std::numeric_limits<uint32_t>::max()) {
        throw std::length_error(fmt::format(
            "RLE/bit-packed section of {} bytes does not fit its 4-byte length", length));
      }
      store_le(out.data() + prefix_pos, static_cast<uint32_t>(length));
      return;
    }
  }
  throw std::invalid_argument("unknown RLE/bit-packed framing");
}

}  // namespace

void encode_rle_hybrid(std::span<const uint32_t> values, int bit_width, RleFraming framing,
                       std::vector<uint8_t>& out) {
  encode_framed(bit_width, framing, out, [&] { encode_runs(values, bit_width, out); });
}

void encode_rle_hybrid(std::span<const int16_t> values, int bit_width, RleFraming framing,
                       std::vector<uint8_t>& out) {
  encode_framed(bit_width, framing, out, [&] { encode_runs(values, bit_width, out); });
}

void encode_rle_hybrid_repeated(uint32_t value, size_t count, int bit_width, RleFraming framing,
                                std::vector<uint8_t>& out) {
  encode_framed(bit_width, framing, out, [&] {
    if (count > 0) check_values_fit(std::span<const uint32_t>(&value, 1), bit_width);
    append_rle_runs(value, count, bit_width, out);
  });
}

RleHybridDecoder::RleHybridDecoder(std::span<const uint8_t> runs, int bit_width, size_t base_offset)
    : begin_(runs.data()),
      pos_(runs.data()),
      end_(runs.data() + runs.size()),
      bit_width_(bit_width),
      base_offset_(base_offset) {
  check_bit_width(bit_width);
}

void RleHybridDecoder::decode(std::span<uint32_t> out) {
  decode_into(out.data(), out.size());
}

void RleHybridDecoder::decode(std::span<int16_t> out) {
  if (bit_width_ > 15) {
    throw std::invalid_argument(
        fmt::format("levels of bit width {} do not fit in int16 (at most 15 bits)", bit_width_));
  }
  decode_into(out.data(), out.size());
}

template <typename Out>
void RleHybridDecoder::decode_into(Out* out, size_t count) {
  const size_t width = static_cast<size_t>(bit_width_);
  size_t done = 0;
  while (done < count) {
    const size_t wanted = count - done;
    if (group_next_ < group_end_) {
      const size_t take = std::min<size_t>(wanted, group_end_ - group_next_);
      std::copy_n(group_ + group_next_, take, out + done);
      group_next_ = static_cast<uint8_t>(group_next_ + take);
      done += take;
    } else if (rle_left_ > 0) {
      const size_t take = std::min<uint64_t>(wanted, rle_left_);
      std::fill_n(out + done, take, static_cast<Out>(rle_value_));
      rle_left_ -= take;
      done += take;
    } else if (packed_left_ >= 8 && wanted >= 8) {
      // packed_left_ never exceeds what the remaining bytes hold, so whole groups are there.
      const size_t groups = std::min<uint64_t>(wanted, packed_left_) / 8;
      bitpack::kUnpackGroups<Out>[bit_width_](pos_, groups, out + done);
      pos_ += groups * width;
      packed_left_ -= 8 * groups;
      done += 8 * groups;
    } else if (packed_left_ > 0) {
      // The batch ends inside a group, or the run ends in a partial group at the end of
      // the data: unpack from a zero-padded copy and keep the rest for the next batch.
      uint8_t padded[kMaxBitWidth] = {};
      const size_t available = std::min<size_t>(width, static_cast<size_t>(end_ - pos_));
      std::memcpy(padded, pos_, available);
      bitpack::kUnpackGroups<uint32_t>[bit_width_](padded, 1, group_);
      pos_ += available;
      group_next_ = 0;
      group_end_ = static_cast<uint8_t>(std::min<uint64_t>(8, packed_left_));
      packed_left_ -= group_end_;
    } else {
      read_run_header(wanted);
    }
  }
}

void RleHybridDecoder::read_run_header(size_t values_still_needed) {
  const size_t header_offset = offset();
  if (pos_ == end_) {
    throw IoFormatError(
        fmt::format("RLE/bit-packed data ends at byte {} while {} more values are needed",
                    header_offset, values_still_needed));
  }
  uint64_t header = 0;
  for (int i = 0;; ++i) {
    if (i == kMaxHeaderBytes) {
      throw IoFormatError(
          fmt::format("RLE/bit-packed run header at byte {} is a varint longer than {} bytes",
                      header_offset, kMaxHeaderBytes));
    }
    if (pos_ == end_) {
      throw IoFormatError(
          fmt::format("RLE/bit-packed run header at byte {} is cut short by the end of the data",
                      header_offset));
    }
    const uint8_t byte = *pos_++;
    header |= static_cast<uint64_t>(byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) break;
  }
  if (header > std::numeric_limits<uint32_t>::max()) {
    throw IoFormatError(
        fmt::format("RLE/bit-packed run header at byte {} is {}, above the 32-bit maximum",
                    header_offset, header));
  }
  const uint64_t length = header >> 1;
  const size_t bytes_left = static_cast<size_t>(end_ - pos_);
  if ((header & 1) != 0) {
    if (length == 0) return;
    const uint64_t declared = 8 * length;
    packed_left_ =
        bit_width_ == 0 ? declared : std::min<uint64_t>(declared, bytes_left * 8 / bit_width_);
    if (packed_left_ == 0) {
      throw IoFormatError(fmt::format(
          "bit-packed run at byte {} declares {} values ({} bytes) but only {} bytes remain",
          header_offset, declared, length * static_cast<uint64_t>(bit_width_), bytes_left));
    }
    return;
  }
  const size_t width_bytes = value_bytes(bit_width_);
  if (bytes_left < width_bytes) {
    throw IoFormatError(
        fmt::format("RLE run at byte {} needs a {}-byte value but only {} bytes remain",
                    header_offset, width_bytes, bytes_left));
  }
  uint32_t value = 0;
  std::memcpy(&value, pos_, width_bytes);
  pos_ += width_bytes;
  if (bit_width_ < kMaxBitWidth && (value >> bit_width_) != 0) {
    throw IoFormatError(
        fmt::format("RLE run at byte {} repeats {}, which does not fit in bit width {}",
                    header_offset, value, bit_width_));
  }
  rle_value_ = value;
  rle_left_ = length;
}

std::span<const uint8_t> take_length_prefixed_runs(std::span<const uint8_t>& data) {
  constexpr size_t kPrefixBytes = sizeof(uint32_t);
  if (data.size() < kPrefixBytes) {
    throw IoFormatError(
        fmt::format("RLE/bit-packed section needs a {}-byte length prefix but only {} bytes remain",
                    kPrefixBytes, data.size()));
  }
  const uint32_t length = load_le<uint32_t>(data.data());
  if (length > data.size() - kPrefixBytes) {
    throw IoFormatError(fmt::format(
        "RLE/bit-packed section announces {} bytes but only {} follow its length prefix", length,
        data.size() - kPrefixBytes));
  }
  const std::span<const uint8_t> runs = data.subspan(kPrefixBytes, length);
  data = data.subspan(kPrefixBytes + length);
  return runs;
}

RleHybridDecoder open_bit_width_prefixed_runs(std::span<const uint8_t> data) {
  if (data.empty()) {
    throw IoFormatError("dictionary-index data is empty: its bit-width byte is missing");
  }
  if (data[0] > kMaxBitWidth) {
    throw IoFormatError(
        fmt::format("dictionary-index bit width {} at byte 0 exceeds {}", data[0], kMaxBitWidth));
  }
  return RleHybridDecoder(data.subspan(1), data[0], 1);
}

}  // namespace crv::parquet
