// Tests of table manifests: building, JSON round trips and refusals of damaged ones.

#include "crv/io/manifest.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/io/file_system.hpp"
#include "io/fault_injecting_file_system.hpp"
#include "io/table_lock.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace crv::io {
namespace {

using test_support::expect_error;
using testing::ElementsAre;

constexpr const char* kUidA = "0123456789abcdef0123456789abcdef";
constexpr const char* kUidB = "fedcba9876543210fedcba9876543210";
constexpr const char* kUidC = "00000000000000000000000000000001";

std::string part_name(const char* uid) {
  return std::string("part-") + uid + ".parquet";
}

// Two buckets; bucket 1 has two parts whose tick ranges overlap.
TableManifest sample_manifest() {
  TableManifest manifest = new_manifest("identity_edges");
  manifest.created_at = "2025-01-01T00:00:00.000000+00:00";
  add_part(manifest, 12,
           {part_name(kUidC), 7, 900, 1200, 1206, "2025-01-01T00:00:01.000000+00:00"});
  add_part(manifest, 1, {part_name(kUidA), 30, 1024, 100, 129, "2025-01-01T00:00:00.500000+00:00"});
  add_part(manifest, 1, {part_name(kUidB), 20, 1024, 120, 149, "2025-01-01T00:00:01.000000+00:00"});
  manifest.updated_at = "2025-01-01T00:00:01.000000+00:00";
  return manifest;
}

// sample_manifest() as JSON, written out by hand.
const std::string kPartCLine =
    R"(        {"path": "part-00000000000000000000000000000001.parquet", "rows": 7, "bytes": 900, "tick_min": 1200, "tick_max": 1206, "created_at": "2025-01-01T00:00:01.000000+00:00"})";

const std::string kSampleJson = R"({
  "table": "identity_edges",
  "version": 1,
  "created_at": "2025-01-01T00:00:00.000000+00:00",
  "updated_at": "2025-01-01T00:00:01.000000+00:00",
  "partitions": {
    "000001": {
      "bucket_id": 1, "state": "ready", "tick_min": 100, "tick_max": 149, "row_count": 50, "byte_size": 2048,
      "parts": [
        {"path": "part-0123456789abcdef0123456789abcdef.parquet", "rows": 30, "bytes": 1024, "tick_min": 100, "tick_max": 129, "created_at": "2025-01-01T00:00:00.500000+00:00"},
        {"path": "part-fedcba9876543210fedcba9876543210.parquet", "rows": 20, "bytes": 1024, "tick_min": 120, "tick_max": 149, "created_at": "2025-01-01T00:00:01.000000+00:00"}
      ]
    },
    "000012": {
      "bucket_id": 12, "state": "ready", "tick_min": 1200, "tick_max": 1206, "row_count": 7, "byte_size": 900,
      "parts": [
)" + kPartCLine + R"(
      ]
    }
  }
}
)";

TEST(ManifestJson, MatchesTheHandWrittenText) {
  EXPECT_EQ(to_json_bytes(sample_manifest()), kSampleJson);
}

TEST(ManifestJson, AnEmptyManifestHasAnEmptyPartitionsObject) {
  TableManifest manifest = new_manifest("holdings");
  manifest.created_at = manifest.updated_at = "2025-01-01T00:00:00.000000+00:00";
  EXPECT_EQ(to_json_bytes(manifest), R"({
  "table": "holdings",
  "version": 1,
  "created_at": "2025-01-01T00:00:00.000000+00:00",
  "updated_at": "2025-01-01T00:00:00.000000+00:00",
  "partitions": {}
}
)");
  EXPECT_EQ(parse_manifest(to_json_bytes(manifest), "m.json"), manifest);
}

TEST(ManifestJson, RoundTrips) {
  const TableManifest manifest = sample_manifest();
  EXPECT_EQ(parse_manifest(to_json_bytes(manifest), "m.json"), manifest);
}

