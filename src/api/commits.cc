// Upload routes: preupload, the NDJSON commit, and validate-yaml (spec §5.1, §5.4, §5.0).
#include <sstream>

#include "api/commit_body.h"
#include "api/routes.h"
#include "core/crypto.h"
#include "service/front_matter.h"

namespace spacehub::api {
namespace {

Result<http::Response> Preupload(ApiContext& ctx, http::Request& req, RepoType type) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  SH_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(req.body));
  service::PreuploadInput in;
  in.revision = std::string(req.Param("rev"));
  auto files = body.find("files");
  if (files == body.end() || !files->is_array()) {
    return Status::InvalidArgument("'files' is required and must be an array");
  }
  for (const auto& f : *files) {
    if (!f.is_object()) return Status::InvalidArgument("each entry of 'files' must be an object");
    service::PreuploadFile pf;
    SH_ASSIGN_OR_RETURN(pf.path, RequireString(f, "path"));
    SH_ASSIGN_OR_RETURN(auto size, OptionalInt(f, "size"));
    if (!size || *size < 0) return Status::InvalidArgument("'size' of " + pf.path + " is required");
    pf.size = static_cast<uint64_t>(*size);
    SH_ASSIGN_OR_RETURN(auto sample, OptionalString(f, "sample"));
    if (sample) {
      SH_ASSIGN_OR_RETURN(pf.sample, Base64Decode(*sample));
    }
    in.files.push_back(std::move(pf));
  }
  SH_ASSIGN_OR_RETURN(in.git_ignore, OptionalString(body, "gitIgnore"));
  SH_ASSIGN_OR_RETURN(in.git_attributes, OptionalString(body, "gitAttributes"));
  SH_ASSIGN_OR_RETURN(auto answers, ctx.commits.Preupload(who, id, in));
  nlohmann::json out = nlohmann::json::array();
  for (const auto& a : answers) {
    nlohmann::json f = {{"path", a.path},
                        {"uploadMode", a.lfs ? "lfs" : "regular"},
                        {"shouldIgnore", a.should_ignore}};
    if (a.oid) f["oid"] = *a.oid;
    out.push_back(std::move(f));
  }
  return http::Response::Json({{"files", std::move(out)}});
}

Result<http::Response> Commit(ApiContext& ctx, http::Request& req, RepoType type) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  SH_ASSIGN_OR_RETURN(service::CommitInput in, ParseCommitBody(req.body));
  in.revision = std::string(req.Param("rev"));
  in.create_pr = req.QueryFlag("create_pr");
  SH_ASSIGN_OR_RETURN(service::CommitOutput out, ctx.commits.Commit(who, id, std::move(in)));
  std::string repo_url = service::RepoUrl(ctx.BaseUrl(req), id);
  nlohmann::json body = {{"success", true},
                         {"commitOid", out.commit_id},
                         {"commitUrl", repo_url + "/commit/" + out.commit_id},
                         {"hookOutput", ""}};
  if (out.pr_number) {
    body["pullRequestUrl"] = repo_url + "/discussions/" + std::to_string(*out.pr_number);
  }
  return http::Response::Json(body);
}

// The client calls response.json() before looking at the status, so both answers are JSON.
Result<http::Response> ValidateYaml(http::Request& req) {
  SH_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(req.body));
  SH_ASSIGN_OR_RETURN(std::string content, RequireString(body, "content"));
  auto parsed = service::ParseFrontMatter(content);
  if (!parsed.ok()) {
    return http::Response::Json(
        {{"errors", nlohmann::json::array({{{"message", parsed.status().message()}}})},
         {"warnings", nlohmann::json::array()}},
        400);
  }
  return http::Response::Json(
      {{"errors", nlohmann::json::array()}, {"warnings", nlohmann::json::array()}});
}

}  // namespace

void RegisterCommitRoutes(http::Router& router, ApiContext& ctx) {
  using http::Method;
  router.Add(Method::kPost, "/api/validate-yaml",
             Handle([](http::Request& r) { return ValidateYaml(r); }),
             http::BodyRules::Anonymous());
  for (RepoType type : {RepoType::kModel, RepoType::kDataset, RepoType::kSpace}) {
    std::string base = "/api/" + std::string(RepoTypeName(type)) + "s/{ns}/{name}";
    router.Add(Method::kPost, base + "/preupload/{rev*}",
               Handle([&ctx, type](http::Request& r) { return Preupload(ctx, r, type); }));
    // Small files travel inline (base64) in the commit's NDJSON: --max-body-mb.
    router.Add(Method::kPost, base + "/commit/{rev*}",
               Handle([&ctx, type](http::Request& r) { return Commit(ctx, r, type); }),
               http::BodyRules::Large());
  }
}

}  // namespace spacehub::api
