// The Parquet metadata structures' Thrift compact encoding and decoding.

#include "parquet/format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <tuple>
#include <type_traits>
#include <utility>

#include "parquet/thrift_compact.hpp"

namespace crv::parquet::format {
namespace {

// Each struct's fields are described once, in a table that both the encoder and the
// decoder walk, so field ids and names cannot drift apart between the two.
template <class Struct, class Member>
struct FieldSpec {
  int16_t id;
  std::string_view name;  // as in parquet.thrift, for error messages
  Member Struct::*member;
};

template <class Struct, class Member>
constexpr FieldSpec<Struct, Member> field(int16_t id, std::string_view name,
                                          Member Struct::*member) {
  return {id, name, member};
}

// kName and kFields of a Thrift struct. Empty structs need no specialization.
template <class T>
struct ThriftStruct {
  static_assert(std::is_empty_v<T>, "a struct with members needs a field table");
  static constexpr std::string_view kName = "";
  static constexpr std::tuple<> kFields{};
};

template <>
struct ThriftStruct<Statistics> {
  static constexpr std::string_view kName = "Statistics";
  static constexpr std::tuple kFields{
      field(1, "max", &Statistics::max),
      field(2, "min", &Statistics::min),
      field(3, "null_count", &Statistics::null_count),
      field(4, "distinct_count", &Statistics::distinct_count),
      field(5, "max_value", &Statistics::max_value),
      field(6, "min_value", &Statistics::min_value),
      field(7, "is_max_value_exact", &Statistics::is_max_value_exact),
      field(8, "is_min_value_exact", &Statistics::is_min_value_exact),
  };
};

template <>
struct ThriftStruct<DecimalType> {
  static constexpr std::string_view kName = "DecimalType";
  static constexpr std::tuple kFields{
      field(1, "scale", &DecimalType::scale),
      field(2, "precision", &DecimalType::precision),
  };
};

template <>
struct ThriftStruct<TimeType> {
  static constexpr std::string_view kName = "TimeType";
  static constexpr std::tuple kFields{
      field(1, "isAdjustedToUTC", &TimeType::is_adjusted_to_utc),
      field(2, "unit", &TimeType::unit),
  };
};

template <>
struct ThriftStruct<TimestampType> {
  static constexpr std::string_view kName = "TimestampType";
  static constexpr std::tuple kFields{
      field(1, "isAdjustedToUTC", &TimestampType::is_adjusted_to_utc),
      field(2, "unit", &TimestampType::unit),
  };
};

template <>
struct ThriftStruct<IntType> {
  static constexpr std::string_view kName = "IntType";
  static constexpr std::tuple kFields{
      field(1, "bitWidth", &IntType::bit_width),
      field(2, "isSigned", &IntType::is_signed),
  };
};

// Its id lives in the enclosing union's field header, not in the struct.
template <>
struct ThriftStruct<UnrecognizedLogicalType> {
  static constexpr std::string_view kName = "";
  static constexpr std::tuple<> kFields{};
};

template <>
struct ThriftStruct<SchemaElement> {
  static constexpr std::string_view kName = "SchemaElement";
  static constexpr std::tuple kFields{
      field(1, "type", &SchemaElement::type),
      field(2, "type_length", &SchemaElement::type_length),
      field(3, "repetition_type", &SchemaElement::repetition_type),
      field(4, "name", &SchemaElement::name),
      field(5, "num_children", &SchemaElement::num_children),
      field(6, "converted_type", &SchemaElement::converted_type),
      field(7, "scale", &SchemaElement::scale),
      field(8, "precision", &SchemaElement::precision),
      field(9, "field_id", &SchemaElement::field_id),
      field(10, "logicalType", &SchemaElement::logical_type),
  };
};

template <>
struct ThriftStruct<DataPageHeader> {
  static constexpr std::string_view kName = "DataPageHeader";
  static constexpr std::tuple kFields{
      field(1, "num_values", &DataPageHeader::num_values),
      field(2, "encoding", &DataPageHeader::encoding),
      field(3, "definition_level_encoding", &DataPageHeader::definition_level_encoding),
      field(4, "repetition_level_encoding", &DataPageHeader::repetition_level_encoding),
      field(5, "statistics", &DataPageHeader::statistics),
  };
};

template <>
struct ThriftStruct<DictionaryPageHeader> {
  static constexpr std::string_view kName = "DictionaryPageHeader";
  static constexpr std::tuple kFields{
      field(1, "num_values", &DictionaryPageHeader::num_values),
      field(2, "encoding", &DictionaryPageHeader::encoding),
      field(3, "is_sorted", &DictionaryPageHeader::is_sorted),
  };
};

template <>
struct ThriftStruct<DataPageHeaderV2> {
  static constexpr std::string_view kName = "DataPageHeaderV2";
  static constexpr std::tuple kFields{
      field(1, "num_values", &DataPageHeaderV2::num_values),
      field(2, "num_nulls", &DataPageHeaderV2::num_nulls),
      field(3, "num_rows", &DataPageHeaderV2::num_rows),
      field(4, "encoding", &DataPageHeaderV2::encoding),
      field(5, "definition_levels_byte_length", &DataPageHeaderV2::definition_levels_byte_length),
      field(6, "repetition_levels_byte_length", &DataPageHeaderV2::repetition_levels_byte_length),
      field(7, "is_compressed", &DataPageHeaderV2::is_compressed),
      field(8, "statistics", &DataPageHeaderV2::statistics),
  };
};

template <>
struct ThriftStruct<PageHeader> {
  static constexpr std::string_view kName = "PageHeader";
  static constexpr std::tuple kFields{
      field(1, "type", &PageHeader::type),
      field(2, "uncompressed_page_size", &PageHeader::uncompressed_page_size),
      field(3, "compressed_page_size", &PageHeader::compressed_page_size),
      field(4, "crc", &PageHeader::crc),
      field(5, "data_page_header", &PageHeader::data_page_header),
      field(6, "index_page_header", &PageHeader::index_page_header),
      field(7, "dictionary_page_header", &PageHeader::dictionary_page_header),
      field(8, "data_page_header_v2", &PageHeader::data_page_header_v2),
  };
};

template <>
struct ThriftStruct<KeyValue> {
  static constexpr std::string_view kName = "KeyValue";
  static constexpr std::tuple kFields{
      field(1, "key", &KeyValue::key),
      field(2, "value", &KeyValue::value),
  };
};

template <>
struct ThriftStruct<SortingColumn> {
  static constexpr std::string_view kName = "SortingColumn";
  static constexpr std::tuple kFields{
      field(1, "column_idx", &SortingColumn::column_idx),
      field(2, "descending", &SortingColumn::descending),
      field(3, "nulls_first", &SortingColumn::nulls_first),
  };
};

template <>
struct ThriftStruct<PageEncodingStats> {
  static constexpr std::string_view kName = "PageEncodingStats";
  static constexpr std::tuple kFields{
      field(1, "page_type", &PageEncodingStats::page_type),
      field(2, "encoding", &PageEncodingStats::encoding),
      field(3, "count", &PageEncodingStats::count),
  };
};

template <>
struct ThriftStruct<ColumnMetaData> {
  static constexpr std::string_view kName = "ColumnMetaData";
  static constexpr std::tuple kFields{
      field(1, "type", &ColumnMetaData::type),
      field(2, "encodings", &ColumnMetaData::encodings),
      field(3, "path_in_schema", &ColumnMetaData::path_in_schema),
      field(4, "codec", &ColumnMetaData::codec),
      field(5, "num_values", &ColumnMetaData::num_values),
      field(6, "total_uncompressed_size", &ColumnMetaData::total_uncompressed_size),
      field(7, "total_compressed_size", &ColumnMetaData::total_compressed_size),
      field(8, "key_value_metadata", &ColumnMetaData::key_value_metadata),
      field(9, "data_page_offset", &ColumnMetaData::data_page_offset),
      field(10, "index_page_offset", &ColumnMetaData::index_page_offset),
      field(11, "dictionary_page_offset", &ColumnMetaData::dictionary_page_offset),
      field(12, "statistics", &ColumnMetaData::statistics),
      field(13, "encoding_stats", &ColumnMetaData::encoding_stats),
  };
};

template <>
struct ThriftStruct<ColumnChunk> {
  static constexpr std::string_view kName = "ColumnChunk";
  static constexpr std::tuple kFields{
      field(1, "file_path", &ColumnChunk::file_path),
      field(2, "file_offset", &ColumnChunk::file_offset),
      field(3, "meta_data", &ColumnChunk::meta_data),
      field(4, "offset_index_offset", &ColumnChunk::offset_index_offset),
      field(5, "offset_index_length", &ColumnChunk::offset_index_length),
      field(6, "column_index_offset", &ColumnChunk::column_index_offset),
      field(7, "column_index_length", &ColumnChunk::column_index_length),
  };
};

template <>
struct ThriftStruct<RowGroup> {
  static constexpr std::string_view kName = "RowGroup";
  static constexpr std::tuple kFields{
      field(1, "columns", &RowGroup::columns),
      field(2, "total_byte_size", &RowGroup::total_byte_size),
      field(3, "num_rows", &RowGroup::num_rows),
      field(4, "sorting_columns", &RowGroup::sorting_columns),
      field(5, "file_offset", &RowGroup::file_offset),
      field(6, "total_compressed_size", &RowGroup::total_compressed_size),
      field(7, "ordinal", &RowGroup::ordinal),
  };
};

template <>
struct ThriftStruct<FileMetaData> {
  static constexpr std::string_view kName = "FileMetaData";
  static constexpr std::tuple kFields{
      field(1, "version", &FileMetaData::version),
      field(2, "schema", &FileMetaData::schema),
      field(3, "num_rows", &FileMetaData::num_rows),
      field(4, "row_groups", &FileMetaData::row_groups),
      field(5, "key_value_metadata", &FileMetaData::key_value_metadata),
      field(6, "created_by", &FileMetaData::created_by),
      field(7, "column_orders", &FileMetaData::column_orders),
  };
};

// LogicalType member ids, in the order of the variant's alternatives; the last
// alternative, UnrecognizedLogicalType, carries its own id.
constexpr std::array<int16_t, 14> kLogicalTypeIds = {1, 2,  3,  4,  5,  6,  7,
                                                     8, 10, 11, 12, 13, 14, 15};
static_assert(kLogicalTypeIds.size() + 1 == std::variant_size_v<LogicalType>);

template <class T>
constexpr bool kIsTagUnion = std::is_same_v<T, TimeUnit> || std::is_same_v<T, ColumnOrder>;

template <class T>
constexpr std::string_view kTagUnionName = std::is_same_v<T, TimeUnit> ? "TimeUnit" : "ColumnOrder";

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};

template <class T>
struct IsVector : std::false_type {};
template <class T>
struct IsVector<std::vector<T>> : std::true_type {};

// Lists are capped at what the remaining bytes could hold, yet an element may be
// far larger in memory than on the wire; beyond this count a vector grows only as
// elements actually decode.
constexpr size_t kMaxUpfrontReserve = 4096;

// Wire type of a non-bool value of C++ type T.
template <class T>
constexpr CompactType wire_type() {
  if constexpr (std::is_same_v<T, int8_t>) return CompactType::kI8;
  if constexpr (std::is_same_v<T, int16_t>) return CompactType::kI16;
  if constexpr (std::is_same_v<T, int32_t> || (std::is_enum_v<T> && !kIsTagUnion<T>)) {
    return CompactType::kI32;
  }
  if constexpr (std::is_same_v<T, int64_t>) return CompactType::kI64;
  if constexpr (std::is_same_v<T, std::string>) return CompactType::kBinary;
  if constexpr (IsVector<T>::value) return CompactType::kList;
  return CompactType::kStruct;
}

template <class T>
constexpr size_t kFieldCount =
    std::tuple_size_v<std::remove_const_t<decltype(ThriftStruct<T>::kFields)>>;

template <class T, size_t I>
using MemberType =
    std::remove_cvref_t<decltype(std::declval<T&>().*std::get<I>(ThriftStruct<T>::kFields).member)>;

// Bit I is set when field I of T's table is required.
template <class T>
constexpr uint32_t required_mask() {
  static_assert(kFieldCount<T> <= 32);
  return []<size_t... I>(std::index_sequence<I...>) {
    return ((IsOptional<MemberType<T, I>>::value ? 0u : 1u << I) | ... | 0u);
  }
  (std::make_index_sequence<kFieldCount<T>>{});
}

// ---- encoding --------------------------------------------------------------

template <class Encoder, class T>
void write_value(Encoder& out, const T& value);

template <class Encoder, class T>
void write_field(Encoder& out, int16_t id, const T& value) {
  if constexpr (IsOptional<T>::value) {
    if (value) write_field(out, id, *value);
  } else if constexpr (std::is_same_v<T, bool>) {
    out.bool_field(id, value);
  } else {
    out.field_header(id, wire_type<T>());
    write_value(out, value);
  }
}

template <class Encoder, class T>
void write_struct(Encoder& out, const T& value) {
  out.begin_struct();
  std::apply([&](const auto&... spec) { (write_field(out, spec.id, value.*spec.member), ...); },
             ThriftStruct<T>::kFields);
  out.end_struct();
}

// A union whose one member, under `id`, is an empty struct.
template <class Encoder>
void write_tag_union(Encoder& out, int16_t id) {
  out.begin_struct();
  out.field_header(id, CompactType::kStruct);
  out.begin_struct();
  out.end_struct();
  out.end_struct();
}

template <class Encoder>
void write_logical_type(Encoder& out, const LogicalType& value) {
  const auto* unrecognized = std::get_if<UnrecognizedLogicalType>(&value);
  out.begin_struct();
  out.field_header(unrecognized ? unrecognized->field_id : kLogicalTypeIds[value.index()],
                   CompactType::kStruct);
  std::visit([&](const auto& member) { write_struct(out, member); }, value);
  out.end_struct();
}

template <class Encoder, class T>
void write_value(Encoder& out, const T& value) {
  if constexpr (std::is_same_v<T, int8_t>) {
    out.write_i8(value);
  } else if constexpr (std::is_same_v<T, int16_t>) {
    out.write_i16(value);
  } else if constexpr (std::is_same_v<T, int32_t>) {
    out.write_i32(value);
  } else if constexpr (std::is_same_v<T, int64_t>) {
    out.write_i64(value);
  } else if constexpr (kIsTagUnion<T>) {
    write_tag_union(out, static_cast<int16_t>(value));
  } else if constexpr (std::is_enum_v<T>) {
    out.write_i32(static_cast<int32_t>(value));
  } else if constexpr (std::is_same_v<T, std::string>) {
    out.write_binary(value);
  } else if constexpr (IsVector<T>::value) {
    out.list_header(wire_type<typename T::value_type>(), value.size());
    for (const auto& element : value) write_value(out, element);
  } else if constexpr (std::is_same_v<T, LogicalType>) {
    write_logical_type(out, value);
  } else {
    write_struct(out, value);
  }
}

// ---- decoding --------------------------------------------------------------

template <class T>
void read_value(CompactDecoder& in, T& value);

// Field I of Struct as "Struct.name (field id)". Error paths build it, so the hot
// path never handles names.
template <class Struct, size_t I>
std::string field_label() {
  const auto& spec = std::get<I>(ThriftStruct<Struct>::kFields);
  return fmt::format("{}.{} (field {})", ThriftStruct<Struct>::kName, spec.name, spec.id);
}

template <class Struct, size_t I>
[[noreturn]] void fail_field_type(CompactDecoder& in, const FieldHeader& header,
                                  std::string_view expected) {
  in.fail(header.position, fmt::format("{} has type {}, expected {}", field_label<Struct, I>(),
                                       compact_type_name(header.type), expected));
}

template <class Struct, size_t I, class Element>
void read_list(CompactDecoder& in, const FieldHeader& header, std::vector<Element>& value) {
  const ListHeader list = in.begin_list();
  constexpr CompactType kElementType = wire_type<Element>();
  if (list.size > 0 && list.element_type != kElementType) {
    in.fail(header.position,
            fmt::format("{} is a list of {}, expected a list of {}", field_label<Struct, I>(),
                        compact_type_name(list.element_type), compact_type_name(kElementType)));
  }
  value.clear();
  value.reserve(std::min<size_t>(list.size, kMaxUpfrontReserve));
  for (uint32_t index = 0; index < list.size; ++index) read_value(in, value.emplace_back());
  in.end_container();
}

// Reads field I of Struct, whose header is `header`, into `value`.
template <class Struct, size_t I, class T>
void read_field(CompactDecoder& in, const FieldHeader& header, T& value) {
  if constexpr (IsOptional<T>::value) {
    read_field<Struct, I>(in, header, value.emplace());
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!is_bool(header.type)) fail_field_type<Struct, I>(in, header, "bool");
    value = header.type == CompactType::kBoolTrue;
  } else {
    if (header.type != wire_type<T>()) {
      fail_field_type<Struct, I>(in, header, compact_type_name(wire_type<T>()));
    }
    if constexpr (IsVector<T>::value) {
      read_list<Struct, I>(in, header, value);
    } else {
      read_value(in, value);
    }
  }
}

