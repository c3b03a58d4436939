// Tests of IoSettings: loading, precedence, overrides and validation.

#include "crv/io/settings.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fmt/format.h>

#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <utility>

#include "crv/core/errors.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace crv::io {
namespace {

using parquet::Compression;
using test_support::expect_error;

// Makes `folder` the working directory until destroyed.
class WorkingDirectory {
 public:
  explicit WorkingDirectory(const std::filesystem::path& folder)
      : previous_(std::filesystem::current_path()) {
    std::filesystem::current_path(folder);
  }
  ~WorkingDirectory() { std::filesystem::current_path(previous_); }
  WorkingDirectory(const WorkingDirectory&) = delete;
  WorkingDirectory& operator=(const WorkingDirectory&) = delete;

 private:
  std::filesystem::path previous_;
};

using Environment = std::map<std::string, std::string>;

EnvironmentLookup fake_environment(Environment variables) {
  return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
    const auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };
}

// Sources that see only `folder` and `variables`, never the real process state.
SettingsSources isolated(const std::filesystem::path& folder, Environment variables = {}) {
  return {.search_dir = folder, .environment = fake_environment(std::move(variables))};
}

TEST(CompressionTest, NamesRoundTrip) {
  for (const Compression compression :
       {Compression::kZstd, Compression::kLz4, Compression::kSnappy, Compression::kNone}) {
    EXPECT_EQ(compression_from_string(to_string(compression)), compression);
  }
  EXPECT_EQ(to_string(Compression::kZstd), "zstd");
  EXPECT_EQ(to_string(Compression::kLz4), "lz4");
  EXPECT_EQ(to_string(Compression::kSnappy), "snappy");
  EXPECT_EQ(to_string(Compression::kNone), "none");
}

TEST(CompressionTest, ParsingIgnoresCaseAndRejectsUnknownNames) {
  EXPECT_EQ(compression_from_string("ZSTD"), Compression::kZstd);
  EXPECT_EQ(compression_from_string("Snappy"), Compression::kSnappy);
  EXPECT_EQ(compression_from_string("brotli"), std::nullopt);
  EXPECT_EQ(compression_from_string(""), std::nullopt);
  EXPECT_EQ(compression_from_string("zstd "), std::nullopt);
  // The Parquet writer has gzip; the settings, like the reference's, do not offer it.
  EXPECT_EQ(compression_from_string("gzip"), std::nullopt);
}

TEST(CompressionTest, ValidateRefusesACodecTheSettingsDoNotOffer) {
  IoSettings settings;
  settings.compression = Compression::kGzip;
  expect_error<IoConfigError>([&] { settings.validate(); },
                              {.message_has = {"io settings: invalid compression \"gzip\": "
                                               "expected one of zstd, lz4, snappy, none"}});
  for (const Compression offered :
       {Compression::kZstd, Compression::kLz4, Compression::kSnappy, Compression::kNone}) {
    settings.compression = offered;
    EXPECT_NO_THROW(settings.validate()) << parquet::to_string(offered);
  }
}

TEST(IoSettingsTest, DefaultsFollowTheContract) {
  const IoSettings settings;
  EXPECT_EQ(settings.root_dir, std::filesystem::path("out"));
  EXPECT_EQ(settings.partitioning, "tick_buckets");
  EXPECT_EQ(settings.tick_bucket_size, 100);
  EXPECT_EQ(settings.row_group_size, 131072);
  EXPECT_EQ(settings.compression, Compression::kZstd);
  EXPECT_EQ(settings.compression_level, 3);
  EXPECT_TRUE(settings.strict_schema);
  EXPECT_EQ(settings.write_manifest_every_n, 1);
  EXPECT_EQ(settings.max_open_parts, 256);
  EXPECT_EQ(settings.max_buffered_rows, 1048576);
  EXPECT_EQ(settings.target_part_bytes, 134217728);
  EXPECT_EQ(settings.fs_protocol, "file");
  EXPECT_NO_THROW(settings.validate());
}

TEST(IoSettingsTest, LoadWithoutFilesOrVariablesGivesDefaults) {
  const test_support::TempDir folder;
  EXPECT_EQ(IoSettings::load(isolated(folder.path())), IoSettings{});
}

