// `crvio log`: the commits of a table, oldest first, from its commit log.

#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "crv/io/dataset.hpp"

namespace crv::cli {
namespace {

void run_log(const TableArguments& arguments) {
  io::Dataset dataset(settings_for(arguments), arguments.run);
  for (const io::CommitRecord& record : dataset.history(arguments.table)) {
    std::cout << record.to_json() << '\n';
  }
}

}  // namespace

void add_log_command(CLI::App& app) {
  auto arguments = std::make_shared<TableArguments>();
  auto* log = app.add_subcommand("log", "List a table's commits");
  add_table_options(*log, *arguments);
  log->footer(
      "Prints one JSON object per commit, oldest first: version, operation (append,\n"
      "compact, rewind or rebuild), committed_at, writer and sequence (exactly-once\n"
      "appends; null otherwise), host, pid, parts_added, rows_added and parts_removed. A\n"
      "version can be read back with crvio read --as-of VERSION while its parts exist.\n\n"
      "Example:\n"
      "  crvio log --run run-1 --table holdings");
  log->callback([arguments] { run_log(*arguments); });
}

}  // namespace crv::cli
