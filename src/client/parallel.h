// A small fork-join helper for the client's parallel transfers (LFS objects and parts, hashing,
// snapshot files), and a progress sum shared by those workers.
// ParallelFor may be called from any thread; it starts and joins its own threads.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "spacehub/types.h"

namespace spacehub::client::detail {

// Runs fn(0) … fn(count - 1) on up to `workers` threads (the calling thread is one of them) and
// returns when all are done. When a call throws, no further items start; the first exception is
// rethrown after every running item has finished. workers <= 1 runs in order on this thread.
void ParallelFor(size_t count, int workers, const std::function<void(size_t)>& fn);

// Sums the progress of several concurrent transfers into one report of `total` bytes under one
// label, serialising calls to the user's callback. Thread-safe.
class ProgressSum final {
 public:
  ProgressSum(const ProgressFn& user, std::string label, uint64_t total)
      : user_(user), label_(std::move(label)), total_(total) {}
  ProgressSum(const ProgressSum&) = delete;
  ProgressSum& operator=(const ProgressSum&) = delete;

  // A callback for one transfer (used by one thread at a time): it reports that transfer's bytes
  // done (a retry that starts over reports less, which is subtracted).
  ProgressFn Part();
  // Adds bytes that needed no transfer (already present) and reports.
  void Add(int64_t bytes);

 private:
  const ProgressFn& user_;
  std::string label_;
  uint64_t total_;
  std::atomic<int64_t> done_{0};
  std::mutex mutex_;  // one call to user_ at a time
};

}  // namespace spacehub::client::detail