struct InvalidSetting {
  std::string name;
  void (*break_it)(IoSettings&);
  std::string key;
  std::string shown_value;
  std::string problem;
};

void PrintTo(const InvalidSetting& param, std::ostream* out) {
  *out << param.name;
}

TEST(IoSettingsTest, OverridesAreParsedLikeEnvironmentValuesAndNameTheirOrigin) {
  IoSettings settings;
  const std::vector<SettingOverride> good = {
      {.key = "tick_bucket_size", .value = "25", .origin = "--bucket-size"},
      {.key = "compression", .value = "LZ4", .origin = "--compression"},
      {.key = "strict_schema", .value = "off", .origin = "--no-strict"}};
  settings.apply_overrides(good);
  EXPECT_EQ(settings.tick_bucket_size, 25);
  EXPECT_EQ(settings.compression, Compression::kLz4);
  EXPECT_FALSE(settings.strict_schema);
  EXPECT_EQ(settings.row_group_size, IoSettings{}.row_group_size);

  const auto expect_refused = [](SettingOverride override, const std::string& fragment) {
    IoSettings untouched;
    expect_error<IoConfigError>(
        [&] { untouched.apply_overrides(std::vector<SettingOverride>{std::move(override)}); },
        {.message_has = {fragment}});
    EXPECT_EQ(untouched, IoSettings{});
  };
  expect_refused({.key = "row_group_size", .value = "0", .origin = "--row-group-size"},
                 "--row-group-size: invalid row_group_size 0: must be at least 1");
  expect_refused({.key = "tick_bucket_size", .value = "ten", .origin = "--bucket-size"},
                 "--bucket-size: invalid tick_bucket_size \"ten\": not a decimal integer");
  expect_refused({.key = "compression", .value = "brotli", .origin = "--compression"},
                 "expected one of zstd, lz4, snappy, none");
  expect_refused({.key = "colour", .value = "red", .origin = "--colour"},
                 "--colour: unknown setting \"colour\"");
}

class ValidateTest : public ::testing::TestWithParam<InvalidSetting> {};

TEST_P(ValidateTest, NamesKeyValueAndRule) {
  IoSettings settings;
  GetParam().break_it(settings);
  expect_error<IoConfigError>(
      [&] { settings.validate(); },
      {.message_has = {fmt::format("io settings: invalid {} {}: {}", GetParam().key,
                                   GetParam().shown_value, GetParam().problem)}});
}

INSTANTIATE_TEST_SUITE_P(
    EveryRule, ValidateTest,
    ::testing::Values(
        InvalidSetting{"EmptyRootDir", [](IoSettings& s) { s.root_dir = ""; }, "root_dir", "\"\"",
                       "must not be empty"},
        InvalidSetting{"Partitioning", [](IoSettings& s) { s.partitioning = "hive"; },
                       "partitioning", "\"hive\"", "the only supported value is \"tick_buckets\""},
        InvalidSetting{"TickBucketSize", [](IoSettings& s) { s.tick_bucket_size = 0; },
                       "tick_bucket_size", "0", "must be at least 1"},
        InvalidSetting{"RowGroupSize", [](IoSettings& s) { s.row_group_size = -1; },
                       "row_group_size", "-1", "must be at least 1"},
        InvalidSetting{"LevelTooLow", [](IoSettings& s) { s.compression_level = 0; },
                       "compression_level", "0", "must be between 1 and 22"},
        InvalidSetting{"LevelTooHigh", [](IoSettings& s) { s.compression_level = 23; },
                       "compression_level", "23", "must be between 1 and 22"},
        InvalidSetting{"ManifestEveryN", [](IoSettings& s) { s.write_manifest_every_n = 0; },
                       "write_manifest_every_n", "0", "must be at least 1"},
        InvalidSetting{"MaxOpenParts", [](IoSettings& s) { s.max_open_parts = 0; },
                       "max_open_parts", "0", "must be at least 1"},
        InvalidSetting{"MaxBufferedRows", [](IoSettings& s) { s.max_buffered_rows = 0; },
                       "max_buffered_rows", "0", "must be at least 1"},
        InvalidSetting{"TargetPartBytes", [](IoSettings& s) { s.target_part_bytes = -1; },
                       "target_part_bytes", "-1", "must be at least 1"},
        InvalidSetting{"FsProtocol", [](IoSettings& s) { s.fs_protocol = "s3"; }, "fs_protocol",
                       "\"s3\"", "the only supported value is \"file\""}),
    [](const auto& info) { return info.param.name; });

