// ParallelFor runs every item once, on several threads, and stops early on an error; ProgressSum
// adds concurrent parts into one serialised report.
#include "client/parallel.h"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace spacehub::client::detail {
namespace {

TEST(ParallelForTest, EveryItemOnceOnSeveralThreads) {
  std::vector<std::atomic<int>> hits(1000);
  std::mutex m;
  std::set<std::thread::id> ids;
  ParallelFor(hits.size(), 4, [&](size_t i) {
    hits[i]++;
    std::lock_guard<std::mutex> lock(m);
    ids.insert(std::this_thread::get_id());
    if (i < 8) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  });
  for (auto& h : hits) EXPECT_EQ(h.load(), 1);
  EXPECT_GT(ids.size(), 1u);
  EXPECT_LE(ids.size(), 4u);
}

TEST(ParallelForTest, FirstErrorStopsNewWorkAndIsRethrown) {
  std::atomic<int> ran{0};
  EXPECT_THROW(ParallelFor(10000, 3,
                           [&](size_t i) {
                             ran++;
                             if (i == 5) throw std::runtime_error("boom");
                           }),
               std::runtime_error);
  EXPECT_LT(ran.load(), 10000);
  ran = 0;
  EXPECT_THROW(ParallelFor(10, 1,
                           [&](size_t i) {
                             ran++;
                             if (i == 2) throw std::runtime_error("boom");
                           }),
               std::runtime_error);
  EXPECT_EQ(ran.load(), 3);
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
