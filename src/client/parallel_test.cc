// ParallelFor runs every item once, on several threads, and stops early on an error; ProgressSum
// adds concurrent parts into one serialised report.
#include "client/parallel.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace spacehub::client::detail {
namespace {

// Blocks until `ready()` holds. The bound only keeps a broken ParallelFor from hanging the suite
// (the test then fails); no outcome depends on how long anything takes.
template <typename Pred>
bool WaitFor(std::mutex& m, std::condition_variable& cv, Pred ready) {
  std::unique_lock<std::mutex> lock(m);
  return cv.wait_for(lock, std::chrono::minutes(2), ready);
}

TEST(ParallelForTest, EveryItemOnceOnSeveralThreads) {
  std::vector<std::atomic<int>> hits(1000);
  std::mutex m;
  std::condition_variable cv;
  std::set<std::thread::id> ids;
  bool waited = true;
  ParallelFor(hits.size(), 4, [&](size_t i) {
    hits[i]++;
    {
      std::lock_guard<std::mutex> lock(m);
      ids.insert(std::this_thread::get_id());
    }
    cv.notify_all();
    // Item 0 holds its thread until another thread has run an item: more than one thread works.
    if (i == 0) waited = WaitFor(m, cv, [&] { return ids.size() > 1; });
  });
  EXPECT_TRUE(waited);
  for (auto& h : hits) EXPECT_EQ(h.load(), 1);
  EXPECT_GT(ids.size(), 1u);
  EXPECT_LE(ids.size(), 4u);
}

// The failing item throws only once every other thread is inside an item of its own, and those
// items return only after the failing thread has finished (its thread_local guard is destroyed at
// thread exit, after ParallelFor's worker recorded the error). So every item that could start did
// start before the error, and each later start would be one after the error was recorded:
// exactly three items run, the rest never start, whatever the scheduling.
TEST(ParallelForTest, FirstErrorStopsNewWorkAndIsRethrown) {
  constexpr int kWorkers = 3;
  const std::thread::id caller = std::this_thread::get_id();
  std::mutex m;
  std::condition_variable cv;
  int blocked = 0;             // items waiting for the failing thread to finish
  bool failer_chosen = false;  // one item on a pool thread fails
  bool failer_exited = false;  // that thread has left ParallelFor's worker loop
  int started = 0;
  int started_after_error = 0;
  int finished = 0;
  bool waits_ok = true;

  struct ExitSignal {
    std::mutex* m;
    std::condition_variable* cv;
    bool* flag;
    ~ExitSignal() {
      {
        std::lock_guard<std::mutex> lock(*m);
        *flag = true;
      }
      cv->notify_all();
    }
  };

  auto item = [&](size_t) {
    std::unique_lock<std::mutex> lock(m);
    ++started;
    if (failer_exited) ++started_after_error;
    if (!failer_chosen && std::this_thread::get_id() != caller) {
      failer_chosen = true;
      // Throw only when the other two threads are inside their items (not between two items).
      waits_ok &=
          cv.wait_for(lock, std::chrono::minutes(2), [&] { return blocked == kWorkers - 1; });
      thread_local ExitSignal on_exit{&m, &cv, &failer_exited};
      throw std::runtime_error("boom");
    }
    ++blocked;
    cv.notify_all();
    waits_ok &= cv.wait_for(lock, std::chrono::minutes(2), [&] { return failer_exited; });
    ++finished;
  };
  try {
    ParallelFor(10000, kWorkers, item);
    ADD_FAILURE() << "ParallelFor did not rethrow";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "boom");
    std::lock_guard<std::mutex> lock(m);
    EXPECT_EQ(finished, kWorkers - 1) << "rethrown before the running items finished";
  }
  EXPECT_TRUE(waits_ok);
  EXPECT_EQ(started_after_error, 0);
  EXPECT_EQ(started, kWorkers);

  int ran = 0;
  EXPECT_THROW(ParallelFor(10, 1,
                           [&](size_t i) {
                             ran++;
                             if (i == 2) throw std::runtime_error("boom");
                           }),
               std::runtime_error);
  EXPECT_EQ(ran, 3);
}

TEST(ProgressSumTest, PartsAddUpAndRestartsSubtract) {
  std::vector<uint64_t> seen;
  ProgressFn user = [&](const std::string& label, uint64_t done, uint64_t total) {
    EXPECT_EQ(label, "upload");
    EXPECT_EQ(total, 300u);
    seen.push_back(done);
  };
  ProgressSum sum(user, "upload", 300);
  ProgressFn a = sum.Part(), b = sum.Part();
  a("x", 50, 100);
  b("y", 100, 200);
  a("x", 100, 100);
  b("y", 40, 200);  // b's retry started over
  b("y", 200, 200);
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[2], 200u);
  EXPECT_EQ(seen[3], 140u);
  EXPECT_EQ(seen.back(), 300u);
}

}  // namespace
}  // namespace spacehub::client::detail
