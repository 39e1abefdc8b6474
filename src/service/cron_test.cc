#include "service/cron.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "core/time_util.h"

namespace spacehub::service {
namespace {

int64_t Utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

CronSchedule MustParse(const std::string& text) {
  auto parsed = ParseCron(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status().message();
  return parsed.ok() ? *parsed : *ParseCron("* * * * *");
}

struct NextCase {
  const char* schedule;
  int64_t after;
  int64_t want;
};

TEST(CronTest, NextAfterTable) {
  const std::vector<NextCase> cases = {
      // The first whole minute strictly after, even when `after` is itself a whole minute.
      {"* * * * *", Utc(2026, 3, 1, 10, 0), Utc(2026, 3, 1, 10, 1)},
      {"* * * * *", Utc(2026, 3, 1, 10, 0, 59) + 999, Utc(2026, 3, 1, 10, 1)},
      {"* * * * *", Utc(2026, 3, 1, 10, 0) + 1, Utc(2026, 3, 1, 10, 1)},
      {"@hourly", Utc(2026, 3, 1, 10, 0), Utc(2026, 3, 1, 11, 0)},
      {"@hourly", Utc(2026, 3, 1, 23, 30), Utc(2026, 3, 2, 0, 0)},
      {"@daily", Utc(2026, 12, 31, 0, 0), Utc(2027, 1, 1, 0, 0)},
      {"@weekly", Utc(2026, 12, 2, 12, 0), Utc(2026, 12, 6, 0, 0)},  // Wed -> Sun
      {"@monthly", Utc(2026, 1, 31, 5, 0), Utc(2026, 2, 1, 0, 0)},
      {"@yearly", Utc(2026, 1, 1, 0, 0), Utc(2027, 1, 1, 0, 0)},
      {"@annually", Utc(2026, 6, 1), Utc(2027, 1, 1)},
      {"@DAILY", Utc(2026, 6, 1, 1), Utc(2026, 6, 2)},
      {"*/15 * * * *", Utc(2026, 3, 1, 10, 7), Utc(2026, 3, 1, 10, 15)},
      {"*/15 * * * *", Utc(2026, 3, 1, 10, 45), Utc(2026, 3, 1, 11, 0)},
      {"5-20/5 * * * *", Utc(2026, 3, 1, 10, 16), Utc(2026, 3, 1, 10, 20)},
      {"5-20/5 * * * *", Utc(2026, 3, 1, 10, 20), Utc(2026, 3, 1, 11, 5)},
      {"10/20 * * * *", Utc(2026, 3, 1, 10, 31), Utc(2026, 3, 1, 10, 50)},
      {"0,30 9-17 * * *", Utc(2026, 3, 1, 17, 30), Utc(2026, 3, 2, 9, 0)},
      {"30 2 * * *", Utc(2026, 3, 29, 1, 0),
       Utc(2026, 3, 29, 2, 30)},  // EU DST day: UTC has no gap
      {"30 1 * * *", Utc(2026, 10, 25, 1, 30), Utc(2026, 10, 26, 1, 30)},  // nor a repeat
      // Month ends and leap years.
      {"0 0 31 * *", Utc(2026, 1, 31, 0, 0), Utc(2026, 3, 31, 0, 0)},
      {"0 0 31 * *", Utc(2026, 4, 1), Utc(2026, 5, 31)},
      {"0 0 30 * *", Utc(2026, 1, 30, 1), Utc(2026, 3, 30)},
      {"0 0 29 2 *", Utc(2026, 1, 1), Utc(2028, 2, 29)},
      {"0 0 29 2 *", Utc(2096, 3, 1), Utc(2104, 2, 29)},  // 2100 is not a leap year
      {"0 0 29 2 *", Utc(2000, 1, 1), Utc(2000, 2, 29)},  // 2000 is
      {"0 0 28-31 2 *", Utc(2024, 2, 28, 1), Utc(2024, 2, 29)},
      {"0 0 28-31 2 *", Utc(2025, 2, 28, 1), Utc(2026, 2, 28)},
      {"59 23 31 12 *", Utc(2026, 12, 31, 23, 59), Utc(2027, 12, 31, 23, 59)},
      // Names and 7 = Sunday.
      {"0 12 * * mon-fri", Utc(2026, 12, 4, 12, 0), Utc(2026, 12, 7, 12, 0)},  // Fri -> Mon
      {"0 12 * * SAT,sun", Utc(2026, 12, 2), Utc(2026, 12, 5, 12)},
      {"0 0 * * 7", Utc(2026, 12, 2), Utc(2026, 12, 6)},
      {"0 0 * * 5-7", Utc(2026, 12, 5, 1), Utc(2026, 12, 6)},
      {"0 0 1 JuN *", Utc(2026, 7, 1), Utc(2027, 6, 1)},
      {"0 0 1 jan-mar/2 *", Utc(2026, 1, 1), Utc(2026, 3, 1)},
      // Both day fields restricted: either matches (the 13th or any Friday).
      {"0 0 13 * fri", Utc(2026, 12, 2), Utc(2026, 12, 4)},
      {"0 0 13 * fri", Utc(2026, 12, 11, 1), Utc(2026, 12, 13)},
      // A `*` day field does not widen the other: Fridays only, every other day-of-month.
      {"0 0 */2 * fri", Utc(2026, 12, 2), Utc(2026, 12, 11)},
      {"0 0 * * fri", Utc(2026, 12, 2), Utc(2026, 12, 4)},
      // Impossible day-of-month but a weekday rescues it (OR rule).
      {"0 0 30 2 mon", Utc(2026, 12, 2), Utc(2027, 2, 1)},
      // Before and around the epoch.
      {"0 0 * * *", -1, 0},
      {"0 0 1 1 *", Utc(1969, 6, 1), 0},
  };
  for (const auto& c : cases) {
    const CronSchedule schedule = MustParse(c.schedule);
    EXPECT_EQ(schedule.NextAfter(c.after), c.want)
        << c.schedule << " after " << FormatIsoMillis(c.after) << " gave "
        << FormatIsoMillis(schedule.NextAfter(c.after)) << ", want " << FormatIsoMillis(c.want);
  }
}

TEST(CronTest, KeepsTrimmedText) {
  EXPECT_EQ(MustParse("  */5 * * * *\n").text(), "*/5 * * * *");
  EXPECT_EQ(MustParse("@Hourly").text(), "@Hourly");
  EXPECT_EQ(MustParse("0\t0  * *   *").NextAfter(Utc(2026, 1, 1)), Utc(2026, 1, 2));
}

TEST(CronTest, EveryRunOfAYearIsFound) {
  // Walking a schedule forward visits each run once, in order, with nothing skipped.
  const CronSchedule schedule = MustParse("17 3 1,15 * *");
  int64_t t = Utc(2027, 1, 1);
  int runs = 0;
  while (true) {
    const int64_t next = schedule.NextAfter(t);
    ASSERT_GT(next, t);
    if (next >= Utc(2028, 1, 1)) break;
    ++runs;
    t = next;
  }
  EXPECT_EQ(runs, 24);
}

struct BadCase {
  const char* schedule;
  const char* names;  // a word the message must contain
};

TEST(CronTest, RejectsBadInput) {
  const std::vector<BadCase> cases = {
      {"", "empty"},
      {"   ", "empty"},
      {"* * * *", "5 fields"},
      {"* * * * * *", "5 fields"},
      {"0 0 * * * extra", "5 fields"},
      {"@reboot", "macro"},
      {"@hourly *", "macro"},
      {"@", "macro"},
      {"60 * * * *", "minute"},
      {"-1 * * * *", "minute"},
      {"* 24 * * *", "hour"},
      {"* * 0 * *", "day-of-month"},
      {"* * 32 * *", "day-of-month"},
      {"* * * 0 *", "month"},
      {"* * * 13 *", "month"},
      {"* * * * 8", "day-of-week"},
      {"*/0 * * * *", "minute"},
      {"*/61 * * * *", "minute"},
      {"*/ * * * *", "minute"},
      {"*/-1 * * * *", "minute"},
      {"*/1x * * * *", "minute"},
      {"1,,2 * * * *", "minute"},
      {",1 * * * *", "minute"},
      {"1, * * * *", "minute"},
      {"5-1 * * * *", "minute"},
      {"1-2-3 * * * *", "minute"},
      {"1- * * * *", "minute"},
      {"a * * * *", "minute"},
      {"1x * * * *", "minute"},
      {"** * * * *", "minute"},
      {"*5 * * * *", "minute"},
      {"99999999999999999999 * * * *", "minute"},
      {"* * * * */99999999999999999999", "day-of-week"},
      {"* mon * * *", "hour"},
      {"* * * janu *", "month"},
      {"* * * * sunday", "day-of-week"},
      {"* * * * 1/2/3", "day-of-week"},
      {"0 0 30 2 *", "day-of-month"},
      {"0 0 31 4,6,9,11 *", "day-of-month"},
      {"0 0 30,31 feb *", "day-of-month"},
      {"0 0 * * mon#1", "day-of-week"},
      {"0 0 L * *", "day-of-month"},
      {"? * * * *", "minute"},
  };
  for (const auto& c : cases) {
    auto parsed = ParseCron(c.schedule);
    ASSERT_FALSE(parsed.ok()) << c.schedule;
    EXPECT_EQ(parsed.status().code(), Code::kInvalidArgument) << c.schedule;
    EXPECT_NE(parsed.status().message().find(c.names), std::string::npos)
        << c.schedule << ": " << parsed.status().message();
  }
}

TEST(CronTest, RejectsVeryLongInputWithoutEchoingIt) {
  const std::string long_text = "0 0 * * " + std::string(100'000, '1');
  auto parsed = ParseCron(long_text);
  ASSERT_FALSE(parsed.ok());
  EXPECT_LT(parsed.status().message().size(), 200U);
  const std::string long_list = "0 0 * * " + std::string(300, ',');
  EXPECT_FALSE(ParseCron(long_list).ok());
  EXPECT_FALSE(ParseCron(std::string("0 0 * *\0 *", 10)).ok());
}

TEST(CronTest, NextAfterAtTheEdgesOfTime) {
  const CronSchedule schedule = MustParse("0 0 1 1 *");
  EXPECT_EQ(schedule.NextAfter(INT64_MAX), CronSchedule::kNever);
  EXPECT_EQ(schedule.NextAfter(Utc(9999, 6, 1)), CronSchedule::kNever);
  EXPECT_EQ(schedule.NextAfter(Utc(9998, 6, 1)), Utc(9999, 1, 1));
  EXPECT_GT(schedule.NextAfter(INT64_MIN), INT64_MIN);
}

TEST(CronTest, ConstMethodsAreSafeAcrossThreads) {
  // Run under TSan in CI: a parsed schedule is shared read-only between the scheduler's threads.
  const CronSchedule schedule = MustParse("*/7 1-5 * * mon-fri");
  const int64_t want = schedule.NextAfter(Utc(2026, 12, 2));
  std::vector<std::thread> threads;
  std::vector<int64_t> got(4);
  threads.reserve(got.size());
  for (int64_t& slot : got) {
    threads.emplace_back([&schedule, &slot] { slot = schedule.NextAfter(Utc(2026, 12, 2)); });
  }
  for (auto& t : threads) t.join();
  for (int64_t g : got) EXPECT_EQ(g, want);
}

}  // namespace
}  // namespace spacehub::service
