// Space runtime routes (spec §4.3, §4.4): hardware catalog, runtime, hardware, sleep time, pause,
// restart, storage, the event log and metrics as server-sent events (logs: spaces_logs.cc).
// (Visitors reach a Space's app, static files included, through src/proxy.)
#include <cstring>
#include <memory>

#include "api/render.h"
#include "api/routes.h"
#include "api/sse.h"
#include "api/streams.h"
#include "core/time_util.h"

namespace spacehub::api {
namespace {

using Fn = Result<service::SpaceRuntimeView> (*)(ApiContext&, http::Request&,
                                                 const service::Caller&, const RepoId&);

// Resolves caller and Space, runs `fn`, renders the SpaceRuntime it returns.
http::Handler RuntimeRoute(ApiContext& ctx, Fn fn) {
  return Handle([&ctx, fn](http::Request& req) -> Result<http::Response> {
    SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
    SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, RepoType::kSpace));
    SH_ASSIGN_OR_RETURN(service::SpaceRuntimeView v, fn(ctx, req, who, id));
    return http::Response::Json(SpaceRuntimeJson(v));
  });
}

Result<service::SpaceRuntimeView> GetRuntime(ApiContext& ctx, http::Request&,
                                             const service::Caller& who, const RepoId& id) {
  return ctx.spaces.Runtime(who, id);
}

Result<service::SpaceRuntimeView> RequestHardware(ApiContext& ctx, http::Request& req,
                                                  const service::Caller& who, const RepoId& id) {
  SH_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(req.body));
  SH_ASSIGN_OR_RETURN(std::string flavor, RequireString(body, "flavor"));
  std::optional<std::optional<int64_t>> sleep;
  if (body.contains("sleepTimeSeconds")) {
    SH_ASSIGN_OR_RETURN(sleep, OptionalInt(body, "sleepTimeSeconds"));
  }
  return ctx.spaces.RequestHardware(who, id, flavor, sleep);
}

Result<service::SpaceRuntimeView> SetSleepTime(ApiContext& ctx, http::Request& req,
                                               const service::Caller& who, const RepoId& id) {
  SH_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(req.body));
  if (!body.contains("seconds")) {
    return Status::InvalidArgument("'seconds' is required: a number of seconds, or -1 for never");
  }
  SH_ASSIGN_OR_RETURN(std::optional<int64_t> seconds, OptionalInt(body, "seconds"));
  return ctx.spaces.SetSleepTime(who, id, seconds);
}

Result<service::SpaceRuntimeView> Pause(ApiContext& ctx, http::Request&, const service::Caller& who,
                                        const RepoId& id) {
  return ctx.spaces.Pause(who, id);
}

Result<service::SpaceRuntimeView> Restart(ApiContext& ctx, http::Request& req,
                                          const service::Caller& who, const RepoId& id) {
  return ctx.spaces.Restart(who, id, req.QueryFlag("factory"));
}

Result<service::SpaceRuntimeView> RequestStorage(ApiContext& ctx, http::Request& req,
                                                 const service::Caller& who, const RepoId& id) {
  SH_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(req.body));
  SH_ASSIGN_OR_RETURN(std::string tier, RequireString(body, "tier"));
  return ctx.spaces.RequestStorage(who, id, tier);
}

Result<service::SpaceRuntimeView> DeleteStorage(ApiContext& ctx, http::Request&,
                                                const service::Caller& who, const RepoId& id) {
  return ctx.spaces.DeleteStorage(who, id);
}

// The recorded events as SSE (`data: {json}` per event), then the response ends. With
// `?follow=true` the stream stays open and sends the Space's runtime (`event: runtime`, the shape
// of GET .../runtime, plus servingSince) now and whenever it changes: the web UI's live stage.
// servingSince changes with every restart, even one quicker than the poll, where the stage
// alone would read RUNNING before and after.
Result<http::Response> Events(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, RepoType::kSpace));
  SH_ASSIGN_OR_RETURN(size_t limit, TailParam(req, 10000));
  SH_ASSIGN_OR_RETURN(bool follow, FollowParam(req, false));
  SH_ASSIGN_OR_RETURN(auto events, ctx.spaces.Events(who, id, limit));
  std::vector<nlohmann::json> out;
  out.reserve(events.size());
  for (const auto& e : events) out.push_back(SpaceEventJson(e));
  if (!follow) return SseResponse(out);
  SH_ASSIGN_OR_RETURN(service::SpaceRuntimeView now, ctx.spaces.Runtime(who, id));
  SseFollow f;
  f.event = "runtime";
  for (const auto& e : out) f.first += SseEvent(e);
  nlohmann::json first = SpaceRuntimeEventJson(now);
  f.first += SseEvent(first, "runtime");
  f.interval = std::chrono::milliseconds(500);
  // Shared by the two callbacks, which the response calls from one thread at a time.
  auto last = std::make_shared<std::string>(first.dump());
  auto exists = std::make_shared<bool>(true);
  f.poll = [&spaces = ctx.spaces, who, id, last, exists] {
    auto rt = spaces.Runtime(who, id);
    *exists = rt.ok();
    if (!rt.ok()) return std::vector<nlohmann::json>{};
    nlohmann::json j = SpaceRuntimeEventJson(*rt);
    std::string text = j.dump();
    if (text == *last) return std::vector<nlohmann::json>{};
    *last = std::move(text);
    return std::vector<nlohmann::json>{std::move(j)};
  };
  f.live = [exists] { return *exists; };
  return SseFollowResponse(std::move(f));
}

// `event: metric` about once a second while the Space runs, as the Hub streams job metrics; a
// Space that does not run answers an empty stream; `?follow=false` sends one metric and ends.
Result<http::Response> Metrics(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, RepoType::kSpace));
  SH_ASSIGN_OR_RETURN(bool follow, FollowParam(req, true));
  SH_ASSIGN_OR_RETURN(auto sample, ctx.spaces.Metrics(who, id));
  return MetricsStream(std::move(sample), follow);
}

Result<http::Response> ListHardware(ApiContext& ctx) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& f : ctx.hub().hardware.Get()->flavors) arr.push_back(FlavorJson(f));
  return http::Response::Json(arr);
}

}  // namespace

void RegisterSpaceRuntimeRoutes(http::Router& router, ApiContext& ctx) {
  using http::Method;
  router.Add(Method::kGet, "/api/spaces/hardware",
             Handle([&ctx](http::Request&) { return ListHardware(ctx); }));
  const std::string base = "/api/spaces/{ns}/{name}";
  router.Add(Method::kGet, base + "/runtime", RuntimeRoute(ctx, GetRuntime));
  router.Add(Method::kPost, base + "/hardware", RuntimeRoute(ctx, RequestHardware));
  router.Add(Method::kPost, base + "/sleeptime", RuntimeRoute(ctx, SetSleepTime));
  router.Add(Method::kPost, base + "/pause", RuntimeRoute(ctx, Pause));
  router.Add(Method::kPost, base + "/restart", RuntimeRoute(ctx, Restart));
  router.Add(Method::kPost, base + "/storage", RuntimeRoute(ctx, RequestStorage));
  router.Add(Method::kDelete, base + "/storage", RuntimeRoute(ctx, DeleteStorage));
  router.Add(Method::kGet, base + "/events",
             Handle([&ctx](http::Request& r) { return Events(ctx, r); }));
  router.Add(Method::kGet, base + "/metrics",
             Handle([&ctx](http::Request& r) { return Metrics(ctx, r); }));
}

}  // namespace spacehub::api