TEST(ManifestJson, KeysAreSixDigitBucketsInNumericOrder) {
  TableManifest manifest = new_manifest("exchange");
  // Inserted out of order; 1000000 sorts before 999999 as text but not as a number.
  for (const int64_t bucket : {1'000'000, 123, 0, 999'999}) {
    add_part(manifest, bucket,
             {part_name(kUidA), 1, 10, bucket * 100, bucket * 100, now_iso_utc()});
  }
  const std::string json = to_json_bytes(manifest);
  const std::vector<std::string> keys = {"\"000000\": {", "\"000123\": {", "\"999999\": {",
                                         "\"1000000\": {"};
  std::size_t previous = 0;
  for (const std::string& key : keys) {
    const std::size_t at = json.find(key);
    ASSERT_NE(at, std::string::npos) << key;
    EXPECT_GT(at, previous) << key;
    previous = at;
  }
  EXPECT_EQ(parse_manifest(json, "m.json"), manifest);
}

TEST(ManifestJson, ReadsOtherFormattingKeyOrdersAndEscapes) {
  // Compact, keys shuffled, a partition key and a timestamp spelled with \u escapes, and
  // a created_at without fraction as Python's isoformat() writes at a whole second.
  const std::string json =
      "{\"partitions\":{\"\\u003000012\":{\"parts\":[{\"tick_max\":1206,\"created_at\":"
      "\"2025-01-01T00:00:01\\u002e000000+00:00\",\"tick_min\":1200,\"rows\":7,\"path\":"
      "\"part-00000000000000000000000000000001.parquet\",\"bytes\":900}],\"byte_size\":900,"
      "\"row_count\":7,\"tick_max\":1206,\"tick_min\":1200,\"state\":\"ready\",\"bucket_id\":12}"
      "},\"version\":1,\"updated_at\":\"2025-01-01T00:00:01Z\",\"table\":\"identity_edges\","
      "\"created_at\":\"2025-01-01T00:00:00+00:00\"}";
  const TableManifest manifest = parse_manifest(json, "m.json");
  EXPECT_EQ(manifest.table, "identity_edges");
  EXPECT_EQ(manifest.created_at, "2025-01-01T00:00:00+00:00");
  EXPECT_EQ(manifest.updated_at, "2025-01-01T00:00:01Z");
  ASSERT_EQ(manifest.partitions.size(), 1u);
  const PartitionMeta& partition = manifest.partitions.at(12);
  EXPECT_EQ(partition.bucket_id, 12);
  ASSERT_EQ(partition.parts.size(), 1u);
  EXPECT_EQ(partition.parts[0],
            (PartMeta{part_name(kUidC), 7, 900, 1200, 1206, "2025-01-01T00:00:01.000000+00:00"}));
}

TEST(ManifestJson, ManyPartsRoundTrip) {
  TableManifest manifest = new_manifest("messages");
  for (int64_t i = 0; i < 3000; ++i) {
    const int64_t bucket = i % 700;
    add_part(manifest, bucket,
             {fmt::format("part-{:032x}.parquet", i), i, 1000 + i, bucket * 100 + i % 50,
              bucket * 100 + 50 + i % 37, now_iso_utc()});
  }
  EXPECT_EQ(parse_manifest(to_json_bytes(manifest), "m.json"), manifest);
}

TEST(ManifestModel, AddPartMaintainsTheAggregates) {
  TableManifest manifest = new_manifest("holdings");
  const std::string created_at = manifest.created_at;
  add_part(manifest, 5, {part_name(kUidA), 10, 400, 520, 530, now_iso_utc()});
  add_part(manifest, 6, {part_name(kUidA), 1, 50, 600, 600, now_iso_utc()});
  add_part(manifest, 5, {part_name(kUidB), 25, 900, 505, 525, now_iso_utc()});
  add_part(manifest, 5, {part_name(kUidC), 3, 100, 510, 599, now_iso_utc()});

  const PartitionMeta& five = manifest.partitions.at(5);
  EXPECT_EQ(five.bucket_id, 5);
  EXPECT_EQ(five.state, "ready");
  EXPECT_EQ(five.row_count, 38);    // 10 + 25 + 3
  EXPECT_EQ(five.byte_size, 1400);  // 400 + 900 + 100
  EXPECT_EQ(five.tick_min, 505);
  EXPECT_EQ(five.tick_max, 599);
  ASSERT_EQ(five.parts.size(), 3u);
  EXPECT_EQ(five.parts[1].path, part_name(kUidB)) << "parts stay in commit order";

  const PartitionMeta& six = manifest.partitions.at(6);
  EXPECT_EQ(six.row_count, 1);
  EXPECT_EQ(six.byte_size, 50);
  EXPECT_EQ(six.tick_min, 600);
  EXPECT_EQ(six.tick_max, 600);

  EXPECT_EQ(manifest.created_at, created_at);
  EXPECT_GE(manifest.updated_at, created_at);
  EXPECT_NO_THROW(validate_manifest(manifest, "m.json"));
}

TEST(ManifestModel, NewManifestChecksTheTableName) {
  const TableManifest manifest = new_manifest("oracle_calls");
  EXPECT_EQ(manifest.version, 1);
  EXPECT_TRUE(manifest.partitions.empty());
  EXPECT_EQ(manifest.created_at, manifest.updated_at);
  EXPECT_THROW(new_manifest("Oracle-Calls"), GrammarError);
  EXPECT_THROW(new_manifest(""), GrammarError);
}

TEST(ManifestModel, NowIsUtcWithMicroseconds) {
  const std::time_t before = std::time(nullptr);
  const std::string now = now_iso_utc();
  const std::time_t after = std::time(nullptr);
  // Every '9' of the shape stands for a digit.
  const std::string_view shape = "9999-99-99T99:99:99.999999+00:00";
  ASSERT_EQ(now.size(), shape.size()) << now;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == '9') {
      EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(now[i]))) << now;
    } else {
      EXPECT_EQ(now[i], shape[i]) << now;
    }
  }
  std::tm parsed{};
  ASSERT_NE(::strptime(now.c_str(), "%Y-%m-%dT%H:%M:%S", &parsed), nullptr);
  const std::time_t seconds = ::timegm(&parsed);
  EXPECT_GE(seconds, before);
  EXPECT_LE(seconds, after);
}