TEST(IoSettingsTest, ValidateAcceptsTheBoundaries) {
  IoSettings settings;
  settings.tick_bucket_size = 1;
  settings.row_group_size = 1;
  settings.write_manifest_every_n = 1;
  settings.compression_level = 1;
  EXPECT_NO_THROW(settings.validate());
  settings.compression_level = 22;
  settings.tick_bucket_size = std::numeric_limits<int64_t>::max();
  EXPECT_NO_THROW(settings.validate());
}

TEST(LoadTest, EnvironmentOnly) {
  const test_support::TempDir folder;
  const IoSettings settings =
      IoSettings::load(isolated(folder.path(), {{"CRV_IO_ROOT_DIR", "/data/sim"},
                                                {"CRV_IO_PARTITIONING", "tick_buckets"},
                                                {"CRV_IO_TICK_BUCKET_SIZE", "250"},
                                                {"CRV_IO_ROW_GROUP_SIZE", "4096"},
                                                {"CRV_IO_COMPRESSION", "SNAPPY"},
                                                {"CRV_IO_COMPRESSION_LEVEL", "9"},
                                                {"CRV_IO_STRICT_SCHEMA", "false"},
                                                {"CRV_IO_WRITE_MANIFEST_EVERY_N", "5"},
                                                {"CRV_IO_MAX_OPEN_PARTS", "8"},
                                                {"CRV_IO_MAX_BUFFERED_ROWS", "1000"},
                                                {"CRV_IO_TARGET_PART_BYTES", "1048576"},
                                                {"CRV_IO_FS_PROTOCOL", "file"}}));
  EXPECT_EQ(settings.root_dir, std::filesystem::path("/data/sim"));
  EXPECT_EQ(settings.tick_bucket_size, 250);
  EXPECT_EQ(settings.row_group_size, 4096);
  EXPECT_EQ(settings.compression, Compression::kSnappy);
  EXPECT_EQ(settings.compression_level, 9);
  EXPECT_FALSE(settings.strict_schema);
  EXPECT_EQ(settings.write_manifest_every_n, 5);
  EXPECT_EQ(settings.max_open_parts, 8);
  EXPECT_EQ(settings.max_buffered_rows, 1000);
  EXPECT_EQ(settings.target_part_bytes, 1048576);
}

TEST(LoadTest, CrvTomlOnly) {
  const test_support::TempDir folder;
  folder.write_file("crv.toml", R"(
[io]
root_dir = "results"
partitioning = "tick_buckets"
tick_bucket_size = 50
row_group_size = 1000
compression = "lz4"
compression_level = 7
strict_schema = false
write_manifest_every_n = 2
max_open_parts = 3
target_part_bytes = 5000
fs_protocol = "file"
)");
  const IoSettings settings = IoSettings::load(isolated(folder.path()));
  EXPECT_EQ(settings.max_open_parts, 3);
  EXPECT_EQ(settings.target_part_bytes, 5000);
  EXPECT_EQ(settings.root_dir, std::filesystem::path("results"));
  EXPECT_EQ(settings.tick_bucket_size, 50);
  EXPECT_EQ(settings.row_group_size, 1000);
  EXPECT_EQ(settings.compression, Compression::kLz4);
  EXPECT_EQ(settings.compression_level, 7);
  EXPECT_FALSE(settings.strict_schema);
  EXPECT_EQ(settings.write_manifest_every_n, 2);
}

TEST(LoadTest, PyprojectOnly) {
  const test_support::TempDir folder;
  folder.write_file("pyproject.toml", R"(
[project]
name = "sim"

[tool.crv.io]
tick_bucket_size = 10
compression = "none"
)");
  const IoSettings settings = IoSettings::load(isolated(folder.path()));
  EXPECT_EQ(settings.tick_bucket_size, 10);
  EXPECT_EQ(settings.compression, Compression::kNone);
  EXPECT_EQ(settings.row_group_size, IoSettings{}.row_group_size);
}

