// The per-table writer lock, across threads and processes.

#include "io/table_lock.hpp"

namespace crv::io {

TableLock::TableLock(FileSystem& fs, const std::filesystem::path& table_dir)
    : lock_path_(table_dir / kTableLockFileName) {
  fs.create_directories(table_dir);
  lock_ = fs.lock_exclusive(lock_path_);
}

}  // namespace crv::io