// Reads the field of T's table whose id matches `header`, if any; sets its bit in `seen`.
template <class T, size_t I>
bool read_known_field(CompactDecoder& in, const FieldHeader& header, T& value, uint32_t& seen) {
  constexpr auto kSpec = std::get<I>(ThriftStruct<T>::kFields);
  if (header.id != kSpec.id) return false;
  read_field<T, I>(in, header, value.*kSpec.member);
  seen |= 1u << I;
  return true;
}

template <class T>
void read_struct(CompactDecoder& in, T& value) {
  constexpr auto kIndices = std::make_index_sequence<kFieldCount<T>>{};
  const size_t start = in.position();
  uint32_t seen = 0;
  in.begin_struct();
  FieldHeader header;
  while (in.next_field(header)) {
    const bool known = [&]<size_t... I>(std::index_sequence<I...>) {
      return (read_known_field<T, I>(in, header, value, seen) || ...);
    }
    (kIndices);
    if (!known) in.skip_field(header);
  }
  in.end_struct();

  constexpr uint32_t kRequired = required_mask<T>();
  if ((seen & kRequired) != kRequired) [[unlikely]] {
    constexpr auto kIdsAndNames = std::apply(
        [](const auto&... spec) {
          return std::array<std::pair<int16_t, std::string_view>, sizeof...(spec)>{
              std::pair{spec.id, spec.name}...};
        },
        ThriftStruct<T>::kFields);
    const auto& [id, name] = kIdsAndNames[std::countr_zero(kRequired & ~seen)];
    in.fail(start,
            fmt::format("{} lacks required field '{}' (id {})", ThriftStruct<T>::kName, name, id));
  }
}

