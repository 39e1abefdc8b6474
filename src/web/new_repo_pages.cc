// Creating repositories from the browser:
//   GET/POST /new         a model or a dataset
//   GET/POST /new-space   a Space: SDK (with a small starter app each), hardware, storage, sleep
// The owner is the visitor or an organization they may write to; the service decides (the list
// offered is a convenience, not the check).
#include "web/assets.h"
#include "web/format.h"
#include "web/page.h"
#include "web/routes.h"

namespace spacehub::web {
namespace {

constexpr const char* kSdks[] = {"gradio", "streamlit", "docker", "static"};

nlohmann::json Owners(const Visitor& visitor) {
  nlohmann::json out = nlohmann::json::array();
  const auth::Principal* p = visitor.user();
  if (!p) return out;
  out.push_back(p->user.name);
  for (const auto& m : p->orgs) {
    if (m.role >= db::Role::kWrite) out.push_back(m.org_name);
  }
  return out;
}

Result<http::Response> NewRepoPage(const WebContext& ctx, const Visitor& visitor, bool space) {
  if (!visitor.caller) return Status::Unauthenticated("Sign in to create a repository");
  nlohmann::json data = {{"owners", Owners(visitor)}, {"space", space}};
  if (space) {
    nlohmann::json sdks = nlohmann::json::array();
    for (const char* s : kSdks)
      sdks.push_back({{"name", s}, {"checked", std::string(s) == "gradio"}});
    data["sdks"] = std::move(sdks);
    nlohmann::json flavors = nlohmann::json::array();
    for (const auto& f : ctx.hub().hardware.Get()->flavors) {
      flavors.push_back({{"name", f.name},
                         {"pretty", f.pretty_name.empty() ? f.name : f.pretty_name},
                         {"free", f.free}});
    }
    data["flavors"] = std::move(flavors);
  }
  return RenderPage(ctx, visitor,
                    PageView{.title = space ? "New Space" : "New repository",
                             .view = "new_repo",
                             .data = std::move(data)});
}

// The starter files of `sdk` (embedded starters/<sdk>/*); static Spaces start with index.html from
// the repo service already.
std::vector<service::CommitInputOp> StarterFiles(const std::string& sdk) {
  std::vector<service::CommitInputOp> ops;
  for (std::string_view file : {"app.py", "requirements.txt", "Dockerfile"}) {
    const std::string name = "starters/" + sdk + "/" + std::string(file);
    if (const EmbeddedFile* f = FindEmbedded(name)) {
      ops.push_back(repo::AddFile{std::string(file), std::string(f->data)});
    }
  }
  return ops;
}

Result<service::SpaceParams> SpaceParamsFrom(const Form& form) {
  service::SpaceParams params;
  if (!form.Get("hardware").empty()) params.hardware = form.Get("hardware");
  if (!form.Get("storage").empty()) params.storage = form.Get("storage");
  if (!form.Get("sleep").empty()) {
    try {
      params.sleep_seconds = std::stoll(form.Get("sleep"));
    } catch (...) {
      return Status::InvalidArgument("Sleep time must be a number of seconds");
    }
  }
  return params;
}

Result<http::Response> CreateRepo(const WebContext& ctx, const Visitor& visitor, const Form& form,
                                  bool space) {
  service::CreateRepoInput in;
  in.type = space ? RepoType::kSpace
                  : (form.Get("type") == "dataset" ? RepoType::kDataset : RepoType::kModel);
  in.ns = form.Get("owner");
  in.name = form.Get("name");
  in.is_private = form.Get("visibility") == "private";
  const std::string& base = ctx.options().public_url;
  if (!space) {
    SH_ASSIGN_OR_RETURN(db::RepoRow row, ctx.services().repos.Create(visitor.caller, in, base));
    return Redirect(RepoPath(row.repo));
  }
  in.sdk = form.Get("sdk");
  SH_ASSIGN_OR_RETURN(service::SpaceParams params, SpaceParamsFrom(form));
  SH_ASSIGN_OR_RETURN(db::RepoRow row,
                      ctx.services().spaces.Create(visitor.caller, in, params, base));
  if (form.Get("template") == "starter") {
    service::CommitInput commit;
    commit.revision = "main";
    commit.summary = "Starter " + in.sdk + " app";
    for (auto& op : StarterFiles(in.sdk)) commit.ops.push_back(std::move(op));
    if (!commit.ops.empty()) {
      SH_TRY(ctx.services().commits.Commit(visitor.caller, row.repo, std::move(commit)).status());
    }
  }
  return Redirect(RepoPath(row.repo));
}

}  // namespace

void RegisterNewRepoPages(http::Router& router, const WebContext& ctx) {
  using http::Method;
  for (bool space : {false, true}) {
    const std::string path = space ? "/new-space" : "/new";
    router.Add(Method::kGet, path, PageRoute(ctx, [&ctx, space](http::Request&, const Visitor& v) {
                 return NewRepoPage(ctx, v, space);
               }));
    router.Add(Method::kPost, path,
               FormRoute(ctx, [&ctx, space](http::Request&, const Visitor& v, const Form& f) {
                 return CreateRepo(ctx, v, f, space);
               }));
  }
}

}  // namespace spacehub::web