// ---------------------------------------------------------------------------------
// Corrupt manifests.

struct Corruption {
  std::string name;
  std::string json;
  std::string expected_in_message;
};

// kSampleJson with the one occurrence of `from` replaced by `to`.
std::string sample_with(const std::string& from, const std::string& to) {
  const std::size_t at = kSampleJson.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(kSampleJson.find(from, at + 1), std::string::npos) << from << " is not unique";
  std::string json = kSampleJson;
  return json.replace(at, from.size(), to);
}

std::vector<Corruption> corruptions() {
  const std::string path_a = R"("path": "part-0123456789abcdef0123456789abcdef.parquet")";
  const std::string part_a = "parts[0].path' is ";
  return {
      {"empty", "", "manifest is empty"},
      {"whitespace only", " \n", "manifest is empty"},
      {"truncated", kSampleJson.substr(0, kSampleJson.size() / 2), "truncated"},
      {"truncated in a string", kSampleJson.substr(0, kSampleJson.find("identity_edges") + 3),
       "truncated"},
      {"not an object", "[1, 2]", "manifest must be an object, found an array"},
      {"missing comma", sample_with("\"version\": 1,", "\"version\": 1"), "expected ',' or '}'"},
      {"trailing content", kSampleJson + "{}", "the end of the file"},
      {"table not a string", sample_with(R"("table": "identity_edges")", R"("table": 7)"),
       "'table' must be a string, found a number"},
      {"table not lower_snake", sample_with(R"("table": "identity_edges")", R"("table": "Edges")"),
       "'table' is \"Edges\""},
      {"version as text", sample_with(R"("version": 1)", R"("version": "1")"),
       "'version' must be an integer, found a string"},
      {"unknown version", sample_with(R"("version": 1)", R"("version": 2)"), "'version' is 2"},
      {"partitions not an object", sample_with(R"("partitions": {)", R"("partitions": [)"),
       "'partitions' must be an object, found an array"},
      {"missing top-level key",
       sample_with(R"(  "updated_at": "2025-01-01T00:00:01.000000+00:00",)"
                   "\n",
                   ""),
       "lacks the key \"updated_at\""},
      {"bad timestamp",
       sample_with(R"("updated_at": "2025-01-01T00:00:01.000000+00:00")",
                   R"("updated_at": "yesterday")"),
       "'updated_at' is \"yesterday\""},
      {"timestamp not in UTC",
       sample_with(R"("created_at": "2025-01-01T00:00:00.000000+00:00")",
                   R"("created_at": "2025-01-01T02:00:00.000000+02:00")"),
       "'created_at' is"},
      {"impossible month",
       sample_with(R"("created_at": "2025-01-01T00:00:00.000000+00:00")",
                   R"("created_at": "2025-13-01T00:00:00.000000+00:00")"),
       "'created_at' is"},
      {"key does not match bucket_id", sample_with(R"("bucket_id": 12)", R"("bucket_id": 13)"),
       "'partitions.000012.bucket_id' is 13"},
      {"unpadded key", sample_with(R"("000012": {)", R"("12": {)"), "partition key \"12\""},
      {"over-padded key", sample_with(R"("000012": {)", R"("0000012": {)"),
       "partition key \"0000012\""},
      {"negative key", sample_with(R"("000012": {)", R"("-00012": {)"), "partition key \"-00012\""},
      {"duplicate partition", sample_with(R"("000012": {)", R"("000001": {)"),
       "has the partition \"000001\" twice"},
      {"row_count off", sample_with(R"("row_count": 50)", R"("row_count": 51)"),
       "'partitions.000001.row_count' is 51, but its parts hold 50 rows"},
      {"byte_size off", sample_with(R"("byte_size": 900)", R"("byte_size": 899)"),
       "'partitions.000012.byte_size' is 899, but its parts hold 900 bytes"},
      {"tick_min off",
       sample_with(R"("tick_min": 100, "tick_max": 149)", R"("tick_min": 101, "tick_max": 149)"),
       "'partitions.000001.tick_min' is 101, but the smallest tick of its parts is 100"},
      {"tick_max off",
       sample_with(R"("tick_min": 100, "tick_max": 149)", R"("tick_min": 100, "tick_max": 150)"),
       "'partitions.000001.tick_max' is 150, but the largest tick of its parts is 149"},
      {"state not ready",
       sample_with(R"("bucket_id": 1, "state": "ready")", R"("bucket_id": 1, "state": "pending")"),
       "'partitions.000001.state' is \"pending\""},
      {"partition without parts", sample_with("[\n" + kPartCLine + "\n      ]", "[]"),
       "'partitions.000012.parts' is empty"},
      {"parts not an array", sample_with("[\n" + kPartCLine + "\n      ]", "{}"),
       "'partitions.000012.parts' must be an array, found an object"},
      {"missing partition key", sample_with(R"("row_count": 7, )", ""),
       "'partitions.000012' lacks the key \"row_count\""},
      {"unknown partition key",
       sample_with(R"("state": "ready", "tick_min": 1200)",
                   R"("state": "ready", "color": 1, "tick_min": 1200)"),
       "'partitions.000012' has an unknown key \"color\""},
      {"path with a folder",
       sample_with(path_a, R"("path": "x/part-0123456789abcdef0123456789abcdef.parquet")"), part_a},
      {"path escaping the bucket",
       sample_with(path_a, R"("path": "../part-0123456789abcdef0123456789abcde.parquet")"), part_a},
      {"path with uppercase hex",
       sample_with(path_a, R"("path": "part-0123456789ABCDEF0123456789abcdef.parquet")"), part_a},
      {"temporary part",
       sample_with(path_a, R"("path": "part-0123456789abcdef0123456789abcdef.parquet.tmp")"),
       part_a},
      {"short uid", sample_with(path_a, R"("path": "part-0123456789abcdef.parquet")"), part_a},
      {"same part twice",
       sample_with(R"("path": "part-fedcba9876543210fedcba9876543210.parquet")", path_a),
       "names part \"part-0123456789abcdef0123456789abcdef.parquet\" twice"},
      {"negative rows", sample_with(R"("rows": 30)", R"("rows": -30)"),
       "'partitions.000001.parts[0].rows' is -30; it must not be negative"},
      {"negative bytes", sample_with(R"("rows": 20, "bytes": 1024)", R"("rows": 20, "bytes": -1)"),
       "'partitions.000001.parts[1].bytes' is -1; it must not be negative"},
      {"negative tick",
       sample_with(R"("rows": 7, "bytes": 900, "tick_min": 1200)",
                   R"("rows": 7, "bytes": 900, "tick_min": -1)"),
       "'partitions.000012.parts[0].tick_min' is -1"},
      {"ticks reversed",
       sample_with(R"("tick_min": 120, "tick_max": 149)", R"("tick_min": 150, "tick_max": 149)"),
       "'partitions.000001.parts[1].tick_max' is 149, below the part's tick_min 150"},
      {"fractional rows", sample_with(R"("rows": 30)", R"("rows": 30.0)"),
       "'partitions.000001.parts[0].rows' must be an integer, found 30.0"},
      {"rows with exponent", sample_with(R"("rows": 30)", R"("rows": 3e1)"),
       "must be an integer, found 3e1"},
      {"null rows", sample_with(R"("rows": 30)", R"("rows": null)"),
       "'partitions.000001.parts[0].rows' must be an integer, found null"},
      {"boolean rows", sample_with(R"("rows": 30)", R"("rows": true)"), "found a boolean"},
      {"huge rows", sample_with(R"("rows": 30)", R"("rows": 99999999999999999999)"),
       "does not fit a 64-bit integer"},
      {"leading zero", sample_with(R"("rows": 30)", R"("rows": 030)"), "leading zeros"},
      {"duplicate part key", sample_with(R"("rows": 7,)", R"("rows": 7, "rows": 7,)"),
       "'partitions.000012.parts[0]' has the key \"rows\" twice"},
      {"bad escape", sample_with(R"("table": "identity_edges")", R"("table": "ident\qity")"),
       "after '\\'"},
      {"lone surrogate", sample_with(R"("table": "identity_edges")", R"("table": "\udc00")"),
       "surrogate"},
      {"raw newline in a string",
       sample_with(R"("table": "identity_edges")", "\"table\": \"identity\nedges\""),
       "control character"},
      {"bare word", sample_with(R"("rows": 30)", R"("rows": thirty)"), "expected a value"},
  };
}

