// The default FileSystem on POSIX calls: reads, durable writes, atomic replace, locks.

#include "crv/io/file_system.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <utility>

#include "crv/io/paths.hpp"

namespace crv::io {

std::string_view to_string(FsOperation operation) noexcept {
  switch (operation) {
    case FsOperation::kCreateDirectories:
      return "create_directories";
    case FsOperation::kOpenForWrite:
      return "open_for_write";
    case FsOperation::kWrite:
      return "write";
    case FsOperation::kSync:
      return "sync";
    case FsOperation::kClose:
      return "close";
    case FsOperation::kRename:
      return "rename";
    case FsOperation::kLink:
      return "link";
    case FsOperation::kSyncDirectory:
      return "sync_directory";
    case FsOperation::kRemove:
      return "remove";
    case FsOperation::kRemoveDirectory:
      return "remove_directory";
    case FsOperation::kLock:
      return "lock";
    case FsOperation::kOpenForRead:
      return "open_for_read";
    case FsOperation::kRead:
      return "read";
    case FsOperation::kStat:
      return "stat";
    case FsOperation::kListDirectory:
      return "list_directory";
  }
  return "unknown";
}

bool changes_disk(FsOperation operation) noexcept {
  switch (operation) {
    case FsOperation::kOpenForRead:
    case FsOperation::kRead:
    case FsOperation::kStat:
    case FsOperation::kListDirectory:
      return false;
    default:
      return true;
  }
}

namespace {

std::string_view what_failed(FsOperation operation) {
  switch (operation) {
    case FsOperation::kCreateDirectories:
      return "cannot create folder";
    case FsOperation::kOpenForWrite:
      return "cannot create file";
    case FsOperation::kWrite:
      return "cannot write file";
    case FsOperation::kSync:
      return "cannot flush file to disk";
    case FsOperation::kClose:
      return "cannot close file";
    case FsOperation::kRename:
      return "cannot rename file";
    case FsOperation::kLink:
      return "cannot link file";
    case FsOperation::kSyncDirectory:
      return "cannot flush folder to disk";
    case FsOperation::kRemove:
      return "cannot remove file";
    case FsOperation::kRemoveDirectory:
      return "cannot remove folder";
    case FsOperation::kLock:
      return "cannot lock file";
    case FsOperation::kOpenForRead:
      return "cannot open file for reading";
    case FsOperation::kRead:
      return "cannot read file";
    case FsOperation::kStat:
      return "cannot get file status";
    case FsOperation::kListDirectory:
      return "cannot list folder";
  }
  return "file system call failed";
}

[[noreturn]] void throw_past_end(const std::filesystem::path& path, uint64_t offset,
                                 uint64_t length, uint64_t size) {
  throw IoError(fmt::format("cannot read {} bytes at offset {}: the file has only {} bytes", length,
                            offset, size),
                {.path = path.string(), .offset = offset});
}

}  // namespace

void throw_fs_error(FsOperation operation, int error_number, ErrorContext context,
                    std::string_view detail) {
  const std::string message = fmt::format("{}{}: {}", what_failed(operation), detail,
                                          std::generic_category().message(error_number));
  if (changes_disk(operation)) throw IoWriteError(message, std::move(context));
  throw IoError(message, std::move(context));
}

std::vector<std::byte> RandomAccessFile::read(uint64_t offset, uint64_t length) {
  // Checked before allocating, so a corrupt length read from a file cannot ask for
  // more memory than the file holds.
  if (length > size_ || offset > size_ - length) throw_past_end(path_, offset, length, size_);
  std::vector<std::byte> bytes(length);
  read_at(offset, bytes);
  return bytes;
}

void FileSystem::write_file(const std::filesystem::path& file, std::string_view bytes) {
  const std::unique_ptr<WritableFile> out = open_for_write(file);
  out->write(std::as_bytes(std::span(bytes)));
  out->sync();
  out->close();
}

void FileSystem::replace_file(const std::filesystem::path& file, std::string_view bytes,
                              std::string_view what) {
  const std::filesystem::path temp = replacement_temp_path(file);
  try {
    write_file(temp, bytes);
    rename(temp, file);
  } catch (const IoError& error) {
    std::string leftover;
    try {
      remove_file(temp);
    } catch (const IoError& cleanup_error) {
      leftover =
          fmt::format("; the temporary file could not be removed either: {}", cleanup_error.what());
    }
    throw IoWriteError(fmt::format("cannot write {}: {}{}", what, error.what(), leftover),
                       {.path = file.string()});
  }
  try {
    sync_directory(containing_folder(file));
  } catch (const IoError& error) {
    throw IoWriteError(fmt::format("{} was replaced, but a crash may still bring back the "
                                   "previous one: {}",
                                   what, error.what()),
                       {.path = file.string()});
  }
}

std::string FileSystem::read_file(const std::filesystem::path& file) {
  const std::unique_ptr<RandomAccessFile> in = open_for_read(file);
  std::string bytes(in->size(), '\0');
  in->read_at(0, std::as_writable_bytes(std::span(bytes)));
  return bytes;
}

std::optional<std::string> FileSystem::read_file_if_exists(const std::filesystem::path& file) {
  if (!exists(file)) return std::nullopt;
  return read_file(file);
}

std::filesystem::path containing_folder(const std::filesystem::path& path) {
  const std::filesystem::path parent = path.parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

uint64_t FileSystem::file_size(const std::filesystem::path& file) {
  const std::optional<FileIdentity> identity = stat(file);
  if (!identity) throw_fs_error(FsOperation::kStat, ENOENT, {.path = file.string()});
  return identity->size;
}

namespace {

// Owns a descriptor; closing it on destruction also releases any flock taken through it.
class UniqueFd {
 public:
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&&) = delete;
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }

  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// Opens with EINTR retried; throws the error of `operation` on failure.
UniqueFd open_fd(const std::filesystem::path& path, int flags, FsOperation operation) {
  constexpr mode_t kNewFileMode = 0666;  // narrowed by the umask
  for (;;) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC, kNewFileMode);
    if (fd >= 0) return UniqueFd(fd);
    if (errno != EINTR) throw_fs_error(operation, errno, {.path = path.string()});
  }
}

