#pragma once
// A test seam for the I/O layer: a FileSystem that forwards to a real one, records every
// call and fails the calls it is told to fail, with the same error the real one would
// throw.

#include <fnmatch.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crv/io/file_system.hpp"

namespace crv::io {

// Every operation the seam can fail, in declaration order.
inline std::vector<FsOperation> all_fs_operations() {
  std::vector<FsOperation> operations;
  for (int operation = 0; operation <= static_cast<int>(FsOperation::kListDirectory); ++operation) {
    operations.push_back(static_cast<FsOperation>(operation));
  }
  return operations;
}

class FaultInjectingFileSystem final : public FileSystem {
 public:
  explicit FaultInjectingFileSystem(FileSystem& real = default_file_system()) : real_(real) {}

  // The `nth` call (counting from 1) of `operation` on a path matching `path_pattern`
  // fails with `error_number` instead of reaching the real file system. Patterns are
  // fnmatch globs whose '*' also matches '/'; a rename or link is matched on its source path.
  void fail(FsOperation operation, int nth, int error_number = EIO,
            std::string path_pattern = "*") {
    const std::lock_guard lock(mutex_);
    rules_.push_back({operation, std::move(path_pattern), nth, error_number});
  }

  // Runs `action` just before the `nth` call of `operation` on a path matching
  // `path_pattern` reaches the real file system (outside the seam's own lock).
  void before(FsOperation operation, int nth, std::function<void()> action,
              std::string path_pattern = "*") {
    const std::lock_guard lock(mutex_);
    actions_.push_back({operation, std::move(path_pattern), nth, std::move(action)});
  }

  // Locks taken through this file system lock nothing, as on a host whose locks other
  // hosts do not see: writers are left with the commit log's put-if-absent alone.
  void ignore_locks() {
    const std::lock_guard lock(mutex_);
    locks_ignored_ = true;
  }

  // Calls of `operation` so far, failed ones included, on paths matching `path_pattern`.
  int calls(FsOperation operation, std::string_view path_pattern = "*") const {
    const std::lock_guard lock(mutex_);
    int count = 0;
    for (const Call& call : calls_) {
      if (call.operation == operation && matches(path_pattern, call.path)) ++count;
    }
    return count;
  }

  // Bytes delivered by read_at() so far.
  uint64_t bytes_read() const {
    const std::lock_guard lock(mutex_);
    return bytes_read_;
  }

  void create_directories(const std::filesystem::path& folder) override {
    enter(FsOperation::kCreateDirectories, folder);
    real_.create_directories(folder);
  }

  std::unique_ptr<WritableFile> open_for_write(const std::filesystem::path& file) override {
    enter(FsOperation::kOpenForWrite, file);
    return std::make_unique<Writable>(*this, real_.open_for_write(file));
  }

  std::unique_ptr<RandomAccessFile> open_for_read(const std::filesystem::path& file) override {
    enter(FsOperation::kOpenForRead, file);
    return std::make_unique<Readable>(*this, real_.open_for_read(file));
  }

  void rename(const std::filesystem::path& from, const std::filesystem::path& to) override {
    enter(FsOperation::kRename, from);
    real_.rename(from, to);
  }

  bool link_if_absent(const std::filesystem::path& from, const std::filesystem::path& to) override {
    enter(FsOperation::kLink, from);
    return real_.link_if_absent(from, to);
  }

  void sync_directory(const std::filesystem::path& folder) override {
    enter(FsOperation::kSyncDirectory, folder);
    real_.sync_directory(folder);
  }

  bool remove_file(const std::filesystem::path& file) override {
    enter(FsOperation::kRemove, file);
    return real_.remove_file(file);
  }

  void remove_empty_directory(const std::filesystem::path& folder) override {
    enter(FsOperation::kRemoveDirectory, folder);
    real_.remove_empty_directory(folder);
  }

  std::optional<FileIdentity> stat(const std::filesystem::path& path) override {
    enter(FsOperation::kStat, path);
    return real_.stat(path);
  }