TEST(ManifestCorruption, EveryKindIsRejectedNamingThePathAndTheProblem) {
  const std::filesystem::path path = "/runs/r/tables/identity_edges/manifest.json";
  for (const Corruption& corruption : corruptions()) {
    SCOPED_TRACE(corruption.name);
    expect_error<IoManifestError>(
        [&] { parse_manifest(corruption.json, path); },
        {.message_has = {corruption.expected_in_message}, .path = path.string()});
  }
}

TEST(ManifestCorruption, SyntaxErrorsCarryTheByteOffset) {
  const std::string json = sample_with("\"version\": 1,", "\"version\": 1");
  // The reader stops at the key that should have been preceded by a comma.
  expect_error<IoManifestError>([&] { parse_manifest(json, "m.json"); },
                                {.offset = json.find("\"created_at\"")});
}

TEST(ManifestCorruption, AnInvalidModelIsNeverWritten) {
  test_support::TempDir dir;
  FaultInjectingFileSystem fs;
  const auto path = dir / "manifest.json";
  write_manifest(fs, path, sample_manifest());
  TableManifest broken = sample_manifest();
  broken.partitions.at(1).row_count += 1;
  expect_error<IoManifestError>(
      [&] { write_manifest(fs, path, broken); },
      {.message_has = {"refusing to write an invalid manifest", "partitions.000001.row_count"}});
  EXPECT_EQ(fs.calls(FsOperation::kOpenForWrite), 1) << "only the first, valid write";
  EXPECT_EQ(default_file_system().read_file(path), kSampleJson);

  TableManifest mismatched = sample_manifest();
  mismatched.partitions.at(12).bucket_id = 13;
  EXPECT_THROW(write_manifest(fs, path, mismatched), IoManifestError);
  TableManifest negative = sample_manifest();
  add_part(negative, -1, {part_name(kUidA), 1, 1, 0, 0, now_iso_utc()});
  EXPECT_THROW(write_manifest(fs, path, negative), IoManifestError);
  EXPECT_EQ(default_file_system().read_file(path), kSampleJson);
}

