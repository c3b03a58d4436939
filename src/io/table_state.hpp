#pragma once
// What a Dataset keeps per table, shared by the files that implement Dataset, and the
// clean-up steps of a failed commit.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crv/core/table_descriptor.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/file_system.hpp"
#include "crv/io/manifest.hpp"
#include "io/table_metadata.hpp"

namespace crv::io {

// What a Dataset knows about one table: its descriptor and paths, the manifest as last
// read or written (valid while the file's identity is unchanged), and batched commits.
struct Dataset::TableState {
  const core::TableDescriptor* descriptor = nullptr;
  std::string name;
  std::filesystem::path folder;
  std::filesystem::path manifest_path;
  std::filesystem::path metadata_path;
  parquet::WriterOptions writer_options;
  std::optional<TableManifest> manifest;
  std::optional<FileIdentity> manifest_identity;
  // table.json as last read or written; read once before the first append.
  bool metadata_read = false;
  std::optional<TableMetadata> metadata;
  std::optional<FileIdentity> metadata_identity;
  std::vector<std::pair<int64_t, PartMeta>> batched_parts;
  std::vector<std::filesystem::path> batched_files;
  std::vector<frame::Field> batched_columns;  // the column types the batched parts hold
  int64_t batched_appends = 0;
};

// Removes `files`, ignoring failures: the caller is already reporting one, and fsck
// lists what remains.
void remove_quietly(FileSystem& fs, const std::vector<std::filesystem::path>& files) noexcept;

// Whether the manifest at `path` names `part` of `bucket` (after a failed commit whose
// manifest may or may not have been replaced).
bool manifest_names(FileSystem& fs, const std::filesystem::path& path, int64_t bucket,
                    const PartMeta& part) noexcept;

}  // namespace crv::io
