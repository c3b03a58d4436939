#pragma once
// JSON lines to frames: one object per line; objects become structs, arrays of objects
// lists of structs. Columns the table descriptor types as scalars take that type where
// the conversion is lossless, so a file can say 3 for an f64 column. Blank lines are
// skipped.

#include <istream>
#include <optional>
#include <string>
#include <string_view>

#include "cli/batch_reader.hpp"
#include "cli/input_buffer.hpp"
#include "crv/core/table_descriptor.hpp"

namespace crv::cli {

class JsonlReader final : public LineBatchReader {
 public:
  // Reads `input` (named `source` in errors; it must outlive the reader), `chunk_bytes`
  // at a time.
  JsonlReader(std::istream& input, std::string source, const core::TableDescriptor& table,
              size_t chunk_bytes = size_t{1} << 20);

  // A malformed line, a non-object line or a value that does not fit its column is an
  // IoSchemaError naming the source, the 1-based line and the column.
  std::optional<frame::Frame> next(int64_t max_rows) override;
  int64_t bytes_read() const override { return input_.bytes_read(); }

 private:
  // The next line without its LF (valid until the next call), or nothing at the end.
  std::optional<std::string_view> next_line();

  InputBuffer input_;
  size_t scanned_ = 0;  // unread bytes already searched for a LF
  const core::TableDescriptor& table_;
  int64_t line_ = 0;
};

}  // namespace crv::cli
