// Standard output, or a file replaced only once everything was written to it.

#include "cli/output_file.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>

#include "crv/core/errors.hpp"

namespace crv::cli {
namespace {

// Hidden and unique per process, so two reads into the same file do not collide and a
// leftover never looks like a result.
std::filesystem::path temporary_beside(const std::filesystem::path& path) {
  return path.parent_path() / fmt::format(".{}.{}.partial", path.filename().string(), ::getpid());
}

}  // namespace

OutputFile::OutputFile(const std::optional<std::filesystem::path>& path) : path_(path) {
  if (!path_) return;
  if (path_->filename().empty()) {
    throw IoWriteError("output path names no file", {.path = path_->string()});
  }
  temporary_ = temporary_beside(*path_);
  file_.open(temporary_, std::ios::binary | std::ios::trunc);
  if (!file_) {
    throw IoWriteError(std::string("cannot create output file: ") + std::strerror(errno),
                       {.path = path_->string()});
  }
}

OutputFile::~OutputFile() {
  if (!path_ || committed_) return;
  file_.close();
  std::error_code ignored;
  std::filesystem::remove(temporary_, ignored);
}

std::ostream& OutputFile::stream() {
  return path_ ? static_cast<std::ostream&>(file_) : std::cout;
}

void OutputFile::commit() {
  if (!path_) {
    std::cout.flush();
    if (!std::cout) throw IoWriteError("cannot write to standard output");
    return;
  }
  file_.flush();
  const bool written = static_cast<bool>(file_);
  file_.close();
  if (!written || file_.fail()) {
    throw IoWriteError("cannot write output file", {.path = path_->string()});
  }
  std::error_code error;
  std::filesystem::rename(temporary_, *path_, error);
  if (error) {
    throw IoWriteError("cannot replace output file: " + error.message(), {.path = path_->string()});
  }
  committed_ = true;
}

}  // namespace crv::cli
