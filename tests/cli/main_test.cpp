// End-to-end tests of what `crvio` does before and around its verbs: usage errors,
// --help and --version.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "cli/run_crvio.hpp"
#include "crv/cli/main.hpp"

namespace crv::cli {
namespace {

using testing::run_crvio;

TEST(CliUsage, BadInvocationsExitWithUsageCode) {
  EXPECT_EQ(run_crvio({}).exit_code, kExitUsage);
  EXPECT_EQ(run_crvio({"schema"}).exit_code, kExitUsage);
  EXPECT_EQ(run_crvio({"frobnicate"}).exit_code, kExitUsage);
  EXPECT_EQ(run_crvio({"tables", "--bogus"}).exit_code, kExitUsage);
}

TEST(CliUsage, VersionNamesTheLibraryAndItsVersion) {
  const auto version = run_crvio({"--version"});
  EXPECT_EQ(version.exit_code, kExitOk);
  EXPECT_NE(version.out.find("crv-io 0.1.0"), std::string::npos) << version.out;
}

TEST(CliUsage, EveryVerbHasHelpWithExamples) {
  for (const char* verb : {"tables", "schema", "append", "read", "manifest", "rebuild-manifest",
                           "bundle", "fsck", "demo"}) {
    const auto result = run_crvio({verb, "--help"});
    EXPECT_EQ(result.exit_code, kExitOk) << verb;
    EXPECT_THAT(result.out,
                ::testing::AllOf(::testing::ContainsRegex("Examples?:\n"),
                                 ::testing::HasSubstr("\n  crvio " + std::string(verb))))
        << verb;
  }
}

}  // namespace
}  // namespace crv::cli
