#pragma once
// The file-system seam of the I/O layer. Everything crv-io does to disk goes through a
// FileSystem, so tests can put a wrapper in between that fails a chosen call and then
// check that nothing already committed was lost.
//
// Failures throw IoWriteError when the call changes the disk and IoError when it only
// reads. Each names the path (ErrorContext::path) and the operating system's reason;
// callers that know more (say, that the file is a manifest) rethrow with that class.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crv/core/errors.hpp"

namespace crv::io {

// The calls a FileSystem makes, as its errors name them and as test wrappers count and
// fail them.
enum class FsOperation : uint8_t {
  kCreateDirectories,
  kOpenForWrite,
  kWrite,
  kSync,
  kClose,
  kRename,
  kLink,
  kSyncDirectory,
  kRemove,
  kRemoveDirectory,
  kLock,
  kOpenForRead,
  kRead,
  kStat,
  kListDirectory,
};

// "create_directories", "open_for_write", ...
std::string_view to_string(FsOperation operation) noexcept;

// True for the operations that change the disk (and so fail with IoWriteError).
bool changes_disk(FsOperation operation) noexcept;

// Throws what a failure of `operation` with errno `error_number` means: an IoWriteError
// when the operation changes the disk, else an IoError. The message says what could not
// be done, then `detail` (e.g. " to 'b.json'" for a rename), then the errno text.
[[noreturn]] void throw_fs_error(FsOperation operation, int error_number, ErrorContext context,
                                 std::string_view detail = {});

// What stat() reports about a file. Two identities of one path differ when the file was
// replaced or rewritten since: a rename over it brings a new inode and change time.
struct FileIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
  uint64_t size = 0;
  int64_t modified_ns = 0;  // mtime, nanoseconds since the epoch
  int64_t changed_ns = 0;   // ctime, which a same-size rewrite cannot leave unchanged
  bool is_directory = false;
  // Neither a folder nor a device, pipe or socket: a file whose bytes can be read.
  bool is_regular_file = false;

  bool operator==(const FileIdentity&) const = default;
};

// A file open for writing. Each write() is one or more system calls, so callers should
// pass large buffers. Closing without close() (e.g. while unwinding) still releases the
// descriptor, but its errors are lost: call close() to know the data was accepted.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  WritableFile(const WritableFile&) = delete;
  WritableFile& operator=(const WritableFile&) = delete;

  // Appends every byte, resuming after short writes and interruptions.
  virtual void write(std::span<const std::byte> bytes) = 0;
  // Returns once the file's data and size are on stable storage (fsync).
  virtual void sync() = 0;
  virtual void close() = 0;

  const std::filesystem::path& path() const { return path_; }

 protected:
  explicit WritableFile(std::filesystem::path path) : path_(std::move(path)) {}

 private:
  std::filesystem::path path_;
};

// A file open for reading at arbitrary offsets. read_at() may be called from several
// threads at once.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  RandomAccessFile(const RandomAccessFile&) = delete;
  RandomAccessFile& operator=(const RandomAccessFile&) = delete;

  // Fills `out` with the bytes at `offset`. Throws IoError (with the offset) when the
  // file ends first.
  virtual void read_at(uint64_t offset, std::span<std::byte> out) = 0;

  // `length` bytes at `offset`; see read_at().
  std::vector<std::byte> read(uint64_t offset, uint64_t length);

  const std::filesystem::path& path() const { return path_; }
  // The size when the file was opened.
  uint64_t size() const { return size_; }

 protected:
  RandomAccessFile(std::filesystem::path path, uint64_t size)
      : path_(std::move(path)), size_(size) {}

 private:
  std::filesystem::path path_;
  uint64_t size_;
};

// An exclusive lock on a file, held until destruction.
class FileLock {
 public:
  virtual ~FileLock() = default;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 protected:
  FileLock() = default;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates `folder` and its missing parents. Each new folder's entry is flushed to disk
  // (its parent is synced), so files later committed inside it survive a crash. An
  // existing folder is fine; an existing file in the way is an error.
  virtual void create_directories(const std::filesystem::path& folder) = 0;

