// Conversion of stored values to their frame type, refusing any that do not fit exactly.

#include "parquet/logical_values.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include "crv/frame/utf8.hpp"

namespace crv::parquet {
namespace {

using Kind = LeafConversion::Kind;
// Decimals of up to 38 digits fit 128 bits; __extension__ keeps -Wpedantic quiet about the
// compiler's 128-bit integers.
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

// Decimals below 10^15 in magnitude have at most 15 significant digits, which a double
// always gives back: dividing the exact unscaled value by the exact power of ten (up to
// 10^22) rounds once, to the nearest double.
constexpr int64_t kFewDigitsLimit = 1'000'000'000'000'000;
constexpr int32_t kLargestExactPowerOfTen = 22;

double power_of_ten(int32_t exponent) {
  static const auto powers = [] {
    std::array<double, kLargestExactPowerOfTen + 1> table{};
    double power = 1;
    for (double& entry : table) {
      entry = power;
      power *= 10;
    }
    return table;
  }();
  return powers[static_cast<size_t>(exponent)];
}

// 10^exponent, for exponents up to kLargestScaleOf128Bits.
constexpr int32_t kLargestScaleOf128Bits = 38;
Int128 power_of_ten_integer(int32_t exponent) {
  Int128 power = 1;
  for (int32_t i = 0; i < exponent; ++i) power *= 10;
  return power;
}

// The decimal `unscaled` / 10^scale written out, e.g. -0.05 for (-5, 2).
std::string decimal_text(Int128 unscaled, int32_t scale) {
  UInt128 magnitude =
      unscaled < 0 ? UInt128{0} - static_cast<UInt128>(unscaled) : static_cast<UInt128>(unscaled);
  std::string digits;  // least significant first
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  } while (magnitude != 0);
  while (digits.size() <= static_cast<size_t>(scale)) digits.push_back('0');
  std::string text = unscaled < 0 ? "-" : "";
  for (size_t i = digits.size(); i-- > 0;) {
    text.push_back(digits[i]);
    if (scale > 0 && i == static_cast<size_t>(scale)) text.push_back('.');
  }
  return text;
}

// A number as its significant digits (no leading or trailing zeros) and the power of ten
// of the last one: 0.1200 is ("12", -2). Zero has no digits.
struct SignificantDigits {
  bool negative = false;
  std::string digits;
  int64_t exponent = 0;
  bool operator==(const SignificantDigits&) const = default;
};

SignificantDigits significant(bool negative, std::string digits, int64_t exponent) {
  const size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return {};
  digits.erase(0, first);
  const size_t last = digits.find_last_not_of('0');
  exponent += static_cast<int64_t>(digits.size() - 1 - last);
  digits.erase(last + 1);
  return {negative, std::move(digits), exponent};
}

// The shortest decimal that reads back as `value` (finite).
SignificantDigits shortest_decimal(double value) {
  char text[64];
  const auto [end, error] =
      std::to_chars(std::begin(text), std::end(text), value, std::chars_format::scientific);
  const std::string_view written(text, static_cast<size_t>(end - text));
  // d.ddde±x: the digits around the point, then the exponent of the first one.
  const size_t e = written.find('e');
  const bool negative = written.front() == '-';
  std::string digits;
  for (char c : written.substr(negative ? 1 : 0, e - (negative ? 1 : 0))) {
    if (c != '.') digits.push_back(c);
  }
  const int64_t first_exponent = std::stoll(std::string(written.substr(e + 1)));
  return significant(negative, digits, first_exponent - static_cast<int64_t>(digits.size() - 1));
}

// The double nearest the decimal, when the shortest decimal that reads back as that double
// is the decimal itself (0.1 at any scale is; 0.12345678901234567891 is not); nullopt when
// reading the decimal as a double would change it.
std::optional<double> exact_double(Int128 unscaled, int32_t scale) {
  if (scale <= kLargestExactPowerOfTen && unscaled > -kFewDigitsLimit &&
      unscaled < kFewDigitsLimit) {
    return static_cast<double>(static_cast<int64_t>(unscaled)) / power_of_ten(scale);
  }
  const std::string text = decimal_text(unscaled, scale);
  const double value = std::strtod(text.c_str(), nullptr);
  if (!std::isfinite(value)) return std::nullopt;
  std::string digits = decimal_text(unscaled, 0);
  if (unscaled < 0) digits.erase(0, 1);
  if (significant(unscaled < 0, std::move(digits), -scale) != shortest_decimal(value)) {
    return std::nullopt;
  }
  return value;
}

// A big-endian two's complement integer; nullopt when it needs more than 128 bits.
std::optional<Int128> big_endian_integer(std::span<const uint8_t> bytes) {
  const bool negative = (bytes[0] & 0x80) != 0;
  const uint8_t sign_byte = negative ? 0xFF : 0x00;
  size_t start = 0;
  while (bytes.size() - start > sizeof(Int128)) {
    if (bytes[start] != sign_byte) return std::nullopt;
    ++start;
  }
  if (start > 0 && ((bytes[start] & 0x80) != 0) != negative) return std::nullopt;
  UInt128 value = negative ? ~UInt128{0} : UInt128{0};
  for (size_t i = start; i < bytes.size(); ++i) value = (value << 8) | bytes[i];
  return static_cast<Int128>(value);
}

double half_to_double(uint16_t bits) {
  const int exponent = (bits >> 10) & 0x1F;
  const int fraction = bits & 0x3FF;
  double magnitude = 0;
  if (exponent == 0) {
    magnitude = std::ldexp(fraction, -24);
  } else if (exponent == 0x1F) {
    magnitude = fraction == 0 ? std::numeric_limits<double>::infinity()
                              : std::numeric_limits<double>::quiet_NaN();
  } else {
    magnitude = std::ldexp(fraction + 1024, exponent - 25);
  }
  return (bits & 0x8000) != 0 ? -magnitude : magnitude;
}

std::string uuid_text(std::span<const uint8_t> bytes) {
  std::string text;
  text.reserve(36);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text.push_back('-');
    fmt::format_to(std::back_inserter(text), "{:02x}", bytes[i]);
  }
  return text;
}

