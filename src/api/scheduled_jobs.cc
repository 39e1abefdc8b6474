// Scheduled jobs (spec/jobs-webhooks-oauth.md §1): /api/scheduled-jobs/{ns}[/{id}[/suspend|resume|
// run|labels]]. Handlers parse, call JobService, render.
#include "api/context.h"
#include "api/job_body.h"
#include "api/job_render.h"
#include "api/routes.h"

namespace spacehub::api {
namespace {

Result<http::Response> Create(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(req.body));
  SH_ASSIGN_OR_RETURN(service::ScheduledJobInput in, ParseScheduledJob(body));
  SH_ASSIGN_OR_RETURN(auto row,
                      ctx.jobs.CreateScheduled(who, RouteParam(req, "ns"), std::move(in)));
  return http::Response::Json(ScheduledJobInfoJson(row));
}

Result<http::Response> List(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(auto rows, ctx.jobs.ListScheduled(who, RouteParam(req, "ns")));
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : rows) arr.push_back(ScheduledJobInfoJson(r));
  return http::Response::Json(arr);
}

Result<http::Response> Inspect(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(auto row,
                      ctx.jobs.InspectScheduled(who, RouteParam(req, "ns"), RouteParam(req, "id")));
  return http::Response::Json(ScheduledJobInfoJson(row));
}

Result<http::Response> Delete(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_TRY(ctx.jobs.DeleteScheduled(who, RouteParam(req, "ns"), RouteParam(req, "id")));
  return http::Response::Json(nlohmann::json::object());
}

Result<http::Response> Suspend(ApiContext& ctx, http::Request& req, bool suspend) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(auto row, ctx.jobs.SuspendScheduled(who, RouteParam(req, "ns"),
                                                          RouteParam(req, "id"), suspend));
  return http::Response::Json(ScheduledJobInfoJson(row));
}

Result<http::Response> Trigger(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(auto row,
                      ctx.jobs.TriggerScheduled(who, RouteParam(req, "ns"), RouteParam(req, "id")));
  return http::Response::Json(JobInfoJson(row));
}

Result<http::Response> Labels(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(req.body));
  SH_ASSIGN_OR_RETURN(auto labels, ParseLabels(body));
  SH_ASSIGN_OR_RETURN(auto row, ctx.jobs.SetScheduledLabels(who, RouteParam(req, "ns"),
                                                            RouteParam(req, "id"), labels));
  return http::Response::Json(ScheduledJobInfoJson(row));
}

}  // namespace

void RegisterScheduledJobRoutes(http::Router& router, ApiContext& ctx) {
  using http::Method;
  const std::string base = "/api/scheduled-jobs/{ns}";
  router.Add(Method::kPost, base, Handle(ctx, Create));
  router.Add(Method::kGet, base, Handle(ctx, List));
  router.Add(Method::kGet, base + "/{id}", Handle(ctx, Inspect));
  router.Add(Method::kDelete, base + "/{id}", Handle(ctx, Delete));
  router.Add(Method::kPost, base + "/{id}/suspend",
             Handle([&ctx](http::Request& r) { return Suspend(ctx, r, true); }));
  router.Add(Method::kPost, base + "/{id}/resume",
             Handle([&ctx](http::Request& r) { return Suspend(ctx, r, false); }));
  router.Add(Method::kPost, base + "/{id}/run", Handle(ctx, Trigger));
  router.Add(Method::kPut, base + "/{id}/labels", Handle(ctx, Labels));
}

}  // namespace spacehub::api
