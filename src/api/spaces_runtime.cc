// Space runtime routes (spec §4.3, §4.4): hardware catalog, runtime, hardware, sleep time, pause,
// restart, storage, the event log and the build/run logs as server-sent events. (Visitors reach a
// Space's app, static files included, through src/proxy.)
#include <cstring>

#include "api/render.h"
#include "api/routes.h"
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

// `?tail=N`: how many of the newest entries to send (a positive integer, capped at `max`).
Result<size_t> TailParam(const http::Request& req, size_t max) {
  auto tail = req.Query("tail");
  if (!tail) return size_t{1000};
  char* end = nullptr;
  long long n = std::strtoll(tail->c_str(), &end, 10);
  if (tail->empty() || *end != '\0' || n < 1) {
    return Status::InvalidArgument("'tail' must be a positive integer");
  }
  return static_cast<size_t>(std::min<long long>(n, static_cast<long long>(max)));
}

// A complete SSE body: one `data: {json}` event per item.
http::Response SseResponse(const std::vector<nlohmann::json>& events) {
  std::string body;
  for (const auto& e : events) {
    body += "data: " + e.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n\n";
  }
  http::Response resp = http::Response::Text(std::move(body), 200, "text/event-stream");
  resp.Header("Cache-Control", "no-cache");
  return resp;
}

// The recorded events as SSE (`data: {json}` per event), then the response ends: the http layer's
// BodySource blocks an I/O thread, so following live events is left to a later push-capable body.
Result<http::Response> Events(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, RepoType::kSpace));
  SH_ASSIGN_OR_RETURN(size_t limit, TailParam(req, 10000));
  SH_ASSIGN_OR_RETURN(auto events, ctx.spaces.Events(who, id, limit));
  std::vector<nlohmann::json> out;
  out.reserve(events.size());
  for (const auto& e : events) out.push_back(SpaceEventJson(e));
  return SseResponse(out);
}

// The stored build or run log as SSE: one `data: {"timestamp", "data"}` event per line
// (fetch_space_logs yields event["data"]), then the response ends — no follow yet (see Events).
Result<http::Response> Logs(ApiContext& ctx, http::Request& req, bool build) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, RepoType::kSpace));
  SH_ASSIGN_OR_RETURN(size_t limit, TailParam(req, 100000));
  SH_ASSIGN_OR_RETURN(auto lines, ctx.spaces.Logs(who, id, build, limit));
  std::vector<nlohmann::json> out;
  out.reserve(lines.size());
  for (const auto& l : lines) {
    nlohmann::json j = {{"data", l.text}};
    if (l.at) j["timestamp"] = FormatIsoMillis(*l.at);
    out.push_back(std::move(j));
  }
  return SseResponse(out);
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
  router.Add(Method::kGet, base + "/logs/build",
             Handle([&ctx](http::Request& r) { return Logs(ctx, r, /*build=*/true); }));
  router.Add(Method::kGet, base + "/logs/run",
             Handle([&ctx](http::Request& r) { return Logs(ctx, r, /*build=*/false); }));
}

}  // namespace spacehub::api
