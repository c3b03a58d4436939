// Clean-up after failed commits, shared by appends and compaction.

#include "io/table_state.hpp"

#include <algorithm>

namespace crv::io {

void remove_quietly(FileSystem& fs, const std::vector<std::filesystem::path>& files) noexcept {
  for (const auto& file : files) {
    try {
      fs.remove_file(file);
    } catch (const std::exception&) {
    }
  }
}

bool committed_names(FileSystem& fs, const std::filesystem::path& table_dir, std::string_view table,
                     int64_t bucket, const PartMeta& part) noexcept {
  try {
    const auto manifest = load_committed_manifest(fs, table_dir, table);
    if (!manifest) return false;
    const auto partition = manifest->partitions.find(bucket);
    if (partition == manifest->partitions.end()) return false;
    return std::any_of(partition->second.parts.begin(), partition->second.parts.end(),
                       [&](const PartMeta& named) { return named.path == part.path; });
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace crv::io
