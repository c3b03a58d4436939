// The Thrift compact protocol's encoder and decoder.

#include "parquet/thrift_compact.hpp"

#include <fmt/format.h>

#include "crv/core/errors.hpp"

namespace crv::parquet {
namespace {

// Fewest bytes one element of `type` can occupy; multiplied by a declared container
// size it tells whether the remaining bytes can possibly hold the container.
uint64_t min_encoded_size(CompactType type) {
  switch (type) {
    case CompactType::kDouble:
      return 8;
    case CompactType::kUuid:
      return 16;
    default:
      return 1;
  }
}

}  // namespace

std::string_view compact_type_name(CompactType type) {
  switch (type) {
    case CompactType::kStop:
      return "stop";
    case CompactType::kBoolTrue:
    case CompactType::kBoolFalse:
      return "bool";
    case CompactType::kI8:
      return "i8";
    case CompactType::kI16:
      return "i16";
    case CompactType::kI32:
      return "i32";
    case CompactType::kI64:
      return "i64";
    case CompactType::kDouble:
      return "double";
    case CompactType::kBinary:
      return "binary";
    case CompactType::kList:
      return "list";
    case CompactType::kSet:
      return "set";
    case CompactType::kMap:
      return "map";
    case CompactType::kStruct:
      return "struct";
    case CompactType::kUuid:
      return "uuid";
  }
  return "invalid type";
}

namespace thrift_detail {

void throw_encoder_nesting_error() {
  throw IoWriteError(fmt::format("Thrift structs nested deeper than {} levels cannot be written",
                                 kMaxThriftNesting));
}

void throw_encoder_length_error(std::string_view what, uint64_t length) {
  throw IoWriteError(fmt::format("a Thrift {} of {} entries exceeds the protocol's limit of {}",
                                 what, length, kMaxThriftLength));
}

}  // namespace thrift_detail

int CompactDecoder::read_long_field_id() {
  return read_i16();
}

ListHeader CompactDecoder::begin_list_slow(size_t at, ListHeader list) {
  if (list.size == 15) list.size = read_varint<uint32_t>();
  check_container(at, "list", list.size, {list.element_type});
  enter(at);
  return list;
}

MapHeader CompactDecoder::begin_map() {
  const size_t at = position();
  const uint32_t size = read_varint<uint32_t>();
  MapHeader header{CompactType::kStop, CompactType::kStop, size};
  if (size > 0) {
    const uint8_t types = read_byte();
    header.key_type = static_cast<CompactType>(types >> 4);
    header.value_type = static_cast<CompactType>(types & 0x0F);
    check_container(at, "map", size, {header.key_type, header.value_type});
  }
  enter(at);
  return header;
}

void CompactDecoder::check_container(size_t at, std::string_view kind, uint64_t size,
                                     std::initializer_list<CompactType> entry_types) {
  if (size == 0) return;
  if (size > kMaxThriftLength) {
    fail(at, fmt::format("{} size {} exceeds the protocol's limit of {}", kind, size,
                         kMaxThriftLength));
  }
  uint64_t entry_size = 0;
  for (const CompactType type : entry_types) {
    if (!is_value_type(type)) {
      fail(at, fmt::format("{} declares invalid element type {}", kind, static_cast<int>(type)));
    }
    entry_size += min_encoded_size(type);
  }
  if (size * entry_size > remaining()) {
    fail(at, fmt::format("{} declares {} entries, at least {} bytes, but only {} bytes remain",
                         kind, size, size * entry_size, remaining()));
  }
}

void CompactDecoder::skip_value(CompactType type) {
  switch (type) {
    case CompactType::kBoolTrue:
    case CompactType::kBoolFalse:
    case CompactType::kI8:
      take(1, "a byte");
      return;
    case CompactType::kI16:
    case CompactType::kI32:
    case CompactType::kI64:
      read_varint<uint64_t>();
      return;
    case CompactType::kDouble:
      take(8, "a double");
      return;
    case CompactType::kUuid:
      take(16, "a uuid");
      return;
    case CompactType::kBinary:
      read_binary();
      return;
    case CompactType::kList:
    case CompactType::kSet: {
      const ListHeader list = begin_list();
      for (uint32_t index = 0; index < list.size; ++index) skip_value(list.element_type);
      end_container();
      return;
    }
    case CompactType::kMap: {
      const MapHeader map = begin_map();
      for (uint32_t index = 0; index < map.size; ++index) {
        skip_value(map.key_type);
        skip_value(map.value_type);
      }
      end_container();
      return;
    }
    case CompactType::kStruct: {
      begin_struct();
      FieldHeader field;
      while (next_field(field)) skip_field(field);
      end_struct();
      return;
    }
    case CompactType::kStop:
      break;
  }
  fail(position(), fmt::format("cannot skip a value of invalid type {}", static_cast<int>(type)));
}

void CompactDecoder::fail(size_t position, std::string_view message) const {
  throw IoFormatError(fmt::format("corrupt Parquet metadata: {}", message),
                      ErrorContext{.path = std::string(path_), .offset = base_offset_ + position});
}

void CompactDecoder::fail_truncated(size_t at, const char* what) const {
  fail(at, fmt::format("the data ends inside {}", what));
}

void CompactDecoder::fail_varint(size_t at, int bits) const {
  fail(at, fmt::format("varint does not fit in {} bits", bits));
}

void CompactDecoder::fail_i16_range(size_t at, int32_t value) const {
  fail(at, fmt::format("i16 value {} is out of range", value));
}

void CompactDecoder::fail_field_id_overflow(size_t at, int id) const {
  fail(at, fmt::format("field id {} exceeds the i16 range", id));
}

void CompactDecoder::fail_invalid_type(size_t at, int code) const {
  fail(at, fmt::format("invalid field type {}", code));
}

void CompactDecoder::fail_binary_length(size_t at, uint32_t length) const {
  fail(at, fmt::format("binary value declares {} bytes but only {} remain", length, remaining()));
}

void CompactDecoder::fail_nesting(size_t at) const {
  fail(at, fmt::format("structs and containers nest deeper than {} levels", kMaxThriftNesting));
}

}  // namespace crv::parquet
