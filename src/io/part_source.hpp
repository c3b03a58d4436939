#pragma once
// Opening a table's parts for reading through the FileSystem seam, so tests can count
// and fail the opens and reads of a scan like those of an append.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crv/io/file_system.hpp"
#include "crv/parquet/reader.hpp"

namespace crv::io {

// A Parquet source over a FileSystem's file. close() releases the file between reads and
// the next read opens it again, so a reader can keep a part's footer without keeping
// the part open.
class FileSystemSource final : public parquet::RandomAccessSource {
 public:
  // Opens `file` (IoError when it cannot).
  FileSystemSource(FileSystem& fs, std::filesystem::path file);

  uint64_t size() const override { return size_; }
  const std::string& name() const override { return name_; }
  // Reopens a closed file first; an IoError when its size changed meanwhile.
  void read_at(uint64_t offset, size_t length, std::vector<uint8_t>& out) override;
  void close() { file_.reset(); }

 private:
  FileSystem& fs_;
  std::filesystem::path path_;
  std::string name_;
  uint64_t size_ = 0;
  std::unique_ptr<RandomAccessFile> file_;
};

// A part with its footer read and its file closed.
struct OpenedPart {
  parquet::ParquetReader reader;
  FileSystemSource* source;  // owned by `reader`
};

// Opens `file` and reads its footer. Any failure (no such file, an I/O error, not
// Parquet) is an IoManifestError naming the file: "part '<file>' cannot be read: <cause>",
// then `remedy` (e.g. "; restore it or rebuild the manifest"). `verification` applies to
// the reader's reads of rows.
OpenedPart open_part(FileSystem& fs, const std::filesystem::path& file, std::string_view remedy,
                     parquet::ReadVerification verification = {});

struct TickRange {
  int64_t min = 0;
  int64_t max = 0;
};

// The position of the `tick` column among a file's leaf columns, if it has one.
std::optional<size_t> tick_leaf(const parquet::FileInfo& info);

// A row group's tick range from its statistics; nothing when they are absent or not int64.
std::optional<TickRange> tick_statistics(const parquet::RowGroupInfo& row_group, size_t leaf);

}  // namespace crv::io
