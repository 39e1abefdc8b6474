// A Space's App and Logs tabs:
//   GET /spaces/{ns}/{name}        the app, embedded from its own origin, and its stage
//   GET /spaces/{ns}/{name}/logs   the build and run logs (live with JavaScript; ?log=build|run)
// The app frame loads /spaces/{ns}/{name}/app/, which the proxy redirects to the Space's own
// origin ({ns}-{name}.{domain}): the app never runs on the hub's origin and gets no hub cookie.
// A visit wakes a sleeping Space, as on the Hub: loading the frame is the visit.
#include "core/time_util.h"
#include "service/space_visits.h"
#include "web/page.h"
#include "web/repo_view.h"
#include "web/routes.h"
#include "web/space_view.h"

namespace spacehub::web {
namespace {

constexpr size_t kErrorLogLines = 30;
constexpr size_t kLogTabLines = 1000;

// The last lines of a log as text, for those who may read it; "" otherwise.
std::string LogTail(const WebContext& ctx, const Visitor& visitor, const RepoId& id, bool build,
                    size_t lines) {
  auto log = ctx.services().spaces.Logs(visitor.caller, id, build, lines);
  if (!log.ok()) return "";
  std::string out;
  for (const auto& l : log->backlog) out += l.text + "\n";
  return out;
}

Result<http::Response> AppTab(const WebContext& ctx, const http::Request& req,
                              const Visitor& visitor) {
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, RepoType::kSpace));
  SH_ASSIGN_OR_RETURN(SpaceHeader h, LoadSpaceHeader(ctx, visitor, id, "app"));
  nlohmann::json data = h.data;
  const wire::SpaceStage stage = h.runtime.stage;
  // Serving (or about to: a visit wakes a sleeping Space): show the app now.
  const bool show = wire::IsServing(stage) || stage == wire::SpaceStage::kSleeping ||
                    stage == wire::SpaceStage::kAppStarting;
  data["frame_src"] = "/spaces/" + id.Full() + "/app/";
  // The app's origin never gets the hub's cookie: a private Space's frame carries a visit grant for
  // this visitor and this Space only (service/space_visits.h), which the proxy keeps as its cookie.
  if (h.row.is_private && visitor.user()) {
    data["frame_src"] = data["frame_src"].get<std::string>() + "?__sign=" +
                        service::SpaceVisits(ctx.hub()).Grant(*visitor.user(), h.row.id);
  }
  data["show_frame"] = show;
  // What the frame loads now (app.js reloads it when the events stream names another version).
  data["serving_since"] =
      h.runtime.serving_since_ms ? FormatIsoMillis(*h.runtime.serving_since_ms) : std::string();
  data["paused"] = stage == wire::SpaceStage::kPaused;
  data["building"] = stage == wire::SpaceStage::kBuilding;
  if (wire::IsError(stage) && h.can_manage) {
    const bool build = stage == wire::SpaceStage::kBuildError;
    data["error_log"] = LogTail(ctx, visitor, id, build, kErrorLogLines);
    data["error_log_kind"] = build ? "build" : "run";
  }
  data["is_error"] = wire::IsError(stage);
  return RenderPage(
      ctx, visitor,
      PageView{
          .title = id.Full(), .view = "space_app", .data = std::move(data), .section = "spaces"});
}

Result<http::Response> LogsTab(const WebContext& ctx, const http::Request& req,
                               const Visitor& visitor) {
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, RepoType::kSpace));
  SH_ASSIGN_OR_RETURN(SpaceHeader h, LoadSpaceHeader(ctx, visitor, id, "logs"));
  const bool build = req.Query("log").value_or("") == "build" ||
                     (!req.Query("log") && (h.runtime.stage == wire::SpaceStage::kBuilding ||
                                            h.runtime.stage == wire::SpaceStage::kBuildError));
  // Reading logs needs write access, as on the Hub (a log may say more than the app shows).
  SH_ASSIGN_OR_RETURN(service::SpaceLogStream log,
                      ctx.services().spaces.Logs(visitor.caller, id, build, kLogTabLines));
  std::string text;
  for (const auto& l : log.backlog) text += l.text + "\n";
  nlohmann::json data = h.data;
  data["log_text"] = std::move(text);
  data["log_build"] = build;
  data["log_src"] = "/api/spaces/" + id.Full() + "/logs/" + (build ? "build" : "run") +
                    "?tail=" + std::to_string(kLogTabLines);
  return RenderPage(ctx, visitor,
                    PageView{.title = "Logs · " + id.Full(),
                             .view = "space_logs",
                             .data = std::move(data),
                             .section = "spaces"});
}

}  // namespace

void RegisterSpacePages(http::Router& router, const WebContext& ctx) {
  using http::Method;
  router.Add(
      Method::kGet, "/spaces/{ns}/{name}",
      PageRoute(ctx, [&ctx](http::Request& req, const Visitor& v) { return AppTab(ctx, req, v); }));
  router.Add(Method::kGet, "/spaces/{ns}/{name}/logs",
             PageRoute(ctx, [&ctx](http::Request& req, const Visitor& v) {
               return LogsTab(ctx, req, v);
             }));
  RegisterSpaceSettingsPages(router, ctx);
}

}  // namespace spacehub::web