// Reads a union: a struct with exactly one member set. All unions here have struct
// members; `read_member` consumes the member's struct, known or not.
template <class ReadMember>
void read_union(CompactDecoder& in, std::string_view name, ReadMember&& read_member) {
  const size_t start = in.position();
  in.begin_struct();
  int members = 0;
  FieldHeader header;
  while (in.next_field(header)) {
    if (++members > 1) {
      in.fail(header.position, fmt::format("{} union has more than one member set", name));
    }
    if (header.type != CompactType::kStruct) {
      in.fail(header.position, fmt::format("{} union member {} has type {}, expected struct", name,
                                           header.id, compact_type_name(header.type)));
    }
    read_member(header);
  }
  in.end_struct();
  if (members == 0) in.fail(start, fmt::format("{} union has no member set", name));
}

template <class Tag>
void read_tag_union(CompactDecoder& in, Tag& value) {
  read_union(in, kTagUnionName<Tag>, [&](const FieldHeader& header) {
    value = static_cast<Tag>(header.id);
    in.skip_value(CompactType::kStruct);
  });
}

void read_logical_type(CompactDecoder& in, LogicalType& value) {
  read_union(in, "LogicalType", [&](const FieldHeader& header) {
    const bool known = [&]<size_t... I>(std::index_sequence<I...>) {
      return ((kLogicalTypeIds[I] == header.id && (read_struct(in, value.emplace<I>()), true)) ||
              ...);
    }
    (std::make_index_sequence<kLogicalTypeIds.size()>{});
    if (!known) {
      value = UnrecognizedLogicalType{header.id};
      in.skip_value(CompactType::kStruct);
    }
  });
}

