// Tests of the test helpers themselves: expect_error reports every kind of mismatch, and
// TempDir makes and removes its folder.
#include "support/expect_error.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "crv/core/errors.hpp"
#include "support/temp_dir.hpp"

namespace crv::test_support {
namespace {

using ::testing::HasSubstr;

void throw_format_error() {
  throw IoFormatError("truncated page header",
                      {.path = "part.parquet", .column = "tick", .row = 7, .offset = 4096});
}

TEST(ExpectError, AMatchingErrorPassesAndIsReturned) {
  const auto error =
      expect_error<IoFormatError>(throw_format_error, {.message_has = {"truncated", "page header"},
                                                       .path = "part.parquet",
                                                       .column = "tick",
                                                       .row = 7,
                                                       .offset = 4096});
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message(), "truncated page header");
  EXPECT_TRUE(
      expect_error<IoFormatError>(throw_format_error, {.message = "truncated page header"}));
}

TEST(ExpectError, AnotherClassIsReportedWithWhatWasThrown) {
  EXPECT_NONFATAL_FAILURE(expect_error<IoSchemaError>(throw_format_error),
                          "IoFormatError was thrown: truncated page header");
  EXPECT_NONFATAL_FAILURE(expect_error<IoSchemaError>(throw_format_error),
                          "expected the class IoSchemaError");
}

TEST(ExpectError, TheBaseClassDoesNotStandForASubclass) {
  EXPECT_NONFATAL_FAILURE(expect_error<IoError>(throw_format_error), "expected the class IoError");
}

TEST(ExpectError, AMessageWithoutAFragmentIsReported) {
  EXPECT_NONFATAL_FAILURE(
      expect_error<IoFormatError>(throw_format_error, {.message_has = {"truncated", "footer"}}),
      "expected the message to contain \"footer\"");
  EXPECT_NONFATAL_FAILURE(
      expect_error<IoFormatError>(throw_format_error, {.message = "truncated page"}),
      "expected the message \"truncated page\"");
}

TEST(ExpectError, EachContextFieldIsCompared) {
  EXPECT_NONFATAL_FAILURE(expect_error<IoFormatError>(throw_format_error, {.path = "other"}),
                          "expected the path 'other', got 'part.parquet'");
  EXPECT_NONFATAL_FAILURE(expect_error<IoFormatError>(throw_format_error, {.column = "bucket"}),
                          "expected the column 'bucket', got 'tick'");
  EXPECT_NONFATAL_FAILURE(expect_error<IoFormatError>(throw_format_error, {.row = 8}),
                          "expected the row 8, got 7");
  EXPECT_NONFATAL_FAILURE(expect_error<IoFormatError>(throw_format_error, {.offset = 4095}),
                          "expected the byte offset 4095, got 4096");
  EXPECT_NONFATAL_FAILURE(
      expect_error<IoFormatError>([] { throw IoFormatError("no context"); }, {.row = 0}),
      "expected the row 0, got none");
}

TEST(ExpectError, NothingThrownIsReported) {
  EXPECT_NONFATAL_FAILURE(expect_error<IoFormatError>([] {}),
                          "expected IoFormatError, but nothing was thrown");
}

TEST(ExpectError, AnExceptionOutsideTheHierarchyIsReportedByType) {
  EXPECT_NONFATAL_FAILURE(
      expect_error<IoFormatError>([] { throw std::out_of_range("index 9"); }),
      "std::out_of_range was thrown: index 9\n  expected the class IoFormatError");
  EXPECT_NONFATAL_FAILURE(expect_error<IoFormatError>([] { throw 42; }),
                          "something not derived from std::exception");
}

TEST(ExpectError, AStandardExceptionIsCheckedByItsWhat) {
  const auto error = expect_error<std::invalid_argument>(
      [] { throw std::invalid_argument("value 9 at position 2"); },
      {.message_has = {"position 2"}});
  ASSERT_TRUE(error.has_value());
  EXPECT_STREQ(error->what(), "value 9 at position 2");
  EXPECT_NONFATAL_FAILURE(expect_error<std::invalid_argument>(
                              [] { throw std::invalid_argument("value 9"); }, {.row = 0}),
                          "expected the row 0, got none");
  EXPECT_NONFATAL_FAILURE(
      expect_error<std::logic_error>([] { throw std::invalid_argument("value 9"); }),
      "expected the class std::logic_error");
}

TEST(ExpectError, AFailureIsReportedAtTheCallersLine) {
  ::testing::TestPartResultArray results;
  {
    const ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    expect_error<IoFormatError>([] {});
  }
  const int call_line = __LINE__ - 2;
  ASSERT_EQ(results.size(), 1);
  EXPECT_EQ(results.GetTestPartResult(0).line_number(), call_line);
  EXPECT_THAT(results.GetTestPartResult(0).file_name(), HasSubstr("expect_error_test.cpp"));
}

TEST(TempDir, IsAnEmptyFolderRemovedWithItsContents) {
  std::filesystem::path kept;
  {
    const TempDir folder;
    kept = folder.path();
    ASSERT_TRUE(std::filesystem::is_directory(kept));
    EXPECT_TRUE(std::filesystem::is_empty(kept));
    EXPECT_EQ(kept.parent_path(), std::filesystem::temp_directory_path());
    EXPECT_THAT(kept.filename().string(), ::testing::StartsWith("crv-io-test-"));
    EXPECT_EQ(folder / "a.txt", kept / "a.txt");

    const std::filesystem::path file = folder.write_file("a.txt", "alpha");
    std::filesystem::create_directories(folder / "nested" / "deeper");
    std::ifstream in(file);
    std::string content;
    std::getline(in, content);
    EXPECT_EQ(content, "alpha");
  }
  EXPECT_FALSE(std::filesystem::exists(kept));
}

TEST(TempDir, EachIsANewFolder) {
  const TempDir first;
  const TempDir second;
  EXPECT_NE(first.path(), second.path());
}

}  // namespace
}  // namespace crv::test_support
