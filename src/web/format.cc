#include "web/format.h"

#include <cstdio>
#include <ctime>

namespace spacehub::web {

std::string HumanSize(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  double v = static_cast<double>(bytes);
  size_t unit = 0;
  while (v >= 1000 && unit + 1 < std::size(kUnits)) {
    v /= 1000;
    ++unit;
  }
  char buf[32];
  if (unit == 0) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  } else {
    std::snprintf(buf, sizeof buf, v < 10 ? "%.1f %s" : "%.0f %s", v, kUnits[unit]);
  }
  return buf;
}

std::string Price(double dollars) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "$%.2f", dollars);
  return buf;
}

std::string Age(int64_t then_ms, int64_t now_ms) {
  const int64_t s = (now_ms - then_ms) / 1000;
  auto ago = [](int64_t n, const char* unit) {
    return std::to_string(n) + " " + unit + (n == 1 ? "" : "s") + " ago";
  };
  if (s < 60) return "just now";
  if (s < 3600) return ago(s / 60, "minute");
  if (s < 86400) return ago(s / 3600, "hour");
  if (s < 30 * 86400) return ago(s / 86400, "day");
  std::time_t t = then_ms / 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string RepoPath(const RepoId& id) {
  switch (id.type) {
    case RepoType::kDataset:
      return "/datasets/" + id.Full();
    case RepoType::kSpace:
      return "/spaces/" + id.Full();
    case RepoType::kModel:
      break;
  }
  return "/" + id.Full();
}

std::string_view RepoKindLabel(RepoType type) {
  switch (type) {
    case RepoType::kDataset:
      return "dataset";
    case RepoType::kSpace:
      return "Space";
    case RepoType::kModel:
      break;
  }
  return "model";
}

}  // namespace spacehub::web
