// `crvio bundle`: writes the run's bundle.manifest.json and lists the lab artifacts it
// indexes.

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.hpp"
#include "cli/jsonl_input.hpp"
#include "cli/options.hpp"
#include "crv/io/bundle.hpp"
#include "crv/io/file_system.hpp"

namespace crv::cli {
namespace {

// Empty when `text` is a JSON object, else what is wrong with it. Nesting is bounded
// like a JSON line's, since the bundle is printed by a recursive serializer.
std::string check_meta(const std::string& text) {
  size_t deepest = 0;
  const auto track_depth = [&deepest](int depth, nlohmann::json::parse_event_t event,
                                      const nlohmann::json&) {
    // The parser's depth counts the containers around the one starting.
    if (event == nlohmann::json::parse_event_t::object_start ||
        event == nlohmann::json::parse_event_t::array_start) {
      deepest = std::max(deepest, static_cast<size_t>(depth) + 1);
    }
    return true;
  };
  const nlohmann::json meta = nlohmann::json::parse(text, track_depth, false);
  if (meta.is_discarded()) return "not valid JSON";
  if (deepest > kMaxJsonNesting) {
    return fmt::format("objects and arrays nest deeper than {} levels", kMaxJsonNesting);
  }
  if (!meta.is_object()) return std::string("must be a JSON object, not ") + meta.type_name();
  return {};
}

// The bundle's path, then one indented line per lab artifact it lists: path (relative to
// the run folder), bytes and, for Parquet files, rows. Read back from the file written,
// so what is printed is what the bundle holds.
void print_bundle(const std::filesystem::path& path) {
  std::cout << path.string() << '\n';
  // Ordered, so the lab folders print in the bundle's order.
  const nlohmann::ordered_json bundle =
      nlohmann::ordered_json::parse(io::default_file_system().read_file(path));
  for (const nlohmann::ordered_json& files : bundle["artifacts"]["lab"]) {
    for (const nlohmann::ordered_json& file : files) {
      std::cout << fmt::format(
          "  {}: {} bytes{}\n", file["path"].get<std::string>(), file["bytes"].get<uint64_t>(),
          file.contains("rows") ? fmt::format(", {} rows", file["rows"].get<int64_t>()) : "");
    }
  }
}

}  // namespace

void add_bundle_command(CLI::App& app) {
  struct BundleArguments : RunArguments {
    std::string meta = "{}";
  };
  auto arguments = std::make_shared<BundleArguments>();
  auto* bundle = app.add_subcommand("bundle", "Write the run's bundle.manifest.json");
  add_run_options(*bundle, *arguments);
  bundle->add_option("--meta", arguments->meta, "A JSON object stored as the bundle's meta")
      ->check(CLI::Validator(check_meta, "JSON object"));
  bundle->footer(
      "Lists every table with a manifest (statistics from the manifests only), the io\n"
      "settings and library versions; git state from CRV_GIT_SHA and CRV_GIT_DIRTY; and the\n"
      "files in artifacts/lab/{tidy,probes,policy,audit} (rows of Parquet files from their\n"
      "footers).\n"
      "Prints the bundle's path, then one indented line per artifact listed.\n\n"
      "Examples:\n"
      "  crvio bundle --run run-1\n"
      "  CRV_GIT_SHA=$(git rev-parse HEAD) crvio bundle --run run-1 --meta '{\"seed\": 7}'");
  bundle->callback([arguments] {
    print_bundle(io::write_run_bundle_manifest(settings_for(*arguments), arguments->run,
                                               nlohmann::json::parse(arguments->meta)));
  });
}

}  // namespace crv::cli
