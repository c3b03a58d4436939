// The artifacts folder of a run: its lab folders, atomic writers for files kept there,
// and the index of the lab files the run bundle lists.

#include "crv/io/artifacts.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <utility>

#include "crv/core/errors.hpp"
#include "crv/io/paths.hpp"
#include "crv/parquet/writer.hpp"
#include "io/part_source.hpp"
#include "io/part_writer.hpp"

namespace crv::io {
namespace {

constexpr std::string_view kArtifactsFolder = "artifacts";
constexpr std::string_view kLabFolder = "lab";

void check_lab_folder(std::string_view folder) {
  if (std::find(kLabFolders.begin(), kLabFolders.end(), folder) == kLabFolders.end()) {
    throw GrammarError(fmt::format("unknown lab folder {:?}; the lab folders are {}", folder,
                                   fmt::join(kLabFolders, ", ")));
  }
}

// The row count in the footer of `file`, or nothing when it is not readable Parquet: the
// index lists what a run left behind, complete or not.
std::optional<int64_t> parquet_footer_rows(FileSystem& fs, const std::filesystem::path& file) {
  try {
    return open_part(fs, file, "").reader.info().num_rows;
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace

std::filesystem::path artifacts_root(const IoSettings& settings, std::string_view run_id) {
  return run_root(settings, run_id) / kArtifactsFolder;
}

std::filesystem::path lab_dir(const IoSettings& settings, std::string_view run_id,
                              std::string_view folder, FileSystem& fs) {
  check_lab_folder(folder);
  const std::filesystem::path path = artifacts_root(settings, run_id) / kLabFolder / folder;
  fs.create_directories(path);
  return path;
}

FileStat file_stat(const std::filesystem::path& file, FileSystem& fs) {
  const std::optional<FileIdentity> identity = fs.stat(file);
  if (!identity) throw_fs_error(FsOperation::kStat, ENOENT, {.path = file.string()});
  if (!identity->is_regular_file) {
    throw IoError(identity->is_directory ? "is a folder, not a file" : "is not a regular file",
                  {.path = file.string()});
  }
  return {.path = file, .bytes = identity->size};
}

FileStat write_text_atomic(const std::filesystem::path& file, std::string_view text,
                           FileSystem& fs) {
  fs.create_directories(containing_folder(file));
  fs.replace_file(file, text, "artifact");
  return {.path = file, .bytes = text.size()};
}

FileStat write_parquet_atomic(const IoSettings& settings, const std::filesystem::path& file,
                              const frame::Frame& frame, FileSystem& fs) {
  settings.validate();
  const std::vector<uint8_t> bytes =
      parquet::write_parquet(frame, settings_writer_options(settings));
  return write_text_atomic(
      file, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), fs);
}

std::vector<LabFolderIndex> index_lab_artifacts(const IoSettings& settings, std::string_view run_id,
                                                FileSystem& fs) {
  const std::filesystem::path run_folder = run_root(settings, run_id);
  const std::filesystem::path lab_relative = std::filesystem::path(kArtifactsFolder) / kLabFolder;
  std::vector<LabFolderIndex> index;
  for (const std::string_view folder : kLabFolders) {
    LabFolderIndex& listed = index.emplace_back(LabFolderIndex{.folder = folder});
    const std::filesystem::path folder_path = run_folder / lab_relative / folder;
    if (!fs.is_directory(folder_path)) continue;
    for (const std::string& name : fs.list_directory(folder_path)) {
      const std::filesystem::path file = folder_path / name;
      // A file removed since the listing is gone from the index too.
      const std::optional<FileIdentity> identity = fs.stat(file);
      if (!identity || !identity->is_regular_file) continue;
      LabArtifact artifact{.file = {.path = lab_relative / folder / name, .bytes = identity->size}};
      if (file.extension() == kParquetSuffix) artifact.rows = parquet_footer_rows(fs, file);
      listed.files.push_back(std::move(artifact));
    }
  }
  return index;
}

}  // namespace crv::io
