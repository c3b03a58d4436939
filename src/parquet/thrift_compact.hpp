#pragma once
// The Thrift compact protocol, the wire format of Parquet's footer and page headers.
//
// CompactEncoder appends to a caller's byte buffer. CompactDecoder reads a byte span
// and checks every read against the bytes that remain, so corrupt or hostile metadata
// ends in a crv::IoFormatError naming the file and byte offset rather than in a crash,
// a runaway recursion or an allocation sized by a forged length.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <span>
#include <string>
#include <string_view>

namespace crv::parquet {

// Type codes of the compact protocol. Field headers carry a bool's value in the
// type (kBoolTrue / kBoolFalse); list, set and map headers use the same codes for
// their element types.
enum class CompactType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,
  kBoolFalse = 2,
  kI8 = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
  kUuid = 13,
};

// Lower-case protocol name of a type code, for error messages.
std::string_view compact_type_name(CompactType type);

inline bool is_bool(CompactType type) {
  return type == CompactType::kBoolTrue || type == CompactType::kBoolFalse;
}

// Deepest nesting of structs and containers either side accepts. Parquet's metadata
// nests about eight levels; the limit bounds recursion when skipping hostile input.
inline constexpr int kMaxThriftNesting = 64;

// Largest list size and binary length the protocol can express (a non-negative i32).
inline constexpr uint32_t kMaxThriftLength = std::numeric_limits<int32_t>::max();

namespace thrift_detail {

inline uint32_t zigzag32(int32_t value) {
  return (static_cast<uint32_t>(value) << 1) ^ static_cast<uint32_t>(value >> 31);
}
inline uint64_t zigzag64(int64_t value) {
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
}
inline int32_t unzigzag32(uint32_t value) {
  return static_cast<int32_t>((value >> 1) ^ (~(value & 1) + 1));
}
inline int64_t unzigzag64(uint64_t value) {
  return static_cast<int64_t>((value >> 1) ^ (~(value & 1) + 1));
}

// Out of line so the inline fast paths stay small.
[[noreturn]] void throw_encoder_nesting_error();
[[noreturn]] void throw_encoder_length_error(std::string_view what, uint64_t length);

}  // namespace thrift_detail

// Appends compact-protocol bytes to `Buffer` (std::string or std::vector<uint8_t>).
// The caller brackets every struct with begin_struct()/end_struct() and writes each
// field as field_header() (or bool_field()) followed by its value. Nesting beyond
// kMaxThriftNesting or a size beyond kMaxThriftLength throws IoWriteError.
template <class Buffer>
class CompactEncoder {
  static_assert(sizeof(typename Buffer::value_type) == 1, "the buffer must hold bytes");

 public:
  explicit CompactEncoder(Buffer& out) : out_(out) {}

  void begin_struct() {
    if (depth_ == kMaxThriftNesting) thrift_detail::throw_encoder_nesting_error();
    saved_field_ids_[depth_++] = last_field_id_;
    last_field_id_ = 0;
  }

  // Writes the stop byte and restores the enclosing struct's field-id delta base.
  void end_struct() {
    put(0);
    last_field_id_ = saved_field_ids_[--depth_];
  }

  void field_header(int16_t id, CompactType type) {
    const int delta = int{id} - int{last_field_id_};
    if (delta > 0 && delta <= 15) {
      put(static_cast<uint8_t>(delta << 4) | static_cast<uint8_t>(type));
    } else {
      put(static_cast<uint8_t>(type));
      put_varint(thrift_detail::zigzag32(id));
    }
    last_field_id_ = id;
  }

  // A bool field has no value bytes: the value is the header's type.
  void bool_field(int16_t id, bool value) {
    field_header(id, value ? CompactType::kBoolTrue : CompactType::kBoolFalse);
  }

  void write_i8(int8_t value) { put(static_cast<uint8_t>(value)); }
  void write_i16(int16_t value) { put_varint(thrift_detail::zigzag32(value)); }
  void write_i32(int32_t value) { put_varint(thrift_detail::zigzag32(value)); }
  void write_i64(int64_t value) { put_varint(thrift_detail::zigzag64(value)); }

  void write_double(double value) {
    uint64_t bits = std::bit_cast<uint64_t>(value);
    std::array<uint8_t, 8> bytes;
    for (uint8_t& byte : bytes) {
      byte = static_cast<uint8_t>(bits);
      bits >>= 8;
    }
    append(bytes.data(), bytes.size());
  }

