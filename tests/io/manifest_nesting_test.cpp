// The manifest reader descends only into the manifest's own structure, so nesting in a
// hostile manifest ends at the first value of the wrong kind, however deep it goes.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "crv/core/errors.hpp"
#include "crv/io/manifest.hpp"
#include "support/expect_error.hpp"

namespace crv::io {
namespace {

using test_support::expect_error;

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
    expect_error<IoManifestError>([&] { parse_manifest(text, "manifest.json"); },
                                  {.message_has = {problem}, .path = "manifest.json"});
  }
}

}  // namespace
}  // namespace crv::io
