// Where an input row came from, and the errors that name it (file, line, row).

#include "cli/batch_reader.hpp"

#include <fmt/format.h>

namespace crv::cli {

IoSchemaError BatchReader::error_at(const InputPosition& where, const std::string& column,
                                    const std::string& message,
                                    std::optional<uint64_t> offset) const {
  return IoSchemaError(fmt::format("{}: {}", where.text, message),
                       {.path = source_, .column = column, .row = where.row, .offset = offset});
}

InputPosition LineBatchReader::line_position(int64_t line) const {
  return {fmt::format("{}:{}", source(), line), line - 1};
}

InputPosition LineBatchReader::position(std::optional<int64_t> row) const {
  if (row && *row >= 0 && *row < static_cast<int64_t>(row_lines_.size())) {
    return line_position(row_lines_[static_cast<size_t>(*row)]);
  }
  if (row_lines_.empty()) return {source(), std::nullopt};
  if (row_lines_.front() == last_line_) {
    return {fmt::format("{}, line {}", source(), last_line_), std::nullopt};
  }
  return {fmt::format("{}, lines {}-{}", source(), row_lines_.front(), last_line_), std::nullopt};
}

std::string LineBatchReader::rows_so_far() const {
  return fmt::format("rows up to line {} of {}", last_line_, source());
}

}  // namespace crv::cli
