// Content routes: resolve and raw downloads (HEAD and GET, ranges, zero-copy LFS), tree and
// paths-info (spec §6, §7.1, §7.2).
#include "api/pagination.h"
#include "api/render.h"
#include "api/routes.h"
#include "api/xet_body.h"
#include "http/content_type.h"

namespace spacehub::api {
namespace {

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// A Xet-stored file: announced the way Xet clients look for it (X-Xet-Hash, the token and
// reconstruction links; a client that asks for application/vnd.xet-fileinfo+json gets only that),
// and served as plain bytes, with ranges, to everyone else.
Result<http::Response> XetDownload(ApiContext& ctx, const http::Request& req, RepoType type,
                                   const RepoId& id, service::ResolvedFile& f, http::Response r) {
  const std::string base = ctx.BaseUrl(req);
  const std::string& hash = f.xet->file_hash;
  std::string refresh = base + "/api/" + std::string(RepoTypeName(type)) + "s/" + id.ns + "/" +
                        id.name + "/xet-read-token/" + f.commit;
  std::string recon = base + "/cas/v1/reconstructions/" + hash;
  r.Header("ETag", Quoted(f.entry.lfs->oid));
  r.Header("X-Linked-Etag", Quoted(f.entry.lfs->oid));
  r.Header("X-Linked-Size", std::to_string(f.entry.lfs->size));
  r.Header("X-Xet-Hash", hash);
  r.Header("Link",
           "<" + refresh + ">; rel=\"xet-auth\", <" + recon + ">; rel=\"xet-reconstruction-info\"");
  if (req.Header("accept").find("application/vnd.xet-fileinfo+json") != std::string_view::npos) {
    http::Response info = http::Response::Json({{"hash", hash},
                                                {"refreshUrl", refresh},
                                                {"reconstructionUrl", recon},
                                                {"etag", f.entry.lfs->oid},
                                                {"size", f.entry.lfs->size}});
    for (auto& [k, v] : r.headers) {
      if (k != "Content-Type" && k != "Content-Disposition") info.Header(k, v);
    }
    for (auto& [k, v] : info.headers) {
      if (k == "Content-Type") v = "application/vnd.xet-fileinfo+json";
    }
    return info;
  }
  if (!f.lfs_path.empty()) {
    SH_ASSIGN_OR_RETURN(r.file, http::FileBody::Open(f.lfs_path));  // a whole copy: sendfile
  } else {
    SH_ASSIGN_OR_RETURN(auto reader, ctx.xet.OpenFile(*f.xet));
    r.sized = std::make_unique<XetFileBody>(std::move(reader));
  }
  return r;
}

// `raw` serves the git blob as stored (an LFS file's pointer); `resolve` serves the content.
Result<http::Response> Download(ApiContext& ctx, http::Request& req, RepoType type, bool raw) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  SH_ASSIGN_OR_RETURN(
      service::ResolvedFile f,
      ctx.files.Resolve(who, id, std::string(req.Param("rev")), std::string(req.Param("path"))));
  http::Response r;
  r.ranges_allowed = true;
  r.Header("X-Repo-Commit", f.commit);
  r.Header("Content-Type", http::ContentTypeFor(f.entry.path));
  // Repo files are user content served from the hub's own origin: never let a browser run them
  // here (an HTML file would otherwise act with the visitor's hub session).
  r.Header("Content-Security-Policy", "sandbox");
  r.Header("X-Content-Type-Options", "nosniff");
  std::string filename = f.entry.path.substr(f.entry.path.rfind('/') + 1);
  r.Header("Content-Disposition", "inline; filename=\"" + filename + "\"");
  if (!raw && f.entry.lfs && f.xet) return XetDownload(ctx, req, type, id, f, std::move(r));
  if (!raw && f.entry.lfs && !f.lfs_path.empty()) {
    SH_ASSIGN_OR_RETURN(r.file, http::FileBody::Open(f.lfs_path));
    r.Header("ETag", Quoted(f.entry.lfs->oid));
    r.Header("X-Linked-Etag", Quoted(f.entry.lfs->oid));
    r.Header("X-Linked-Size", std::to_string(f.entry.lfs->size));
    return r;
  }
  r.Header("ETag", Quoted(f.entry.oid));
  r.body = std::move(f.content);
  return r;
}

Result<http::Response> Tree(ApiContext& ctx, http::Request& req, RepoType type) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  bool expand = req.QueryFlag("expand");
  // The Hub pages trees by 1000 entries, 50 when each needs its last commit.
  Page page = ReadPage(req, expand ? 50 : 1000, expand ? 1000 : 10000);
  std::string path(req.Param("path"));
  while (!path.empty() && path.back() == '/') path.pop_back();
  // Expanding is per entry, so list plainly, cut the page, then expand only that page.
  SH_ASSIGN_OR_RETURN(auto entries, ctx.files.Tree(who, id, std::string(req.Param("rev")), path,
                                                   req.QueryFlag("recursive"), false));
  size_t end = std::min(entries.size(), page.offset + page.limit);
  nlohmann::json arr = nlohmann::json::array();
  std::vector<std::string> page_paths;
  for (size_t i = std::min(page.offset, entries.size()); i < end; ++i) {
    if (expand) {
      page_paths.push_back(entries[i].entry.path);
    } else {
      arr.push_back(TreeEntryJson(entries[i]));
    }
  }
  if (expand) {
    SH_ASSIGN_OR_RETURN(auto expanded, ctx.files.PathsInfo(who, id, std::string(req.Param("rev")),
                                                           page_paths, true));
    for (const auto& e : expanded) arr.push_back(TreeEntryJson(e));
  }
  http::Response resp = http::Response::Json(arr);
  size_t returned = end > page.offset ? end - page.offset : 0;
  if (end < entries.size()) AddNextLink(resp, req, ctx.BaseUrl(req), page, returned);
  return resp;
}

