// Clean-up after failed commits, shared by appends and compaction.

#include "io/table_state.hpp"

#include <algorithm>

#include "crv/io/paths.hpp"

namespace crv::io {

void remove_quietly(FileSystem& fs, const std::vector<std::filesystem::path>& files) noexcept {
  for (const auto& file : files) {
    try {
      fs.remove_file(file);
    } catch (const std::exception&) {
    }
  }
}

void remove_unnamed(FileSystem& fs, const std::filesystem::path& table_dir, std::string_view table,
                    const std::vector<std::filesystem::path>& files) noexcept {
  std::vector<std::filesystem::path> unnamed;
  try {
    std::optional<TableManifest> manifest;
    try {
      manifest = load_committed_manifest(fs, table_dir, table);
    } catch (const std::exception&) {
      // A state that cannot be read names nothing readers could find.
    }
    const auto named = [&](const std::filesystem::path& file) {
      if (!manifest) return false;
      const std::optional<int64_t> bucket =
          bucket_of_folder_name(file.parent_path().filename().string());
      if (!bucket) return false;
      const auto partition = manifest->partitions.find(*bucket);
      return partition != manifest->partitions.end() &&
             std::any_of(partition->second.parts.begin(), partition->second.parts.end(),
                         [&](const PartMeta& part) { return part.path == file.filename(); });
    };
    for (const std::filesystem::path& file : files) {
      if (!named(file)) unnamed.push_back(file);
    }
  } catch (const std::exception&) {
    return;
  }
  remove_quietly(fs, unnamed);
}

}  // namespace crv::io
