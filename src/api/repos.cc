// Repository lifecycle routes: create, delete, move, settings, info and listing (spec §2, §3).
#include "api/pagination.h"
#include "api/render.h"
#include "api/routes.h"
#include "api/space_params.h"

namespace spacehub::api {
namespace {

// {"name", "organization", "type"} as create and delete send them.
struct NamedRepo {
  RepoType type = RepoType::kModel;
  std::string ns;
  std::string name;
};

Result<NamedRepo> ParseNamedRepo(const nlohmann::json& body) {
  NamedRepo out;
  SH_ASSIGN_OR_RETURN(out.name, RequireString(body, "name"));
  SH_ASSIGN_OR_RETURN(auto org, OptionalString(body, "organization"));
  SH_ASSIGN_OR_RETURN(auto type, OptionalString(body, "type"));
  if (type) {
    SH_ASSIGN_OR_RETURN(out.type, ParseRepoType(*type));
  }
  out.ns = org.value_or("");
  return out;
}

Result<http::Response> CreateRepo(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(req.body));
  SH_ASSIGN_OR_RETURN(NamedRepo named, ParseNamedRepo(body));
  service::CreateRepoInput in;
  in.type = named.type;
  in.ns = named.ns;
  in.name = named.name;
  SH_ASSIGN_OR_RETURN(auto is_private, ParseVisibility(body));
  in.is_private = is_private.value_or(false);
  SH_ASSIGN_OR_RETURN(auto sdk, OptionalString(body, "sdk"));
  in.sdk = sdk.value_or("");
  std::string base = ctx.BaseUrl(req);
  db::RepoRow row;
  if (in.type == RepoType::kSpace) {
    SH_ASSIGN_OR_RETURN(service::SpaceParams params, ParseSpaceParams(body));
    SH_ASSIGN_OR_RETURN(row, ctx.spaces.Create(who, std::move(in), params, base));
  } else {
    // Space-only keys are ignored for other types, as the Hub does.
    SH_ASSIGN_OR_RETURN(row, ctx.repos.Create(who, std::move(in), base));
  }
  return http::Response::Json(
      {{"url", service::RepoUrl(base, row.repo)}, {"name", row.repo.Full()}, {"id", row.uid}});
}

Result<http::Response> DeleteRepo(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(req.body));
  SH_ASSIGN_OR_RETURN(NamedRepo named, ParseNamedRepo(body));
  if (named.ns.empty() && who) named.ns = who->user.name;
  auto id = MakeRepoId(named.type, named.ns, named.name);
  if (!id.ok()) return Status::RepoNotFound();
  SH_TRY(ctx.repos.Delete(who, *id));
  return http::Response::Text("OK");
}

Result<http::Response> MoveRepo(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(req.body));
  SH_ASSIGN_OR_RETURN(std::string from, RequireString(body, "fromRepo"));
  SH_ASSIGN_OR_RETURN(std::string to, RequireString(body, "toRepo"));
  SH_ASSIGN_OR_RETURN(auto type_name, OptionalString(body, "type"));
  RepoType type = RepoType::kModel;
  if (type_name) {
    SH_ASSIGN_OR_RETURN(type, ParseRepoType(*type_name));
  }
  auto from_id = ParseRepoId(type, from);
  if (!from_id.ok()) return Status::RepoNotFound();
  SH_ASSIGN_OR_RETURN(RepoId to_id, ParseRepoId(type, to));
  SH_TRY(ctx.repos.Move(who, *from_id, to_id));
  return http::Response::Json({{"url", service::RepoUrl(ctx.BaseUrl(req), to_id)}});
}

Result<http::Response> UpdateSettings(ApiContext& ctx, http::Request& req, RepoType type) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  SH_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(req.body));
  SH_ASSIGN_OR_RETURN(auto is_private, ParseVisibility(body));
  auto gated = body.find("gated");
  if (gated != body.end() && !(gated->is_boolean() && !gated->get<bool>())) {
    return Status::InvalidArgument("Gated repositories are not supported by this hub");
  }
  if (!is_private && gated == body.end()) {
    return Status::InvalidArgument("Nothing to update: send private, visibility or gated");
  }
  if (is_private) SH_TRY(ctx.repos.SetPrivate(who, id, *is_private));
  return http::Response::Json(nlohmann::json::object());
}

Result<http::Response> RepoInfo(ApiContext& ctx, http::Request& req, RepoType type,
                                const std::string& revision) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  SH_ASSIGN_OR_RETURN(service::RepoInfo info, ctx.repos.Info(who, id, revision));
  nlohmann::json j = RepoInfoJson(info, req.QueryFlag("blobs"));
  if (type == RepoType::kSpace) {
    SH_ASSIGN_OR_RETURN(service::SpaceRuntimeView runtime, ctx.spaces.RuntimeOf(info.row));
    j["runtime"] = SpaceRuntimeJson(runtime);
  }
  return http::Response::Json(j);
}

Result<http::Response> ListRepos(ApiContext& ctx, http::Request& req, RepoType type) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  Page page = ReadPage(req, 1000, 1000);
  service::ListReposInput in;
  in.type = type;
  in.author = req.Query("author");
  in.search = req.Query("search");
  in.sort = req.Query("sort").value_or("");
  // The Hub sorts descending unless direction=1.
  in.descending = req.Query("direction").value_or("-1") != "1";
  in.offset = page.offset;
  in.limit = page.limit;
  SH_ASSIGN_OR_RETURN(std::vector<service::RepoView> rows, ctx.repos.List(who, in));
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : rows) arr.push_back(RepoSummaryJson(r));
  http::Response resp = http::Response::Json(arr);
  AddNextLink(resp, req, ctx.BaseUrl(req), page, rows.size());
  return resp;
}

}  // namespace

void RegisterRepoRoutes(http::Router& router, ApiContext& ctx) {
  using http::Method;
  router.Add(Method::kPost, "/api/repos/create",
             Handle([&ctx](http::Request& r) { return CreateRepo(ctx, r); }));
  router.Add(Method::kDelete, "/api/repos/delete",
             Handle([&ctx](http::Request& r) { return DeleteRepo(ctx, r); }));
  router.Add(Method::kPost, "/api/repos/move",
             Handle([&ctx](http::Request& r) { return MoveRepo(ctx, r); }));
  for (RepoType type : {RepoType::kModel, RepoType::kDataset, RepoType::kSpace}) {
    std::string base = "/api/" + std::string(RepoTypeName(type)) + "s";
    router.Add(Method::kGet, base,
               Handle([&ctx, type](http::Request& r) { return ListRepos(ctx, r, type); }));
    router.Add(Method::kGet, base + "/{ns}/{name}",
               Handle([&ctx, type](http::Request& r) { return RepoInfo(ctx, r, type, "main"); }));
    router.Add(Method::kGet, base + "/{ns}/{name}/revision/{rev*}",
               Handle([&ctx, type](http::Request& r) {
                 return RepoInfo(ctx, r, type, std::string(r.Param("rev")));
               }));
    router.Add(Method::kPut, base + "/{ns}/{name}/settings",
               Handle([&ctx, type](http::Request& r) { return UpdateSettings(ctx, r, type); }));
  }
}

}  // namespace spacehub::api
