// The comparison of a thrown crv error with what a test expects, and its report.
#include "support/expect_error.hpp"

#include <cxxabi.h>
#include <fmt/format.h>

#include <cstdlib>
#include <memory>
#include <string_view>

namespace crv::test_support {
namespace {

template <class T>
std::string shown(const std::optional<T>& value) {
  return value ? fmt::format("{}", *value) : "none";
}

}  // namespace

std::string describe_mismatch(const std::exception& error, const std::type_info& expected,
                              const ErrorExpectation& expectation) {
  const auto* crv_error = dynamic_cast<const Error*>(&error);
  const std::string message = crv_error != nullptr ? crv_error->message() : error.what();
  const ErrorContext context = crv_error != nullptr ? crv_error->context() : ErrorContext{};
  std::string problems;
  auto add = [&problems](const std::string& problem) { problems += "\n  " + problem; };
  if (typeid(error) != expected) add(fmt::format("expected the class {}", class_name(expected)));
  for (const std::string& fragment : expectation.message_has) {
    if (message.find(fragment) == std::string::npos) {
      add(fmt::format("expected the message to contain \"{}\"", fragment));
    }
  }
  if (expectation.message && message != *expectation.message) {
    add(fmt::format("expected the message \"{}\"", *expectation.message));
  }
  if (expectation.path && context.path != *expectation.path) {
    add(fmt::format("expected the path '{}', got '{}'", *expectation.path, context.path));
  }
  if (expectation.column && context.column != *expectation.column) {
    add(fmt::format("expected the column '{}', got '{}'", *expectation.column, context.column));
  }
  if (expectation.row && context.row != expectation.row) {
    add(fmt::format("expected the row {}, got {}", *expectation.row, shown(context.row)));
  }
  if (expectation.offset && context.offset != expectation.offset) {
    add(fmt::format("expected the byte offset {}, got {}", *expectation.offset,
                    shown(context.offset)));
  }
  if (problems.empty()) return problems;
  return fmt::format("{} was thrown: {}{}", class_name(typeid(error)), error.what(), problems);
}

std::string class_name(const std::type_info& type) {
  int status = 0;
  const std::unique_ptr<char, decltype(&std::free)> demangled(
      abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), &std::free);
  const std::string_view name = status == 0 && demangled ? demangled.get() : type.name();
  // crv's error classes are named as kind() names them.
  constexpr std::string_view kCrvNamespace = "crv::";
  return std::string(name.starts_with(kCrvNamespace) ? name.substr(kCrvNamespace.size()) : name);
}

}  // namespace crv::test_support