TEST(LoadTest, PyprojectWithoutCrvTableGivesDefaults) {
  const test_support::TempDir folder;
  folder.write_file("pyproject.toml", "[tool.other]\nx = 1\n[tool.crv]\nname = 'x'\n");
  EXPECT_EQ(IoSettings::load(isolated(folder.path())), IoSettings{});
}

TEST(LoadTest, CrvTomlIsPreferredOverPyproject) {
  const test_support::TempDir folder;
  folder.write_file("crv.toml", "[io]\ntick_bucket_size = 20\n");
  folder.write_file("pyproject.toml",
                    "[tool.crv.io]\ntick_bucket_size = 30\nrow_group_size = 99\n");
  const IoSettings settings = IoSettings::load(isolated(folder.path()));
  EXPECT_EQ(settings.tick_bucket_size, 20);
  // The tables are not merged: pyproject.toml is not read at all.
  EXPECT_EQ(settings.row_group_size, IoSettings{}.row_group_size);
}

TEST(LoadTest, CrvTomlWithoutIoTableFallsBackToPyproject) {
  const test_support::TempDir folder;
  folder.write_file("crv.toml", "[lab]\nseed = 1\n");
  folder.write_file("pyproject.toml", "[tool.crv.io]\ntick_bucket_size = 30\n");
  EXPECT_EQ(IoSettings::load(isolated(folder.path())).tick_bucket_size, 30);
}

TEST(LoadTest, EnvironmentBeatsBothFiles) {
  const test_support::TempDir folder;
  folder.write_file("crv.toml", "[io]\ntick_bucket_size = 20\nrow_group_size = 500\n");
  folder.write_file("pyproject.toml", "[tool.crv.io]\ntick_bucket_size = 30\n");
  const IoSettings settings =
      IoSettings::load(isolated(folder.path(), {{"CRV_IO_TICK_BUCKET_SIZE", "40"}}));
  EXPECT_EQ(settings.tick_bucket_size, 40);
  EXPECT_EQ(settings.row_group_size, 500);
}

TEST(LoadTest, SearchesTheWorkingDirectoryByDefault) {
  const test_support::TempDir folder;
  folder.write_file("crv.toml", "[io]\ntick_bucket_size = 77\n");
  const WorkingDirectory inside(folder.path());
  EXPECT_EQ(IoSettings::load({.environment = fake_environment({})}).tick_bucket_size, 77);
}

TEST(LoadTest, ExplicitFileIsReadFromItsIoTable) {
  const test_support::TempDir folder;
  folder.write_file("crv.toml", "[io]\ntick_bucket_size = 20\n");
  const test_support::TempDir elsewhere;
  const std::filesystem::path file =
      elsewhere.write_file("settings.toml", "[io]\ntick_bucket_size = 60\n");
  SettingsSources sources = isolated(folder.path());
  sources.config_file = file;
  EXPECT_EQ(IoSettings::load(sources).tick_bucket_size, 60);
}

TEST(LoadTest, ExplicitPyprojectIsReadFromToolCrvIo) {
  const test_support::TempDir folder;
  const std::filesystem::path file = folder.write_file(
      "pyproject.toml", "[io]\ntick_bucket_size = 1\n[tool.crv.io]\ntick_bucket_size = 8\n");
  SettingsSources sources = isolated(folder.path());
  sources.config_file = file;
  EXPECT_EQ(IoSettings::load(sources).tick_bucket_size, 8);
}

TEST(LoadTest, MissingExplicitFileIsAnError) {
  const test_support::TempDir folder;
  SettingsSources sources = isolated(folder.path());
  sources.config_file = folder.path() / "absent.toml";
  expect_error<IoConfigError>(
      [&] { IoSettings::load(sources); },
      {.message_has = {"does not exist"}, .path = (folder.path() / "absent.toml").string()});
}

TEST(LoadTest, ExplicitFolderIsAnError) {
  const test_support::TempDir folder;
  SettingsSources sources = isolated(folder.path());
  sources.config_file = folder.path();
  expect_error<IoConfigError>([&] { IoSettings::load(sources); },
                              {.message_has = {"not a regular file"}});
}

