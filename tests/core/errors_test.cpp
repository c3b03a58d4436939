// Tests of the error classes: messages, context suffixes and class names.

#include "crv/core/errors.hpp"

#include <gtest/gtest.h>

#include <string>

namespace crv {
namespace {

TEST(Errors, HierarchyAndKinds) {
  const IoSchemaError schema("bad");
  EXPECT_NE(dynamic_cast<const IoError*>(&schema), nullptr);
  EXPECT_NE(dynamic_cast<const Error*>(&schema), nullptr);
  EXPECT_NE(dynamic_cast<const std::runtime_error*>(&schema), nullptr);
  EXPECT_STREQ(schema.kind(), "IoSchemaError");
  EXPECT_STREQ(IoConfigError("x").kind(), "IoConfigError");
  EXPECT_STREQ(IoWriteError("x").kind(), "IoWriteError");
  EXPECT_STREQ(IoManifestError("x").kind(), "IoManifestError");
  EXPECT_STREQ(IoFormatError("x").kind(), "IoFormatError");
  EXPECT_STREQ(GrammarError("x").kind(), "GrammarError");
  EXPECT_STREQ(SchemaError("x").kind(), "SchemaError");
  const GrammarError grammar("x");
  EXPECT_EQ(dynamic_cast<const IoError*>(static_cast<const Error*>(&grammar)), nullptr);
}

TEST(Errors, MessageCarriesContext) {
  const IoFormatError error("truncated page header", {.path = "/d/part.parquet", .offset = 42});
  EXPECT_EQ(error.message(), "truncated page header");
  EXPECT_EQ(std::string(error.what()),
            "truncated page header (path '/d/part.parquet', byte offset 42)");
  EXPECT_EQ(error.context().offset, 42u);

  const IoSchemaError row_error("null in required column", {.column = "tick", .row = 7});
  EXPECT_EQ(std::string(row_error.what()), "null in required column (column 'tick', row 7)");
  EXPECT_EQ(std::string(IoError("plain").what()), "plain");
}

TEST(Errors, RethrowWithContextKeepsTheClassAndMessage) {
  const IoSchemaError original("null in required column", {.column = "tick", .row = 2});
  const Error& as_base = original;
  try {
    as_base.rethrow_with_context({.column = "tick", .row = 65538});
  } catch (const IoSchemaError& error) {
    EXPECT_EQ(error.message(), "null in required column");
    EXPECT_EQ(error.context().row, 65538);
    EXPECT_EQ(std::string(error.what()), "null in required column (column 'tick', row 65538)");
    return;
  } catch (...) {
  }
  ADD_FAILURE() << "rethrow_with_context did not throw an IoSchemaError";
}

}  // namespace
}  // namespace crv