void fsync_fd(int fd, const std::filesystem::path& path, FsOperation operation) {
  while (::fsync(fd) != 0) {
    if (errno != EINTR) throw_fs_error(operation, errno, {.path = path.string()});
  }
}

int64_t to_nanoseconds(const timespec& time) {
  constexpr int64_t kNanosecondsPerSecond = 1'000'000'000;
  return static_cast<int64_t>(time.tv_sec) * kNanosecondsPerSecond + time.tv_nsec;
}

FileIdentity identity_of(const struct stat& status) {
  return {.device = static_cast<uint64_t>(status.st_dev),
          .inode = static_cast<uint64_t>(status.st_ino),
          .size = static_cast<uint64_t>(status.st_size),
          .modified_ns = to_nanoseconds(status.st_mtim),
          .changed_ns = to_nanoseconds(status.st_ctim),
          .is_directory = S_ISDIR(status.st_mode),
          .is_regular_file = S_ISREG(status.st_mode)};
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::filesystem::path path, UniqueFd fd)
      : WritableFile(std::move(path)), fd_(std::move(fd)) {}

  void write(std::span<const std::byte> bytes) override {
    require_open(FsOperation::kWrite);
    while (!bytes.empty()) {
      const ssize_t written = ::write(fd_.get(), bytes.data(), bytes.size());
      if (written < 0 && errno == EINTR) continue;
      // A regular file that takes no bytes would loop forever; report it as the I/O
      // error it is.
      if (written <= 0) {
        throw_fs_error(FsOperation::kWrite, written < 0 ? errno : EIO,
                       {.path = path().string(), .offset = bytes_written_});
      }
      bytes = bytes.subspan(static_cast<std::size_t>(written));
      bytes_written_ += static_cast<uint64_t>(written);
    }
  }

  void sync() override {
    require_open(FsOperation::kSync);
    fsync_fd(fd_.get(), path(), FsOperation::kSync);
  }

  void close() override {
    require_open(FsOperation::kClose);
    // Linux releases the descriptor even when close() fails, so it is never retried;
    // EINTR only means the call was interrupted after the release.
    if (::close(fd_.release()) != 0 && errno != EINTR) {
      throw_fs_error(FsOperation::kClose, errno, {.path = path().string()});
    }
  }

 private:
  void require_open(FsOperation operation) const {
    if (fd_.get() < 0) throw_fs_error(operation, EBADF, {.path = path().string()}, " after close");
  }

  UniqueFd fd_;
  uint64_t bytes_written_ = 0;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::filesystem::path path, uint64_t size, UniqueFd fd)
      : RandomAccessFile(std::move(path), size), fd_(std::move(fd)) {}

  void read_at(uint64_t offset, std::span<std::byte> out) override {
    std::size_t filled = 0;
    while (filled < out.size()) {
      const uint64_t position = offset + filled;
      const ssize_t got = ::pread(fd_.get(), out.data() + filled, out.size() - filled,
                                  static_cast<off_t>(position));
      if (got < 0) {
        if (errno == EINTR) continue;
        throw_fs_error(FsOperation::kRead, errno, {.path = path().string(), .offset = position});
      }
      if (got == 0) throw_past_end(path(), offset, out.size(), position);
      filled += static_cast<std::size_t>(got);
    }
  }

 private:
  UniqueFd fd_;
};

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(UniqueFd fd) : fd_(std::move(fd)) {}

 private:
  UniqueFd fd_;
};