// The byte-array values of `out` from value `first` on, taken out of its string buffers
// (which then hold only the values before `first`).
class TakenBytes {
 public:
  TakenBytes(LeafData& out, size_t first) {
    if (out.string_offsets.size() <= first + 1) return;
    const auto begin = static_cast<size_t>(out.string_offsets[first]);
    offsets_.assign(out.string_offsets.begin() + static_cast<std::ptrdiff_t>(first),
                    out.string_offsets.end());
    for (int32_t& offset : offsets_) offset -= static_cast<int32_t>(begin);
    data_.assign(out.string_data.begin() + static_cast<std::ptrdiff_t>(begin),
                 out.string_data.end());
    out.string_offsets.resize(first + 1);
    out.string_data.resize(begin);
  }

  size_t size() const { return offsets_.empty() ? 0 : offsets_.size() - 1; }
  std::span<const uint8_t> operator[](size_t i) const {
    return std::span<const uint8_t>(data_).subspan(
        static_cast<size_t>(offsets_[i]), static_cast<size_t>(offsets_[i + 1] - offsets_[i]));
  }

 private:
  std::vector<int32_t> offsets_;
  std::vector<uint8_t> data_;
};

class Converter {
 public:
  Converter(const SchemaNode& leaf, size_t first, LeafData& out)
      : leaf_(leaf), conversion_(leaf.conversion), first_(first), out_(out) {}

  std::optional<RefusedValue> run() {
    switch (conversion_.kind) {
      case Kind::kNone:
        return std::nullopt;
      case Kind::kUnsigned32:
        for (size_t i = first_; i < out_.int64_values.size(); ++i) {
          out_.int64_values[i] = static_cast<uint32_t>(out_.int64_values[i]);
        }
        return std::nullopt;
      case Kind::kUnsigned64:
        for (size_t i = first_; i < out_.int64_values.size(); ++i) {
          if (out_.int64_values[i] < 0) {
            return refuse(i - first_, fmt::format("UINT64 value {} is above the largest int64, {}",
                                                  static_cast<uint64_t>(out_.int64_values[i]),
                                                  std::numeric_limits<int64_t>::max()));
          }
        }
        return std::nullopt;
      case Kind::kDecimal:
        return leaf_.physical_type == format::Type::kInt32 ||
                       leaf_.physical_type == format::Type::kInt64
                   ? integer_decimals()
                   : byte_decimals();
      case Kind::kFloat16:
        return half_floats();
      case Kind::kUuid:
        return uuids();
      case Kind::kBinary:
        return utf8_binary();
    }
    return std::nullopt;
  }

 private:
  static RefusedValue refuse(size_t index, std::string reason, bool malformed = false) {
    return {static_cast<int64_t>(index), std::move(reason), malformed};
  }

