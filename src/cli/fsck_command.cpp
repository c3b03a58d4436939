// `crvio fsck`: checks a run's tables against their manifests, and repairs leftovers.

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "cli/console.hpp"
#include "cli/options.hpp"
#include "crv/cli/main.hpp"
#include "crv/io/fsck.hpp"

namespace crv::cli {
namespace {

struct FsckArguments : RunArguments {
  std::string table;  // empty: every table of the run
  bool repair = false;
  bool deep = false;
};

void run_fsck(const FsckArguments& arguments) {
  const io::IoSettings settings = settings_for(arguments);
  // One progress line per table, since each table's total is known once its manifest is.
  std::optional<Progress> progress;
  std::string progress_table;
  const io::FsckOptions options{
      .repair = arguments.repair,
      .deep = arguments.deep,
      .on_part_checked = [&](std::string_view table, int64_t checked, int64_t total) {
        if (!progress || progress_table != table) {
          progress.reset();
          progress_table = std::string(table);
          progress.emplace(fmt::format("fsck {}", table), total);
        }
        progress->update(checked);
      }};
  io::FsckReport report;
  if (arguments.table.empty()) {
    report = io::fsck_run(settings, arguments.run, options);
  } else {
    report = {.run_id = arguments.run,
              .repair = arguments.repair,
              .tables = {io::fsck_table(settings, arguments.run, arguments.table, options)}};
  }
  progress.reset();
  for (const io::TableFsckReport& table : report.tables) {
    verbose("{}: {} parts checked, {} findings, {} unresolved", table.table, table.parts_checked,
            table.findings.size(),
            std::count_if(table.findings.begin(), table.findings.end(),
                          [](const io::FsckFinding& finding) { return !finding.resolved(); }));
  }
  std::cout << report.to_json() << '\n' << std::flush;
  const bool repair_tried =
      std::any_of(report.tables.begin(), report.tables.end(), [](const io::TableFsckReport& table) {
        return std::any_of(table.findings.begin(), table.findings.end(),
                           [](const io::FsckFinding& finding) {
                             return finding.resolved() || !finding.repair_error.empty();
                           });
      });
  if (arguments.repair && !repair_tried && verbosity() != Verbosity::kQuiet) {
    std::cerr << "crvio: nothing to repair\n";
  }
  // CLI11 passes a RuntimeError's code through as the process's exit code, silently.
  if (!report.consistent()) throw CLI::RuntimeError(kExitFsckFindings);
}

}  // namespace

void add_fsck_command(CLI::App& app) {
  auto arguments = std::make_shared<FsckArguments>();
  auto* fsck = app.add_subcommand("fsck", "Check a run's tables against their manifests");
  add_run_options(*fsck, *arguments);
  fsck->add_option("--table", arguments->table, "Check only this table, e.g. identity_edges");
  fsck->add_flag("--repair", arguments->repair,
                 "Remove temporary files and bucket folders without parts; move parts no "
                 "manifest names to <table>/quarantine/bucket=NNNNNN/");
  fsck->add_flag("--deep", arguments->deep,
                 "Also decode every page of every committed part, verifying page checksums and "
                 "UTF-8 (reads all the data)");
  fsck->footer(fmt::format(
      "Checks that every part a manifest names exists with the recorded bytes and rows (from\n"
      "its footer) and that partition totals match, and lists temporary files, *.parquet\n"
      "files no manifest names and bucket folders without a committed part. Prints one JSON\n"
      "object with the findings by kind. Exit code 0 when nothing is left to fix, {} when\n"
      "findings remain.\n\n"
      "--deep decodes every page of every committed part as well, so damage inside the data\n"
      "(a checksum mismatch, a string that is not UTF-8) becomes a part_corrupt finding.\n\n"
      "--repair takes each table's lock and never touches a committed part or a manifest; a\n"
      "table whose manifest is missing or corrupt is left alone (run rebuild-manifest first).\n"
      "Run it only while nothing appends to the run: parts of an append in flight, or of a\n"
      "batch not yet committed (write_manifest_every_n > 1), are not named by any manifest.\n\n"
      "Examples:\n"
      "  crvio fsck --run run-1\n"
      "  crvio fsck --root out --run run-1 --table identity_edges\n"
      "  crvio fsck --run run-1 --deep\n"
      "  crvio fsck --run run-1 --repair",
      static_cast<int>(kExitFsckFindings)));
  fsck->callback([arguments] { run_fsck(*arguments); });
}

}  // namespace crv::cli
