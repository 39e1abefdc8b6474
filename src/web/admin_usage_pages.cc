// Admin console: hardware usage (issue #16), what `spacehub admin usage` prints.
//   GET /-/admin/usage?since=7d|30d|all   flavor-seconds per owner, flavor and kind (Space or job),
//                                          runs, hours and cost (hardware.yaml's price_per_hour)
// The sums are service::SummarizeUsage's over the usage records (db::UsageStore), so the page and
// the CLI agree to the second.
#include <array>
#include <cstdio>

#include "core/time_util.h"
#include "service/usage_report.h"
#include "web/admin_common.h"
#include "web/routes.h"

namespace spacehub::web {
namespace {

struct SinceChoice {
  std::string_view value;  // ?since=
  std::string_view label;
  std::string_view span;  // for service::ParseSince; "": everything
};
constexpr std::array<SinceChoice, 3> kSince = {
    {{"7d", "Last 7 days", "7d"}, {"30d", "Last 30 days", "30d"}, {"all", "All time", ""}}};

// Costs run to fractions of a cent for short runs; four decimals show them.
std::string Cost(double dollars) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "$%.4f", dollars);
  return buf;
}

std::string Hours(int64_t seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(seconds) / 3600.0);
  return buf;
}

Result<http::Response> UsagePage(const WebContext& ctx, const http::Request& req,
                                 const Visitor& visitor) {
  const std::string want = req.Query("since").value_or("30d");
  const SinceChoice* choice = nullptr;
  nlohmann::json choices = nlohmann::json::array();
  for (const auto& c : kSince) {
    if (c.value == want) choice = &c;
    choices.push_back({{"value", c.value}, {"label", c.label}, {"current", c.value == want}});
  }
  if (choice == nullptr) return Status::InvalidArgument("since must be 7d, 30d or all");
  const int64_t now = NowMillis();
  SH_ASSIGN_OR_RETURN(int64_t since, service::ParseSince(std::string(choice->span), now));
  db::UsageQuery q;
  q.since = since;
  SH_ASSIGN_OR_RETURN(auto records, ctx.hub().db.usage().ListUsage(q));
  auto lines = service::SummarizeUsage(records, *ctx.hub().hardware.Get(), since, now);
  nlohmann::json rows = nlohmann::json::array();
  double total = 0;
  int64_t seconds = 0;
  for (const auto& l : lines) {
    total += l.cost.value_or(0);
    seconds += l.seconds;
    rows.push_back({{"owner", l.owner},
                    {"flavor", l.flavor},
                    {"kind", l.kind == "job" ? "Job" : "Space"},
                    {"runs", l.runs},
                    {"seconds", l.seconds},
                    {"hours", Hours(l.seconds)},
                    {"cost", l.cost ? Cost(*l.cost) : std::string("—")}});
  }
  nlohmann::json data = {{"choices", std::move(choices)}, {"since_label", choice->label},
                         {"has_rows", !rows.empty()},     {"rows", std::move(rows)},
                         {"total_seconds", seconds},      {"total_hours", Hours(seconds)},
                         {"total_cost", Cost(total)}};
  return RenderAdminPage(ctx, visitor, "usage", "Usage", "admin_usage", std::move(data));
}

}  // namespace

void RegisterAdminUsagePages(http::Router& router, const WebContext& ctx) {
  router.Add(http::Method::kGet, std::string(kAdminBase) + "/usage",
             AdminPageRoute(ctx, [&ctx](http::Request& req, const Visitor& v) {
               return UsagePage(ctx, req, v);
             }));
}

}  // namespace spacehub::web