TEST(LoadTest, CompressionLevelIsAcceptedWithOtherCodecs) {
  const test_support::TempDir folder;
  const IoSettings settings = IoSettings::load(
      isolated(folder.path(), {{"CRV_IO_COMPRESSION", "lz4"}, {"CRV_IO_COMPRESSION_LEVEL", "19"}}));
  EXPECT_EQ(settings.compression, Compression::kLz4);
  EXPECT_EQ(settings.compression_level, 19);
}

struct BooleanSpelling {
  std::string text;
  bool value;
};

void PrintTo(const BooleanSpelling& param, std::ostream* out) {
  *out << param.text;
}

class BooleanSpellingTest : public ::testing::TestWithParam<BooleanSpelling> {};

TEST_P(BooleanSpellingTest, StrictSchemaFromEnvironment) {
  const test_support::TempDir folder;
  // Start from the opposite value so the variable is what sets the result.
  folder.write_file("crv.toml",
                    fmt::format("[io]\nstrict_schema = {}\n", GetParam().value ? "false" : "true"));
  const IoSettings settings =
      IoSettings::load(isolated(folder.path(), {{"CRV_IO_STRICT_SCHEMA", GetParam().text}}));
  EXPECT_EQ(settings.strict_schema, GetParam().value);
}

INSTANTIATE_TEST_SUITE_P(
    EverySpelling, BooleanSpellingTest,
    ::testing::Values(BooleanSpelling{"1", true}, BooleanSpelling{"0", false},
                      BooleanSpelling{"true", true}, BooleanSpelling{"FALSE", false},
                      BooleanSpelling{"Yes", true}, BooleanSpelling{"no", false},
                      BooleanSpelling{"oN", true}, BooleanSpelling{"Off", false}),
    [](const auto& info) { return info.param.text + (info.param.value ? "_true" : "_false"); });

struct InvalidVariable {
  std::string name;
  std::string variable;
  std::string key;
  std::string value;
  std::string shown_value;  // quoted when it is not a parsed integer
  std::string problem;
};

void PrintTo(const InvalidVariable& param, std::ostream* out) {
  *out << param.name;
}

class InvalidVariableTest : public ::testing::TestWithParam<InvalidVariable> {};

TEST_P(InvalidVariableTest, NamesVariableKeyAndValue) {
  const test_support::TempDir folder;
  const InvalidVariable& bad = GetParam();
  expect_error<IoConfigError>(
      [&] {
        IoSettings::load(isolated(folder.path(), {{bad.variable, bad.value}}));
      },
      {.message_has = {fmt::format("environment variable {}: invalid {} {}: {}", bad.variable,
                                   bad.key, bad.shown_value, bad.problem)}});
}

