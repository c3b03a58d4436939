#pragma once
// The version of the canonical-table contracts, embedded in every Parquet part
// as "major.minor@date" (e.g. "0.1@2025-09-20").

#include <string>
#include <string_view>

namespace crv::core {

struct SchemaVersion {
  int major = 0;
  int minor = 0;
  std::string date;  // ISO-8601 calendar date, YYYY-MM-DD

  // Throws SchemaError when a component is negative or the date is not a real
  // ISO calendar date.
  void validate() const;
  // "major.minor@date".
  std::string to_string() const;
  // Parses "major.minor@date" and validates it; SchemaError otherwise.
  static SchemaVersion parse(std::string_view text);

  // Readers of one version can read the other: same major and same minor.
  bool is_compatible(const SchemaVersion& other) const noexcept;
  // This version directly follows `previous`: minor + 1 with the same major, or
  // major + 1 with minor 0.
  bool is_successor_of(const SchemaVersion& previous) const noexcept;

  bool operator==(const SchemaVersion&) const = default;
};

// The version this library writes.
const SchemaVersion& schema_v();

}  // namespace crv::core
