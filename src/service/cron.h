// Cron schedules for scheduled Jobs: parses the schedule a client sends (`@hourly`…`@annually` or a
// five-field expression, minute hour day-of-month month day-of-week) and computes the next run.
// All times are UTC, so there is no daylight-saving gap or repeat to handle.
//
// Semantics follow Vixie cron (the one hf.co's schedule syntax is documented against): lists,
// ranges, steps, month and weekday names, 7 = Sunday, and when both day fields are restricted a day
// matching either one runs. A field counts as unrestricted when it starts with `*` (so `*/2` in
// day-of-month still ANDs with day-of-week, as in Vixie cron).
//
// CronSchedule is an immutable value: its const methods may be called from any thread.
#pragma once

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace spacehub::service {

class CronSchedule final {
 public:
  // The first whole minute strictly after `epoch_millis` at which the schedule fires, in epoch
  // milliseconds. ParseCron only returns schedules that fire at least once every eight years, so
  // this always finds one; kNever is returned only when that minute would lie past the year 9999
  // (or before 1970-01-01, which callers never ask for).
  int64_t NextAfter(int64_t epoch_millis) const;

  // The schedule as the client wrote it (trimmed); stored and returned in ScheduledJobInfo.
  const std::string& text() const { return text_; }

  static constexpr int64_t kNever = -1;

 private:
  friend Result<CronSchedule> ParseCron(std::string_view text);
  bool DayMatches(int64_t days_since_epoch) const;

  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_;  // bit 0 unused
  std::bitset<13> months_;         // bit 0 unused
  std::bitset<7> days_of_week_;    // 0 = Sunday
  bool day_of_month_restricted_ = false;
  bool day_of_week_restricted_ = false;
};

// InvalidArgument (naming the bad field) for anything that is not a valid schedule, including
// expressions no date can ever match, such as `0 0 30 2 *`.
Result<CronSchedule> ParseCron(std::string_view text);

}  // namespace spacehub::service
