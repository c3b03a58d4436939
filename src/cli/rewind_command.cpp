// `crvio rewind`: a table cut back to the rows up to a tick, for a restarted simulation.

#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "crv/io/dataset.hpp"

namespace crv::cli {
namespace {

struct RewindArguments : TableArguments {
  int64_t after_tick = 0;
};

void run_rewind(const RewindArguments& arguments) {
  io::Dataset dataset(settings_for(arguments), arguments.run);
  std::cout << dataset.rewind(arguments.table, arguments.after_tick).to_json() << '\n';
}

}  // namespace

void add_rewind_command(CLI::App& app) {
  auto arguments = std::make_shared<RewindArguments>();
  auto* rewind = app.add_subcommand("rewind", "Remove a table's rows after a tick");
  add_table_options(*rewind, *arguments);
  rewind->add_option("--after-tick", arguments->after_tick, "Keep the rows up to this tick")
      ->required()
      ->check(CLI::NonNegativeNumber);
  rewind->footer(
      "Removes every row whose tick is greater than --after-tick, in one commit: parts\n"
      "after the tick leave the table, and a part with rows on both sides is rewritten with\n"
      "the earlier ones. Readers see the table before or after, never between. Writers of\n"
      "exactly-once appends (--writer/--sequence) whose last commit lost rows go back to\n"
      "the sequence of their latest commit that lost none, so a simulation restarted from\n"
      "its checkpoint at that tick appends again without being taken for a duplicate.\n"
      "Replaced parts are deleted after the commit. Prints a JSON summary: rows_removed,\n"
      "parts_dropped, parts_rewritten, files_deleted, buckets, and writers (each writer's\n"
      "last sequence now, null when none is left).\n\n"
      "Example:\n"
      "  crvio rewind --run run-1 --table holdings --after-tick 500");
  rewind->callback([arguments] { run_rewind(*arguments); });
}

}  // namespace crv::cli
