// BodyBudget: reservations fit within the total, are given back, and many threads never overdraw.
#include "http/body_budget.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace spacehub::http {
namespace {

TEST(BodyBudgetTest, ReservationsFitAndAreGivenBack) {
  BodyBudget budget(100);
  {
    BodyReservation a(budget);
    EXPECT_TRUE(a.GrowTo(60));
    BodyReservation b(budget);
    EXPECT_FALSE(b.GrowTo(41));  // 60 + 41 > 100: refused, nothing taken
    EXPECT_EQ(b.held(), 0u);
    EXPECT_TRUE(b.GrowTo(40));
    EXPECT_TRUE(b.GrowTo(30));  // never shrinks
    EXPECT_EQ(budget.used(), 100u);
    EXPECT_FALSE(a.GrowTo(61));
    EXPECT_EQ(a.held(), 60u);
  }
  EXPECT_EQ(budget.used(), 0u);
  BodyReservation huge(budget);
  EXPECT_FALSE(huge.GrowTo(UINT64_MAX));
}

TEST(BodyBudgetTest, ConcurrentReservationsNeverExceedTheTotal) {
  BodyBudget budget(1000);
  std::atomic<uint64_t> peak{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        BodyReservation r(budget);
        if (r.GrowTo(300)) {
          uint64_t used = budget.used();
          uint64_t prev = peak.load();
          while (used > prev && !peak.compare_exchange_weak(prev, used)) {
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(peak.load(), 1000u);
  EXPECT_EQ(budget.used(), 0u);
}

}  // namespace
}  // namespace spacehub::http
