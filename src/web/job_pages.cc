// The job pages (issue #16), at the paths huggingface_hub prints for a job:
//   GET  /jobs/{ns}               the namespace's jobs, newest first
//   GET  /jobs/{ns}/{id}          one job: stage (live through /api/jobs/{ns}/{id}/events), what
//                                 it runs, times, secret names, labels, the log (live through
//                                 /api/jobs/{ns}/{id}/logs)
//   POST /jobs/{ns}/{id}/cancel   asks the engine to stop it (write access; CSRF-checked)
// Every page asks JobService, so its rules hold here too: a namespace the visitor may not see has
// no jobs page (404), signed-out visitors are sent to sign in.
#include "core/time_util.h"
#include "web/job_view.h"
#include "web/page.h"
#include "web/routes.h"

namespace spacehub::web {
namespace {

constexpr size_t kLogLines = 1000;
constexpr size_t kListedJobs = 200;

std::string Param(const http::Request& req, const char* name) {
  return std::string(req.Param(name));
}

Result<http::Response> JobPage(const WebContext& ctx, const http::Request& req,
                               const Visitor& visitor) {
  const std::string ns = Param(req, "ns");
  const std::string id = Param(req, "id");
  SH_ASSIGN_OR_RETURN(db::JobRow row, ctx.services().jobs.Inspect(visitor.caller, ns, id));
  nlohmann::json data = JobViewData(row, NowMillis());
  const std::string api = "/api/jobs/" + row.owner_name + "/" + row.id;
  data["events_url"] = api + "/events";
  data["log_src"] = api + "/logs?tail=" + std::to_string(kLogLines);
  data["can_cancel"] = !db::IsFinal(row.stage) && auth::CanWrite(visitor.caller, row.owner_name);
  std::string text;
  if (auto log = ctx.services().jobs.Logs(visitor.caller, ns, id, kLogLines); log.ok()) {
    for (const auto& l : log->backlog) text += l.text + "\n";
  }
  data["log_text"] = std::move(text);
  return RenderPage(ctx, visitor,
                    PageView{.title = "Job " + row.id + " · " + row.owner_name,
                             .view = "job",
                             .data = std::move(data)});
}

Result<http::Response> JobListPage(const WebContext& ctx, const http::Request& req,
                                   const Visitor& visitor) {
  const std::string ns = Param(req, "ns");
  SH_ASSIGN_OR_RETURN(auto rows, ctx.services().jobs.List(visitor.caller, ns, {}));
  const int64_t now = NowMillis();
  nlohmann::json jobs = nlohmann::json::array();
  for (size_t i = 0; i < rows.size() && i < kListedJobs; ++i) {
    jobs.push_back(JobViewData(rows[i], now));
  }
  // The namespace as stored (the path may differ in case).
  const std::string name = rows.empty() ? ns : rows.front().owner_name;
  nlohmann::json data = {{"ns", name},
                         {"has_jobs", !jobs.empty()},
                         {"jobs", std::move(jobs)},
                         {"more", rows.size() > kListedJobs},
                         {"shown", kListedJobs}};
  return RenderPage(ctx, visitor,
                    PageView{.title = "Jobs · " + name, .view = "jobs", .data = std::move(data)});
}

Result<http::Response> CancelJob(const WebContext& ctx, const http::Request& req,
                                 const Visitor& visitor) {
  SH_ASSIGN_OR_RETURN(db::JobRow row, ctx.services().jobs.Cancel(visitor.caller, Param(req, "ns"),
                                                                 Param(req, "id")));
  return Redirect(JobPath(row));
}

}  // namespace

void RegisterJobPages(http::Router& router, const WebContext& ctx) {
  using http::Method;
  router.Add(Method::kGet, "/jobs/{ns}",
             PageRoute(ctx, [&ctx](http::Request& req, const Visitor& v) {
               return JobListPage(ctx, req, v);
             }));
  router.Add(Method::kGet, "/jobs/{ns}/{id}",
             PageRoute(ctx, [&ctx](http::Request& req, const Visitor& v) {
               return JobPage(ctx, req, v);
             }));
  router.Add(Method::kPost, "/jobs/{ns}/{id}/cancel",
             FormRoute(ctx, [&ctx](http::Request& req, const Visitor& v, const Form&) {
               return CancelJob(ctx, req, v);
             }));
}

}  // namespace spacehub::web
