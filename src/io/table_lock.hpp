#pragma once
// The per-table writer lock. Appends to one table, from any thread or process, take it
// before reading the manifest and keep it until the new manifest is committed, so no
// writer's update is lost to another's.

#include <filesystem>
#include <memory>
#include <string_view>

#include "crv/io/file_system.hpp"

namespace crv::io {

// The lock file inside a table's folder. Readers of the dataset ignore it: it is not a
// part and not in a bucket folder.
inline constexpr std::string_view kTableLockFileName = ".lock";

// Holds an exclusive lock on <table_dir>/.lock from construction to destruction.
// Construction blocks while another holder exists; that includes a TableLock on the same
// table held by the calling thread, so a thread must not nest them.
class TableLock {
 public:
  // Creates `table_dir` and the lock file when absent. Throws IoWriteError when either
  // cannot be created or locked.
  TableLock(FileSystem& fs, const std::filesystem::path& table_dir);

  const std::filesystem::path& lock_path() const { return lock_path_; }

 private:
  std::filesystem::path lock_path_;
  std::unique_ptr<FileLock> lock_;
};

}  // namespace crv::io
