// A model's or dataset's Settings tab, for those who may write to it (a Space has its own, in
// space_settings_pages.cc). Every form is one call of the RepoService the API calls:
//   GET  /{prefix}{ns}/{name}/settings
//   POST /{prefix}{ns}/{name}/settings/{visibility|move|delete}   (delete: type the full name)
#include "service/access.h"
#include "web/format.h"
#include "web/page.h"
#include "web/repo_view.h"

namespace spacehub::web {
namespace {

Result<http::Response> SettingsPage(const WebContext& ctx, const http::Request& req,
                                    const Visitor& visitor, RepoType type) {
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  SH_ASSIGN_OR_RETURN(RepoHeader h, LoadRepoHeader(ctx, visitor, id, "settings"));
  // The service's own rule for changing the repo: 401 signed out, 403 without write access.
  SH_TRY(service::RequireWritable(ctx.hub(), visitor.caller, id).status());
  return RenderPage(ctx, visitor,
                    PageView{.title = "Settings · " + id.Full(),
                             .view = "repo_settings",
                             .data = std::move(h.data),
                             .section = std::string(RepoTypePlural(type))});
}

// Where to go after the action (a path on the hub).
Result<std::string> RunAction(const WebContext& ctx, const Visitor& visitor, const RepoId& id,
                              std::string_view action, const Form& form) {
  service::RepoService& repos = ctx.services().repos;
  if (action == "visibility") {
    SH_TRY(repos.SetPrivate(visitor.caller, id, form.Get("visibility") == "private"));
    return RepoPath(id) + "/settings#visibility";
  }
  if (action == "move") {
    SH_ASSIGN_OR_RETURN(RepoId to, ParseRepoId(id.type, form.Get("to")));
    SH_TRY(repos.Move(visitor.caller, id, to));
    return RepoPath(to) + "/settings";
  }
  if (action == "delete") {
    if (form.Get("confirm") != id.Full()) {
      return Status::InvalidArgument("Type the " + std::string(RepoKindLabel(id.type)) +
                                     "'s full name to delete it");
    }
    SH_TRY(repos.Delete(visitor.caller, id));
    return "/" + (visitor.user() ? visitor.user()->user.name : std::string());
  }
  return Status::NotFound("No such settings action");
}

}  // namespace

void RegisterRepoSettingsPages(http::Router& router, const WebContext& ctx, RepoType type) {
  const std::string base = "/" + std::string(RepoTypeUrlPrefix(type)) + "{ns}/{name}";
  router.Add(http::Method::kGet, base + "/settings",
             PageRoute(ctx, [&ctx, type](http::Request& req, const Visitor& v) {
               return SettingsPage(ctx, req, v, type);
             }));
  router.Add(http::Method::kPost, base + "/settings/{action}",
             FormRoute(ctx,
                       [&ctx, type](http::Request& req, const Visitor& v,
                                    const Form& form) -> Result<http::Response> {
                         SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
                         SH_ASSIGN_OR_RETURN(std::string next,
                                             RunAction(ctx, v, id, req.Param("action"), form));
                         return Redirect(next);
                       }));
}

}  // namespace spacehub::web
