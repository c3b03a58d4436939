// Parquet sources over the FileSystem seam, for the parts a scan opens.

#include "io/part_source.hpp"

#include <fmt/format.h>

#include "crv/core/errors.hpp"

namespace crv::io {

FileSystemSource::FileSystemSource(FileSystem& fs, std::filesystem::path file)
    : fs_(fs), path_(std::move(file)), name_(path_.string()), file_(fs_.open_for_read(path_)) {
  size_ = file_->size();
}

void FileSystemSource::read_at(uint64_t offset, size_t length, std::vector<uint8_t>& out) {
  if (!file_) {
    file_ = fs_.open_for_read(path_);
    if (file_->size() != size_) {
      const uint64_t now = file_->size();
      file_.reset();
      throw IoError(
          fmt::format("the file changed while being read: it was {} bytes, now {}", size_, now),
          {.path = name_});
    }
  }
  out.resize(length);
  file_->read_at(offset, std::as_writable_bytes(std::span<uint8_t>(out)));
}

OpenedPart open_part(FileSystem& fs, const std::filesystem::path& file, std::string_view remedy,
                     parquet::ReadVerification verification) {
  try {
    auto source = std::make_unique<FileSystemSource>(fs, file);
    FileSystemSource* raw = source.get();
    OpenedPart opened{parquet::ParquetReader(std::move(source), verification), raw};
    raw->close();
    return opened;
  } catch (const IoError& error) {
    throw IoManifestError(
        fmt::format("part '{}' cannot be read: {}{}", file.string(), error.what(), remedy),
        {.path = file.string()});
  }
}

std::optional<size_t> tick_leaf(const parquet::FileInfo& info) {
  if (info.row_groups.empty()) return std::nullopt;
  const auto& columns = info.row_groups.front().columns;
  for (size_t leaf = 0; leaf < columns.size(); ++leaf) {
    if (columns[leaf].path == "tick") return leaf;
  }
  return std::nullopt;
}

std::optional<TickRange> tick_statistics(const parquet::RowGroupInfo& row_group, size_t leaf) {
  if (leaf >= row_group.columns.size()) return std::nullopt;
  const parquet::ColumnStatistics& statistics = row_group.columns[leaf].statistics;
  if (!statistics.min || !statistics.max) return std::nullopt;
  if (statistics.min->kind() != frame::Value::Kind::Int64 ||
      statistics.max->kind() != frame::Value::Kind::Int64) {
    return std::nullopt;
  }
  return TickRange{statistics.min->as_int64(), statistics.max->as_int64()};
}

}  // namespace crv::io