// Python sends a form (paths=a&paths=b&expand=true); JS sends JSON ({"paths": [...]}).
Result<http::Response> PathsInfo(ApiContext& ctx, http::Request& req, RepoType type) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(RepoId id, RouteRepoId(req, type));
  std::vector<std::string> paths;
  bool expand = false;
  if (req.Header("content-type").find("json") != std::string_view::npos) {
    SH_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(req.body));
    auto p = body.find("paths");
    if (p == body.end() || !p->is_array()) {
      return Status::InvalidArgument("'paths' is required and must be an array");
    }
    for (const auto& item : *p) {
      if (!item.is_string()) return Status::InvalidArgument("'paths' must hold strings");
      paths.push_back(item.get<std::string>());
    }
    SH_ASSIGN_OR_RETURN(auto e, OptionalBool(body, "expand"));
    expand = e.value_or(false);
  } else {
    auto form = http::ParseFormEncoded(req.body);
    if (!form) return Status::InvalidArgument("The form body is malformed");
    for (const auto& [k, v] : *form) {
      if (k == "paths") paths.push_back(v);
      if (k == "expand") expand = v == "true" || v == "True" || v == "1";
    }
  }
  if (paths.size() > 10000) return Status::InvalidArgument("At most 10000 paths per request");
  SH_ASSIGN_OR_RETURN(auto entries,
                      ctx.files.PathsInfo(who, id, std::string(req.Param("rev")), paths, expand));
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& e : entries) arr.push_back(TreeEntryJson(e));
  return http::Response::Json(arr);
}

}  // namespace

void RegisterFileRoutes(http::Router& router, ApiContext& ctx) {
  using http::Method;
  for (RepoType type : {RepoType::kModel, RepoType::kDataset, RepoType::kSpace}) {
    std::string base = "/api/" + std::string(RepoTypeName(type)) + "s/{ns}/{name}";
    router.Add(Method::kGet, base + "/tree/{rev}",
               Handle([&ctx, type](http::Request& r) { return Tree(ctx, r, type); }));
    router.Add(Method::kGet, base + "/tree/{rev}/{path*}",
               Handle([&ctx, type](http::Request& r) { return Tree(ctx, r, type); }));
    router.Add(Method::kPost, base + "/paths-info/{rev*}",
               Handle([&ctx, type](http::Request& r) { return PathsInfo(ctx, r, type); }),
               http::BodyRules::Anonymous());  // a read of public repos
  }
  for (const auto& p : kWebPrefixes) {
    RepoType type = p.type;
    std::string base = std::string(p.web) + "{ns}/{name}";
    router.Add(Method::kGet, base + "/resolve/{rev}/{path*}",
               Handle([&ctx, type](http::Request& r) { return Download(ctx, r, type, false); }));
    router.Add(Method::kGet, base + "/raw/{rev}/{path*}",
               Handle([&ctx, type](http::Request& r) { return Download(ctx, r, type, true); }));
  }
}

}  // namespace spacehub::api
