// See parallel.h.
#include "client/parallel.h"

#include <algorithm>
#include <exception>
#include <memory>
#include <thread>
#include <vector>

namespace spacehub::client::detail {

void ParallelFor(size_t count, int workers, const std::function<void(size_t)>& fn) {
  size_t threads = std::min<size_t>(count, static_cast<size_t>(std::max(workers, 1)));
  if (threads <= 1) {
    for (size_t i = 0; i < count; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first;
  std::mutex first_mutex;
  auto work = [&] {
    while (!failed.load()) {
      size_t i = next.fetch_add(1);
      if (i >= count) return;
      try {
        fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(first_mutex);
        if (!first) first = std::current_exception();
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& th : pool) th.join();
  if (first) std::rethrow_exception(first);
}

ProgressFn ProgressSum::Part() {
  auto last = std::make_shared<uint64_t>(0);
  return [this, last](const std::string&, uint64_t done, uint64_t) {
    int64_t delta = static_cast<int64_t>(done) - static_cast<int64_t>(*last);
    *last = done;
    Add(delta);
  };
}

void ProgressSum::Add(int64_t bytes) {
  int64_t now = done_.fetch_add(bytes) + bytes;
  if (!user_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  user_(label_, static_cast<uint64_t>(std::max<int64_t>(now, 0)), total_);
}

}  // namespace spacehub::client::detail
