#pragma once
// Files a run keeps beside its tables, under <root_dir>/runs/<run_id>/artifacts/:
//
//   artifacts/lab/{tidy,probes,policy,audit}/<file>
//
// The run bundle indexes the files directly inside the four lab folders (see
// index_lab_artifacts); anything else under artifacts/ is the run's own business. The
// helpers below find and create these folders and write files into them atomically, so
// a reader (or a bundle written meanwhile) never sees a half-written file.

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "crv/frame/frame.hpp"
#include "crv/io/file_system.hpp"
#include "crv/io/settings.hpp"

namespace crv::io {

// The lab folders, in the order the bundle lists them.
inline constexpr std::array<std::string_view, 4> kLabFolders = {"tidy", "probes", "policy",
                                                                "audit"};

// <run_root>/artifacts. The run id is checked (GrammarError).
std::filesystem::path artifacts_root(const IoSettings& settings, std::string_view run_id);

// <artifacts_root>/lab/<folder>, created with its parents when missing. `folder` must be
// one of kLabFolders (else GrammarError); a file in the way is an IoWriteError.
std::filesystem::path lab_dir(const IoSettings& settings, std::string_view run_id,
                              std::string_view folder, FileSystem& fs = default_file_system());

// A file and its size in bytes.
struct FileStat {
  std::filesystem::path path;
  uint64_t bytes = 0;

  bool operator==(const FileStat&) const = default;
};

// `file` as given, with its size. IoError when it does not exist or is not a regular
// file (symbolic links are followed).
FileStat file_stat(const std::filesystem::path& file, FileSystem& fs = default_file_system());

// Replaces `file` with `text` atomically (FileSystem::replace_file: a temporary file
// beside it, synced, renamed over it, the folder synced), creating its folder when
// missing. An existing file is replaced whole. IoWriteError when that fails, with
// `file` unchanged unless only the final folder sync failed. Returns the new file's stat.
FileStat write_text_atomic(const std::filesystem::path& file, std::string_view text,
                           FileSystem& fs = default_file_system());

// Encodes `frame` as a Parquet file with the codec, level and row group size of
// `settings` (every column nullable) and writes it like write_text_atomic. A frame the
// writer cannot encode is an IoSchemaError, and nothing is written then.
FileStat write_parquet_atomic(const IoSettings& settings, const std::filesystem::path& file,
                              const frame::Frame& frame, FileSystem& fs = default_file_system());

// One file of a lab folder as the bundle lists it.
struct LabArtifact {
  FileStat file;  // path relative to the run folder: artifacts/lab/<folder>/<name>
  // Rows by the footer of a .parquet file; absent for other files, and for a .parquet
  // file whose footer cannot be read.
  std::optional<int64_t> rows;

  bool operator==(const LabArtifact&) const = default;
};

struct LabFolderIndex {
  std::string_view folder;  // one of kLabFolders
  std::vector<LabArtifact> files;
};

// The regular files directly inside each lab folder of the run (symbolic links followed;
// sub-folders, pipes and dangling links left out), sorted by name, one entry per
// kLabFolders folder in that order. A missing folder lists nothing. Only the footer of a
// Parquet file is read, and only for its row count; a file that is not valid Parquet is
// listed without rows rather than reported. A folder that cannot be listed, or a file
// that cannot be examined, is an IoError.
std::vector<LabFolderIndex> index_lab_artifacts(const IoSettings& settings, std::string_view run_id,
                                                FileSystem& fs = default_file_system());

}  // namespace crv::io
