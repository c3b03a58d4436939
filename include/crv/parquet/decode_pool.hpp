#pragma once
// A few threads that run the independent steps of one read at the same time, such as
// decoding the column chunks of a row group. A scan keeps one pool for all its reads, so
// threads (and the decoding buffers each thread keeps) are set up once.

#include <cstddef>
#include <functional>
#include <memory>

namespace crv::parquet {

class DecodePool {
 public:
  // `threads` counts the calling thread, which takes tasks too: 1 runs every task on the
  // caller, 0 means one thread per hardware thread.
  explicit DecodePool(unsigned threads = 0);
  ~DecodePool();
  DecodePool(const DecodePool&) = delete;
  DecodePool& operator=(const DecodePool&) = delete;

  unsigned threads() const;

  // Calls task(i) for every i in [0, count), spread over the threads, and returns once all
  // calls have returned. If some throw, every task still runs and the exception of the
  // smallest failing i is rethrown, so which error surfaces does not depend on timing.
  // Not reentrant: one run at a time.
  void run(size_t count, const std::function<void(size_t)>& task);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crv::parquet
