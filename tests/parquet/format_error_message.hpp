#pragma once
// The message of the IoFormatError an action throws; a test failure when it throws none.

#include <gtest/gtest.h>

#include <string>

#include "crv/core/errors.hpp"

namespace crv::parquet::testing {

std::string format_error_message(auto&& action) {
  try {
    action();
  } catch (const IoFormatError& error) {
    return error.message();
  }
  ADD_FAILURE() << "expected IoFormatError";
  return {};
}

}  // namespace crv::parquet::testing