// ---------------------------------------------------------------------------------
// Loading and writing through the file system.

class ManifestFiles : public testing::Test {
 protected:
  test_support::TempDir dir;
  std::filesystem::path path = dir / "manifest.json";
  FileSystem& real = default_file_system();
};

TEST_F(ManifestFiles, LoadingAMissingManifestGivesNothing) {
  EXPECT_FALSE(load_manifest(real, path).has_value());
}

TEST_F(ManifestFiles, WritesAndLoadsBackLeavingNoTemporaryFile) {
  const TableManifest manifest = sample_manifest();
  write_manifest(real, path, manifest);
  EXPECT_EQ(real.read_file(path), kSampleJson);
  EXPECT_EQ(load_manifest(real, path), manifest);
  EXPECT_THAT(real.list_directory(dir.path()), ElementsAre("manifest.json"));

  TableManifest extended = manifest;
  add_part(extended, 2, {part_name(kUidB), 5, 64, 200, 204, now_iso_utc()});
  write_manifest(real, path, extended);
  EXPECT_EQ(load_manifest(real, path), extended);
  EXPECT_THAT(real.list_directory(dir.path()), ElementsAre("manifest.json"));
}

TEST_F(ManifestFiles, WritingSyncsTheFileBeforeTheRenameAndTheFolderAfter) {
  FaultInjectingFileSystem fs;
  write_manifest(fs, path, sample_manifest());
  EXPECT_EQ(fs.calls(FsOperation::kSync, (dir / "manifest.json.tmp-*").string()), 1);
  EXPECT_EQ(fs.calls(FsOperation::kRename, (dir / "manifest.json.tmp-*").string()), 1);
  EXPECT_EQ(fs.calls(FsOperation::kSyncDirectory, dir.path().string()), 1);
}

