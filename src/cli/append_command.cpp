// `crvio append`: JSON lines into a canonical table, as one atomic append.

#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/jsonl_input.hpp"
#include "cli/options.hpp"
#include "crv/core/errors.hpp"
#include "crv/io/dataset.hpp"

namespace crv::cli {
namespace {

struct AppendArguments : TableArguments {
  std::string input = "-";
};

void run_append(const AppendArguments& arguments) {
  const io::IoSettings settings = settings_for(arguments);
  const core::TableDescriptor& table = core::get_table(arguments.table);
  io::Dataset dataset(settings, arguments.run);

  frame::Frame rows;
  if (arguments.input == "-") {
    rows = read_jsonl(std::cin, "<stdin>", table);
  } else {
    std::ifstream file(arguments.input);
    if (!file) {
      throw IoError("cannot open input file", {.path = arguments.input});
    }
    rows = read_jsonl(file, arguments.input, table);
  }
  std::cout << dataset.append(arguments.table, rows).to_json() << '\n';
}

}  // namespace

void add_append_command(CLI::App& app) {
  auto arguments = std::make_shared<AppendArguments>();
  auto* append = app.add_subcommand("append", "Append JSON lines to a canonical table");
  add_table_options(*append, *arguments);
  append->add_option("input", arguments->input, "JSON-lines file, or - for standard input");
  append->footer(
      "Each line is one JSON object; objects become structs, arrays of objects lists of\n"
      "structs. The whole file is one atomic append; the summary is printed as JSON.\n\n"
      "Examples:\n"
      "  crvio append --root out --run run-1 --table holdings holdings.jsonl\n"
      "  generate_rows | crvio append --run run-1 --table messages -");
  append->callback([arguments] { run_append(*arguments); });
}

}  // namespace crv::cli
