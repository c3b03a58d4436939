// SchemaVersion: parsing "major.minor@date", its checks, compatibility and succession.

#include "crv/core/schema_version.hpp"

#include <fmt/format.h>

#include <charconv>

#include "crv/core/errors.hpp"

namespace crv::core {
namespace {

bool is_leap_year(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

// Parses exactly `text` as a non-negative decimal number; false otherwise.
bool parse_digits(std::string_view text, int& out) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

bool is_iso_date(std::string_view date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return false;
  int year = 0, month = 0, day = 0;
  if (!parse_digits(date.substr(0, 4), year) || !parse_digits(date.substr(5, 2), month) ||
      !parse_digits(date.substr(8, 2), day)) {
    return false;
  }
  return month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(year, month);
}

}  // namespace

void SchemaVersion::validate() const {
  if (major < 0 || minor < 0) {
    throw SchemaError(fmt::format("schema version {}.{} has a negative component", major, minor));
  }
  if (!is_iso_date(date)) {
    throw SchemaError(
        fmt::format("schema version date '{}' is not an ISO calendar date (YYYY-MM-DD)", date));
  }
}

std::string SchemaVersion::to_string() const {
  return fmt::format("{}.{}@{}", major, minor, date);
}

SchemaVersion SchemaVersion::parse(std::string_view text) {
  const auto at = text.find('@');
  const auto dot = text.find('.');
  SchemaVersion version;
  if (at == std::string_view::npos || dot == std::string_view::npos || dot > at ||
      !parse_digits(text.substr(0, dot), version.major) ||
      !parse_digits(text.substr(dot + 1, at - dot - 1), version.minor)) {
    throw SchemaError(
        fmt::format("schema version '{}' is not of the form major.minor@YYYY-MM-DD", text));
  }
  version.date = std::string(text.substr(at + 1));
  version.validate();
  return version;
}

bool SchemaVersion::is_compatible(const SchemaVersion& other) const noexcept {
  return major == other.major && minor == other.minor;
}

bool SchemaVersion::is_successor_of(const SchemaVersion& previous) const noexcept {
  return (major == previous.major && minor == previous.minor + 1) ||
         (major == previous.major + 1 && minor == 0);
}

const SchemaVersion& schema_v() {
  static const SchemaVersion version{0, 1, "2025-09-20"};
  return version;
}

}  // namespace crv::core
