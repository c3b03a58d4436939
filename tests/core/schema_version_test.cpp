// Tests of SchemaVersion parsing, validation, compatibility and succession.

#include "crv/core/schema_version.hpp"

#include <gtest/gtest.h>

#include "crv/core/errors.hpp"

namespace crv::core {
namespace {

TEST(SchemaVersion, CurrentVersion) {
  EXPECT_EQ(schema_v().major, 0);
  EXPECT_EQ(schema_v().minor, 1);
  EXPECT_EQ(schema_v().date, "2025-09-20");
  EXPECT_EQ(schema_v().to_string(), "0.1@2025-09-20");
  EXPECT_NO_THROW(schema_v().validate());
}

TEST(SchemaVersion, ParseRoundTrips) {
  EXPECT_EQ(SchemaVersion::parse("0.1@2025-09-20"), schema_v());
  const SchemaVersion parsed = SchemaVersion::parse("12.34@2024-02-29");
  EXPECT_EQ(parsed.major, 12);
  EXPECT_EQ(parsed.minor, 34);
  EXPECT_EQ(parsed.to_string(), "12.34@2024-02-29");
}

TEST(SchemaVersion, RejectsMalformedText) {
  for (const char* bad : {"", "0.1", "0@2025-09-20", "a.1@2025-09-20", "0.1@", "0.1@2025-9-20",
                          "0.1@2025-13-01", "0.1@2025-02-29", "0.1@2025-04-31", "-1.1@2025-09-20",
                          "0.-1@2025-09-20", "0.1@2025/09/20", "0.1@20250920xx"}) {
    EXPECT_THROW(SchemaVersion::parse(bad), SchemaError) << bad;
  }
}

TEST(SchemaVersion, ValidateRejectsNegativeComponentsAndBadDates) {
  EXPECT_THROW((SchemaVersion{-1, 0, "2025-09-20"}.validate()), SchemaError);
  EXPECT_THROW((SchemaVersion{0, -1, "2025-09-20"}.validate()), SchemaError);
  EXPECT_THROW((SchemaVersion{0, 1, "yesterday"}.validate()), SchemaError);
  EXPECT_NO_THROW((SchemaVersion{0, 1, "2000-02-29"}.validate()));
  EXPECT_THROW((SchemaVersion{0, 1, "1900-02-29"}.validate()), SchemaError);
}

TEST(SchemaVersion, Compatibility) {
  const SchemaVersion v01{0, 1, "2025-09-20"};
  EXPECT_TRUE(v01.is_compatible(SchemaVersion{0, 1, "2030-01-01"}));
  EXPECT_FALSE(v01.is_compatible(SchemaVersion{0, 2, "2025-09-20"}));
  EXPECT_FALSE(v01.is_compatible(SchemaVersion{1, 1, "2025-09-20"}));
}

TEST(SchemaVersion, Succession) {
  const SchemaVersion v01{0, 1, "2025-09-20"};
  EXPECT_TRUE((SchemaVersion{0, 2, "2025-10-01"}.is_successor_of(v01)));
  EXPECT_TRUE((SchemaVersion{1, 0, "2025-10-01"}.is_successor_of(v01)));
  EXPECT_FALSE((SchemaVersion{1, 1, "2025-10-01"}.is_successor_of(v01)));
  EXPECT_FALSE((SchemaVersion{0, 3, "2025-10-01"}.is_successor_of(v01)));
  EXPECT_FALSE(v01.is_successor_of(v01));
  EXPECT_FALSE((SchemaVersion{0, 0, "2025-10-01"}.is_successor_of(v01)));
}

}  // namespace
}  // namespace crv::core
