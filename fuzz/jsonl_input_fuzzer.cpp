// JSON lines as `crvio append` reads them. Input: a table name, a line feed, then the
// JSON lines (fuzz/seeds/jsonl_input).

#include <memory>

#include "cli/jsonl_input.hpp"
#include "text_input_fuzzer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  crv::fuzz::read_and_validate(
      data, size, [](std::istream& stream, const crv::core::TableDescriptor& table) {
        return std::make_unique<crv::cli::JsonlReader>(stream, "fuzz.jsonl", table, 61);
      });
  return 0;
}
