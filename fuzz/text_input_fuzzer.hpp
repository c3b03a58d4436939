#pragma once
// The JSON-lines and CSV targets: an input read batch by batch as `crvio append` reads it,
// each batch validated against the table as an append would.

#include <sstream>
#include <string>

#include "cli/batch_reader.hpp"
#include "crv/core/errors.hpp"
#include "crv/io/validate.hpp"
#include "fuzz_input.hpp"

namespace crv::fuzz {

// `make_reader(stream, table)` returns the reader to drive. Small batches and small read
// chunks make batch and buffer boundaries fall inside lines.
template <class MakeReader>
void read_and_validate(const uint8_t* data, size_t size, MakeReader&& make_reader) {
  const std::optional<TableInput> input = split_table_input(data, size);
  if (!input) return;
  std::istringstream stream{std::string(input->text)};
  try {
    auto reader = make_reader(stream, input->table);
    while (const std::optional<frame::Frame> batch = reader->next(7)) {
      io::validate_frame(*batch, input->table, {.bucket_size = 10, .strict = false});
    }
  } catch (const Error&) {
    // Rejecting input is the expected outcome; a crash or another exception is a bug.
  }
}

}  // namespace crv::fuzz