template <class T>
void read_value(CompactDecoder& in, T& value) {
  if constexpr (std::is_same_v<T, int8_t>) {
    value = in.read_i8();
  } else if constexpr (std::is_same_v<T, int16_t>) {
    value = in.read_i16();
  } else if constexpr (std::is_same_v<T, int32_t>) {
    value = in.read_i32();
  } else if constexpr (std::is_same_v<T, int64_t>) {
    value = in.read_i64();
  } else if constexpr (kIsTagUnion<T>) {
    read_tag_union(in, value);
  } else if constexpr (std::is_enum_v<T>) {
    value = static_cast<T>(in.read_i32());
  } else if constexpr (std::is_same_v<T, std::string>) {
    value.assign(in.read_binary());
  } else if constexpr (std::is_same_v<T, LogicalType>) {
    read_logical_type(in, value);
  } else {
    static_assert(!IsVector<T>::value, "lists are read by read_list");
    read_struct(in, value);
  }
}

}  // namespace

std::string type_name(Type type) {
  switch (type) {
    case Type::kBoolean:
      return "BOOLEAN";
    case Type::kInt32:
      return "INT32";
    case Type::kInt64:
      return "INT64";
    case Type::kInt96:
      return "INT96";
    case Type::kFloat:
      return "FLOAT";
    case Type::kDouble:
      return "DOUBLE";
    case Type::kByteArray:
      return "BYTE_ARRAY";
    case Type::kFixedLenByteArray:
      return "FIXED_LEN_BYTE_ARRAY";
  }
  return fmt::format("UNKNOWN({})", static_cast<int32_t>(type));
}

