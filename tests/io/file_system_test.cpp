// Tests of the default FileSystem: reads, durable writes, replace and identities.

#include "crv/io/file_system.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "io/fault_injecting_file_system.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace crv::io {
namespace {

using test_support::expect_error;
using testing::ElementsAre;

// Long enough that a lock which fails to block is noticed, short enough to keep the
// suite quick. Waits for things that must happen are far longer, so a loaded machine
// does not make the tests flaky.
constexpr auto kMustStillBlock = std::chrono::milliseconds(300);
constexpr auto kMustHappenWithin = std::chrono::seconds(60);

std::string bytes_to_string(const std::vector<std::byte>& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// A byte pattern whose every position differs from its neighbours, so a misplaced
// range shows up.
std::string patterned(std::size_t size) {
  std::string text(size, '\0');
  for (std::size_t i = 0; i < size; ++i) text[i] = static_cast<char>((i * 131 + i / 251) % 256);
  return text;
}

class RealFileSystem : public testing::Test {
 protected:
  FileSystem& fs = default_file_system();
  test_support::TempDir dir;
};

TEST_F(RealFileSystem, WritesAndReadsBackAWholeFile) {
  const auto file = dir / "a.json";
  fs.write_file(file, "{\"a\": 1}");
  EXPECT_EQ(fs.read_file(file), "{\"a\": 1}");
  EXPECT_TRUE(fs.exists(file));
  EXPECT_EQ(fs.file_size(file), 8u);
  ASSERT_TRUE(fs.stat(file).has_value());
  EXPECT_FALSE(fs.stat(file)->is_directory);
  EXPECT_TRUE(fs.stat(dir.path())->is_directory);
}

TEST_F(RealFileSystem, LinkIfAbsentNeverReplacesWhatIsThere) {
  const auto first = dir / "first.tmp";
  const auto second = dir / "second.tmp";
  const auto name = dir / "00001.entry";
  fs.write_file(first, "first");
  fs.write_file(second, "second");
  EXPECT_TRUE(fs.link_if_absent(first, name));
  EXPECT_FALSE(fs.link_if_absent(second, name));
  EXPECT_EQ(fs.read_file(name), "first");
  EXPECT_TRUE(fs.remove_file(first));
  EXPECT_EQ(fs.read_file(name), "first") << "the new name outlives the temporary one";
  const auto error =
      expect_error<IoWriteError>([&] { fs.link_if_absent(dir / "absent", dir / "other"); });
  ASSERT_TRUE(error);
  EXPECT_THAT(error->message(), testing::HasSubstr("cannot link file"));
  EXPECT_THAT(error->message(), testing::HasSubstr("other"));
}

TEST_F(RealFileSystem, StatTellsRegularFilesFromFoldersAndPipesAndFollowsLinks) {
  const auto file = dir / "a.txt";
  fs.write_file(file, "abc");
  const auto pipe = dir / "pipe";
  ASSERT_EQ(::mkfifo(pipe.c_str(), 0600), 0) << std::strerror(errno);
  const auto link_to_file = dir / "file-link";
  const auto link_to_folder = dir / "folder-link";
  const auto dangling = dir / "dangling-link";
  std::filesystem::create_symlink(file, link_to_file);
  std::filesystem::create_directory_symlink(dir.path(), link_to_folder);
  std::filesystem::create_symlink(dir / "nothing", dangling);

  EXPECT_TRUE(fs.stat(file)->is_regular_file);
  EXPECT_FALSE(fs.stat(dir.path())->is_regular_file);
  EXPECT_FALSE(fs.stat(pipe)->is_regular_file);
  EXPECT_FALSE(fs.stat(pipe)->is_directory);
  EXPECT_EQ(fs.stat(link_to_file), fs.stat(file));
  EXPECT_TRUE(fs.stat(link_to_folder)->is_directory);
  EXPECT_FALSE(fs.stat(dangling).has_value());
}

TEST_F(RealFileSystem, WriteFileReplacesTheOldContent) {
  const auto file = dir / "a.txt";
  fs.write_file(file, "a much longer first version");
  fs.write_file(file, "short");
  EXPECT_EQ(fs.read_file(file), "short");
  fs.write_file(file, "");
  EXPECT_EQ(fs.read_file(file), "");
}

TEST_F(RealFileSystem, StreamsALargeFileAndReadsArbitraryRanges) {
  const std::string content = patterned(3 * 1024 * 1024 + 17);
  const auto file = dir / "big.bin";
  {
    const auto out = fs.open_for_write(file);
    EXPECT_EQ(out->path(), file);
    const std::span<const std::byte> bytes = std::as_bytes(std::span(content));
    // Uneven slices, so the file is the concatenation of many writes.
    for (std::size_t offset = 0; offset < bytes.size(); offset += 100'003) {
      out->write(bytes.subspan(offset, std::min<std::size_t>(100'003, bytes.size() - offset)));
    }
    out->sync();
    out->close();
  }
  const auto in = fs.open_for_read(file);
  EXPECT_EQ(in->size(), content.size());
  EXPECT_EQ(bytes_to_string(in->read(0, 10)), content.substr(0, 10));
  EXPECT_EQ(bytes_to_string(in->read(1'234'567, 70'000)), content.substr(1'234'567, 70'000));
  EXPECT_EQ(bytes_to_string(in->read(content.size() - 5, 5)), content.substr(content.size() - 5));
  EXPECT_EQ(fs.read_file(file), content);
}

TEST_F(RealFileSystem, ReadingPastTheEndNamesFileAndOffset) {
  const auto file = dir / "short.bin";
  fs.write_file(file, "0123456789");
  const auto in = fs.open_for_read(file);
  expect_error<IoError>([&] { in->read(8, 5); },
                        {.message_has = {"10 bytes"}, .path = file.string(), .offset = 8});
  // read_at itself reports the end too, after delivering what exists.
  std::vector<std::byte> out(4);
  EXPECT_THROW(in->read_at(8, out), IoError);
}

TEST_F(RealFileSystem, RenameReplacesTheTargetAtomically) {
  const auto old_file = dir / "manifest.json";
  const auto new_file = dir / "manifest.json.tmp-1";
  fs.write_file(old_file, "old");
  fs.write_file(new_file, "new");
  fs.rename(new_file, old_file);
  fs.sync_directory(dir.path());
  EXPECT_EQ(fs.read_file(old_file), "new");
  EXPECT_FALSE(fs.exists(new_file));
}

TEST_F(RealFileSystem, RemoveFileSaysWhetherThereWasAFile) {
  const auto file = dir / "x";
  fs.write_file(file, "x");
  EXPECT_TRUE(fs.remove_file(file));
  EXPECT_FALSE(fs.remove_file(file));
  EXPECT_FALSE(fs.exists(file));
}

TEST_F(RealFileSystem, RemovesAFolderOnlyWhileItIsEmpty) {
  fs.create_directories(dir / "full");
  fs.write_file(dir / "full/part", "data");
  EXPECT_THROW(fs.remove_empty_directory(dir / "full"), IoWriteError);
  EXPECT_EQ(fs.read_file(dir / "full/part"), "data");

  fs.create_directories(dir / "empty");
  fs.remove_empty_directory(dir / "empty");
  EXPECT_FALSE(fs.exists(dir / "empty"));
}

TEST_F(RealFileSystem, ListsNamesSortedWithoutDotEntries) {
  fs.write_file(dir / "c", "");
  fs.write_file(dir / "a", "");
  fs.create_directories(dir / "b");
  fs.write_file(dir / "B", "");
  EXPECT_THAT(fs.list_directory(dir.path()), ElementsAre("B", "a", "b", "c"));
  EXPECT_TRUE(fs.list_directory(dir / "b").empty());
}

TEST_F(RealFileSystem, CreatesNestedFoldersAndAcceptsExistingOnes) {
  const auto deep = dir / "runs/r1/tables/t/bucket=000001";
  fs.create_directories(deep);
  EXPECT_TRUE(fs.stat(deep)->is_directory);
  fs.create_directories(deep);
  fs.create_directories(dir / "runs/r1/tables/t/bucket=000002/");
  EXPECT_THAT(fs.list_directory(dir / "runs/r1/tables/t"),
              ElementsAre("bucket=000001", "bucket=000002"));
}

TEST_F(RealFileSystem, CreateDirectoriesThroughAFileFails) {
  fs.write_file(dir / "file", "");
  expect_error<IoWriteError>([&] { fs.create_directories(dir / "file/sub/deeper"); },
                             {.message_has = {(dir / "file").string(), std::strerror(ENOTDIR)},
                              .path = (dir / "file/sub/deeper").string()});
}

TEST_F(RealFileSystem, StatIdentityChangesWhenTheFileIsReplaced) {
  const auto file = dir / "manifest.json";
  EXPECT_FALSE(fs.stat(file).has_value());
  fs.write_file(file, "version one");
  const FileIdentity first = *fs.stat(file);
  EXPECT_EQ(first.size, 11u);
  EXPECT_EQ(*fs.stat(file), first) << "nothing changed, so the identity must not either";

  // The same size and content, replaced the way manifests are: only the identity can tell.
  fs.write_file(dir / "manifest.json.tmp", "version one");
  fs.rename(dir / "manifest.json.tmp", file);
  const FileIdentity second = *fs.stat(file);
  EXPECT_NE(second, first);
  EXPECT_NE(second.inode, first.inode);
  EXPECT_EQ(second.size, first.size);
}

TEST_F(RealFileSystem, MissingFilesAreReadErrorsNamingThePath) {
  const auto missing = dir / "missing.json";
  expect_error<IoError>([&] { fs.read_file(missing); },
                        {.message_has = {std::strerror(ENOENT)}, .path = missing.string()});
  EXPECT_THROW(fs.file_size(missing), IoError);
  EXPECT_THROW(fs.list_directory(dir / "no-such-folder"), IoError);
}

TEST_F(RealFileSystem, FailedWritesAreWriteErrorsNamingThePath) {
  const auto missing = dir / "missing";
  expect_error<IoWriteError>(
      [&] { fs.rename(missing, dir / "target"); },
      {.message_has = {"target", std::strerror(ENOENT)}, .path = missing.string()});
  EXPECT_THROW(fs.sync_directory(dir / "no-such-folder"), IoWriteError);
  EXPECT_THROW(fs.open_for_write(dir / "no-such-folder/file"), IoWriteError);
  EXPECT_THROW(fs.lock_exclusive(dir / "no-such-folder/.lock"), IoWriteError);
}

TEST_F(RealFileSystem, AClosedFileRefusesFurtherWrites) {
  const auto out = fs.open_for_write(dir / "f");
  out->close();
  EXPECT_THROW(out->write(std::as_bytes(std::span("x", 1))), IoWriteError);
  EXPECT_THROW(out->sync(), IoWriteError);
  EXPECT_THROW(out->close(), IoWriteError);
}

TEST(FsErrors, ClassFollowsWhetherTheOperationChangesTheDisk) {
  const std::vector<FsOperation> writes = {FsOperation::kCreateDirectories,
                                           FsOperation::kOpenForWrite,
                                           FsOperation::kWrite,
                                           FsOperation::kSync,
                                           FsOperation::kClose,
                                           FsOperation::kRename,
                                           FsOperation::kLink,
                                           FsOperation::kSyncDirectory,
                                           FsOperation::kRemove,
                                           FsOperation::kRemoveDirectory,
                                           FsOperation::kLock};
  const std::vector<FsOperation> reads = {FsOperation::kOpenForRead, FsOperation::kRead,
                                          FsOperation::kStat, FsOperation::kListDirectory};
  for (const FsOperation operation : writes) {
    SCOPED_TRACE(std::string(to_string(operation)));
    EXPECT_TRUE(changes_disk(operation));
    EXPECT_THROW(throw_fs_error(operation, EIO, {.path = "/p"}), IoWriteError);
  }
  for (const FsOperation operation : reads) {
    SCOPED_TRACE(std::string(to_string(operation)));
    EXPECT_FALSE(changes_disk(operation));
    expect_error<IoError>(
        [&] { throw_fs_error(operation, EACCES, {.path = "/p"}, " now"); },
        {.message_has = {std::string(" now: ") + std::strerror(EACCES)}, .path = "/p"});
  }
}

// ---------------------------------------------------------------------------------
// Locks.

class FileLocks : public RealFileSystem {};

TEST_F(FileLocks, ASecondLockerInTheSameProcessWaitsForTheFirst) {
  const auto lock_file = dir / ".lock";
  auto first = fs.lock_exclusive(lock_file);
  std::atomic<bool> acquired = false;
  std::promise<void> released_by_second;
  std::thread second([&] {
    const auto lock = fs.lock_exclusive(lock_file);
    acquired = true;
    released_by_second.set_value();
  });
  std::this_thread::sleep_for(kMustStillBlock);
  EXPECT_FALSE(acquired) << "two handles held the lock at once";
  first.reset();
  const bool finished =
      released_by_second.get_future().wait_for(kMustHappenWithin) == std::future_status::ready;
  EXPECT_TRUE(finished) << "the second locker never got the released lock";
  second.join();
  EXPECT_TRUE(acquired);
}

TEST_F(FileLocks, LockingCreatesTheFileAndReleasesOnDestruction) {
  const auto lock_file = dir / "table.lock";
  { const auto lock = fs.lock_exclusive(lock_file); }
  EXPECT_TRUE(fs.exists(lock_file));
  // Released: a non-blocking attempt through an unrelated descriptor succeeds.
  const int fd = ::open(lock_file.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  ::close(fd);
}

// Waits until `fd` is readable or `timeout` passes.
bool readable_within(int fd, std::chrono::milliseconds timeout) {
  pollfd watched{.fd = fd, .events = POLLIN, .revents = 0};
  for (;;) {
    const int ready = ::poll(&watched, 1, static_cast<int>(timeout.count()));
    if (ready >= 0) return ready > 0;
    if (errno != EINTR) return false;
  }
}

TEST_F(FileLocks, ALockerInAnotherProcessWaitsForTheHolder) {
  const auto lock_file = dir / ".lock";
  auto held = fs.lock_exclusive(lock_file);
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The inherited copy of the parent's descriptor would keep the parent's lock alive
    // after the parent lets go; closing it here leaves the parent holding the lock.
    held.reset();
    ::close(pipe_fds[0]);
    int status = 0;
    try {
      const auto lock = default_file_system().lock_exclusive(lock_file);
      const char acquired = 'L';
      status = ::write(pipe_fds[1], &acquired, 1) == 1 ? 0 : 2;
    } catch (...) {
      status = 3;
    }
    ::_exit(status);
  }
  ::close(pipe_fds[1]);
  EXPECT_FALSE(readable_within(pipe_fds[0], kMustStillBlock))
      << "the other process got the lock while this one held it";
  held.reset();
  EXPECT_TRUE(readable_within(pipe_fds[0], kMustHappenWithin))
      << "the other process never got the released lock";
  char acquired = 0;
  EXPECT_EQ(::read(pipe_fds[0], &acquired, 1), 1);
  EXPECT_EQ(acquired, 'L');
  ::close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// ---------------------------------------------------------------------------------
// The fault-injecting wrapper: each failure looks like the real one.

struct InjectedCase {
  FsOperation operation;
  std::string target;  // file or folder name inside the scratch folder
  std::function<void(FileSystem&, const std::filesystem::path&)> act;
};

std::vector<InjectedCase> injected_cases() {
  const auto write_one = [](FileSystem& fs, const std::filesystem::path& file) {
    fs.write_file(file, "payload");
  };
  return {
      {FsOperation::kCreateDirectories, "new/folder",
       [](FileSystem& fs, const auto& p) { fs.create_directories(p); }},
      {FsOperation::kOpenForWrite, "file", write_one},
      {FsOperation::kWrite, "file", write_one},
      {FsOperation::kSync, "file", write_one},
      {FsOperation::kClose, "file", write_one},
      {FsOperation::kRename, "existing",
       [](FileSystem& fs, const auto& p) { fs.rename(p, p.parent_path() / "renamed"); }},
      {FsOperation::kLink, "existing",
       [](FileSystem& fs, const auto& p) { fs.link_if_absent(p, p.parent_path() / "linked"); }},
      {FsOperation::kSyncDirectory, "",
       [](FileSystem& fs, const auto& p) { fs.sync_directory(p); }},
      {FsOperation::kRemove, "existing", [](FileSystem& fs, const auto& p) { fs.remove_file(p); }},
      {FsOperation::kRemoveDirectory, "empty",
       [](FileSystem& fs, const auto& p) {
         fs.create_directories(p);
         fs.remove_empty_directory(p);
       }},
      {FsOperation::kLock, ".lock", [](FileSystem& fs, const auto& p) { fs.lock_exclusive(p); }},
      {FsOperation::kOpenForRead, "existing",
       [](FileSystem& fs, const auto& p) { fs.read_file(p); }},
      {FsOperation::kRead, "existing", [](FileSystem& fs, const auto& p) { fs.read_file(p); }},
      {FsOperation::kStat, "existing", [](FileSystem& fs, const auto& p) { fs.exists(p); }},
      {FsOperation::kListDirectory, "",
       [](FileSystem& fs, const auto& p) { fs.list_directory(p); }},
  };
}

TEST(FaultInjection, EachOperationFailsWithTheRealErrorClassPathAndErrnoText) {
  for (const InjectedCase& injected : injected_cases()) {
    SCOPED_TRACE(std::string(to_string(injected.operation)));
    test_support::TempDir dir;
    default_file_system().write_file(dir / "existing", "content");
    const std::filesystem::path target =
        injected.target.empty() ? dir.path() : dir / injected.target;
    FaultInjectingFileSystem fs;
    fs.fail(injected.operation, 1, ENOSPC);
    const auto act = [&] { injected.act(fs, target); };
    const test_support::ErrorExpectation named{.message_has = {std::strerror(ENOSPC)},
                                               .path = target.string()};
    if (changes_disk(injected.operation)) {
      expect_error<IoWriteError>(act, named);
    } else {
      expect_error<IoError>(act, named);
    }
    EXPECT_EQ(fs.calls(injected.operation), 1);
  }
}

TEST(FaultInjection, FailsOnlyTheNthMatchingCall) {
  test_support::TempDir dir;
  FaultInjectingFileSystem fs;
  fs.fail(FsOperation::kRename, 2, EXDEV, "*/b/*");
  fs.create_directories(dir / "a");
  fs.create_directories(dir / "b");
  for (const char* folder : {"a", "b"}) {
    fs.write_file(dir / folder / "1", "x");
    fs.write_file(dir / folder / "2", "x");
    fs.write_file(dir / folder / "3", "x");
  }
  fs.rename(dir / "a/1", dir / "a/1.moved");  // not under b: not counted by the rule
  fs.rename(dir / "b/1", dir / "b/1.moved");  // first match
  EXPECT_THROW(fs.rename(dir / "b/2", dir / "b/2.moved"), IoWriteError);
  fs.rename(dir / "b/3", dir / "b/3.moved");  // the rule fired once and is spent
  EXPECT_TRUE(fs.exists(dir / "b/2"));
  EXPECT_FALSE(fs.exists(dir / "b/2.moved"));
  EXPECT_TRUE(fs.exists(dir / "b/3.moved"));
}

TEST(FaultInjection, CountsCallsPerOperationAndPathPatternAndBytesRead) {
  test_support::TempDir dir;
  FaultInjectingFileSystem fs;
  fs.create_directories(dir / "bucket=000001");
  fs.create_directories(dir / "bucket=000002");
  fs.write_file(dir / "bucket=000001/part-a.parquet", patterned(1000));
  fs.write_file(dir / "bucket=000002/part-b.parquet", patterned(500));
  EXPECT_EQ(fs.calls(FsOperation::kOpenForWrite), 2);
  EXPECT_EQ(fs.calls(FsOperation::kWrite, "*/bucket=000002/*"), 1);
  EXPECT_EQ(fs.calls(FsOperation::kSync), 2);
  EXPECT_EQ(fs.calls(FsOperation::kClose), 2);

  const auto in = fs.open_for_read(dir / "bucket=000001/part-a.parquet");
  in->read(100, 200);
  in->read(900, 100);
  EXPECT_EQ(fs.calls(FsOperation::kOpenForRead, "*/bucket=000001/*"), 1);
  EXPECT_EQ(fs.calls(FsOperation::kOpenForRead, "*/bucket=000002/*"), 0);
  EXPECT_EQ(fs.calls(FsOperation::kRead), 2);
  EXPECT_EQ(fs.bytes_read(), 300u);
}

}  // namespace
}  // namespace crv::io