TEST_F(ManifestFiles, ACorruptOrUnreadableManifestIsAManifestError) {
  real.write_file(path, kSampleJson.substr(0, 100));
  expect_error<IoManifestError>([&] { load_manifest(real, path); }, {.path = path.string()});

  real.remove_file(path);
  real.create_directories(path);  // a folder where the file should be
  EXPECT_THROW(load_manifest(real, path), IoManifestError);
}

TEST_F(ManifestFiles, AFailedReadIsAManifestErrorWithTheCause) {
  write_manifest(real, path, sample_manifest());
  FaultInjectingFileSystem fs;
  fs.fail(FsOperation::kRead, 1, EIO);
  expect_error<IoManifestError>([&] { load_manifest(fs, path); },
                                {.message_has = {std::strerror(EIO)}, .path = path.string()});
}

TEST_F(ManifestFiles, AFailureAtAnyStepKeepsTheOldManifestAndLeavesNoTemporaryFile) {
  write_manifest(real, path, sample_manifest());
  TableManifest extended = sample_manifest();
  add_part(extended, 2, {part_name(kUidB), 5, 64, 200, 204, now_iso_utc()});

  for (const FsOperation step : {FsOperation::kOpenForWrite, FsOperation::kWrite,
                                 FsOperation::kSync, FsOperation::kClose, FsOperation::kRename}) {
    SCOPED_TRACE(std::string(to_string(step)));
    FaultInjectingFileSystem fs;
    fs.fail(step, 1, ENOSPC);
    expect_error<IoManifestError>([&] { write_manifest(fs, path, extended); },
                                  {.message_has = {std::strerror(ENOSPC)}, .path = path.string()});
    EXPECT_EQ(real.read_file(path), kSampleJson);
    EXPECT_THAT(real.list_directory(dir.path()), ElementsAre("manifest.json"));
  }
}