  std::vector<std::string> list_directory(const std::filesystem::path& folder) override {
    enter(FsOperation::kListDirectory, folder);
    return real_.list_directory(folder);
  }

  std::unique_ptr<FileLock> lock_exclusive(const std::filesystem::path& file) override {
    enter(FsOperation::kLock, file);
    if (locks_ignored_) return std::make_unique<NoLock>();
    return real_.lock_exclusive(file);
  }

 private:
  struct Rule {
    FsOperation operation;
    std::string path_pattern;
    int nth;
    int error_number;
    int matched = 0;
  };

  struct Call {
    FsOperation operation;
    std::string path;
  };

  struct Action {
    FsOperation operation;
    std::string path_pattern;
    int nth;
    std::function<void()> run;
    int matched = 0;
  };

  class NoLock final : public FileLock {};

  class Writable final : public WritableFile {
   public:
    Writable(FaultInjectingFileSystem& owner, std::unique_ptr<WritableFile> real)
        : WritableFile(real->path()), owner_(owner), real_(std::move(real)) {}

    void write(std::span<const std::byte> bytes) override {
      owner_.enter(FsOperation::kWrite, path());
      real_->write(bytes);
    }
    void sync() override {
      owner_.enter(FsOperation::kSync, path());
      real_->sync();
    }
    void close() override {
      owner_.enter(FsOperation::kClose, path());
      real_->close();
    }

   private:
    FaultInjectingFileSystem& owner_;
    std::unique_ptr<WritableFile> real_;
  };

  class Readable final : public RandomAccessFile {
   public:
    Readable(FaultInjectingFileSystem& owner, std::unique_ptr<RandomAccessFile> real)
        : RandomAccessFile(real->path(), real->size()), owner_(owner), real_(std::move(real)) {}

    void read_at(uint64_t offset, std::span<std::byte> out) override {
      owner_.enter(FsOperation::kRead, path());
      real_->read_at(offset, out);
      const std::lock_guard lock(owner_.mutex_);
      owner_.bytes_read_ += out.size();
    }

   private:
    FaultInjectingFileSystem& owner_;
    std::unique_ptr<RandomAccessFile> real_;
  };

  static bool matches(std::string_view pattern, const std::string& path) {
    return ::fnmatch(std::string(pattern).c_str(), path.c_str(), 0) == 0;
  }

  // The one hook every operation passes through: records the call, then fails it when a
  // rule says so.
  void enter(FsOperation operation, const std::filesystem::path& path) {
    std::vector<std::function<void()>> due;
    {
      const std::lock_guard lock(mutex_);
      calls_.push_back(Call{operation, path.string()});
      for (Action& action : actions_) {
        if (action.operation == operation && matches(action.path_pattern, path.string()) &&
            ++action.matched == action.nth) {
          due.push_back(action.run);
        }
      }
    }
    for (const std::function<void()>& action : due) action();
    const std::lock_guard lock(mutex_);
    for (Rule& rule : rules_) {
      if (rule.operation != operation || !matches(rule.path_pattern, path.string())) continue;
      if (++rule.matched == rule.nth) {
        throw_fs_error(operation, rule.error_number, {.path = path.string()}, " (injected)");
      }
    }
  }

  FileSystem& real_;
  mutable std::mutex mutex_;
  std::vector<Rule> rules_;
  std::vector<Call> calls_;
  std::vector<Action> actions_;
  bool locks_ignored_ = false;
  uint64_t bytes_read_ = 0;
};

// Calls `attempt` once for every call `counter` recorded, each time with a fresh file
// system that fails that call (the nth of its operation), inside a trace naming it.
template <typename Attempt>
void for_each_failing_call(const FaultInjectingFileSystem& counter, Attempt&& attempt) {
  for (const FsOperation operation : all_fs_operations()) {
    for (int nth = 1; nth <= counter.calls(operation); ++nth) {
      SCOPED_TRACE(std::string(to_string(operation)) + " #" + std::to_string(nth));
      FaultInjectingFileSystem fs;
      fs.fail(operation, nth);
      attempt(fs);
    }
  }
}

}  // namespace crv::io
