// Tests of the run layout: folders, bucket names and part names, and their parsing.

#include "crv/io/paths.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "crv/core/errors.hpp"
#include "support/expect_error.hpp"

namespace crv::io {
namespace {

using test_support::expect_error;

constexpr int64_t kMaxTick = std::numeric_limits<int64_t>::max();

IoSettings settings_at(const std::filesystem::path& root) {
  IoSettings settings;
  settings.root_dir = root;
  return settings;
}

bool is_lower_hex(const std::string& text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

TEST(PathsTest, RunLayout) {
  const IoSettings settings = settings_at("/data/out");
  EXPECT_EQ(run_root(settings, "run-1"), std::filesystem::path("/data/out/runs/run-1"));
  EXPECT_EQ(bundle_manifest_path(settings, "run-1"),
            std::filesystem::path("/data/out/runs/run-1/bundle.manifest.json"));
  EXPECT_EQ(tables_root(settings, "run-1"), std::filesystem::path("/data/out/runs/run-1/tables"));
}

TEST(PathsTest, TableLayout) {
  const IoSettings settings = settings_at("/data/out");
  EXPECT_EQ(table_dir(settings, "r", "holdings"),
            std::filesystem::path("/data/out/runs/r/tables/holdings"));
  EXPECT_EQ(manifest_path(settings, "r", "holdings_valuation"),
            std::filesystem::path("/data/out/runs/r/tables/holdings_valuation/manifest.json"));
  EXPECT_EQ(bucket_dir(settings, "r", "messages", 123),
            std::filesystem::path("/data/out/runs/r/tables/messages/bucket=000123"));
}

TEST(PathsTest, RelativeDefaultRoot) {
  EXPECT_EQ(run_root(IoSettings{}, "r"), std::filesystem::path("out/runs/r"));
}

TEST(PathsTest, PartPaths) {
  const std::string uid = "0123456789abcdef0123456789abcdef";
  const PartPaths paths = part_paths(settings_at("/o"), "r", "exchange", 7, uid);
  EXPECT_EQ(paths.tmp, std::filesystem::path("/o/runs/r/tables/exchange/bucket=000007/part-" + uid +
                                             ".parquet.tmp"));
  EXPECT_EQ(paths.final, std::filesystem::path("/o/runs/r/tables/exchange/bucket=000007/part-" +
                                               uid + ".parquet"));
}

TEST(PathsTest, PartitionKeyPadsToSixDigits) {
  EXPECT_EQ(partition_key(0), "000000");
  EXPECT_EQ(partition_key(123), "000123");
  EXPECT_EQ(partition_key(999999), "999999");
  EXPECT_EQ(partition_key(1000000), "1000000");
  EXPECT_EQ(partition_key(kMaxTick), "9223372036854775807");
  EXPECT_EQ(bucket_dir(settings_at("/o"), "r", "holdings", 0).filename(), "bucket=000000");
  EXPECT_EQ(bucket_dir(settings_at("/o"), "r", "holdings", 1000000).filename(), "bucket=1000000");
}

TEST(PathsTest, NegativeBucketIdIsRejected) {
  expect_error<IoSchemaError>([] { partition_key(-1); }, {.message_has = {"bucket id -1"}});
  EXPECT_THROW(bucket_dir(IoSettings{}, "r", "holdings", -1), IoSchemaError);
}

class RejectedRunIdTest
    : public ::testing::TestWithParam<std::pair<std::string, std::string /*rule*/>> {};

TEST_P(RejectedRunIdTest, NamesIdAndRule) {
  const auto& [run_id, rule] = GetParam();
  expect_error<GrammarError>([&] { validate_run_id(run_id); }, {.message_has = {rule}});
  // Every path under the run checks the id, so none can leave the runs folder.
  EXPECT_THROW(run_root(IoSettings{}, run_id), GrammarError);
  EXPECT_THROW(bucket_dir(IoSettings{}, run_id, "holdings", 0), GrammarError);
}

INSTANTIATE_TEST_SUITE_P(
    EveryRule, RejectedRunIdTest,
    ::testing::Values(
        std::pair{std::string(""), std::string("run id must not be empty")},
        std::pair{std::string("."), std::string("run id \".\" is not allowed")},
        std::pair{std::string(".."), std::string("run id \"..\" is not allowed")},
        std::pair{std::string("a/b"), std::string("run id \"a/b\" contains '/' at byte 1")},
        std::pair{std::string("a\\b"), std::string("contains '\\\\' at byte 1")},
        std::pair{std::string("run 1"), std::string("contains ' ' at byte 3")},
        std::pair{std::string("r\xC3\xA9"), std::string("at byte 1")},
        std::pair{std::string(256, 'a'), std::string("is 256 bytes long; at most 255")}));

TEST(RunIdTest, AcceptsTheAllowedAlphabet) {
  EXPECT_NO_THROW(validate_run_id("run-1.a:b_c"));
  EXPECT_NO_THROW(validate_run_id("ABCxyz0189"));
  EXPECT_NO_THROW(validate_run_id("..."));
  EXPECT_NO_THROW(validate_run_id(std::string(255, 'z')));
  EXPECT_EQ(run_root(settings_at("/o"), "run-1.a:b_c"),
            std::filesystem::path("/o/runs/run-1.a:b_c"));
}

TEST(TableNameTest, RejectsNamesThatAreNotLowerSnake) {
  for (const std::string name : {"", "Holdings", "_x", "x_", "a__b", "a-b", "../x", "a b"}) {
    SCOPED_TRACE(name);
    expect_error<GrammarError>([&] { table_dir(IoSettings{}, "r", name); },
                               {.message_has = {"table name '" + name + "'", "not lower_snake"}});
    EXPECT_THROW(manifest_path(IoSettings{}, "r", name), GrammarError) << name;
  }
}

TEST(TableNameTest, AcceptsLowerSnake) {
  for (const std::string name : {"holdings_valuation", "a1_b2", "x", "0"}) {
    EXPECT_EQ(table_dir(settings_at("/o"), "r", name).filename(), name);
  }
}

TEST(PartUidTest, RejectsMalformedUids) {
  const std::string valid = "0123456789abcdef0123456789abcdef";
  for (const std::string& uid : {std::string(), valid.substr(1), valid + "0",
                                 std::string("0123456789ABCDEF0123456789abcdef"),
                                 std::string("g123456789abcdef0123456789abcdef"),
                                 std::string("../456789abcdef0123456789abcdef")}) {
    SCOPED_TRACE(uid);
    expect_error<GrammarError>([&] { part_paths(IoSettings{}, "r", "holdings", 0, uid); },
                               {.message_has = {"is not 32 lowercase hexadecimal characters"}});
  }
}

TEST(PartUidTest, NewUidsAreDistinctLowercaseHex) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string uid = new_part_uid();
    ASSERT_EQ(uid.size(), 32u);
    ASSERT_TRUE(is_lower_hex(uid)) << uid;
    EXPECT_NO_THROW(part_paths(IoSettings{}, "r", "holdings", 0, uid));
    seen.insert(uid);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(PartUidTest, EveryHexDigitAppearsInEveryPosition) {
  // 200 uniform draws miss a given digit at a given position with probability
  // (15/16)^200, about 2.6e-6, so a biased or stuck generator fails here.
  std::vector<std::set<char>> digits(32);
  for (int i = 0; i < 200; ++i) {
    const std::string uid = new_part_uid();
    for (std::size_t position = 0; position < uid.size(); ++position) {
      digits[position].insert(uid[position]);
    }
  }
  for (std::size_t position = 0; position < digits.size(); ++position) {
    EXPECT_EQ(digits[position].size(), 16u) << "position " << position;
  }
}

TEST(PartPathsTest, InAFolderMatchInTheTable) {
  const std::string uid = "fedcba9876543210fedcba9876543210";
  const PartPaths in_table = part_paths(settings_at("/o"), "r", "exchange", 42, uid);
  const PartPaths in_folder = part_paths(bucket_dir(settings_at("/o"), "r", "exchange", 42), uid);
  EXPECT_EQ(in_folder.tmp, in_table.tmp);
  EXPECT_EQ(in_folder.final, in_table.final);
  EXPECT_THROW(part_paths(std::filesystem::path("/o"), "not-a-uid"), GrammarError);
}

TEST(PartFileNameTest, RoundTripsEveryUid) {
  for (int i = 0; i < 100; ++i) {
    const std::string uid = new_part_uid();
    const std::string name = part_file_name(uid);
    EXPECT_EQ(name, "part-" + uid + ".parquet");
    EXPECT_EQ(uid_of_part_file_name(name), uid);
  }
  // The names a writer leaves on disk are the ones the parser accepts.
  const PartPaths paths = part_paths(std::filesystem::path("/b"), new_part_uid());
  EXPECT_TRUE(uid_of_part_file_name(paths.final.filename().string()));
  EXPECT_FALSE(uid_of_part_file_name(paths.tmp.filename().string()));
}

TEST(PartFileNameTest, RefusesEveryMalformedName) {
  const std::string uid = "0123456789abcdef0123456789abcdef";
  for (const std::string& name : std::vector<std::string>{
           "",
           "part-" + uid,                                    // no suffix
           uid + ".parquet",                                 // no prefix
           "part-" + uid + ".parquet.tmp",                   // still being written
           "part-" + uid + ".PARQUET",                       // suffix in capitals
           "Part-" + uid + ".parquet",                       // prefix in capitals
           "part-" + uid.substr(1) + ".parquet",             // uid one digit short
           "part-" + uid + "0.parquet",                      // uid one digit long
           "part-0123456789ABCDEF0123456789abcdef.parquet",  // uppercase hex
           "part-g123456789abcdef0123456789abcdef.parquet",  // not hex
           "part-.parquet",                                  // no uid
           "x/part-" + uid + ".parquet",                     // a path, not a name
           "part-" + uid + ".parquet ",                      // trailing space
       }) {
    EXPECT_FALSE(uid_of_part_file_name(name)) << name;
  }
  expect_error<GrammarError>([] { part_file_name("0123"); },
                             {.message_has = {"is not 32 lowercase hexadecimal characters"}});
}

TEST(BucketNameTest, RoundTripsKeysAndFolderNames) {
  for (const int64_t bucket :
       {int64_t{0}, int64_t{7}, int64_t{123}, int64_t{999999}, int64_t{1000000}, kMaxTick}) {
    EXPECT_EQ(bucket_of_partition_key(partition_key(bucket)), bucket) << bucket;
    EXPECT_EQ(bucket_folder_name(bucket), "bucket=" + partition_key(bucket));
    EXPECT_EQ(bucket_of_folder_name(bucket_folder_name(bucket)), bucket) << bucket;
    EXPECT_EQ(bucket_of_folder_name(
                  bucket_dir(settings_at("/o"), "r", "holdings", bucket).filename().string()),
              bucket);
  }
}

TEST(BucketNameTest, RefusesEveryMalformedKey) {
  for (const std::string key : {"", "123", "00123", "0000123", "-00001", "+00123", "00012a",
                                " 000123", "000123 ", "0x0012", "99999999999999999999"}) {
    EXPECT_FALSE(bucket_of_partition_key(key)) << key;
    EXPECT_FALSE(bucket_of_folder_name("bucket=" + key)) << key;
  }
}

TEST(BucketNameTest, RefusesFolderNamesWithoutThePrefix) {
  for (const std::string name : {"000123", "bucket000123", "Bucket=000123", "bucket-000123",
                                 "bucket==000123", "quarantine", "bucket="}) {
    EXPECT_FALSE(bucket_of_folder_name(name)) << name;
  }
  EXPECT_THROW(bucket_folder_name(-1), IoSchemaError);
}

TEST(TemporaryFileNameTest, TellsLeftoversOfInterruptedWritesFromCommittedFiles) {
  const std::string uid(32, 'a');
  const std::string part_temp = part_paths("/t/bucket=000001", uid).tmp.filename().string();
  const std::string replacement = replacement_temp_path("/t/manifest.json").filename().string();
  EXPECT_TRUE(replacement.starts_with("manifest.json.tmp-")) << replacement;
  EXPECT_NE(replacement, replacement_temp_path("/t/manifest.json").filename().string());
  for (const std::string& name : {part_temp, replacement, std::string("table.json.tmp-1")}) {
    EXPECT_TRUE(is_temporary_file_name(name)) << name;
  }
  for (const std::string& name : {part_file_name(uid), std::string("manifest.json"),
                                  std::string("tmp.parquet"), std::string("bucket=000001")}) {
    EXPECT_FALSE(is_temporary_file_name(name)) << name;
  }
}

TEST(BucketForTickTest, DividesByTheBucketSize) {
  EXPECT_EQ(bucket_for_tick(0, 100), 0);
  EXPECT_EQ(bucket_for_tick(99, 100), 0);
  EXPECT_EQ(bucket_for_tick(100, 100), 1);
  EXPECT_EQ(bucket_for_tick(149, 50), 2);
  EXPECT_EQ(bucket_for_tick(7, 1), 7);
  // 9223372036854775807 / 100 = 92233720368547758.07
  EXPECT_EQ(bucket_for_tick(kMaxTick, 100), 92233720368547758);
  EXPECT_EQ(bucket_for_tick(kMaxTick, 1), kMaxTick);
  EXPECT_EQ(bucket_for_tick(kMaxTick, kMaxTick), 1);
  EXPECT_EQ(bucket_for_tick(kMaxTick - 1, kMaxTick), 0);
}

TEST(BucketForTickTest, NegativeTickIsASchemaError) {
  expect_error<IoSchemaError>([] { bucket_for_tick(-1, 100); },
                              {.message_has = {"tick -1 is negative"}, .column = "tick"});
  EXPECT_THROW(bucket_for_tick(std::numeric_limits<int64_t>::min(), 100), IoSchemaError);
}

TEST(BucketForTickTest, BucketSizeBelowOneIsAConfigError) {
  expect_error<IoConfigError>([] { bucket_for_tick(5, 0); },
                              {.message_has = {"invalid tick_bucket_size 0: must be at least 1"}});
  EXPECT_THROW(bucket_for_tick(5, -3), IoConfigError);
}

}  // namespace
}  // namespace crv::io
