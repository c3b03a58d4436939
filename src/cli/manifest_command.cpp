// `crvio manifest`: a table's manifest.json, once the parts it names were found on disk.

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/file_system.hpp"
#include "crv/io/paths.hpp"

namespace crv::cli {
namespace {

// A cheap look at the files a manifest names: each must exist with its recorded size.
// What the files hold is fsck's to check.
void check_parts_exist(const io::IoSettings& settings, const TableArguments& arguments,
                       const io::TableManifest& manifest) {
  io::FileSystem& fs = io::default_file_system();
  for (const auto& [bucket, partition] : manifest.partitions) {
    for (const io::PartMeta& part : partition.parts) {
      const std::filesystem::path file =
          io::bucket_dir(settings, arguments.run, arguments.table, bucket) / part.path;
      const std::optional<io::FileIdentity> found = fs.stat(file);
      std::string problem;
      if (!found || found->is_directory) {
        problem = "is missing";
      } else if (found->size != static_cast<uint64_t>(part.bytes)) {
        problem = fmt::format("is {} bytes", found->size);
      } else {
        continue;
      }
      throw IoManifestError(
          fmt::format("part '{}' {}, but the manifest names it with {} bytes; crvio fsck --run "
                      "{} lists every problem of the run",
                      file.string(), problem, part.bytes, arguments.run),
          {.path = file.string()});
    }
  }
}

void run_manifest(const TableArguments& arguments) {
  const io::IoSettings settings = settings_for(arguments);
  io::Dataset dataset(settings, arguments.run);
  const io::TableManifest manifest = dataset.manifest(arguments.table);
  check_parts_exist(settings, arguments, manifest);
  std::string json = io::to_json_bytes(manifest);
  if (json.empty() || json.back() != '\n') json += '\n';
  std::cout << json;
}

}  // namespace

void add_manifest_command(CLI::App& app) {
  auto arguments = std::make_shared<TableArguments>();
  auto* manifest = app.add_subcommand("manifest", "Print a table's manifest");
  add_table_options(*manifest, *arguments);
  manifest->footer(
      "Prints manifest.json after checking it: a corrupt manifest, or one naming a part\n"
      "that is missing or not of its recorded size, is an error (crvio fsck checks more).\n\n"
      "Example:\n"
      "  crvio manifest --run run-1 --table holdings");
  manifest->callback([arguments] { run_manifest(*arguments); });
}

}  // namespace crv::cli
