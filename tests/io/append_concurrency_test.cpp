// Several writers appending to one table at once, as processes and as threads, each with
// its own Dataset: the table lock must serialise their manifest commits so that none is
// lost, and every tick appended must be stored exactly once.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/io/dataset.hpp"
#include "io/dataset_test_util.hpp"
#include "io/fault_injecting_file_system.hpp"
#include "support/temp_dir.hpp"

namespace crv::io {
namespace {

using namespace dataset_test;

constexpr int64_t kRowsPerAppend = 3;

// Writer `writer`'s append number `index` covers ticks no other append has; with three
// rows each, some appends straddle a bucket boundary and so write two parts.
std::vector<int64_t> ticks_of_append(int writer, int appends_per_writer, int index) {
  const int64_t first =
      (static_cast<int64_t>(writer) * appends_per_writer + index) * kRowsPerAppend;
  return tick_range(first, kRowsPerAppend);
}

// Appends a writer's share through its own Dataset.
void append_share(const IoSettings& settings, int writer, int appends_per_writer,
                  FileSystem& fs = default_file_system()) {
  Dataset dataset(settings, std::string(kRunId), fs);
  for (int index = 0; index < appends_per_writer; ++index) {
    dataset.append(kEdges, edge_rows(ticks_of_append(writer, appends_per_writer, index)));
  }
}

// Checks the table after `writers` x `appends_per_writer` appends: every tick appended is
// committed exactly once, the row totals agree, and every part named reads back.
void expect_every_append_committed(const IoSettings& settings, int writers,
                                   int appends_per_writer) {
  const TableManifest manifest = expect_table_consistent(settings, kEdges);
  const int64_t total_rows = int64_t{writers} * appends_per_writer * kRowsPerAppend;
  std::multiset<int64_t> expected_ticks;
  for (int64_t tick = 0; tick < total_rows; ++tick) expected_ticks.insert(tick);
  EXPECT_EQ(manifest_rows(manifest), total_rows);
  EXPECT_EQ(committed_ticks(settings, kEdges, manifest), expected_ticks);
  // At least one part per append, whichever writer's commit came first.
  EXPECT_GE(named_part_paths(settings, kEdges, manifest).size(),
            static_cast<size_t>(writers * appends_per_writer));
}

// Waits for the children, at most `limit` in total, and returns their exit statuses (-1
// for a child that did not end normally). Children still running at the limit are
// killed, so a deadlock fails the test instead of hanging it.
std::vector<int> wait_for_children(const std::vector<pid_t>& children, std::chrono::seconds limit) {
  std::vector<int> statuses(children.size(), -1);
  std::vector<bool> done(children.size(), false);
  size_t remaining = children.size();
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (remaining > 0 && std::chrono::steady_clock::now() < deadline) {
    for (size_t i = 0; i < children.size(); ++i) {
      if (done[i]) continue;
      int status = 0;
      const pid_t ended = ::waitpid(children[i], &status, WNOHANG);
      if (ended == children[i] || ended < 0) {
        done[i] = true;
        --remaining;
        if (ended == children[i] && WIFEXITED(status)) statuses[i] = WEXITSTATUS(status);
      }
    }
    if (remaining > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (size_t i = 0; i < children.size(); ++i) {
    if (done[i]) continue;
    ::kill(children[i], SIGKILL);
    ::waitpid(children[i], nullptr, 0);
  }
  return statuses;
}

// Forks `count` children, each running `work(index)` and reporting by its exit status (1
// when it threw). The children never return into the test framework.
template <typename Work>
std::vector<pid_t> fork_children(int count, Work&& work) {
  std::vector<pid_t> children;
  for (int index = 0; index < count; ++index) {
    const pid_t child = ::fork();
    if (child < 0) {
      ADD_FAILURE() << "fork failed";
      break;
    }
    if (child == 0) {
      int status = 0;
      try {
        work(index);
      } catch (const std::exception& error) {
        std::fprintf(stderr, "child %d: %s\n", index, error.what());
        status = 1;
      }
      ::_exit(status);
    }
    children.push_back(child);
  }
  return children;
}

// Each of `writers` threads appends its share; what each one threw, if anything.
std::vector<std::exception_ptr> append_shares_in_threads(const IoSettings& settings, int writers,
                                                         int appends_per_writer) {
  std::vector<std::exception_ptr> failures(static_cast<size_t>(writers));
  {
    std::vector<std::jthread> threads;
    for (int writer = 0; writer < writers; ++writer) {
      threads.emplace_back([&, writer] {
        try {
          append_share(settings, writer, appends_per_writer);
        } catch (...) {
          failures[static_cast<size_t>(writer)] = std::current_exception();
        }
      });
    }
  }
  return failures;
}

// Eight processes append while two readers read the table over and over: every read is
// the state after some number of whole appends, never less than an earlier read, and the
// log ends with one entry per append.
TEST(ConcurrentAppends, EightProcessesOfFiftyAppendsLoseNothingAndReadersSeeWholeCommits) {
  constexpr int kWriters = 8;
  constexpr int kAppendsPerWriter = 50;
  test_support::TempDir scratch;
  const IoSettings settings = test_settings(scratch / "out");

  const std::vector<pid_t> children = fork_children(
      kWriters, [&](int writer) { append_share(settings, writer, kAppendsPerWriter); });
  std::atomic<bool> writing = true;
  std::atomic<int> torn_reads = 0;
  std::atomic<int> reads = 0;
  std::vector<std::thread> readers;
  for (int reader = 0; reader < 2; ++reader) {
    readers.emplace_back([&] {
      int64_t last = 0;
      while (writing) {
        int64_t rows = 0;
        try {
          rows = Dataset(settings, std::string(kRunId)).read(kEdges).num_rows();
        } catch (const IoManifestError&) {
          // No commit yet: the table has no log and no manifest.
        }
        if (rows % kRowsPerAppend != 0 || rows < last) ++torn_reads;
        last = rows;
        ++reads;
      }
    });
  }
  const std::vector<int> statuses = wait_for_children(children, std::chrono::seconds(120));
  writing = false;
  for (std::thread& reader : readers) reader.join();
  for (int writer = 0; writer < kWriters; ++writer) {
    EXPECT_EQ(statuses[writer], 0) << "writer " << writer;
  }
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(torn_reads.load(), 0);
  const std::filesystem::path log = table_dir(settings, kRunId, kEdges) / "_log";
  EXPECT_TRUE(std::filesystem::exists(log / "00000000000000000400.entry"));
  EXPECT_FALSE(std::filesystem::exists(log / "00000000000000000401.entry"));
  expect_every_append_committed(settings, kWriters, kAppendsPerWriter);
  EXPECT_EQ(*load_manifest(default_file_system(), manifest_path(settings, kRunId, kEdges)),
            *load_from_disk(manifest_path(settings, kRunId, kEdges)))
      << "the last writer to close left manifest.json exact";
}

// Two processes standing for two hosts whose locks do not see each other (NFS, Lustre):
// every lock they take locks nothing, so their commits are kept apart by the log's
// put-if-absent alone. Every append is committed once, the log has one entry per append,
// a reader never sees part of a commit, and manifest.json ends exact whichever writer
// renamed its copy last.
TEST(ConcurrentAppends, TwoHostsWithoutSharedLocksCommitThroughPutIfAbsentAlone) {
  constexpr int kHosts = 2;
  constexpr int kAppendsPerWriter = 50;
  test_support::TempDir scratch;
  const IoSettings settings = test_settings(scratch / "out");

  const std::vector<pid_t> children = fork_children(kHosts, [&](int host) {
    FaultInjectingFileSystem unshared_locks;
    unshared_locks.ignore_locks();
    append_share(settings, host, kAppendsPerWriter, unshared_locks);
  });
  std::atomic<bool> writing = true;
  int torn_reads = 0;
  int reads = 0;
  std::thread reader([&] {
    while (writing) {
      int64_t rows = 0;
      try {
        rows = Dataset(settings, std::string(kRunId)).read(kEdges).num_rows();
      } catch (const IoManifestError&) {
        // No commit yet.
      }
      if (rows % kRowsPerAppend != 0) ++torn_reads;
      ++reads;
    }
  });
  const std::vector<int> statuses = wait_for_children(children, std::chrono::seconds(120));
  writing = false;
  reader.join();
  for (int host = 0; host < kHosts; ++host) EXPECT_EQ(statuses[host], 0) << "host " << host;
  EXPECT_GT(reads, 0);
  EXPECT_EQ(torn_reads, 0);
  const std::filesystem::path log = table_dir(settings, kRunId, kEdges) / "_log";
  EXPECT_TRUE(std::filesystem::exists(log / "00000000000000000100.entry"));
  EXPECT_FALSE(std::filesystem::exists(log / "00000000000000000101.entry"));
  expect_every_append_committed(settings, kHosts, kAppendsPerWriter);
  EXPECT_EQ(*load_manifest(default_file_system(), manifest_path(settings, kRunId, kEdges)),
            *load_from_disk(manifest_path(settings, kRunId, kEdges)));
}

TEST(ConcurrentAppends, FourThreadsOfTwentyFiveAppendsLoseNothing) {
  constexpr int kWriters = 4;
  constexpr int kAppendsPerWriter = 25;
  test_support::TempDir scratch;
  const IoSettings settings = test_settings(scratch / "out");

  const std::vector<std::exception_ptr> failures =
      append_shares_in_threads(settings, kWriters, kAppendsPerWriter);
  for (int writer = 0; writer < kWriters; ++writer) {
    if (!failures[writer]) continue;
    try {
      std::rethrow_exception(failures[writer]);
    } catch (const std::exception& error) {
      ADD_FAILURE() << "writer " << writer << ": " << error.what();
    }
  }
  expect_every_append_committed(settings, kWriters, kAppendsPerWriter);
}

TEST(ConcurrentAppends, BatchingWritersInThreadsLoseNothingWhenTheyFlush) {
  constexpr int kWriters = 3;
  constexpr int kAppendsPerWriter = 10;
  test_support::TempDir scratch;
  IoSettings settings = test_settings(scratch / "out");
  // Not a divisor of the share, so each writer's last appends wait for its destructor.
  settings.write_manifest_every_n = 4;

  const std::vector<std::exception_ptr> failures =
      append_shares_in_threads(settings, kWriters, kAppendsPerWriter);
  for (const std::exception_ptr& failure : failures) EXPECT_FALSE(failure);
  expect_every_append_committed(settings, kWriters, kAppendsPerWriter);
}

}  // namespace
}  // namespace crv::io
