// DecodePool: every task runs exactly once per run, on several threads when it has them,
// and a failure surfaces as the exception of the smallest failing task.

#include "crv/parquet/decode_pool.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/expect_error.hpp"

namespace crv::parquet {
namespace {

using test_support::expect_error;

TEST(DecodePool, CountsTheCallerAmongItsThreads) {
  EXPECT_EQ(DecodePool(1).threads(), 1u);
  EXPECT_EQ(DecodePool(3).threads(), 3u);
  EXPECT_EQ(DecodePool(0).threads(), std::max(1u, std::thread::hardware_concurrency()));
}

TEST(DecodePool, RunsEveryTaskOnceInEveryRun) {
  for (unsigned threads : {1u, 2u, 4u}) {
    DecodePool pool(threads);
    for (size_t count : {size_t{0}, size_t{1}, size_t{2}, size_t{7}, size_t{100}}) {
      std::vector<std::atomic<int>> calls(count);
      pool.run(count, [&](size_t index) { calls[index].fetch_add(1); });
      for (size_t index = 0; index < count; ++index) {
        EXPECT_EQ(calls[index].load(), 1)
            << threads << " threads, task " << index << " of " << count;
      }
    }
  }
}

TEST(DecodePool, SpreadsTasksOverItsThreads) {
  DecodePool pool(2);
  std::mutex mutex;
  std::set<std::thread::id> seen;
  // Each task waits until another thread has joined in, so one thread alone cannot finish.
  std::atomic<int> started{0};
  pool.run(2, [&](size_t) {
    started.fetch_add(1);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (started.load() < 2 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    const std::lock_guard lock(mutex);
    seen.insert(std::this_thread::get_id());
  });
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen.contains(std::this_thread::get_id()));
}

TEST(DecodePool, RethrowsTheSmallestFailingTaskAfterRunningTheRest) {
  for (unsigned threads : {1u, 3u}) {
    DecodePool pool(threads);
    std::atomic<int> calls{0};
    expect_error<std::runtime_error>(
        [&] {
          pool.run(20, [&](size_t index) {
            calls.fetch_add(1);
            if (index == 13 || index == 5 || index == 17) {
              throw std::runtime_error("task " + std::to_string(index));
            }
          });
        },
        {.message = "task 5"});
    EXPECT_EQ(calls.load(), 20);
    // The pool is still usable after a failed run.
    std::atomic<int> later{0};
    pool.run(5, [&](size_t) { later.fetch_add(1); });
    EXPECT_EQ(later.load(), 5);
  }
}

}  // namespace
}  // namespace crv::parquet
