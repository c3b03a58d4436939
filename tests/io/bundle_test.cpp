// The run bundle: its exact shape, table statistics taken from the manifests alone, the
// git state from the environment, and meta.

#include "crv/io/bundle.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/paths.hpp"
#include "crv/version.hpp"
#include "io/dataset_test_util.hpp"
#include "io/fault_injecting_file_system.hpp"
#include "support/expect_error.hpp"
#include "support/scoped_environment.hpp"
#include "support/temp_dir.hpp"

namespace crv::io {
namespace {

using namespace dataset_test;
using test_support::expect_error;
using test_support::ScopedEnvironment;
using ordered_json = nlohmann::ordered_json;
using testing::ElementsAre;

class BundleTest : public testing::Test {
 protected:
  ordered_json write_and_parse(const nlohmann::json& meta = {}) {
    const std::filesystem::path path = write_run_bundle_manifest(settings, kRunId, meta, fs);
    EXPECT_EQ(path, bundle_manifest_path(settings, kRunId));
    return ordered_json::parse(read_bytes(path));
  }

  test_support::TempDir scratch;
  IoSettings settings = test_settings(scratch / "out");
  FaultInjectingFileSystem fs;
  ScopedEnvironment sha{"CRV_GIT_SHA", nullptr};
  ScopedEnvironment dirty{"CRV_GIT_DIRTY", nullptr};
};

std::vector<std::string> keys_of(const ordered_json& object) {
  std::vector<std::string> keys;
  for (const auto& item : object.items()) keys.push_back(item.key());
  return keys;
}

TEST_F(BundleTest, HasExactlyTheSpecifiedShape) {
  const ordered_json bundle = write_and_parse();

  EXPECT_THAT(keys_of(bundle),
              ElementsAre("schema_version", "run", "env", "io", "tables", "artifacts", "meta"));
  EXPECT_EQ(bundle["schema_version"], 1);
  EXPECT_THAT(keys_of(bundle["run"]), ElementsAre("run_id", "created_at", "core_schema_v", "git"));
  EXPECT_EQ(bundle["run"]["run_id"], kRunId);
  EXPECT_EQ(bundle["run"]["core_schema_v"], ordered_json::parse(R"({"major": 0, "minor": 1,
                                                                    "date": "2025-09-20"})"));
  EXPECT_EQ(bundle["run"]["git"], ordered_json::parse(R"({"sha": null, "dirty": false})"));
  EXPECT_THAT(keys_of(bundle["env"]),
              ElementsAre("crv_io", "compiler", "cxx_standard", "zstd", "lz4", "snappy", "zlib",
                          "fmt", "nlohmann_json", "tomlplusplus"));
  for (const auto& [name, version] : bundle["env"].items()) {
    ASSERT_TRUE(version.is_string()) << name;
    EXPECT_FALSE(version.get<std::string>().empty()) << name;
  }
  EXPECT_EQ(bundle["env"]["crv_io"], kLibraryVersion);
  EXPECT_EQ(bundle["io"], ordered_json::parse(fmt::format(
                              R"({{"root_dir": {}, "partitioning": "tick_buckets",
                                  "tick_bucket_size": 100, "row_group_size": 131072,
                                  "compression": "none"}})",
                              ordered_json(settings.root_dir.string()).dump())));
  EXPECT_EQ(bundle["tables"], ordered_json::object());
  EXPECT_EQ(bundle["artifacts"],
            ordered_json::parse(R"({"lab": {"tidy": [], "probes": [], "policy": [], "audit": []},
                                    "world": {}, "mind": {}})"));
  EXPECT_EQ(bundle["meta"], ordered_json::object());
}

