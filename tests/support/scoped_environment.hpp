#pragma once
// An environment variable set for the lifetime of a guard, and restored (or unset) after:
// for tests of settings and bundle fields read from the environment, by the library or by
// a crvio child process.

#include <cstdlib>
#include <optional>
#include <string>

namespace crv::test_support {

class ScopedEnvironment {
 public:
  // A null `value` unsets the variable.
  ScopedEnvironment(std::string name, const char* value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) previous_ = old;
    if (value != nullptr) {
      ::setenv(name_.c_str(), value, 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ~ScopedEnvironment() {
    if (previous_) {
      ::setenv(name_.c_str(), previous_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

 private:
  std::string name_;
  std::optional<std::string> previous_;
};

}  // namespace crv::test_support
