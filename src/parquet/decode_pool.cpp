// DecodePool: the threads that decode one read's column chunks side by side.

#include "crv/parquet/decode_pool.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace crv::parquet {

// Workers sleep until a run begins (`generation` advances), then claim task indices from
// an atomic counter alongside the caller. The caller returns only after every worker has
// reported back for that generation, so no worker can touch a finished run's task.
struct DecodePool::Impl {
  std::mutex mutex;
  std::condition_variable started;
  std::condition_variable finished;
  std::vector<std::thread> workers;
  uint64_t generation = 0;
  size_t workers_done = 0;
  bool stopping = false;

  const std::function<void(size_t)>* task = nullptr;
  size_t count = 0;
  std::atomic<size_t> next{0};
  size_t first_failure = 0;
  std::exception_ptr failure;

  void claim_tasks() {
    for (size_t index = next.fetch_add(1); index < count; index = next.fetch_add(1)) {
      try {
        (*task)(index);
      } catch (...) {
        const std::lock_guard lock(mutex);
        if (!failure || index < first_failure) {
          failure = std::current_exception();
          first_failure = index;
        }
      }
    }
  }

  void stop() {
    {
      const std::lock_guard lock(mutex);
      stopping = true;
    }
    started.notify_all();
    for (std::thread& worker : workers) worker.join();
  }

  void serve() {
    uint64_t seen = 0;
    std::unique_lock lock(mutex);
    for (;;) {
      started.wait(lock, [&] { return stopping || generation != seen; });
      if (stopping) return;
      seen = generation;
      lock.unlock();
      claim_tasks();
      lock.lock();
      if (++workers_done == workers.size()) finished.notify_one();
    }
  }
};

DecodePool::DecodePool(unsigned threads) : impl_(std::make_unique<Impl>()) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  impl_->workers.reserve(threads - 1);
  try {
    for (unsigned i = 1; i < threads; ++i) impl_->workers.emplace_back([this] { impl_->serve(); });
  } catch (...) {
    impl_->stop();
    throw;
  }
}

DecodePool::~DecodePool() {
  impl_->stop();
}

unsigned DecodePool::threads() const {
  return static_cast<unsigned>(impl_->workers.size()) + 1;
}

void DecodePool::run(size_t count, const std::function<void(size_t)>& task) {
  Impl& impl = *impl_;
  if (count <= 1 || impl.workers.empty()) {
    // Waking workers costs more than it saves here; run in order on the caller.
    std::exception_ptr failure;
    for (size_t index = 0; index < count; ++index) {
      try {
        task(index);
      } catch (...) {
        if (!failure) failure = std::current_exception();
      }
    }
    if (failure) std::rethrow_exception(failure);
    return;
  }
  {
    const std::lock_guard lock(impl.mutex);
    impl.task = &task;
    impl.count = count;
    impl.next.store(0);
    impl.failure = nullptr;
    impl.workers_done = 0;
    ++impl.generation;
  }
  impl.started.notify_all();
  impl.claim_tasks();
  std::exception_ptr failure;
  {
    std::unique_lock lock(impl.mutex);
    impl.finished.wait(lock, [&] { return impl.workers_done == impl.workers.size(); });
    impl.task = nullptr;
    failure = std::exchange(impl.failure, nullptr);
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace crv::parquet
