// CSV as `crvio append` reads it. Input: a table name, a line feed, then the CSV with its
// header (fuzz/seeds/csv_input).

#include "cli/csv_input.hpp"
#include "text_input_fuzzer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  crv::fuzz::read_and_validate(data, size,
                               [](std::istream& stream, const crv::core::TableDescriptor& table) {
                                 return crv::cli::csv_reader_for(stream, "fuzz.csv", table, 61);
                               });
  return 0;
}
