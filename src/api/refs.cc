// History and ref routes: refs, commits, branches, tags (spec §7.3–§7.5).
#include "api/pagination.h"
#include "api/render.h"
#include "api/routes.h"

namespace spacehub::api {
namespace {

nlohmann::json RefsJson(const std::vector<repo::RefInfo>& refs) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : refs) {
    arr.push_back({{"name", r.name}, {"ref", r.ref}, {"targetCommit", r.target}});
  }
  return arr;
}

Result<http::Response> Refs(ApiContext& ctx, http::Request& req, RepoType type) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  SH_ASSIGN_OR_RETURN(repo::Refs refs, ctx.refs.Refs(who, id));
  nlohmann::json body = {{"branches", RefsJson(refs.branches)},
                         {"converts", RefsJson(refs.converts)},
                         {"tags", RefsJson(refs.tags)}};
  if (req.QueryFlag("include_prs")) body["pullRequests"] = RefsJson(refs.pull_requests);
  return http::Response::Json(body);
}

Result<http::Response> Commits(ApiContext& ctx, http::Request& req, RepoType type) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  Page page = ReadPage(req, 50, 1000);
  // The Hub also pages with p= (page number).
  if (auto p = req.Query("p"); p && !req.Query("cursor")) {
    page.offset = static_cast<size_t>(std::max(0L, std::atol(p->c_str()))) * page.limit;
  }
  SH_ASSIGN_OR_RETURN(
      service::CommitPage commits,
      ctx.refs.Commits(who, id, std::string(req.Param("rev")), page.offset, page.limit));
  bool formatted = false;
  for (const auto& e : req.QueryAll("expand[]")) formatted |= e == "formatted";
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& c : commits.commits) arr.push_back(CommitJson(c, formatted));
  http::Response resp = http::Response::Json(arr);
  resp.Header("X-Total-Count", std::to_string(commits.total));
  if (page.offset + commits.commits.size() < commits.total) {
    AddNextLink(resp, req, ctx.BaseUrl(req), page, commits.commits.size());
  }
  return resp;
}

Result<http::Response> CreateBranch(ApiContext& ctx, http::Request& req, RepoType type) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  std::string start;
  if (!req.body.empty()) {
    SH_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(req.body));
    SH_ASSIGN_OR_RETURN(auto sp, OptionalString(body, "startingPoint"));
    start = sp.value_or("");
  }
  SH_TRY(ctx.refs.CreateBranch(who, id, std::string(req.Param("branch")), start));
  return http::Response::Json(nlohmann::json::object());
}

Result<http::Response> DeleteBranch(ApiContext& ctx, http::Request& req, RepoType type) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  SH_TRY(ctx.refs.DeleteBranch(who, id, std::string(req.Param("branch"))));
  return http::Response::Json(nlohmann::json::object());
}

Result<http::Response> CreateTag(ApiContext& ctx, http::Request& req, RepoType type) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  SH_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(req.body));
  SH_ASSIGN_OR_RETURN(std::string tag, RequireString(body, "tag"));
  SH_ASSIGN_OR_RETURN(auto message, OptionalString(body, "message"));
  SH_TRY(ctx.refs.CreateTag(who, id, std::string(req.Param("rev")), tag, message.value_or("")));
  return http::Response::Json(nlohmann::json::object());
}

Result<http::Response> DeleteTag(ApiContext& ctx, http::Request& req, RepoType type) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  SH_TRY(ctx.refs.DeleteTag(who, id, std::string(req.Param("tag"))));
  return http::Response::Json(nlohmann::json::object());
}

}  // namespace

void RegisterRefRoutes(http::Router& router, ApiContext& ctx) {
  using http::Method;
  for (RepoType type : {RepoType::kModel, RepoType::kDataset, RepoType::kSpace}) {
    std::string base = "/api/" + std::string(RepoTypeName(type)) + "s/{ns}/{name}";
    router.Add(Method::kGet, base + "/refs",
               Handle([&ctx, type](http::Request& r) { return Refs(ctx, r, type); }));
    router.Add(Method::kGet, base + "/commits/{rev*}",
               Handle([&ctx, type](http::Request& r) { return Commits(ctx, r, type); }));
    router.Add(Method::kPost, base + "/branch/{branch*}",
               Handle([&ctx, type](http::Request& r) { return CreateBranch(ctx, r, type); }));
    router.Add(Method::kDelete, base + "/branch/{branch*}",
               Handle([&ctx, type](http::Request& r) { return DeleteBranch(ctx, r, type); }));
    router.Add(Method::kPost, base + "/tag/{rev*}",
               Handle([&ctx, type](http::Request& r) { return CreateTag(ctx, r, type); }));
    router.Add(Method::kDelete, base + "/tag/{tag*}",
               Handle([&ctx, type](http::Request& r) { return DeleteTag(ctx, r, type); }));
  }
}

}  // namespace spacehub::api
