#include "service/usage_report.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <tuple>

namespace spacehub::service {

std::vector<UsageLine> SummarizeUsage(const std::vector<db::UsageRecord>& records,
                                      const CatalogData& catalog, int64_t since, int64_t now) {
  std::map<std::tuple<std::string, std::string, std::string>, UsageLine> lines;
  for (const auto& r : records) {
    const int64_t from = std::max(r.started_at, since);
    const int64_t to = r.stopped_at > 0 ? r.stopped_at : now;
    if (to <= from) continue;
    UsageLine& l = lines[{r.owner_name, r.flavor, r.kind}];
    l.owner = r.owner_name;
    l.flavor = r.flavor;
    l.kind = r.kind;
    ++l.runs;
    l.seconds += (to - from) / 1000;
  }
  std::vector<UsageLine> out;
  out.reserve(lines.size());
  for (auto& [key, l] : lines) {
    const Flavor* f = catalog.Find(l.flavor);
    if (f && f->price_per_hour) l.cost = *f->price_per_hour * static_cast<double>(l.seconds) / 3600;
    out.push_back(std::move(l));
  }
  return out;
}

Result<int64_t> ParseSince(const std::string& text, int64_t now) {
  if (text.empty()) return int64_t{0};
  char unit = text.back();
  if (unit == 'd' || unit == 'h') {
    size_t used = 0;
    int64_t n = -1;
    try {
      n = std::stoll(text.substr(0, text.size() - 1), &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == text.size() - 1 && n >= 0 && n < 100000) {
      return now - n * (unit == 'd' ? 86400000 : 3600000);
    }
  }
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char tail = 0;
  int got = std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &tail);
  bool date_only = got == 3 && text.size() == 10;
  bool full = got == 7 && tail == 'Z';
  if ((date_only || full) && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 &&
      s < 61) {
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return static_cast<int64_t>(timegm(&tm)) * 1000;
  }
  return Status::InvalidArgument("--since '" + text.substr(0, 40) +
                                 "': give a date (2026-11-01), an ISO time "
                                 "(2026-11-01T12:00:00Z) or a span (30d, 12h)");
}

}  // namespace spacehub::service