class PosixFileSystem final : public FileSystem {
 public:
  void create_directories(const std::filesystem::path& folder) override {
    // Walk up to the nearest existing ancestor, then create downwards, syncing each
    // parent so the new entry is durable before anything is written inside it.
    std::vector<std::filesystem::path> missing;
    std::filesystem::path current = folder;
    if (!current.has_filename()) current = current.parent_path();  // "a/b/" names "a/b"
    while (!current.empty()) {
      const std::optional<FileIdentity> found = stat_path(current, FsOperation::kCreateDirectories);
      if (found) {
        if (!found->is_directory) {
          throw_fs_error(FsOperation::kCreateDirectories, ENOTDIR, {.path = folder.string()},
                         fmt::format(" ('{}' is not a folder)", current.string()));
        }
        break;
      }
      missing.push_back(current);
      current = current.parent_path();
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
      constexpr mode_t kNewFolderMode = 0777;  // narrowed by the umask
      if (::mkdir(it->c_str(), kNewFolderMode) != 0 && errno != EEXIST) {
        throw_fs_error(FsOperation::kCreateDirectories, errno, {.path = it->string()});
      }
      sync_folder(containing_folder(*it), FsOperation::kCreateDirectories);
    }
  }

  std::unique_ptr<WritableFile> open_for_write(const std::filesystem::path& file) override {
    UniqueFd fd = open_fd(file, O_WRONLY | O_CREAT | O_TRUNC, FsOperation::kOpenForWrite);
    return std::make_unique<PosixWritableFile>(file, std::move(fd));
  }

  std::unique_ptr<RandomAccessFile> open_for_read(const std::filesystem::path& file) override {
    UniqueFd fd = open_fd(file, O_RDONLY, FsOperation::kOpenForRead);
    struct stat status {};
    if (::fstat(fd.get(), &status) != 0) {
      throw_fs_error(FsOperation::kOpenForRead, errno, {.path = file.string()});
    }
    if (S_ISDIR(status.st_mode)) {
      throw_fs_error(FsOperation::kOpenForRead, EISDIR, {.path = file.string()});
    }
    return std::make_unique<PosixRandomAccessFile>(file, static_cast<uint64_t>(status.st_size),
                                                   std::move(fd));
  }

  void rename(const std::filesystem::path& from, const std::filesystem::path& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      throw_fs_error(FsOperation::kRename, errno, {.path = from.string()},
                     fmt::format(" to '{}'", to.string()));
    }
  }

  bool link_if_absent(const std::filesystem::path& from, const std::filesystem::path& to) override {
    if (::link(from.c_str(), to.c_str()) == 0) return true;
    if (errno == EEXIST) return false;
    throw_fs_error(FsOperation::kLink, errno, {.path = from.string()},
                   fmt::format(" to '{}'", to.string()));
  }

  void sync_directory(const std::filesystem::path& folder) override {
    sync_folder(folder, FsOperation::kSyncDirectory);
  }

  bool remove_file(const std::filesystem::path& file) override {
    if (::unlink(file.c_str()) == 0) return true;
    if (errno == ENOENT) return false;
    throw_fs_error(FsOperation::kRemove, errno, {.path = file.string()});
  }

  void remove_empty_directory(const std::filesystem::path& folder) override {
    if (::rmdir(folder.c_str()) != 0) {
      throw_fs_error(FsOperation::kRemoveDirectory, errno, {.path = folder.string()});
    }
  }

  std::optional<FileIdentity> stat(const std::filesystem::path& path) override {
    return stat_path(path, FsOperation::kStat);
  }

  std::vector<std::string> list_directory(const std::filesystem::path& folder) override {
    const std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(folder.c_str()), ::closedir);
    if (!dir) throw_fs_error(FsOperation::kListDirectory, errno, {.path = folder.string()});
    std::vector<std::string> names;
    for (;;) {
      errno = 0;  // readdir() returns null both at the end and on failure
      const dirent* entry = ::readdir(dir.get());
      if (entry == nullptr) {
        if (errno != 0)
          throw_fs_error(FsOperation::kListDirectory, errno, {.path = folder.string()});
        break;
      }
      const std::string_view name = entry->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  std::unique_ptr<FileLock> lock_exclusive(const std::filesystem::path& file) override {
    UniqueFd fd = open_fd(file, O_RDWR | O_CREAT, FsOperation::kLock);
    // flock (unlike fcntl locks) belongs to the open file description, which is what
    // makes two opens in one process exclude each other.
    while (::flock(fd.get(), LOCK_EX) != 0) {
      if (errno != EINTR) throw_fs_error(FsOperation::kLock, errno, {.path = file.string()});
    }
    return std::make_unique<PosixFileLock>(std::move(fd));
  }

 private:
  // Nothing when `path` or one of its parents does not exist; other failures are
  // reported as failures of `operation`.
  static std::optional<FileIdentity> stat_path(const std::filesystem::path& path,
                                               FsOperation operation) {
    struct stat status {};
    if (::stat(path.c_str(), &status) == 0) return identity_of(status);
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    throw_fs_error(operation, errno, {.path = path.string()});
  }

  static void sync_folder(const std::filesystem::path& folder, FsOperation operation) {
    const UniqueFd fd = open_fd(folder, O_RDONLY | O_DIRECTORY, operation);
    fsync_fd(fd.get(), folder, operation);
  }
};

}  // namespace

FileSystem& default_file_system() {
  static PosixFileSystem posix;
  return posix;
}

}  // namespace crv::io
