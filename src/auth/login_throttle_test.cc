#include "auth/login_throttle.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/fake_clock.h"

namespace spacehub::auth {
namespace {

TEST(LoginThrottleTest, FiveFreeFailuresThenDoublingWaits) {
  testing::FakeClock clock;
  LoginThrottle t(clock);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(t.Check("alice", "1.2.3.4").ok()) << i;
    t.RecordFailure("alice", "1.2.3.4");
  }
  Status s = t.Check("alice", "1.2.3.4");
  EXPECT_EQ(s.code(), Code::kResourceExhausted);
  ASSERT_TRUE(s.retry_after_seconds().has_value());
  EXPECT_EQ(*s.retry_after_seconds(), 1);
  clock.AdvanceMillis(1000);
  ASSERT_TRUE(t.Check("alice", "1.2.3.4").ok());
  t.RecordFailure("alice", "1.2.3.4");  // 6th failure: 2 s
  EXPECT_EQ(*t.Check("alice", "1.2.3.4").retry_after_seconds(), 2);
  clock.AdvanceMillis(1999);
  EXPECT_FALSE(t.Check("alice", "1.2.3.4").ok());
  clock.AdvanceMillis(1);
  EXPECT_TRUE(t.Check("alice", "1.2.3.4").ok());
}

TEST(LoginThrottleTest, WaitIsCappedAtTheMaximum) {
  testing::FakeClock clock;
  LoginThrottle t(clock);
  for (int i = 0; i < 200; ++i) t.RecordFailure("alice", "a");
  EXPECT_EQ(*t.Check("alice", "a").retry_after_seconds(), 15 * 60);
}

TEST(LoginThrottleTest, AnAddressGuessingAcrossAccountsIsSlowed) {
  testing::FakeClock clock;
  LoginThrottle t(clock);
  for (int i = 0; i < 5; ++i) t.RecordFailure("user" + std::to_string(i), "6.6.6.6");
  EXPECT_EQ(t.Check("user9", "6.6.6.6").code(), Code::kResourceExhausted);
  EXPECT_TRUE(t.Check("user9", "7.7.7.7").ok());  // others are not locked out
}

TEST(LoginThrottleTest, AnAccountGuessedFromManyAddressesIsSlowedWhateverTheCase) {
  testing::FakeClock clock;
  LoginThrottle t(clock);
  for (int i = 0; i < 5; ++i) t.RecordFailure(i % 2 ? "ALICE" : "alice", std::to_string(i));
  EXPECT_EQ(t.Check("Alice", "fresh").code(), Code::kResourceExhausted);
}

TEST(LoginThrottleTest, SuccessClearsTheAccountButNotTheAddress) {
  testing::FakeClock clock;
  LoginThrottle t(clock);
  for (int i = 0; i < 5; ++i) t.RecordFailure("alice", "1.1.1.1");
  t.RecordSuccess("alice");
  EXPECT_TRUE(t.Check("alice", "2.2.2.2").ok());
  EXPECT_FALSE(t.Check("alice", "1.1.1.1").ok());
}

TEST(LoginThrottleTest, FailuresAreForgottenAfterADay) {
  testing::FakeClock clock;
  LoginThrottle t(clock);
  for (int i = 0; i < 20; ++i) t.RecordFailure("alice", "a");
  clock.AdvanceMillis(24LL * 3600 * 1000);
  ASSERT_TRUE(t.Check("alice", "a").ok());
  t.RecordFailure("alice", "a");  // counts from zero again
  EXPECT_TRUE(t.Check("alice", "a").ok());
}

TEST(LoginThrottleTest, AFloodOfAddressesStaysBounded) {
  testing::FakeClock clock;
  LoginThrottleOptions options;
  options.max_records = 100;
  LoginThrottle t(clock, options);
  for (int i = 0; i < 5; ++i) t.RecordFailure("victim", "first");
  for (int i = 0; i < 1000; ++i) {
    clock.AdvanceMillis(1);
    t.RecordFailure("", "addr" + std::to_string(i));
  }
  // The oldest records went first; the newest are still counted (no crash, no growth).
  clock.AdvanceMillis(1);
  for (int i = 0; i < 4; ++i) t.RecordFailure("x", "addr999");
  EXPECT_EQ(t.Check("y", "addr999").code(), Code::kResourceExhausted);
}

}  // namespace
}  // namespace spacehub::auth
