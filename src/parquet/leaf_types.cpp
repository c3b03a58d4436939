// Choosing the frame type and value conversion of a file's leaf columns.

#include "parquet/leaf_types.hpp"

#include <fmt/format.h>

#include <optional>
#include <string>

#include "crv/core/errors.hpp"

namespace crv::parquet {
namespace {

using format::ConvertedType;
using format::Type;
using Kind = LeafConversion::Kind;

std::string_view unit_name(format::TimeUnit unit) {
  switch (unit) {
    case format::TimeUnit::kMillis:
      return "MILLIS";
    case format::TimeUnit::kMicros:
      return "MICROS";
    case format::TimeUnit::kNanos:
      return "NANOS";
  }
  return "an unknown unit";
}

// A leaf's annotation, from its logical type or else its converted type.
struct Annotation {
  enum class Kind : uint8_t {
    kNone,
    kString,  // STRING, ENUM and JSON: UTF-8 text
    kSignedInt,
    kUnsignedInt,
    kDecimal,
    kFloat16,
    kUuid,
    kBson,
    kTemporal,  // no frame type holds it
    kUnknown,
  };
  Kind kind = Kind::kNone;
  int bit_width = 0;      // integers
  int32_t precision = 0;  // decimals
  int32_t scale = 0;      // decimals
  std::string temporal;   // the temporal type in words, e.g. "TIMESTAMP(MICROS)"
};

Annotation from_logical_type(const format::LogicalType& logical) {
  using AKind = Annotation::Kind;
  return std::visit(
      [](const auto& type) -> Annotation {
        using T = std::decay_t<decltype(type)>;
        if constexpr (std::is_same_v<T, format::StringType> ||
                      std::is_same_v<T, format::EnumType> || std::is_same_v<T, format::JsonType>) {
          return {.kind = AKind::kString};
        } else if constexpr (std::is_same_v<T, format::IntType>) {
          return {.kind = type.is_signed ? AKind::kSignedInt : AKind::kUnsignedInt,
                  .bit_width = type.bit_width};
        } else if constexpr (std::is_same_v<T, format::DecimalType>) {
          return {.kind = AKind::kDecimal, .precision = type.precision, .scale = type.scale};
        } else if constexpr (std::is_same_v<T, format::Float16Type>) {
          return {.kind = AKind::kFloat16};
        } else if constexpr (std::is_same_v<T, format::UuidType>) {
          return {.kind = AKind::kUuid};
        } else if constexpr (std::is_same_v<T, format::BsonType>) {
          return {.kind = AKind::kBson};
        } else if constexpr (std::is_same_v<T, format::DateType>) {
          return {.kind = AKind::kTemporal, .temporal = "DATE"};
        } else if constexpr (std::is_same_v<T, format::TimeType>) {
          return {.kind = AKind::kTemporal,
                  .temporal = fmt::format("TIME({})", unit_name(type.unit))};
        } else if constexpr (std::is_same_v<T, format::TimestampType>) {
          return {.kind = AKind::kTemporal,
                  .temporal = fmt::format("TIMESTAMP({})", unit_name(type.unit))};
        } else {
          // MAP and LIST annotate groups; anything else is a type this library does not know.
          return {.kind = AKind::kUnknown};
        }
      },
      logical);
}

Annotation from_converted_type(const format::SchemaElement& element) {
  using AKind = Annotation::Kind;
  if (!element.converted_type) return {};
  switch (*element.converted_type) {
    case ConvertedType::kUtf8:
    case ConvertedType::kEnum:
    case ConvertedType::kJson:
      return {.kind = AKind::kString};
    case ConvertedType::kInt8:
    case ConvertedType::kInt16:
    case ConvertedType::kInt32:
    case ConvertedType::kInt64:
      return {.kind = AKind::kSignedInt};
    case ConvertedType::kUint8:
      return {.kind = AKind::kUnsignedInt, .bit_width = 8};
    case ConvertedType::kUint16:
      return {.kind = AKind::kUnsignedInt, .bit_width = 16};
    case ConvertedType::kUint32:
      return {.kind = AKind::kUnsignedInt, .bit_width = 32};
    case ConvertedType::kUint64:
      return {.kind = AKind::kUnsignedInt, .bit_width = 64};
    case ConvertedType::kDecimal:
      return {.kind = AKind::kDecimal,
              .precision = element.precision.value_or(0),
              .scale = element.scale.value_or(0)};
    case ConvertedType::kBson:
      return {.kind = AKind::kBson};
    case ConvertedType::kDate:
      return {.kind = AKind::kTemporal, .temporal = "DATE"};
    case ConvertedType::kTimeMillis:
      return {.kind = AKind::kTemporal, .temporal = "TIME(MILLIS)"};
    case ConvertedType::kTimeMicros:
      return {.kind = AKind::kTemporal, .temporal = "TIME(MICROS)"};
    case ConvertedType::kTimestampMillis:
      return {.kind = AKind::kTemporal, .temporal = "TIMESTAMP(MILLIS)"};
    case ConvertedType::kTimestampMicros:
      return {.kind = AKind::kTemporal, .temporal = "TIMESTAMP(MICROS)"};
    case ConvertedType::kInterval:
      return {.kind = AKind::kTemporal, .temporal = "INTERVAL"};
    default:
      return {.kind = AKind::kUnknown};
  }
}

// Longest FIXED_LEN_BYTE_ARRAY value a schema may declare: no page the reader accepts
// (1 GiB decompressed) could hold a longer one.
constexpr int32_t kMaxFixedLength = int32_t{1} << 30;

class LeafTyper {
 public:
  LeafTyper(const format::SchemaElement& element, std::string_view column, std::string_view file)
      : element_(element), column_(column), file_(file) {}

