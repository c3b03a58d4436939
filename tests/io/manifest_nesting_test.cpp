// The manifest reader descends only into the manifest's own structure, so nesting in a
// hostile manifest ends at the first value of the wrong kind, however deep it goes.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "crv/core/errors.hpp"
#include "crv/io/manifest.hpp"

namespace crv::io {
namespace {

TEST(ManifestNesting, DeepNestingAnywhereIsACorruptManifest) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {deep, "must be an object"},
      {R"({"table": )" + deep + "}", "must be a string"},
      {R"({"table": "holdings", "version": 1, "created_at": "x", "updated_at": "x",
           "partitions": {"000000": )" +
           deep + "}}",
       "must be an object"},
  };
  for (const auto& [text, problem] : cases) {
    SCOPED_TRACE(problem);
    try {
      parse_manifest(text, "manifest.json");
      ADD_FAILURE() << "no error";
    } catch (const IoManifestError& error) {
      EXPECT_THAT(error.message(), ::testing::HasSubstr(problem));
      EXPECT_EQ(error.context().path, "manifest.json");
    }
  }
}

}  // namespace
}  // namespace crv::io