  // A decimal into the leaf's frame type: int64 at scale 0 or when read as whole, else
  // float64.
  std::optional<RefusedValue> append_decimal(Int128 unscaled, size_t index) {
    if (conversion_.scale == 0 || conversion_.whole) {
      // Beyond scale 38, 10^scale exceeds 128 bits and only 0 is whole.
      const bool huge_scale = conversion_.scale > kLargestScaleOf128Bits;
      const Int128 unit = huge_scale ? 1 : power_of_ten_integer(conversion_.scale);
      if (huge_scale ? unscaled != 0 : unscaled % unit != 0) {
        return refuse(
            index, fmt::format("{} value {} is not a whole number, so it cannot be "
                               "read as an integer",
                               conversion_.type_name, decimal_text(unscaled, conversion_.scale)));
      }
      const Int128 whole = huge_scale ? 0 : unscaled / unit;
      if (whole < std::numeric_limits<int64_t>::min() ||
          whole > std::numeric_limits<int64_t>::max()) {
        return refuse(
            index, fmt::format("{} value {} does not fit a 64-bit integer", conversion_.type_name,
                               decimal_text(unscaled, conversion_.scale)));
      }
      out_.int64_values.push_back(static_cast<int64_t>(whole));
      return std::nullopt;
    }
    const std::optional<double> value = exact_double(unscaled, conversion_.scale);
    if (!value) {
      return refuse(index,
                    fmt::format("{} value {} has more digits than a float64 keeps, so "
                                "reading it would change it",
                                conversion_.type_name, decimal_text(unscaled, conversion_.scale)));
    }
    out_.float64_values.push_back(*value);
    return std::nullopt;
  }

  std::optional<RefusedValue> integer_decimals() {
    if (conversion_.scale == 0) return std::nullopt;  // already the int64 they are
    // Read as whole, the values stay in int64_values, each replaced by its quotient.
    const std::vector<int64_t> unscaled(
        out_.int64_values.begin() + static_cast<std::ptrdiff_t>(first_), out_.int64_values.end());
    out_.int64_values.resize(first_);
    for (size_t i = 0; i < unscaled.size(); ++i) {
      if (auto refused = append_decimal(unscaled[i], i)) return refused;
    }
    return std::nullopt;
  }

  std::optional<RefusedValue> byte_decimals() {
    const TakenBytes values(out_, first_);
    for (size_t i = 0; i < values.size(); ++i) {
      const std::span<const uint8_t> bytes = values[i];
      if (bytes.empty()) {
        return refuse(i, fmt::format("{} value has no bytes", conversion_.type_name), true);
      }
      const std::optional<Int128> unscaled = big_endian_integer(bytes);
      if (!unscaled) {
        return refuse(i, fmt::format("{} value of {} bytes does not fit 128 bits",
                                     conversion_.type_name, bytes.size()));
      }
      if (auto refused = append_decimal(*unscaled, i)) return refused;
    }
    return std::nullopt;
  }

  std::optional<RefusedValue> half_floats() {
    const TakenBytes values(out_, first_);
    for (size_t i = 0; i < values.size(); ++i) {
      const std::span<const uint8_t> bytes = values[i];
      out_.float64_values.push_back(
          half_to_double(static_cast<uint16_t>(bytes[0] | (bytes[1] << 8))));
    }
    return std::nullopt;
  }

  std::optional<RefusedValue> uuids() {
    const TakenBytes values(out_, first_);
    if (out_.string_offsets.empty()) out_.string_offsets.push_back(0);
    for (size_t i = 0; i < values.size(); ++i) {
      const std::string text = uuid_text(values[i]);
      out_.string_data.insert(out_.string_data.end(), text.begin(), text.end());
      out_.string_offsets.push_back(static_cast<int32_t>(out_.string_data.size()));
    }
    return std::nullopt;
  }

  std::optional<RefusedValue> utf8_binary() {
    if (out_.string_offsets.size() <= first_ + 1) return std::nullopt;
    const size_t count = out_.string_offsets.size() - 1 - first_;
    const std::optional<int64_t> invalid = frame::first_invalid_utf8_string(
        out_.string_offsets.data() + first_, out_.string_data.data(), static_cast<int64_t>(count));
    if (!invalid) return std::nullopt;
    return refuse(static_cast<size_t>(*invalid),
                  "binary value is not valid UTF-8, so it cannot be read as a string");
  }

  const SchemaNode& leaf_;
  const LeafConversion& conversion_;
  size_t first_;
  LeafData& out_;
};

}  // namespace

size_t stored_value_count(const SchemaNode& leaf, const LeafData& out) {
  switch (leaf.physical_type) {
    case format::Type::kInt32:
    case format::Type::kInt64:
      return out.int64_values.size();
    case format::Type::kFloat:
    case format::Type::kDouble:
      return out.float64_values.size();
    case format::Type::kByteArray:
    case format::Type::kFixedLenByteArray:
      return out.string_offsets.empty() ? 0 : out.string_offsets.size() - 1;
    default:
      return out.bool_count;
  }
}

std::optional<RefusedValue> convert_stored_values(const SchemaNode& leaf, size_t first,
                                                  LeafData& out) {
  return Converter(leaf, first, out).run();
}

}  // namespace crv::parquet
