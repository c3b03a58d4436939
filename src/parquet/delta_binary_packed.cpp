// DELTA_BINARY_PACKED encoding of 64-bit integers and decoding of 32- and 64-bit ones.

#include "parquet/delta_binary_packed.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

#include "crv/core/errors.hpp"
#include "parquet/bit_util.hpp"

namespace crv::parquet {
namespace {

constexpr int kMaxDeltaBitWidth = 64;
// Block sizes are ints in every writer; a larger one is damage, and the bound keeps
// miniblock sizes (values x width / 8) far from overflowing.
constexpr uint64_t kMaxBlockSize = std::numeric_limits<int32_t>::max();
constexpr size_t kMaxUleb128Bytes = 10;  // 64 bits, 7 per byte

[[noreturn]] void fail(const std::string& message) {
  throw IoFormatError("DELTA_BINARY_PACKED " + message);
}

// A ULEB128 number at input[position]; advances `position`. `what` names it in errors.
uint64_t read_uleb128(std::span<const uint8_t> input, size_t& position, const char* what) {
  uint64_t value = 0;
  for (size_t i = 0; i < kMaxUleb128Bytes; ++i) {
    if (position >= input.size()) {
      fail(fmt::format("{} at byte {} is cut short by the end of the data", what, position));
    }
    const uint8_t byte = input[position++];
    // The tenth byte carries bit 63 alone.
    if (i == kMaxUleb128Bytes - 1 && byte > 1) {
      fail(fmt::format("{} ending at byte {} does not fit in 64 bits", what, position - 1));
    }
    value |= static_cast<uint64_t>(byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) return value;
  }
  fail(fmt::format("{} ending at byte {} does not fit in 64 bits", what, position - 1));
}

// Zigzag: 0, -1, 1, -2, ... are stored as 0, 1, 2, 3, ...; kept as 64-bit two's complement.
uint64_t read_zigzag(std::span<const uint8_t> input, size_t& position, const char* what) {
  const uint64_t encoded = read_uleb128(input, position, what);
  return (encoded >> 1) ^ (~(encoded & 1) + 1);
}

// Unpacks groups of 8 deltas of one width (0: all zero), from exactly width bytes each;
// indexed by bit width 0..64.
constexpr auto kUnpack8 =
    bitpack::unpack_table<uint64_t>(std::make_integer_sequence<int, kMaxDeltaBitWidth + 1>{});

// What the encoder writes.
constexpr size_t kBlockValues = 128;
constexpr size_t kMiniblocks = 4;
constexpr size_t kMiniblockValues = kBlockValues / kMiniblocks;

// Packs groups of 8 deltas of one width into exactly width bytes each; by width 0..64.
constexpr auto kPack8 =
    bitpack::pack_table<uint64_t>(std::make_integer_sequence<int, kMaxDeltaBitWidth + 1>{});

void append_zigzag(std::vector<uint8_t>& out, uint64_t value) {
  append_uleb128(out, (value << 1) ^ static_cast<uint64_t>(static_cast<int64_t>(value) >> 63));
}

// Appends one block of `count` (1..kBlockValues) deltas, each modulo 2^64.
void append_block(const uint64_t* deltas, size_t count, std::vector<uint8_t>& out) {
  int64_t min_delta = std::numeric_limits<int64_t>::max();
  for (size_t i = 0; i < count; ++i)
    min_delta = std::min(min_delta, static_cast<int64_t>(deltas[i]));
  append_zigzag(out, static_cast<uint64_t>(min_delta));
  // Zeros past `count` are the padding of the last miniblock.
  uint64_t relative[kBlockValues] = {};
  for (size_t i = 0; i < count; ++i) relative[i] = deltas[i] - static_cast<uint64_t>(min_delta);
  const size_t widths_at = out.size();
  out.resize(widths_at + kMiniblocks, 0);  // unused miniblocks keep width 0 and no body
  for (size_t m = 0; m * kMiniblockValues < count; ++m) {
    const uint64_t* miniblock = relative + m * kMiniblockValues;
    uint64_t bits = 0;
    for (size_t i = 0; i < kMiniblockValues; ++i) bits |= miniblock[i];
    const int width = bit_width_for(bits);
    out[widths_at + m] = static_cast<uint8_t>(width);
    const size_t body_at = out.size();
    out.resize(body_at + kMiniblockValues / 8 * static_cast<size_t>(width));
    kPack8[static_cast<size_t>(width)](miniblock, kMiniblockValues / 8, out.data() + body_at);
  }
}

}  // namespace

void encode_delta_binary_packed(std::span<const int64_t> values, BitmapView validity,
                                std::vector<uint8_t>& out) {
  const size_t count = count_set_bits(validity, values.size());
  append_uleb128(out, kBlockValues);
  append_uleb128(out, kMiniblocks);
  append_uleb128(out, count);
  uint64_t deltas[kBlockValues];
  size_t pending = 0;
  std::optional<uint64_t> previous;
  for_each_set_run(validity, values.size(), [&](size_t start, size_t length) {
    for (size_t i = start; i < start + length; ++i) {
      const auto value = static_cast<uint64_t>(values[i]);
      if (!previous) {
        append_zigzag(out, value);  // the header's first value
      } else {
        deltas[pending++] = value - *previous;
        if (pending == kBlockValues) {
          append_block(deltas, pending, out);
          pending = 0;
        }
      }
      previous = value;
    }
  });
  if (!previous) append_zigzag(out, 0);  // an empty stream still states a first value
  if (pending > 0) append_block(deltas, pending, out);
}

DeltaBinaryPackedDecoder::DeltaBinaryPackedDecoder(std::span<const uint8_t> input, int value_bits)
    : input_(input), shift_(64 - value_bits) {
  size_t position = 0;
  const uint64_t block_size = read_uleb128(input, position, "block size");
  miniblocks_ = read_uleb128(input, position, "miniblock count");
  total_ = read_uleb128(input, position, "value count");
  value_ = read_zigzag(input, position, "first value");
  if (block_size == 0 || block_size > kMaxBlockSize) {
    fail(fmt::format("block size {} is outside 1..{}", block_size, kMaxBlockSize));
  }
  if (miniblocks_ == 0 || block_size % miniblocks_ != 0) {
    fail(fmt::format("block size {} does not divide into {} miniblocks", block_size, miniblocks_));
  }
  values_per_miniblock_ = block_size / miniblocks_;
  // The format asks for a multiple of 32; packing needs whole groups of 8.
  if (values_per_miniblock_ % 8 != 0) {
    fail(fmt::format("miniblocks of {} values are not a multiple of 8", values_per_miniblock_));
  }
  header_bytes_ = position;
  position_ = position;
}

int64_t DeltaBinaryPackedDecoder::output(uint64_t value) const {
  return static_cast<int64_t>(value << shift_) >> shift_;
}

void DeltaBinaryPackedDecoder::start_miniblock() {
  if (widths_ == nullptr || next_miniblock_ == miniblocks_) {
    min_delta_ = read_zigzag(input_, position_, "block min delta");
    if (miniblocks_ > input_.size() - position_) {
      fail(fmt::format("block at byte {} is cut short: its {} miniblock widths have {} bytes",
                       position_, miniblocks_, input_.size() - position_));
    }
    widths_ = input_.data() + position_;
    position_ += static_cast<size_t>(miniblocks_);
    next_miniblock_ = 0;
  }
  const int width = widths_[next_miniblock_];
  if (width > kMaxDeltaBitWidth) {
    fail(fmt::format("miniblock width {} (byte {}) exceeds {} bits", width,
                     widths_ - input_.data() + static_cast<ptrdiff_t>(next_miniblock_),
                     kMaxDeltaBitWidth));
  }
  ++next_miniblock_;
  const uint64_t bytes = values_per_miniblock_ / 8 * static_cast<uint64_t>(width);
  if (bytes > input_.size() - position_) {
    fail(fmt::format("miniblock at byte {} is cut short: {} of its {} bytes remain", position_,
                     input_.size() - position_, bytes));
  }
  width_ = width;
  left_in_miniblock_ = values_per_miniblock_;
}

void DeltaBinaryPackedDecoder::refill_group() {
  if (left_in_miniblock_ == 0) start_miniblock();
  // start_miniblock checked that the whole miniblock, so this group, lies in the input.
  const int groups = static_cast<int>(std::min<uint64_t>(kGroupsAtOnce, left_in_miniblock_ / 8));
  const bitpack::UnpackGroupsFn<uint64_t> unpack = kUnpack8[static_cast<size_t>(width_)];
  unpack(input_.data() + position_, static_cast<size_t>(groups), group_);
  position_ += static_cast<size_t>(width_) * static_cast<size_t>(groups);
  left_in_miniblock_ -= 8 * static_cast<uint64_t>(groups);
  group_size_ = 8 * groups;
  group_position_ = 0;
}

int64_t DeltaBinaryPackedDecoder::next() {
  if (consumed_ == total_) {
    fail(fmt::format("stream holds {} values, and one more is asked for", total_));
  }
  if (consumed_++ == 0) return output(value_);
  if (group_position_ == group_size_) refill_group();
  value_ += min_delta_ + group_[group_position_++];
  return output(value_);
}

void DeltaBinaryPackedDecoder::decode(std::span<int64_t> out) {
  if (out.size() > remaining()) {
    fail(fmt::format("stream holds {} values, {} more are asked for after the first {}", total_,
                     out.size(), consumed_));
  }
  size_t i = 0;
  if (!out.empty() && consumed_ == 0) out[i++] = next();  // counts itself
  const size_t first_delta = i;
  while (i < out.size()) {
    if (group_position_ == group_size_) refill_group();
    // The rest of the groups at once: the running sum is all that depends on the order.
    // It is kept in locals, since stores to `out` (int64_t) may alias the members
    // (uint64_t), which would otherwise be reloaded after every value.
    const size_t n = std::min(out.size() - i, static_cast<size_t>(group_size_ - group_position_));
    uint64_t value = value_;
    const uint64_t min_delta = min_delta_;
    const uint64_t* deltas = group_ + group_position_;
    int64_t* target = out.data() + i;
    for (size_t k = 0; k < n; ++k) {
      value += min_delta + deltas[k];
      target[k] = output(value);
    }
    value_ = value;
    group_position_ += static_cast<int>(n);
    i += n;
  }
  consumed_ += out.size() - first_delta;
}

void DeltaBinaryPackedDecoder::skip(uint64_t count) {
  int64_t sink[64];
  while (count > 0) {
    const auto n = static_cast<size_t>(std::min<uint64_t>(count, std::size(sink)));
    decode(std::span<int64_t>(sink, n));
    count -= n;
  }
}

size_t DeltaBinaryPackedDecoder::stream_bytes() const {
  size_t position = header_bytes_;
  uint64_t left = total_ > 0 ? total_ - 1 : 0;  // deltas: the first value has none
  // Each block takes at least 1 + miniblocks bytes, so the walk ends within the input.
  while (left > 0) {
    read_zigzag(input_, position, "block min delta");
    if (miniblocks_ > input_.size() - position) {
      fail(fmt::format("block at byte {} is cut short: its {} miniblock widths have {} bytes",
                       position, miniblocks_, input_.size() - position));
    }
    const uint8_t* widths = input_.data() + position;
    position += static_cast<size_t>(miniblocks_);
    for (uint64_t m = 0; m < miniblocks_ && left > 0; ++m) {
      if (widths[m] > kMaxDeltaBitWidth) {
        fail(fmt::format("miniblock width {} exceeds {} bits", widths[m], kMaxDeltaBitWidth));
      }
      const uint64_t bytes = values_per_miniblock_ / 8 * widths[m];
      if (bytes > input_.size() - position) {
        fail(fmt::format("miniblock at byte {} is cut short: {} of its {} bytes remain", position,
                         input_.size() - position, bytes));
      }
      position += static_cast<size_t>(bytes);
      left -= std::min(left, values_per_miniblock_);
    }
  }
  return position;
}

}  // namespace crv::parquet
