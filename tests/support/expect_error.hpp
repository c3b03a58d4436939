#pragma once
// expect_error<Class>(action, expectation): the one check of the tests that an action
// throws a given error class (a crv error, or a standard exception where the code under
// test throws one), with a given message and context. A mismatch is a
// test failure at the caller's line that shows what was thrown instead.

#include <gtest/gtest.h>

#include <concepts>
#include <cstdint>
#include <exception>
#include <optional>
#include <source_location>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "crv/core/errors.hpp"

namespace crv::test_support {

// What the thrown error must carry besides its class; fields left empty are not checked.
// The message is a crv error's message(), without the context that what() appends.
struct ErrorExpectation {
  std::vector<std::string> message_has;  // substrings of message(), in any order
  std::optional<std::string> message;    // the whole of message()
  std::optional<std::string> path;       // the context's fields, compared exactly
  std::optional<std::string> column;
  std::optional<int64_t> row;
  std::optional<uint64_t> offset;
};

// The ways `error` differs from an exception of class `expected` matching `expectation`,
// one per line after a line naming what was thrown; empty when it matches.
std::string describe_mismatch(const std::exception& error, const std::type_info& expected,
                              const ErrorExpectation& expectation);

// The name of an exception class as messages show it: a crv error's kind() ("IoFormatError"),
// any other class's qualified name ("std::invalid_argument").
std::string class_name(const std::type_info& type);

// Runs `action` and returns the exception it threw when that is exactly an `Expected` (a
// subclass does not do) matching `expectation`. Otherwise the test fails at the caller's
// line, naming the class and message thrown, or that nothing was, and nothing is returned.
// For an exception outside crv::Error the message is its what(), and it has no context.
template <std::derived_from<std::exception> Expected, std::invocable Action>
std::optional<Expected> expect_error(Action&& action, const ErrorExpectation& expectation = {},
                                     std::source_location where = std::source_location::current()) {
  try {
    std::forward<Action>(action)();
  } catch (const std::exception& error) {
    const std::string mismatch = describe_mismatch(error, typeid(Expected), expectation);
    if (mismatch.empty()) return dynamic_cast<const Expected&>(error);
    ADD_FAILURE_AT(where.file_name(), static_cast<int>(where.line())) << mismatch;
    return std::nullopt;
  } catch (...) {
    ADD_FAILURE_AT(where.file_name(), static_cast<int>(where.line()))
        << "expected " << class_name(typeid(Expected))
        << ", but something not derived from std::exception was thrown";
    return std::nullopt;
  }
  ADD_FAILURE_AT(where.file_name(), static_cast<int>(where.line()))
      << "expected " << class_name(typeid(Expected)) << ", but nothing was thrown";
  return std::nullopt;
}

}  // namespace crv::test_support
