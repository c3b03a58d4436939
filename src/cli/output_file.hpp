#pragma once
// Where `crvio read` sends its rows: standard output, or a file that is replaced only
// when everything was written, so a failed read never leaves a half-written file or
// clobbers the previous one.

#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>

namespace crv::cli {

class OutputFile {
 public:
  // No path: standard output. A path: a temporary file beside it until commit().
  explicit OutputFile(const std::optional<std::filesystem::path>& path);
  // Removes the temporary file when commit() was not reached.
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  std::ostream& stream();
  // Flushes, then (for a file) renames the temporary file over the destination.
  // IoWriteError naming the path when any write failed.
  void commit();

 private:
  std::optional<std::filesystem::path> path_;
  std::filesystem::path temporary_;
  std::ofstream file_;
  bool committed_ = false;
};

}  // namespace crv::cli