TEST_F(BundleTest, TableStatisticsAreTheSumsOverTheManifestsWithoutReadingParts) {
  settings.tick_bucket_size = 50;
  Dataset dataset(settings, std::string(kRunId), fs);
  dataset.append(kEdges, edge_rows(tick_range(20, 130)));
  dataset.append(kEdges, edge_rows(tick_range(5, 10)));
  dataset.append("holdings", frame::Frame({{"tick", frame::make_int64({300, 301})},
                                           {"agent_id", frame::make_utf8({"a", "b"})},
                                           {"token_id", frame::make_utf8({"t", "t"})},
                                           {"quantity", frame::make_int64({1, 2})}}));
  // A table folder without a manifest is not a table of the run yet.
  std::filesystem::create_directories(table_dir(settings, kRunId, "messages") / "bucket=000000");
  const int part_opens = fs.calls(FsOperation::kOpenForRead, "*part-*");

  const ordered_json tables = write_and_parse()["tables"];

  EXPECT_EQ(fs.calls(FsOperation::kOpenForRead, "*part-*"), part_opens);
  EXPECT_THAT(keys_of(tables), ElementsAre("holdings", "identity_edges"));
  for (const std::string table : {"holdings", "identity_edges"}) {
    SCOPED_TRACE(table);
    const TableManifest manifest = *load_from_disk(manifest_path(settings, kRunId, table));
    int64_t rows = 0;
    int64_t bytes = 0;
    std::vector<int64_t> buckets;
    for (const auto& [bucket, partition] : manifest.partitions) {
      for (const PartMeta& part : partition.parts) {
        rows += part.rows;
        bytes += part.bytes;
      }
      buckets.push_back(bucket);
    }
    const ordered_json& stats = tables[table];
    EXPECT_THAT(keys_of(stats), ElementsAre("rows", "bytes", "total_rows", "total_bytes",
                                            "tick_min", "tick_max", "buckets"));
    EXPECT_EQ(stats["rows"], rows);
    EXPECT_EQ(stats["total_rows"], rows);
    EXPECT_EQ(stats["bytes"], bytes);
    EXPECT_EQ(stats["total_bytes"], bytes);
    EXPECT_EQ(stats["buckets"], ordered_json(buckets));
  }
  EXPECT_EQ(tables["identity_edges"]["rows"], 140);
  EXPECT_EQ(tables["identity_edges"]["tick_min"], 5);
  EXPECT_EQ(tables["identity_edges"]["tick_max"], 149);
  EXPECT_EQ(tables["identity_edges"]["buckets"], ordered_json::parse("[0, 1, 2]"));
  EXPECT_EQ(tables["holdings"]["tick_min"], 300);
}

TEST_F(BundleTest, GitStateComesFromTheEnvironment) {
  ScopedEnvironment set_sha("CRV_GIT_SHA", "0123abcd");
  ScopedEnvironment set_dirty("CRV_GIT_DIRTY", "Yes");
  EXPECT_EQ(write_and_parse()["run"]["git"],
            ordered_json::parse(R"({"sha": "0123abcd", "dirty": true})"));

  ScopedEnvironment bad_dirty("CRV_GIT_DIRTY", "maybe");
  const auto error =
      expect_error<IoConfigError>([&] { write_run_bundle_manifest(settings, kRunId, {}, fs); });
  ASSERT_TRUE(error);
  EXPECT_THAT(error->message(), testing::HasSubstr("CRV_GIT_DIRTY"));
}

TEST_F(BundleTest, MetaIsKeptAndMustBeAnObject) {
  const nlohmann::json meta = {{"seed", 42}, {"note", "baseline"}};
  EXPECT_EQ(write_and_parse(meta)["meta"], ordered_json(meta));
  EXPECT_TRUE(expect_error<IoManifestError>(
      [&] { write_run_bundle_manifest(settings, kRunId, nlohmann::json::array({1}), fs); }));
}

TEST_F(BundleTest, IsWrittenAtomicallyAndReplacesThePreviousOne) {
  write_and_parse({{"attempt", 1}});
  const ordered_json second = write_and_parse({{"attempt", 2}});
  EXPECT_EQ(second["meta"]["attempt"], 2);
  EXPECT_GE(fs.calls(FsOperation::kRename, "*bundle.manifest.json.tmp-*"), 2);
  for (const auto& file : files_under(run_root(settings, kRunId))) {
    EXPECT_EQ(file.filename(), "bundle.manifest.json");
  }
}

TEST_F(BundleTest, ACorruptTableManifestIsReported) {
  std::filesystem::create_directories(edges_dir(settings));
  std::ofstream(edges_manifest(settings)) << "{";
  EXPECT_TRUE(
      expect_error<IoManifestError>([&] { write_run_bundle_manifest(settings, kRunId, {}, fs); }));
}

}  // namespace
}  // namespace crv::io