TEST_F(ManifestFiles, AFailedFirstWriteLeavesNothingAtAll) {
  FaultInjectingFileSystem fs;
  fs.fail(FsOperation::kSync, 1, EIO);
  EXPECT_THROW(write_manifest(fs, path, sample_manifest()), IoManifestError);
  EXPECT_TRUE(real.list_directory(dir.path()).empty());
}

TEST_F(ManifestFiles, AFailedFolderSyncIsReportedAfterTheReplacement) {
  write_manifest(real, path, new_manifest("identity_edges"));
  FaultInjectingFileSystem fs;
  fs.fail(FsOperation::kSyncDirectory, 1, EIO);
  expect_error<IoManifestError>(
      [&] { write_manifest(fs, path, sample_manifest()); },
      {.message_has = {"replaced", std::strerror(EIO)}, .path = path.string()});
  EXPECT_EQ(real.read_file(path), kSampleJson);
  EXPECT_THAT(real.list_directory(dir.path()), ElementsAre("manifest.json"));
}

TEST_F(ManifestFiles, ATemporaryFileThatCannotBeRemovedIsMentioned) {
  FaultInjectingFileSystem fs;
  fs.fail(FsOperation::kWrite, 1, ENOSPC);
  fs.fail(FsOperation::kRemove, 1, EACCES);
  expect_error<IoManifestError>(
      [&] { write_manifest(fs, path, sample_manifest()); },
      {.message_has = {std::strerror(ENOSPC), "could not be removed", std::strerror(EACCES)}});
}

// ---------------------------------------------------------------------------------
// The table lock.

// Whether an unrelated open file description can take the lock right now.
bool lock_is_free(const std::filesystem::path& lock_file) {
  const int fd = ::open(lock_file.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  const bool free = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
  ::close(fd);
  return free;
}

TEST(TableLockTest, CreatesTheTableFolderAndHoldsTheLockUntilDestroyed) {
  test_support::TempDir dir;
  FaultInjectingFileSystem fs;
  const auto table_dir = dir / "runs/r1/tables/exchange";
  {
    const TableLock lock(fs, table_dir);
    EXPECT_EQ(lock.lock_path(), table_dir / ".lock");
    EXPECT_TRUE(fs.exists(lock.lock_path()));
    EXPECT_FALSE(lock_is_free(lock.lock_path()));
  }
  EXPECT_TRUE(lock_is_free(table_dir / ".lock"));
  EXPECT_EQ(fs.calls(FsOperation::kLock, "*/exchange/.lock"), 1);
}

TEST(TableLockTest, FailuresAreWriteErrors) {
  test_support::TempDir dir;
  FaultInjectingFileSystem fs;
  fs.fail(FsOperation::kLock, 1, ENOLCK);
  expect_error<IoWriteError>(
      [&] { const TableLock lock(fs, dir / "t"); },
      {.message_has = {std::strerror(ENOLCK)}, .path = (dir / "t/.lock").string()});
}

}  // namespace
}  // namespace crv::io