INSTANTIATE_TEST_SUITE_P(
    EveryKind, InvalidVariableTest,
    ::testing::Values(
        InvalidVariable{"NotAnInteger", "CRV_IO_TICK_BUCKET_SIZE", "tick_bucket_size", "abc",
                        "\"abc\"", "not a decimal integer"},
        InvalidVariable{"TrailingGarbage", "CRV_IO_TICK_BUCKET_SIZE", "tick_bucket_size", "12abc",
                        "\"12abc\"", "not a decimal integer"},
        InvalidVariable{"LeadingSpace", "CRV_IO_ROW_GROUP_SIZE", "row_group_size", " 12", "\" 12\"",
                        "not a decimal integer"},
        InvalidVariable{"Fraction", "CRV_IO_ROW_GROUP_SIZE", "row_group_size", "1.5", "\"1.5\"",
                        "not a decimal integer"},
        InvalidVariable{"EmptyInteger", "CRV_IO_WRITE_MANIFEST_EVERY_N", "write_manifest_every_n",
                        "", "\"\"", "not a decimal integer"},
        InvalidVariable{"Overflow", "CRV_IO_TICK_BUCKET_SIZE", "tick_bucket_size",
                        "9223372036854775808", "\"9223372036854775808\"",
                        "out of the 64-bit integer range"},
        InvalidVariable{"Zero", "CRV_IO_TICK_BUCKET_SIZE", "tick_bucket_size", "0", "0",
                        "must be at least 1"},
        InvalidVariable{"Negative", "CRV_IO_ROW_GROUP_SIZE", "row_group_size", "-5", "-5",
                        "must be at least 1"},
        InvalidVariable{"ManifestZero", "CRV_IO_WRITE_MANIFEST_EVERY_N", "write_manifest_every_n",
                        "0", "0", "must be at least 1"},
        InvalidVariable{"LevelTooHigh", "CRV_IO_COMPRESSION_LEVEL", "compression_level", "23", "23",
                        "must be between 1 and 22"},
        InvalidVariable{"LevelBeyondInt", "CRV_IO_COMPRESSION_LEVEL", "compression_level",
                        "4294967299", "4294967299", "must be between 1 and 22"},
        InvalidVariable{"UnknownCompression", "CRV_IO_COMPRESSION", "compression", "brotli",
                        "\"brotli\"", "expected one of zstd, lz4, snappy, none"},
        InvalidVariable{"WriterOnlyCompression", "CRV_IO_COMPRESSION", "compression", "gzip",
                        "\"gzip\"", "expected one of zstd, lz4, snappy, none"},
        InvalidVariable{"BadBoolean", "CRV_IO_STRICT_SCHEMA", "strict_schema", "maybe", "\"maybe\"",
                        "expected 1/0, true/false, yes/no or on/off"},
        InvalidVariable{"Partitioning", "CRV_IO_PARTITIONING", "partitioning", "hive", "\"hive\"",
                        "the only supported value is \"tick_buckets\""},
        InvalidVariable{"FsProtocol", "CRV_IO_FS_PROTOCOL", "fs_protocol", "s3", "\"s3\"",
                        "the only supported value is \"file\""},
        InvalidVariable{"EmptyRootDir", "CRV_IO_ROOT_DIR", "root_dir", "", "\"\"",
                        "must not be empty"}),
    [](const auto& info) { return info.param.name; });

struct InvalidTomlValue {
  std::string name;
  std::string line;
  std::string key;
  std::string shown_value;
  std::string problem;
};

void PrintTo(const InvalidTomlValue& param, std::ostream* out) {
  *out << param.name;
}

class InvalidTomlValueTest : public ::testing::TestWithParam<InvalidTomlValue> {};

TEST_P(InvalidTomlValueTest, NamesFileKeyAndValue) {
  const test_support::TempDir folder;
  const InvalidTomlValue& bad = GetParam();
  const std::filesystem::path file = folder.write_file("crv.toml", "[io]\n" + bad.line + "\n");
  expect_error<IoConfigError>([&] { IoSettings::load(isolated(folder.path())); },
                              {.message_has = {fmt::format("crv.toml [io]: invalid {} {}: {}",
                                                           bad.key, bad.shown_value, bad.problem)},
                               .path = file.string()});
}

INSTANTIATE_TEST_SUITE_P(
    EveryKind, InvalidTomlValueTest,
    ::testing::Values(
        InvalidTomlValue{"StringForInteger", "tick_bucket_size = \"100\"", "tick_bucket_size",
                         "\"100\"", "expected an integer, not a string"},
        InvalidTomlValue{"FloatForInteger", "row_group_size = 1.5", "row_group_size", "1.5",
                         "expected an integer, not a float"},
        InvalidTomlValue{"Zero", "tick_bucket_size = 0", "tick_bucket_size", "0",
                         "must be at least 1"},
        InvalidTomlValue{"LevelTooLow", "compression_level = -1", "compression_level", "-1",
                         "must be between 1 and 22"},
        InvalidTomlValue{"UnknownCompression", "compression = \"brotli\"", "compression",
                         "\"brotli\"", "expected one of zstd, lz4, snappy, none"},
        InvalidTomlValue{"IntegerForString", "compression = 3", "compression", "3",
                         "expected a string, not an integer"},
        InvalidTomlValue{"StringForBoolean", "strict_schema = \"yes\"", "strict_schema", "\"yes\"",
                         "expected a boolean, not a string"},
        InvalidTomlValue{"ArrayForString", "root_dir = [\"a\"]", "root_dir", "[...]",
                         "expected a string, not an array"},
        InvalidTomlValue{"EmptyRootDir", "root_dir = \"\"", "root_dir", "\"\"",
                         "must not be empty"},
        InvalidTomlValue{"FsProtocol", "fs_protocol = \"gcs\"", "fs_protocol", "\"gcs\"",
                         "the only supported value is \"file\""}),
    [](const auto& info) { return info.param.name; });