  void write_binary(std::string_view bytes) {
    if (bytes.size() > kMaxThriftLength) {
      thrift_detail::throw_encoder_length_error("binary value", bytes.size());
    }
    put_varint(bytes.size());
    append(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }

  // Header of a list or set of `size` elements; the caller then writes the elements.
  void list_header(CompactType element_type, size_t size) {
    if (size > kMaxThriftLength) thrift_detail::throw_encoder_length_error("list", size);
    if (size < 15) {
      put(static_cast<uint8_t>(size << 4) | static_cast<uint8_t>(element_type));
    } else {
      put(0xF0 | static_cast<uint8_t>(element_type));
      put_varint(size);
    }
  }

 private:
  void put(uint8_t byte) { out_.push_back(static_cast<typename Buffer::value_type>(byte)); }

  void append(const uint8_t* bytes, size_t count) {
    const size_t old_size = out_.size();
    out_.resize(old_size + count);
    std::memcpy(out_.data() + old_size, bytes, count);
  }

  void put_varint(uint64_t value) {
    if (value < 0x80) return put(static_cast<uint8_t>(value));
    std::array<uint8_t, 10> bytes;
    size_t count = 0;
    while (value >= 0x80) {
      bytes[count++] = static_cast<uint8_t>(value) | 0x80;
      value >>= 7;
    }
    bytes[count++] = static_cast<uint8_t>(value);
    append(bytes.data(), count);
  }

  Buffer& out_;
  int depth_ = 0;
  int16_t last_field_id_ = 0;
  std::array<int16_t, kMaxThriftNesting> saved_field_ids_{};
};

struct FieldHeader {
  int16_t id = 0;
  CompactType type = CompactType::kStop;
  size_t position = 0;  // of the header's first byte, relative to the decoder's span
};

struct ListHeader {
  CompactType element_type = CompactType::kStop;
  uint32_t size = 0;
};

struct MapHeader {
  CompactType key_type = CompactType::kStop;
  CompactType value_type = CompactType::kStop;
  uint32_t size = 0;
};

// Reads compact-protocol bytes from a span. Every violation throws IoFormatError
// whose context holds `path` and the offset base_offset + position, so callers pass
// the span's position in the file (e.g. the footer's start).
class CompactDecoder {
 public:
  // `path` is copied only into errors, so it must outlive the decoder.
  CompactDecoder(std::span<const uint8_t> bytes, uint64_t base_offset, std::string_view path)
      : begin_(bytes.data()),
        cur_(bytes.data()),
        end_(bytes.data() + bytes.size()),
        base_offset_(base_offset),
        path_(path) {}

  size_t position() const { return static_cast<size_t>(cur_ - begin_); }
  size_t remaining() const { return static_cast<size_t>(end_ - cur_); }

  void begin_struct() {
    enter(position());
    saved_field_ids_[depth_ - 1] = last_field_id_;
    last_field_id_ = 0;
  }

  // Reads the next field header into `field`; returns false at the struct's stop byte.
  // Forced inline: it runs for every field, and the compiler's size heuristic declines.
  [[gnu::always_inline]] bool next_field(FieldHeader& field) {
    const size_t at = position();
    const uint8_t byte = read_byte();
    if (byte == 0) return false;
    const auto type = static_cast<CompactType>(byte & 0x0F);
    const int delta = byte >> 4;
    // The short form (a small positive delta) is nearly every header in practice.
    const int id = delta != 0 ? last_field_id_ + delta : read_long_field_id();
    if (id > std::numeric_limits<int16_t>::max()) fail_field_id_overflow(at, id);
    if (!is_value_type(type)) fail_invalid_type(at, byte & 0x0F);
    last_field_id_ = static_cast<int16_t>(id);
    field = {last_field_id_, type, at};
    return true;
  }

  void end_struct() { last_field_id_ = saved_field_ids_[--depth_]; }

  int8_t read_i8() { return static_cast<int8_t>(read_byte()); }

  int16_t read_i16() {
    const size_t at = position();
    const int32_t value = read_i32();
    if (value < std::numeric_limits<int16_t>::min() ||
        value > std::numeric_limits<int16_t>::max()) {
      fail_i16_range(at, value);
    }
    return static_cast<int16_t>(value);
  }

  int32_t read_i32() { return thrift_detail::unzigzag32(read_varint<uint32_t>()); }
  int64_t read_i64() { return thrift_detail::unzigzag64(read_varint<uint64_t>()); }

  double read_double() {
    const uint8_t* bytes = take(8, "a double");
    uint64_t bits = 0;
    for (int i = 7; i >= 0; --i) bits = (bits << 8) | bytes[i];
    return std::bit_cast<double>(bits);
  }