std::string encoding_name(Encoding encoding) {
  switch (encoding) {
    case Encoding::kPlain:
      return "PLAIN";
    case Encoding::kPlainDictionary:
      return "PLAIN_DICTIONARY";
    case Encoding::kRle:
      return "RLE";
    case Encoding::kBitPacked:
      return "BIT_PACKED";
    case Encoding::kDeltaBinaryPacked:
      return "DELTA_BINARY_PACKED";
    case Encoding::kDeltaLengthByteArray:
      return "DELTA_LENGTH_BYTE_ARRAY";
    case Encoding::kDeltaByteArray:
      return "DELTA_BYTE_ARRAY";
    case Encoding::kRleDictionary:
      return "RLE_DICTIONARY";
    case Encoding::kByteStreamSplit:
      return "BYTE_STREAM_SPLIT";
  }
  return fmt::format("UNKNOWN({})", static_cast<int32_t>(encoding));
}

template <class T, class Buffer>
void serialize_into(const T& value, Buffer& out) {
  CompactEncoder<Buffer> encoder(out);
  write_value(encoder, value);
}

template <class T>
Decoded<T> deserialize_prefix(std::span<const uint8_t> bytes, uint64_t base_offset,
                              std::string_view path) {
  CompactDecoder decoder(bytes, base_offset, path);
  Decoded<T> result;
  read_value(decoder, result.value);
  result.size = decoder.position();
  return result;
}