TEST(LoadTest, InvalidPyprojectValueNamesItsTable) {
  const test_support::TempDir folder;
  folder.write_file("pyproject.toml", "[tool.crv.io]\nwrite_manifest_every_n = 0\n");
  expect_error<IoConfigError>(
      [&] { IoSettings::load(isolated(folder.path())); },
      {.message_has = {"pyproject.toml [tool.crv.io]", "invalid write_manifest_every_n 0"}});
}

TEST(LoadTest, InvalidFileValueIsReportedEvenWhenTheEnvironmentOverridesIt) {
  const test_support::TempDir folder;
  folder.write_file("crv.toml", "[io]\ntick_bucket_size = 0\n");
  expect_error<IoConfigError>(
      [&] {
        IoSettings::load(isolated(folder.path(), {{"CRV_IO_TICK_BUCKET_SIZE", "5"}}));
      },
      {.message_has = {"crv.toml [io]: invalid tick_bucket_size 0"}});
}

TEST(LoadTest, UnknownKeyListsTheValidKeys) {
  const test_support::TempDir folder;
  folder.write_file("crv.toml", "[io]\ntick_bucket_sise = 5\n");
  expect_error<IoConfigError>(
      [&] { IoSettings::load(isolated(folder.path())); },
      {.message_has = {
           "crv.toml [io]: unknown key \"tick_bucket_sise\"",
           "valid keys are root_dir, partitioning, tick_bucket_size, row_group_size, "
           "compression, compression_level, strict_schema, write_manifest_every_n, "
           "manifest_every_commit, iceberg_metadata, max_open_parts, max_buffered_rows, "
           "target_part_bytes, fs_protocol"}});
}

TEST(LoadTest, NestedTableInsideIoIsAnUnknownKey) {
  const test_support::TempDir folder;
  folder.write_file("crv.toml", "[io]\ntick_bucket_size = 5\n[io.extra]\nx = 1\n");
  expect_error<IoConfigError>([&] { IoSettings::load(isolated(folder.path())); },
                              {.message_has = {"unknown key \"extra\""}});
}

TEST(LoadTest, IoThatIsNotATableIsAnError) {
  const test_support::TempDir folder;
  folder.write_file("crv.toml", "io = 5\n");
  expect_error<IoConfigError>([&] { IoSettings::load(isolated(folder.path())); },
                              {.message_has = {"crv.toml [io]: expected a table, not an integer"}});
}

TEST(LoadTest, SyntaxErrorNamesFileAndLine) {
  const test_support::TempDir folder;
  const std::filesystem::path file =
      folder.write_file("crv.toml", "[io]\ntick_bucket_size = 5\nrow_group_size = = 7\n");
  expect_error<IoConfigError>(
      [&] { IoSettings::load(isolated(folder.path())); },
      {.message_has = {"TOML syntax error at line 3"}, .path = file.string()});
}

TEST(LoadTest, SyntaxErrorInUnusedPyprojectIsIgnored) {
  const test_support::TempDir folder;
  folder.write_file("crv.toml", "[io]\ntick_bucket_size = 5\n");
  folder.write_file("pyproject.toml", "[tool.crv.io\n");
  EXPECT_EQ(IoSettings::load(isolated(folder.path())).tick_bucket_size, 5);
}

TEST(ProcessEnvironmentTest, ReadsTheRealEnvironment) {
  const std::string name = "CRV_SETTINGS_TEST_PROCESS_ENVIRONMENT";
  ASSERT_EQ(setenv(name.c_str(), "value 1", 1), 0);
  EXPECT_EQ(process_environment(name), "value 1");
  ASSERT_EQ(unsetenv(name.c_str()), 0);
  EXPECT_EQ(process_environment(name), std::nullopt);
}

}  // namespace
}  // namespace crv::io
