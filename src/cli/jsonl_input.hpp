#pragma once
// JSON lines to frames: one object per line; objects become structs, arrays of objects
// lists of structs. Columns the table descriptor types as scalars take that type where
// the conversion is lossless, so a file can say 3 for an f64 column. Blank lines are
// skipped.

#include <cstddef>
#include <istream>
#include <optional>
#include <string>
#include <string_view>

#include "cli/batch_reader.hpp"
#include "cli/input_buffer.hpp"
#include "crv/core/table_descriptor.hpp"

namespace crv::cli {

// How deep JSON from the user (a line of JSON lines, --meta) may nest objects and arrays,
// the outermost being the first level. The canonical tables need four; the bound keeps
// hostile input from exhausting the stack of code that recurses over the values.
inline constexpr size_t kMaxJsonNesting = 64;

class JsonlReader final : public LineBatchReader {
 public:
  // Reads `input` (named `source` in errors; it must outlive the reader), `chunk_bytes`
  // at a time.
  JsonlReader(std::istream& input, std::string source, const core::TableDescriptor& table,
              size_t chunk_bytes = size_t{1} << 20);

  // A malformed line, a non-object line, a key repeated in an object, nesting deeper than
  // kMaxJsonNesting, a number beyond double's range or a value that does not fit its
  // column is an IoSchemaError naming the source, the 1-based line and the column (and,
  // for what the JSON parser refuses, the byte in the line and the input).
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