  // Creates `file`, or empties it when it exists.
  virtual std::unique_ptr<WritableFile> open_for_write(const std::filesystem::path& file) = 0;

  virtual std::unique_ptr<RandomAccessFile> open_for_read(const std::filesystem::path& file) = 0;

  // Atomically replaces `to` (if present) with `from`. Both must be on one file system;
  // the new name lasts through a crash only once their folder is synced.
  virtual void rename(const std::filesystem::path& from, const std::filesystem::path& to) = 0;

  // Gives the file `from` the further name `to` unless something is named `to` already
  // (a hard link): false then, and nothing changes. This is put-if-absent that network
  // file systems (NFS, Lustre) honour between hosts where locks cannot be trusted, and
  // `to` appears with all of `from`'s bytes or not at all. The new name lasts through a
  // crash once the folder is synced.
  virtual bool link_if_absent(const std::filesystem::path& from,
                              const std::filesystem::path& to) = 0;

  // Flushes a folder's entries (creations, renames, removals) to disk.
  virtual void sync_directory(const std::filesystem::path& folder) = 0;

  // False when there was no such file.
  virtual bool remove_file(const std::filesystem::path& file) = 0;

  // Removes `folder` only while it is empty (an error otherwise), so nothing that lands
  // in it meanwhile can be lost.
  virtual void remove_empty_directory(const std::filesystem::path& folder) = 0;

  // Nothing when the path does not exist. Symbolic links are followed, so a link reports
  // what it points to, and a dangling one does not exist.
  virtual std::optional<FileIdentity> stat(const std::filesystem::path& path) = 0;

  // The names in `folder` (without "." and ".."), sorted bytewise.
  virtual std::vector<std::string> list_directory(const std::filesystem::path& folder) = 0;

  // Blocks until this caller holds an exclusive advisory lock on `file`, which is created
  // when absent. The lock belongs to the returned handle, not to the process: two
  // handles exclude each other whether they live in two processes or in two threads of
  // one (so a thread that locks a file twice waits for itself forever). A forked child
  // shares its parent's handle, so the lock lasts until both have closed it.
  virtual std::unique_ptr<FileLock> lock_exclusive(const std::filesystem::path& file) = 0;

  // Writes a whole file and syncs it before closing: open_for_write, write, sync, close.
  void write_file(const std::filesystem::path& file, std::string_view bytes);
  // Replaces `file` atomically with `bytes`: they go to <file>.tmp-<random hex> (so a
  // writer that ignores the caller's lock cannot clobber this one's temporary file),
  // which is synced and renamed over `file`; then the folder is synced. `what` names the
  // file in messages ("manifest"). Throws IoWriteError: "cannot write <what>: ..." when
  // `file` is unchanged (the temporary file is removed), or "<what> was replaced, but a
  // crash may still bring back the previous one: ..." when only the folder sync failed.
  void replace_file(const std::filesystem::path& file, std::string_view bytes,
                    std::string_view what);
  // A whole file's bytes, through open_for_read and read_at.
  std::string read_file(const std::filesystem::path& file);
  // read_file, or nothing when there is no file at `file`.
  std::optional<std::string> read_file_if_exists(const std::filesystem::path& file);
  bool exists(const std::filesystem::path& path) { return stat(path).has_value(); }
  bool is_directory(const std::filesystem::path& path) {
    const std::optional<FileIdentity> identity = stat(path);
    return identity && identity->is_directory;
  }
  // Throws IoError when the file does not exist.
  uint64_t file_size(const std::filesystem::path& file);
};

// The folder whose entries list `path` ("." for a bare name): the one to sync after
// creating, renaming or removing `path`.
std::filesystem::path containing_folder(const std::filesystem::path& path);

// The operating system's file system; one instance shared by the whole process.
FileSystem& default_file_system();

}  // namespace crv::io