  LeafTyping run() {
    if (!element_.type) format_error("has no physical type");
    physical_ = *element_.type;
    if (physical_ == Type::kFixedLenByteArray &&
        (!element_.type_length || *element_.type_length <= 0)) {
      format_error("is FIXED_LEN_BYTE_ARRAY without a positive type_length");
    }
    if (physical_ == Type::kFixedLenByteArray && *element_.type_length > kMaxFixedLength) {
      format_error(fmt::format(
          "is FIXED_LEN_BYTE_ARRAY of {} bytes, more than any page read here (1 GiB) can hold",
          *element_.type_length));
    }
    if (element_.logical_type && std::holds_alternative<format::NullType>(*element_.logical_type)) {
      return {frame::null_type(), {}};
    }
    const Annotation annotation = element_.logical_type ? from_logical_type(*element_.logical_type)
                                                        : from_converted_type(element_);
    if (physical_ == Type::kInt96) {
      refuse("INT96 values (legacy timestamps)");
    }
    switch (annotation.kind) {
      case Annotation::Kind::kTemporal:
        refuse(annotation.temporal + " values");
      case Annotation::Kind::kUnknown:
        throw IoSchemaError(
            fmt::format("column '{}' has a logical type this library does not know, so its "
                        "values cannot be read exactly",
                        column_),
            {.path = std::string(file_), .column = std::string(column_)});
      case Annotation::Kind::kString:
        require(physical_ == Type::kByteArray, "a string annotation");
        return {frame::utf8(), {}};
      case Annotation::Kind::kSignedInt:
        require(is_integer(), "an integer annotation");
        return {frame::int64(), {}};
      case Annotation::Kind::kUnsignedInt:
        return unsigned_integer(annotation.bit_width);
      case Annotation::Kind::kDecimal:
        return decimal(annotation);
      case Annotation::Kind::kFloat16:
        require(fixed_length() == 2, "FLOAT16");
        return {frame::float64(), {.kind = Kind::kFloat16, .type_name = "FLOAT16"}};
      case Annotation::Kind::kUuid:
        require(fixed_length() == 16, "UUID");
        return {frame::utf8(), {.kind = Kind::kUuid, .type_name = "UUID"}};
      case Annotation::Kind::kBson:
      case Annotation::Kind::kNone:
        break;
    }
    switch (physical_) {
      case Type::kInt64:
      case Type::kInt32:
        return {frame::int64(), {}};
      case Type::kDouble:
      case Type::kFloat:
        return {frame::float64(), {}};
      case Type::kBoolean:
        return {frame::boolean(), {}};
      case Type::kByteArray:
      case Type::kFixedLenByteArray:
        return {frame::utf8(), {.kind = Kind::kBinary, .type_name = "binary"}};
      case Type::kInt96:
        break;
    }
    format_error(fmt::format("has physical type {}, which is not in the format",
                             static_cast<int>(physical_)));
  }

 private:
  bool is_integer() const { return physical_ == Type::kInt32 || physical_ == Type::kInt64; }
  int32_t fixed_length() const {
    return physical_ == Type::kFixedLenByteArray ? *element_.type_length : 0;
  }

  LeafTyping unsigned_integer(int bit_width) {
    require(is_integer(), "an unsigned integer annotation");
    if (physical_ == Type::kInt32) {
      require(bit_width == 8 || bit_width == 16 || bit_width == 32, "an unsigned integer width");
      return {frame::int64(),
              {.kind = Kind::kUnsigned32, .type_name = fmt::format("UINT{}", bit_width)}};
    }
    require(bit_width == 64, "an unsigned integer width");
    return {frame::int64(), {.kind = Kind::kUnsigned64, .type_name = "UINT64"}};
  }

  LeafTyping decimal(const Annotation& annotation) {
    const int32_t precision = annotation.precision;
    const int32_t scale = annotation.scale;
    if (precision < 1 || scale < 0 || scale > precision) {
      format_error(fmt::format("is DECIMAL with precision {} and scale {}", precision, scale));
    }
    require(is_integer() || physical_ == Type::kByteArray || physical_ == Type::kFixedLenByteArray,
            "DECIMAL");
    // A scale of 0 holds integers; any other holds fractions, which only float64 can take.
    return {scale == 0 ? frame::int64() : frame::float64(),
            {.kind = Kind::kDecimal,
             .precision = precision,
             .scale = scale,
             .type_name = fmt::format("DECIMAL({},{})", precision, scale)}};
  }

  void require(bool holds, std::string_view annotation) const {
    if (!holds) {
      format_error(fmt::format("has {} on physical type {}{}, which the format does not allow",
                               annotation, format::type_name(physical_),
                               physical_ == Type::kFixedLenByteArray
                                   ? fmt::format(" of {} bytes", *element_.type_length)
                                   : ""));
    }
  }

  [[noreturn]] void format_error(const std::string& what) const {
    throw IoFormatError(fmt::format("invalid Parquet schema: column '{}' {}", column_, what),
                        {.path = std::string(file_), .column = std::string(column_)});
  }

  [[noreturn]] void refuse(const std::string& what) const {
    throw IoSchemaError(
        fmt::format("column '{}' holds {}, and no column type here is temporal: convert them "
                    "to an integer tick or an ISO 8601 string first",
                    column_, what),
        {.path = std::string(file_), .column = std::string(column_)});
  }

  const format::SchemaElement& element_;
  std::string_view column_;
  std::string_view file_;
  Type physical_ = Type::kInt64;
};

}  // namespace

LeafTyping type_leaf(const format::SchemaElement& element, std::string_view column,
                     std::string_view file) {
  return LeafTyper(element, column, file).run();
}

}  // namespace crv::parquet
