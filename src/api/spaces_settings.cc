// Space settings routes (spec §2.5, §4.1, §4.2): duplicate, secrets, variables.
#include "api/render.h"
#include "api/routes.h"
#include "api/space_params.h"

namespace spacehub::api {

Result<service::SpaceEntryInput> ParseSpaceEntry(const nlohmann::json& obj) {
  if (!obj.is_object()) return Status::InvalidArgument("Each secret or variable must be an object");
  service::SpaceEntryInput e;
  SH_ASSIGN_OR_RETURN(e.key, RequireString(obj, "key"));
  // "value" defaults to "" on the Hub; a value of another type is refused without echoing it.
  SH_ASSIGN_OR_RETURN(auto value, OptionalString(obj, "value"));
  e.value = value.value_or("");
  SH_ASSIGN_OR_RETURN(e.description, OptionalString(obj, "description"));
  return e;
}

Result<service::SpaceParams> ParseSpaceParams(const nlohmann::json& body) {
  service::SpaceParams p;
  SH_ASSIGN_OR_RETURN(p.hardware, OptionalString(body, "hardware"));
  SH_ASSIGN_OR_RETURN(p.storage, OptionalString(body, "storageTier"));
  SH_ASSIGN_OR_RETURN(p.sleep_seconds, OptionalInt(body, "sleepTimeSeconds"));
  for (auto [field, out] :
       {std::pair{"secrets", &p.secrets}, std::pair{"variables", &p.variables}}) {
    auto it = body.find(field);
    if (it == body.end() || it->is_null()) continue;
    if (!it->is_array()) {
      return Status::InvalidArgument(std::string("'") + field +
                                     "' must be a list of {key, value, description?}");
    }
    for (const auto& item : *it) {
      SH_ASSIGN_OR_RETURN(service::SpaceEntryInput e, ParseSpaceEntry(item));
      out->push_back(std::move(e));
    }
  }
  return p;
}

namespace {

using Fn = Result<http::Response> (*)(ApiContext&, http::Request&, const service::Caller&,
                                      const RepoId&);

// Every route here names a Space and may have a caller: resolve both, then run `fn`.
http::Handler SpaceRoute(ApiContext& ctx, Fn fn) {
  return Handle([&ctx, fn](http::Request& req) -> Result<http::Response> {
    SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
    SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, RepoType::kSpace));
    return fn(ctx, req, who, id);
  });
}

Result<std::string> KeyFromBody(const http::Request& req) {
  SH_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(req.body));
  return RequireString(body, "key");
}

Result<http::Response> Duplicate(ApiContext& ctx, http::Request& req, const service::Caller& who,
                                 const RepoId& from) {
  SH_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(req.body));
  SH_ASSIGN_OR_RETURN(std::string repository, RequireString(body, "repository"));
  service::DuplicateInput in;
  in.to.type = RepoType::kSpace;
  if (auto slash = repository.find('/'); slash == std::string::npos) {
    in.to.name = repository;
  } else {
    in.to.ns = repository.substr(0, slash);
    in.to.name = repository.substr(slash + 1);
  }
  SH_ASSIGN_OR_RETURN(in.is_private, ParseVisibility(body));
  SH_ASSIGN_OR_RETURN(in.params, ParseSpaceParams(body));
  std::string base = ctx.BaseUrl(req);
  SH_ASSIGN_OR_RETURN(db::RepoRow row, ctx.spaces.Duplicate(who, from, std::move(in), base));
  return http::Response::Json(
      {{"url", service::RepoUrl(base, row.repo)}, {"name", row.repo.Full()}, {"id", row.uid}});
}

Result<http::Response> GetSecrets(ApiContext& ctx, http::Request&, const service::Caller& who,
                                  const RepoId& id) {
  SH_ASSIGN_OR_RETURN(auto entries, ctx.spaces.Secrets(who, id));
  return http::Response::Json(SpaceEntriesJson(entries, /*with_values=*/false));
}

Result<http::Response> AddSecret(ApiContext& ctx, http::Request& req, const service::Caller& who,
                                 const RepoId& id) {
  SH_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(req.body));
  SH_ASSIGN_OR_RETURN(service::SpaceEntryInput in, ParseSpaceEntry(body));
  SH_TRY(ctx.spaces.AddSecret(who, id, in));
  return http::Response::Json(nlohmann::json::object());
}

Result<http::Response> DeleteSecret(ApiContext& ctx, http::Request& req, const service::Caller& who,
                                    const RepoId& id) {
  SH_ASSIGN_OR_RETURN(std::string key, KeyFromBody(req));
  SH_TRY(ctx.spaces.DeleteSecret(who, id, key));
  return http::Response::Json(nlohmann::json::object());
}

Result<http::Response> GetVariables(ApiContext& ctx, http::Request&, const service::Caller& who,
                                    const RepoId& id) {
  SH_ASSIGN_OR_RETURN(auto entries, ctx.spaces.Variables(who, id));
  return http::Response::Json(SpaceEntriesJson(entries, /*with_values=*/true));
}

Result<http::Response> AddVariable(ApiContext& ctx, http::Request& req, const service::Caller& who,
                                   const RepoId& id) {
  SH_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(req.body));
  SH_ASSIGN_OR_RETURN(service::SpaceEntryInput in, ParseSpaceEntry(body));
  SH_ASSIGN_OR_RETURN(auto entries, ctx.spaces.AddVariable(who, id, in));
  return http::Response::Json(SpaceEntriesJson(entries, /*with_values=*/true));
}

Result<http::Response> DeleteVariable(ApiContext& ctx, http::Request& req,
                                      const service::Caller& who, const RepoId& id) {
  SH_ASSIGN_OR_RETURN(std::string key, KeyFromBody(req));
  SH_ASSIGN_OR_RETURN(auto entries, ctx.spaces.DeleteVariable(who, id, key));
  return http::Response::Json(SpaceEntriesJson(entries, /*with_values=*/true));
}

}  // namespace

void RegisterSpaceSettingsRoutes(http::Router& router, ApiContext& ctx) {
  using http::Method;
  const std::string base = "/api/spaces/{ns}/{name}";
  router.Add(Method::kPost, base + "/duplicate", SpaceRoute(ctx, Duplicate));
  router.Add(Method::kGet, base + "/secrets", SpaceRoute(ctx, GetSecrets));
  router.Add(Method::kPost, base + "/secrets", SpaceRoute(ctx, AddSecret));
  router.Add(Method::kDelete, base + "/secrets", SpaceRoute(ctx, DeleteSecret));
  router.Add(Method::kGet, base + "/variables", SpaceRoute(ctx, GetVariables));
  router.Add(Method::kPost, base + "/variables", SpaceRoute(ctx, AddVariable));
  router.Add(Method::kDelete, base + "/variables", SpaceRoute(ctx, DeleteVariable));
}

}  // namespace spacehub::api
