#include "service/cron.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <string>
#include <utility>
#include <vector>

namespace spacehub::service {
namespace {

constexpr int64_t kMillisPerMinute = 60'000;
constexpr int64_t kMinutesPerDay = 1'440;
// 0001-01-01 and 10000-01-01 UTC: outside these the civil-date arithmetic is not meaningful.
constexpr int64_t kMinMillis = -62'135'596'800'000;
constexpr int64_t kEndMillis = 253'402'300'800'000;
// A (month, day) pair that exists at all occurs again within 8 years (Feb 29 skips 2100: 2096 to
// 2104); weekdays recur every week. So a search this long finds a run for every accepted schedule.
constexpr int64_t kSearchDays = 8 * 366 + 7;
// Real schedules are a few dozen characters; the cap keeps a hostile body from costing anything.
constexpr size_t kMaxLength = 256;

constexpr std::array<std::string_view, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kDayNames = {"sun", "mon", "tue", "wed",
                                                       "thu", "fri", "sat"};

struct Field {
  std::string_view name;
  int min;
  int max;
  const std::string_view* names;  // names[i] stands for min + i (nullptr: numbers only)
  size_t name_count;
};

constexpr Field kMinuteField{"minute", 0, 59, nullptr, 0};
constexpr Field kHourField{"hour", 0, 23, nullptr, 0};
constexpr Field kDayOfMonthField{"day-of-month", 1, 31, nullptr, 0};
constexpr Field kMonthField{"month", 1, 12, kMonthNames.data(), kMonthNames.size()};
// 7 is accepted for Sunday and folded onto 0 after parsing.
constexpr Field kDayOfWeekField{"day-of-week", 0, 7, kDayNames.data(), kDayNames.size()};

// Howard Hinnant's civil_from_days (proleptic Gregorian, public domain algorithm).
struct CivilDate {
  int month;
  int day;
};

CivilDate CivilFromDays(int64_t z) {
  z += 719'468;
  const int64_t era = (z >= 0 ? z : z - 146'096) / 146'097;
  const int64_t doe = z - era * 146'097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const auto day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const auto month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {month, day};
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

Status FieldError(const Field& field, std::string_view what) {
  return Status::InvalidArgument("invalid cron schedule: " + std::string(field.name) + ": " +
                                 std::string(what));
}

// A number or (for month and weekday) a three-letter name.
Result<int> ParseValue(const Field& field, std::string_view s) {
  if (s.empty()) return FieldError(field, "missing value");
  if (std::isdigit(static_cast<unsigned char>(s[0])) != 0) {
    int value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec == std::errc::result_out_of_range || (ec == std::errc() && end == s.data() + s.size() &&
                                                 (value < field.min || value > field.max))) {
      return FieldError(field, "value out of range " + std::to_string(field.min) + "-" +
                                   std::to_string(field.max));
    }
    if (ec != std::errc() || end != s.data() + s.size()) {
      return FieldError(field, "not a number");
    }
    return value;
  }
  for (size_t i = 0; i < field.name_count; ++i) {
    const std::string_view name = field.names[i];
    if (s.size() == name.size() && std::equal(s.begin(), s.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == b;
        })) {
      return field.min + static_cast<int>(i);
    }
  }
  return FieldError(field, field.names != nullptr ? "unknown name" : "not a number");
}

// One comma-separated item: `*`, `a`, `a-b`, each optionally followed by `/step`.
// Returns the values it selects.
Result<std::vector<int>> ParseItem(const Field& field, std::string_view item) {
  int step = 1;
  bool has_step = false;
  if (const size_t slash = item.find('/'); slash != std::string_view::npos) {
    const std::string_view step_text = item.substr(slash + 1);
    item = item.substr(0, slash);
    int value = 0;
    auto [end, ec] = std::from_chars(step_text.data(), step_text.data() + step_text.size(), value);
    if (step_text.empty() || ec != std::errc() || end != step_text.data() + step_text.size() ||
        value < 1 || value > field.max - field.min + 1) {
      return FieldError(
          field, "step must be a number from 1 to " + std::to_string(field.max - field.min + 1));
    }
    step = value;
    has_step = true;
  }
  int low = field.min;
  int high = field.max;
  if (item != "*") {
    const size_t dash = item.find('-');
    SH_ASSIGN_OR_RETURN(low, ParseValue(field, item.substr(0, dash)));
    if (dash != std::string_view::npos) {
      SH_ASSIGN_OR_RETURN(high, ParseValue(field, item.substr(dash + 1)));
      if (high < low) return FieldError(field, "range runs backwards");
    } else if (!has_step) {
      high = low;  // `a/n` means a to the field's end every n (cronie, croniter)
    }
  }
  std::vector<int> values;
  for (int v = low; v <= high; v += step) values.push_back(v);
  return values;
}

template <size_t N>
Status ParseField(const Field& field, std::string_view text, std::bitset<N>& out) {
  if (text.empty()) return FieldError(field, "empty");
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string_view item = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (item.empty()) return FieldError(field, "empty list item");
    SH_ASSIGN_OR_RETURN(std::vector<int> values, ParseItem(field, item));
    for (int v : values) out.set(static_cast<size_t>(v % static_cast<int>(N)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return Status::Ok();
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view Trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view ExpandMacro(std::string_view lowered) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kMacros = {{
      {"@annually", "0 0 1 1 *"},
      {"@yearly", "0 0 1 1 *"},
      {"@monthly", "0 0 1 * *"},
      {"@weekly", "0 0 * * 0"},
      {"@daily", "0 0 * * *"},
      {"@hourly", "0 * * * *"},
  }};
  for (const auto& [name, expansion] : kMacros) {
    if (lowered == name) return expansion;
  }
  return {};
}

}  // namespace

Result<CronSchedule> ParseCron(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return Status::InvalidArgument("invalid cron schedule: empty");
  if (text.size() > kMaxLength) {
    return Status::InvalidArgument("invalid cron schedule: longer than " +
                                   std::to_string(kMaxLength) + " characters");
  }
  CronSchedule schedule;
  schedule.text_ = std::string(text);
  std::string_view expression = text;
  if (text.front() == '@') {
    expression = ExpandMacro(Lower(text));
    if (expression.empty()) {
      return Status::InvalidArgument(
          "invalid cron schedule: unknown macro (use @annually, @yearly, @monthly, @weekly, "
          "@daily or @hourly)");
    }
  }
  std::vector<std::string_view> fields;
  size_t pos = 0;
  while (pos < expression.size()) {
    const size_t end = expression.find_first_of(" \t", pos);
    const size_t stop = end == std::string_view::npos ? expression.size() : end;
    if (stop > pos) fields.push_back(expression.substr(pos, stop - pos));
    pos = stop + 1;
  }
  if (fields.size() != 5) {
    return Status::InvalidArgument(
        "invalid cron schedule: expected 5 fields (minute hour day-of-month month day-of-week), "
        "got " +
        std::to_string(fields.size()));
  }
  SH_TRY(ParseField(kMinuteField, fields[0], schedule.minutes_));
  SH_TRY(ParseField(kHourField, fields[1], schedule.hours_));
  SH_TRY(ParseField(kDayOfMonthField, fields[2], schedule.days_of_month_));
  SH_TRY(ParseField(kMonthField, fields[3], schedule.months_));
  // 7 folds onto 0 (Sunday) through ParseField's modulo over the 7-bit set.
  SH_TRY(ParseField(kDayOfWeekField, fields[4], schedule.days_of_week_));
  schedule.day_of_month_restricted_ = fields[2].front() != '*';
  schedule.day_of_week_restricted_ = fields[4].front() != '*';

  // With the weekday unrestricted, only the (month, day) pairs decide; Feb 29 counts as existing.
  if (schedule.day_of_month_restricted_ && !schedule.day_of_week_restricted_) {
    static constexpr std::array<int, 13> kLongestMonth = {0,  31, 29, 31, 30, 31, 30,
                                                          31, 31, 30, 31, 30, 31};
    bool any = false;
    for (int m = 1; m <= 12 && !any; ++m) {
      if (!schedule.months_.test(static_cast<size_t>(m))) continue;
      for (int d = 1; d <= kLongestMonth[static_cast<size_t>(m)] && !any; ++d) {
        any = schedule.days_of_month_.test(static_cast<size_t>(d));
      }
    }
    if (!any) {
      return Status::InvalidArgument(
          "invalid cron schedule: day-of-month: no such day in the chosen months");
    }
  }
  return schedule;
}

bool CronSchedule::DayMatches(int64_t days_since_epoch) const {
  const CivilDate date = CivilFromDays(days_since_epoch);
  if (!months_.test(static_cast<size_t>(date.month))) return false;
  // 1970-01-01 was a Thursday (4).
  const auto weekday = static_cast<size_t>(((days_since_epoch % 7) + 11) % 7);
  const bool dom = days_of_month_.test(static_cast<size_t>(date.day));
  const bool dow = days_of_week_.test(weekday);
  if (day_of_month_restricted_ && day_of_week_restricted_) return dom || dow;
  return dom && dow;
}

int64_t CronSchedule::NextAfter(int64_t epoch_millis) const {
  epoch_millis = std::max(epoch_millis, kMinMillis);
  if (epoch_millis >= kEndMillis) return kNever;
  const int64_t first_minute = FloorDiv(epoch_millis, kMillisPerMinute) + 1;
  int64_t day = FloorDiv(first_minute, kMinutesPerDay);
  int minute_of_day = static_cast<int>(first_minute - day * kMinutesPerDay);
  for (int64_t i = 0; i < kSearchDays; ++i, ++day, minute_of_day = 0) {
    if (!DayMatches(day)) continue;
    for (int h = minute_of_day / 60; h < 24; ++h) {
      if (!hours_.test(static_cast<size_t>(h))) continue;
      const int first = h == minute_of_day / 60 ? minute_of_day % 60 : 0;
      for (int m = first; m < 60; ++m) {
        if (!minutes_.test(static_cast<size_t>(m))) continue;
        const int64_t millis = ((day * kMinutesPerDay) + (h * 60) + m) * kMillisPerMinute;
        return millis >= kEndMillis ? kNever : millis;
      }
    }
  }
  return kNever;
}

}  // namespace spacehub::service