  // A view into the decoder's span: copy it if it must outlive that span.
  std::string_view read_binary() {
    const size_t at = position();
    const uint32_t length = read_varint<uint32_t>();
    if (length > remaining()) fail_binary_length(at, length);
    const char* bytes = reinterpret_cast<const char*>(cur_);
    cur_ += length;
    return {bytes, length};
  }

  // Reads a list or set header. The caller reads `size` elements of `element_type`,
  // then calls end_container(). An empty list may carry any element type.
  ListHeader begin_list() {
    const size_t at = position();
    const uint8_t byte = read_byte();
    const ListHeader list{static_cast<CompactType>(byte & 0x0F), static_cast<uint32_t>(byte >> 4)};
    // A short list of a valid type that fits even at 16 bytes an element needs no
    // closer look; anything else goes through the full check.
    if (list.size == 15 || !is_value_type(list.element_type) || list.size * 16 > remaining()) {
      return begin_list_slow(at, list);
    }
    enter(at);
    return list;
  }
  MapHeader begin_map();
  void end_container() { --depth_; }

  // Skips the value of a field, whatever its type, including nested structs and containers.
  void skip_field(const FieldHeader& field) {
    if (!is_bool(field.type)) skip_value(field.type);
  }
  // Skips one value of `type` where it is an element of a container (a bool is one byte).
  void skip_value(CompactType type);

  // Throws IoFormatError for the byte at `position` (relative to the span).
  [[noreturn]] void fail(size_t position, std::string_view message) const;

 private:
  static bool is_value_type(CompactType type) {
    return type >= CompactType::kBoolTrue && type <= CompactType::kUuid;
  }

  void enter(size_t at) {
    if (depth_ == kMaxThriftNesting) fail_nesting(at);
    ++depth_;
  }

  uint8_t read_byte() {
    if (cur_ == end_) fail_truncated(position(), "a byte");
    return *cur_++;
  }

  const uint8_t* take(size_t count, const char* what) {
    if (remaining() < count) fail_truncated(position(), what);
    const uint8_t* bytes = cur_;
    cur_ += count;
    return bytes;
  }

  // Unsigned LEB128 limited to the bits of `Unsigned`: a longer encoding, or a last
  // byte with bits beyond the type, is corrupt rather than silently truncated.
  template <class Unsigned>
  Unsigned read_varint() {
    constexpr int kBits = std::numeric_limits<Unsigned>::digits;
    constexpr int kMaxBytes = (kBits + 6) / 7;
    constexpr int kLastByteBits = kBits - 7 * (kMaxBytes - 1);
    if (cur_ != end_ && *cur_ < 0x80) return *cur_++;
    const size_t at = position();
    Unsigned result = 0;
    for (int index = 0; index < kMaxBytes; ++index) {
      if (cur_ == end_) fail_truncated(at, "a varint");
      const uint8_t byte = *cur_++;
      if (index == kMaxBytes - 1 && (byte >> kLastByteBits) != 0) fail_varint(at, kBits);
      result |= static_cast<Unsigned>(byte & 0x7F) << (7 * index);
      if ((byte & 0x80) == 0) break;
    }
    return result;
  }

  ListHeader begin_list_slow(size_t at, ListHeader list);

  // Out of line: the long form is rare, and inlining it would bloat every next_field().
  int read_long_field_id();

  // Rejects a declared size the remaining bytes cannot hold, before anyone allocates for it.
  void check_container(size_t at, std::string_view kind, uint64_t size,
                       std::initializer_list<CompactType> entry_types);

  [[noreturn]] void fail_truncated(size_t at, const char* what) const;
  [[noreturn]] void fail_varint(size_t at, int bits) const;
  [[noreturn]] void fail_i16_range(size_t at, int32_t value) const;
  [[noreturn]] void fail_field_id_overflow(size_t at, int id) const;
  [[noreturn]] void fail_invalid_type(size_t at, int code) const;
  [[noreturn]] void fail_binary_length(size_t at, uint32_t length) const;
  [[noreturn]] void fail_nesting(size_t at) const;

  const uint8_t* begin_;
  const uint8_t* cur_;
  const uint8_t* end_;
  uint64_t base_offset_;
  std::string_view path_;
  int depth_ = 0;
  int16_t last_field_id_ = 0;
  std::array<int16_t, kMaxThriftNesting> saved_field_ids_{};
};

}  // namespace crv::parquet
