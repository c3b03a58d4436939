// Error: the message followed by the path, column, row and byte offset it names.

#include "crv/core/errors.hpp"

#include <fmt/format.h>

namespace crv {
namespace {

std::string with_context(const std::string& message, const ErrorContext& context) {
  std::string where;
  auto add = [&where](const std::string& part) {
    where += where.empty() ? " (" : ", ";
    where += part;
  };
  if (!context.path.empty()) add(fmt::format("path '{}'", context.path));
  if (!context.column.empty()) add(fmt::format("column '{}'", context.column));
  if (context.row) add(fmt::format("row {}", *context.row));
  if (context.offset) add(fmt::format("byte offset {}", *context.offset));
  return where.empty() ? message : message + where + ")";
}

}  // namespace

Error::Error(const std::string& message, ErrorContext context)
    : std::runtime_error(with_context(message, context)),
      message_(message),
      context_(std::move(context)) {}

}  // namespace crv