#define CRV_PARQUET_FORMAT_INSTANTIATE(T)                                                 \
  template void serialize_into<T, std::string>(const T&, std::string&);                   \
  template void serialize_into<T, std::vector<uint8_t>>(const T&, std::vector<uint8_t>&); \
  template Decoded<T> deserialize_prefix<T>(std::span<const uint8_t>, uint64_t, std::string_view)

CRV_PARQUET_FORMAT_INSTANTIATE(Statistics);
CRV_PARQUET_FORMAT_INSTANTIATE(LogicalType);
CRV_PARQUET_FORMAT_INSTANTIATE(SchemaElement);
CRV_PARQUET_FORMAT_INSTANTIATE(DataPageHeader);
CRV_PARQUET_FORMAT_INSTANTIATE(IndexPageHeader);
CRV_PARQUET_FORMAT_INSTANTIATE(DictionaryPageHeader);
CRV_PARQUET_FORMAT_INSTANTIATE(DataPageHeaderV2);
CRV_PARQUET_FORMAT_INSTANTIATE(PageHeader);
CRV_PARQUET_FORMAT_INSTANTIATE(KeyValue);
CRV_PARQUET_FORMAT_INSTANTIATE(SortingColumn);
CRV_PARQUET_FORMAT_INSTANTIATE(PageEncodingStats);
CRV_PARQUET_FORMAT_INSTANTIATE(ColumnMetaData);
CRV_PARQUET_FORMAT_INSTANTIATE(ColumnChunk);
CRV_PARQUET_FORMAT_INSTANTIATE(RowGroup);
CRV_PARQUET_FORMAT_INSTANTIATE(FileMetaData);

#undef CRV_PARQUET_FORMAT_INSTANTIATE

}  // namespace crv::parquet::format
