// The Jobs API (spec/jobs-webhooks-oauth.md §1): /api/jobs/{ns}[/{id}[/cancel|logs|metrics|labels|
// duplicate|events]] and /api/jobs/hardware. Logs stream as server-sent events: the whole log is
// replayed from its start on every request (the client skips what it already has when it
// reconnects), then followed while the job may still write; a finished job's stream ends after the
// replay. Handlers parse, call JobService, render.
#include <memory>

#include "api/context.h"
#include "api/job_body.h"
#include "api/job_render.h"
#include "api/render.h"
#include "api/routes.h"
#include "api/sse.h"
#include "api/streams.h"
#include "core/time_util.h"

namespace spacehub::api {
namespace {

// ?stage=RUNNING&stage=SCHEDULING (repeated); none: every stage.
Result<std::vector<db::JobStage>> StageFilter(const http::Request& req) {
  std::vector<db::JobStage> out;
  for (const auto& v : req.QueryAll("stage")) {
    SH_ASSIGN_OR_RETURN(db::JobStage s, db::ParseJobStage(v));
    out.push_back(s);
  }
  return out;
}

Result<http::Response> Run(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(req.body));
  SH_ASSIGN_OR_RETURN(service::JobSpec spec, ParseJobSpec(body));
  SH_ASSIGN_OR_RETURN(db::JobRow row, ctx.jobs.Run(who, RouteParam(req, "ns"), std::move(spec)));
  return http::Response::Json(JobInfoJson(row));
}

Result<http::Response> List(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(auto stages, StageFilter(req));
  SH_ASSIGN_OR_RETURN(auto rows, ctx.jobs.List(who, RouteParam(req, "ns"), stages));
  // label=k=v filters (newer clients), all of them must match.
  std::vector<std::pair<std::string, std::string>> want;
  for (const auto& l : req.QueryAll("label")) {
    auto eq = l.find('=');
    want.emplace_back(l.substr(0, eq), eq == std::string::npos ? "" : l.substr(eq + 1));
  }
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : rows) {
    auto labels = service::LabelsFromText(r.labels);
    bool match = true;
    for (const auto& [k, v] : want) {
      auto it = labels.find(k);
      match = match && it != labels.end() && (v.empty() || it->second == v);
    }
    if (match) arr.push_back(JobInfoJson(r));
  }
  return http::Response::Json(arr);
}

Result<http::Response> Inspect(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(auto row,
                      ctx.jobs.Inspect(who, RouteParam(req, "ns"), RouteParam(req, "id")));
  return http::Response::Json(JobInfoJson(row));
}

Result<http::Response> Cancel(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(auto row, ctx.jobs.Cancel(who, RouteParam(req, "ns"), RouteParam(req, "id")));
  return http::Response::Json(JobInfoJson(row));
}

Result<http::Response> Labels(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(req.body));
  SH_ASSIGN_OR_RETURN(auto labels, ParseLabels(body));
  SH_ASSIGN_OR_RETURN(
      auto row, ctx.jobs.SetLabels(who, RouteParam(req, "ns"), RouteParam(req, "id"), labels));
  return http::Response::Json(JobInfoJson(row));
}

Result<http::Response> Duplicate(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(auto row,
                      ctx.jobs.Duplicate(who, RouteParam(req, "ns"), RouteParam(req, "id")));
  return http::Response::Json(JobInfoJson(row));
}

Result<http::Response> Logs(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(size_t tail, TailParam(req, 1000000));
  const bool tail_given = req.Query("tail").has_value();
  SH_ASSIGN_OR_RETURN(bool follow, FollowParam(req, true));
  const std::string id = RouteParam(req, "id");
  SH_ASSIGN_OR_RETURN(
      service::JobLogStream log,
      ctx.jobs.Logs(who, RouteParam(req, "ns"), id, tail_given ? tail : size_t{1000000}));
  std::vector<nlohmann::json> replay = LogEvents(log.backlog);
  if (!follow || !ctx.jobs.LogIsLive(id)) {
    // Lines written between the replay and the end are still sent.
    for (auto& e : LogEvents(log.follower->Poll())) replay.push_back(std::move(e));
    return SseResponse(replay);
  }
  SseFollow f;
  for (const auto& e : replay) f.first += SseEvent(e);
  std::shared_ptr<service::LogFollower> follower = std::move(log.follower);
  f.poll = [follower] { return LogEvents(follower->Poll()); };
  f.live = [&jobs = ctx.jobs, id] { return jobs.LogIsLive(id); };
  f.interval = std::chrono::milliseconds(50);
  return SseFollowResponse(std::move(f));
}

Result<http::Response> Metrics(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(bool follow, FollowParam(req, true));
  SH_ASSIGN_OR_RETURN(auto sample,
                      ctx.jobs.Metrics(who, RouteParam(req, "ns"), RouteParam(req, "id")));
  return MetricsStream(std::move(sample), follow);
}

// The JS client's event stream: the job's state once, then again on every change, until it ends.
Result<http::Response> Events(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  const std::string ns = RouteParam(req, "ns");
  const std::string id = RouteParam(req, "id");
  SH_ASSIGN_OR_RETURN(db::JobRow row, ctx.jobs.Inspect(who, ns, id));
  SseFollow f;
  f.first = SseEvent(JobInfoJson(row));
  auto last = std::make_shared<std::string>(JobInfoJson(row).dump());
  auto done = std::make_shared<bool>(db::IsFinal(row.stage));
  f.poll = [&ctx, who, ns, id, last, done] {
    auto r = ctx.jobs.Inspect(who, ns, id);
    if (!r.ok()) {
      *done = true;
      return std::vector<nlohmann::json>{};
    }
    *done = db::IsFinal(r->stage);
    nlohmann::json j = JobInfoJson(*r);
    std::string text = j.dump();
    if (text == *last) return std::vector<nlohmann::json>{};
    *last = std::move(text);
    return std::vector<nlohmann::json>{std::move(j)};
  };
  f.live = [done] { return !*done; };
  return SseFollowResponse(std::move(f));
}

Result<http::Response> Hardware(ApiContext& ctx) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& f : ctx.hub().hardware.Get()->flavors) arr.push_back(FlavorJson(f));
  return http::Response::Json(arr);
}

}  // namespace

void RegisterJobRoutes(http::Router& router, ApiContext& ctx) {
  using http::Method;
  // Before /api/jobs/{ns}: "hardware" is not a namespace.
  router.Add(Method::kGet, "/api/jobs/hardware",
             Handle([&ctx](http::Request&) { return Hardware(ctx); }));
  const std::string base = "/api/jobs/{ns}";
  router.Add(Method::kPost, base, Handle(ctx, Run));
  router.Add(Method::kGet, base, Handle(ctx, List));
  router.Add(Method::kGet, base + "/{id}", Handle(ctx, Inspect));
  router.Add(Method::kPost, base + "/{id}/cancel", Handle(ctx, Cancel));
  router.Add(Method::kPut, base + "/{id}/labels", Handle(ctx, Labels));
  router.Add(Method::kPost, base + "/{id}/duplicate", Handle(ctx, Duplicate));
  router.Add(Method::kGet, base + "/{id}/logs", Handle(ctx, Logs));
  router.Add(Method::kGet, base + "/{id}/metrics", Handle(ctx, Metrics));
  router.Add(Method::kGet, base + "/{id}/events", Handle(ctx, Events));
}

}  // namespace spacehub::api
