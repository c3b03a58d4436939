// The run bundle: what a run is, what produced it, and what its tables and lab artifacts
// hold, written as bundle.manifest.json.

#include "crv/io/bundle.hpp"

#include <fmt/format.h>
#include <lz4.h>
#include <snappy-stubs-public.h>
#include <zlib.h>
#include <zstd.h>

#include <toml++/impl/version.h>
#include <algorithm>
#include <cctype>
#include <string>

#include "crv/core/errors.hpp"
#include "crv/core/lower_snake.hpp"
#include "crv/core/schema_version.hpp"
#include "crv/io/artifacts.hpp"
#include "crv/io/manifest.hpp"
#include "crv/io/paths.hpp"
#include "crv/parquet/writer_options.hpp"
#include "crv/version.hpp"

namespace crv::io {
namespace {

using ordered_json = nlohmann::ordered_json;

constexpr int kBundleSchemaVersion = 1;

bool git_dirty() {
  const std::optional<std::string> value = process_environment("CRV_GIT_DIRTY");
  if (!value) return false;
  std::string lower = *value;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "1" || lower == "true" || lower == "yes" || lower == "on") return true;
  if (lower == "0" || lower == "false" || lower == "no" || lower == "off") return false;
  throw IoConfigError(fmt::format("environment variable CRV_GIT_DIRTY is '{}'; expected 1/0, "
                                  "true/false, yes/no or on/off",
                                  *value),
                      {.column = "CRV_GIT_DIRTY"});
}

ordered_json run_section(std::string_view run_id) {
  const core::SchemaVersion& version = core::schema_v();
  const std::optional<std::string> sha = process_environment("CRV_GIT_SHA");
  return {{"run_id", run_id},
          {"created_at", now_iso_utc()},
          {"core_schema_v",
           {{"major", version.major}, {"minor", version.minor}, {"date", version.date}}},
          {"git",
           {{"sha", sha && !sha->empty() ? ordered_json(*sha) : ordered_json(nullptr)},
            {"dirty", git_dirty()}}}};
}

ordered_json io_section(const IoSettings& settings) {
  return {{"root_dir", settings.root_dir.string()},
          {"partitioning", settings.partitioning},
          {"tick_bucket_size", settings.tick_bucket_size},
          {"row_group_size", settings.row_group_size},
          {"compression", parquet::to_string(settings.compression)}};
}

ordered_json table_statistics(const TableManifest& manifest) {
  int64_t rows = 0;
  int64_t bytes = 0;
  std::optional<int64_t> tick_min;
  std::optional<int64_t> tick_max;
  ordered_json buckets = ordered_json::array();
  for (const auto& [bucket, partition] : manifest.partitions) {
    rows += partition.row_count;
    bytes += partition.byte_size;
    tick_min = std::min(tick_min.value_or(partition.tick_min), partition.tick_min);
    tick_max = std::max(tick_max.value_or(partition.tick_max), partition.tick_max);
    buckets.push_back(bucket);
  }
  auto optional_json = [](const std::optional<int64_t>& value) {
    return value ? ordered_json(*value) : ordered_json(nullptr);
  };
  return {{"rows", rows},
          {"bytes", bytes},
          {"total_rows", rows},
          {"total_bytes", bytes},
          {"tick_min", optional_json(tick_min)},
          {"tick_max", optional_json(tick_max)},
          {"buckets", std::move(buckets)}};
}

ordered_json tables_section(FileSystem& fs, const IoSettings& settings, std::string_view run_id) {
  ordered_json tables = ordered_json::object();
  const std::filesystem::path root = tables_root(settings, run_id);
  if (!fs.is_directory(root)) return tables;
  for (const std::string& name : fs.list_directory(root)) {
    if (!core::is_lower_snake(name)) continue;
    const std::optional<TableManifest> manifest = load_committed_manifest(fs, root / name, name);
    if (manifest) tables[name] = table_statistics(*manifest);
  }
  return tables;
}

ordered_json artifacts_section(FileSystem& fs, const IoSettings& settings,
                               std::string_view run_id) {
  ordered_json lab = ordered_json::object();
  for (const LabFolderIndex& folder : index_lab_artifacts(settings, run_id, fs)) {
    ordered_json files = ordered_json::array();
    for (const LabArtifact& artifact : folder.files) {
      ordered_json entry = {{"path", artifact.file.path.generic_string()},
                            {"bytes", artifact.file.bytes}};
      if (artifact.rows) entry["rows"] = *artifact.rows;
      files.push_back(std::move(entry));
    }
    lab[std::string(folder.folder)] = std::move(files);
  }
  return {
      {"lab", std::move(lab)}, {"world", ordered_json::object()}, {"mind", ordered_json::object()}};
}

}  // namespace

ordered_json library_versions() {
  return {
      {"crv_io", kLibraryVersion},
      {"compiler", __VERSION__},
      {"cxx_standard", std::to_string(__cplusplus)},
      {"zstd", ZSTD_versionString()},
      {"lz4", LZ4_versionString()},
      {"snappy", fmt::format("{}.{}.{}", SNAPPY_MAJOR, SNAPPY_MINOR, SNAPPY_PATCHLEVEL)},
      {"zlib", zlibVersion()},
      {"fmt",
       fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100)},
      {"nlohmann_json", fmt::format("{}.{}.{}", NLOHMANN_JSON_VERSION_MAJOR,
                                    NLOHMANN_JSON_VERSION_MINOR, NLOHMANN_JSON_VERSION_PATCH)},
      {"tomlplusplus", fmt::format("{}.{}.{}", TOML_LIB_MAJOR, TOML_LIB_MINOR, TOML_LIB_PATCH)}};
}

std::filesystem::path write_run_bundle_manifest(const IoSettings& settings, std::string_view run_id,
                                                const nlohmann::json& meta, FileSystem& fs) {
  settings.validate();
  const std::filesystem::path path = bundle_manifest_path(settings, run_id);
  if (!meta.is_null() && !meta.is_object()) {
    throw IoManifestError(
        fmt::format("a bundle's meta must be a JSON object, not {}", meta.type_name()),
        {.path = path.string()});
  }
  const ordered_json bundle = {
      {"schema_version", kBundleSchemaVersion},
      {"run", run_section(run_id)},
      {"env", library_versions()},
      {"io", io_section(settings)},
      {"tables", tables_section(fs, settings, run_id)},
      {"artifacts", artifacts_section(fs, settings, run_id)},
      {"meta", meta.is_null() ? ordered_json::object() : ordered_json(meta)}};
  fs.create_directories(run_root(settings, run_id));
  // Paths are bytes; replacement characters keep one that is not UTF-8 printable.
  write_manifest_json(fs, path,
                      bundle.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n");
  return path;
}

}  // namespace crv::io
