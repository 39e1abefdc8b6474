// GET /api/spaces/{ns}/{name}/logs/build and /logs/run: a Space's logs as server-sent events, one
// `data: {"data": line, "timestamp": iso}` event per line (what the Hub sends and
// fetch_space_logs parses). `?tail=N` limits the replay; the stream then follows what the engine
// appends for as long as more may come (a build that runs, an app that starts or runs), as the
// Hub's does; `?follow=false` ends it after the replay.
#include <memory>

#include "api/context.h"
#include "api/routes.h"
#include "api/sse.h"
#include "api/streams.h"
#include "core/time_util.h"

namespace spacehub::api {
namespace {

Result<http::Response> Logs(ApiContext& ctx, http::Request& req, bool build) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, RepoType::kSpace));
  SH_ASSIGN_OR_RETURN(size_t tail, TailParam(req, 100000));
  SH_ASSIGN_OR_RETURN(bool follow, FollowParam(req, true));
  SH_ASSIGN_OR_RETURN(service::SpaceLogStream log, ctx.spaces.Logs(who, id, build, tail));
  std::vector<nlohmann::json> replay = LogEvents(log.backlog);
  if (!follow) return SseResponse(replay);
  SseFollow f;
  for (const auto& e : replay) f.first += SseEvent(e);
  std::shared_ptr<service::LogFollower> follower = std::move(log.follower);
  f.poll = [follower] { return LogEvents(follower->Poll()); };
  f.live = [&spaces = ctx.spaces, id, repo_id = log.repo_id, build] {
    return spaces.LogIsLive(id, repo_id, build);
  };
  return SseFollowResponse(std::move(f));
}

}  // namespace

void RegisterSpaceLogRoutes(http::Router& router, ApiContext& ctx) {
  using http::Method;
  const std::string base = "/api/spaces/{ns}/{name}";
  router.Add(Method::kGet, base + "/logs/build",
             Handle([&ctx](http::Request& r) { return Logs(ctx, r, /*build=*/true); }));
  router.Add(Method::kGet, base + "/logs/run",
             Handle([&ctx](http::Request& r) { return Logs(ctx, r, /*build=*/false); }));
}

}  // namespace spacehub::api
