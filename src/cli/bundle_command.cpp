// `crvio bundle`: writes the run's bundle.manifest.json.

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.hpp"
#include "cli/jsonl_input.hpp"
#include "cli/options.hpp"
#include "crv/io/bundle.hpp"

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
      "settings and library versions; git state from CRV_GIT_SHA and CRV_GIT_DIRTY.\n"
      "Prints the bundle's path.\n\n"
      "Examples:\n"
      "  crvio bundle --run run-1\n"
      "  CRV_GIT_SHA=$(git rev-parse HEAD) crvio bundle --run run-1 --meta '{\"seed\": 7}'");
  bundle->callback([arguments] {
    const std::filesystem::path path = io::write_run_bundle_manifest(
        settings_for(*arguments), arguments->run, nlohmann::json::parse(arguments->meta));
    std::cout << path.string() << '\n';
  });
}

}  // namespace crv::cli
