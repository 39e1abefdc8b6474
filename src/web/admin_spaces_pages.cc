// Admin console: every Space on the hub with its stage, hardware and what it uses now.
//   GET /-/admin/spaces?p=N
// Paged from the repo rows (site administrators read every Space, private ones too). Only Spaces
// whose app may be running (RUNNING, APP_STARTING and the RUNNING_* rollout stages) are sampled
// for CPU, memory and storage: a stopped, sleeping, paused or failed Space has no instance, and
// sampling reads cgroup and volume files, so the page stays cheap with many idle Spaces.
#include "web/admin_common.h"
#include "web/format.h"
#include "web/routes.h"

namespace spacehub::web {
namespace {

using wire::SpaceStage;

bool MayRun(SpaceStage stage) {
  return stage == SpaceStage::kRunning || stage == SpaceStage::kAppStarting ||
         stage == SpaceStage::kRunningBuilding || stage == SpaceStage::kRunningAppStarting;
}

// "used / limit" with either side possibly unknown.
std::string UsedOf(std::optional<int64_t> used, std::optional<int64_t> limit) {
  std::string out = used ? HumanSize(static_cast<uint64_t>(*used)) : "?";
  if (limit) out += " / " + HumanSize(static_cast<uint64_t>(*limit));
  return out;
}

void AddUsage(nlohmann::json& item, const runtime::InstanceUsage& u) {
  if (!u.exists) return;
  std::string cpu =
      u.cpu_millicores ? std::to_string(static_cast<int64_t>(*u.cpu_millicores)) + "m" : "?";
  if (u.cpu_limit_millis > 0) cpu += " / " + std::to_string(u.cpu_limit_millis) + "m";
  item["usage"] = {
      {"cpu", cpu},
      {"memory", UsedOf(u.cgroup.memory_bytes, u.cgroup.memory_limit_bytes)},
      {"storage", u.storage ? UsedOf(u.storage->used_bytes, u.storage->total_bytes) : "—"}};
}

Result<http::Response> SpacesPage(const WebContext& ctx, const http::Request& req,
                                  const Visitor& visitor) {
  const size_t page = AdminPageNumber(req);
  db::RepoQuery q;
  q.type = RepoType::kSpace;
  q.all_private = true;
  q.sort = db::RepoSort::kLastModified;
  q.descending = true;
  q.offset = (page - 1) * kAdminPageSize;
  q.limit = kAdminPageSize + 1;
  SH_ASSIGN_OR_RETURN(auto rows, ctx.hub().db.ListRepos(q));
  const bool more = rows.size() > kAdminPageSize;
  if (more) rows.resize(kAdminPageSize);
  const int64_t now = ctx.hub().clock.NowMillis();
  nlohmann::json items = nlohmann::json::array();
  size_t running = 0;
  for (const auto& row : rows) {
    nlohmann::json item = {{"full", row.repo.Full()},
                           {"path", RepoPath(row.repo)},
                           {"private", row.is_private},
                           {"sdk", row.sdk.empty() ? nlohmann::json() : nlohmann::json(row.sdk)},
                           {"updated", Age(row.updated_at, now)}};
    auto rt = ctx.services().spaces.RuntimeOf(row);
    if (rt.ok()) {
      const std::string stage(wire::SpaceStageName(rt->stage));
      item["stage"] = stage;
      item["stage_class"] = "stage-" + stage;
      item["hardware"] = rt->hardware_current.value_or("none");
      if (rt->hardware_requested != rt->hardware_current.value_or(rt->hardware_requested)) {
        item["requested"] = rt->hardware_requested;
      }
      if (MayRun(rt->stage)) {
        ++running;
        auto sampler = ctx.services().spaces.Metrics(visitor.caller, row.repo);
        if (sampler.ok()) AddUsage(item, (*sampler)());
      }
    } else {
      item["stage"] = "unknown";
    }
    items.push_back(std::move(item));
  }
  nlohmann::json data = {{"spaces", std::move(items)}, {"running", running}};
  AddPager(data, std::string(kAdminBase) + "/spaces", page, more);
  return RenderAdminPage(ctx, visitor, "spaces", "Spaces", "admin_spaces", std::move(data));
}

}  // namespace

void RegisterAdminSpacePages(http::Router& router, const WebContext& ctx) {
  router.Add(http::Method::kGet, std::string(kAdminBase) + "/spaces",
             AdminPageRoute(ctx, [&ctx](http::Request& req, const Visitor& v) {
               return SpacesPage(ctx, req, v);
             }));
}

}  // namespace spacehub::web
