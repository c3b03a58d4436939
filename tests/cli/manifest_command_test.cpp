// End-to-end tests of `crvio manifest`: the checked manifest on success, a manifest error
// naming the part when one is missing or resized.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "cli/run_fixture.hpp"
#include "crv/cli/main.hpp"
#include "crv/io/file_system.hpp"
#include "crv/io/manifest.hpp"
#include "crv/io/paths.hpp"

namespace crv::cli {
namespace {

namespace fs = std::filesystem;

using CliManifest = CliRunFixture;

TEST_F(CliManifest, ManifestPrintsTheTablesManifest) {
  append_edges(0, 150);
  const auto result = crvio({"manifest", "--table", kEdges});
  ASSERT_EQ(result.exit_code, kExitOk) << result.err;
  const io::TableManifest printed = io::parse_manifest(result.out, "<stdout>");
  EXPECT_EQ(printed, *io::load_manifest(io::default_file_system(),
                                        io::manifest_path(settings_, kRun, kEdges)));
  EXPECT_EQ(printed.partitions.size(), 2u);

  expect_one_error_line(crvio({"manifest", "--table", "edges"}), kExitGrammar, "edges");
}

TEST_F(CliManifest, ManifestNamingAMissingOrResizedPartIsAManifestError) {
  append_edges(0, 150);
  const io::TableManifest manifest =
      *io::load_manifest(io::default_file_system(), io::manifest_path(settings_, kRun, kEdges));
  const auto& [bucket, partition] = *manifest.partitions.rbegin();
  const io::PartMeta& part = partition.parts.front();
  const fs::path file = io::bucket_dir(settings_, kRun, kEdges, bucket) / part.path;

  fs::resize_file(file, 10);
  expect_one_error_line(crvio({"manifest", "--table", kEdges}), kExitManifest,
                        fmt::format("part '{}' is 10 bytes, but the manifest names it with {} "
                                    "bytes; crvio fsck --run {} lists every problem",
                                    file.string(), part.bytes, kRun));
  fs::remove(file);
  expect_one_error_line(crvio({"manifest", "--table", kEdges}), kExitManifest,
                        fmt::format("part '{}' is missing", file.string()));
}

}  // namespace
}  // namespace crv::cli
