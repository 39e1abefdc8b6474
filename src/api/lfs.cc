// git-lfs routes: the batch API and verify under "{prefix}{ns}/{name}.git/info/lfs/objects/", and
// the self-signed transfer URLs under "/api/lfs-transfer/" that batch hands out (spec §5.2).
#include <algorithm>

#include "api/lfs_batch.h"
#include "api/routes.h"
#include "api/xet_body.h"
#include "core/crypto.h"

namespace spacehub::api {
namespace {

constexpr const char* kLfsJson = "application/vnd.git-lfs+json";

// "{name}.git" → RepoId; the suffix is optional since some remotes leave it out.
Result<RepoId> LfsRepoId(const http::Request& req, RepoType type) {
  std::string name(req.Param("name"));
  if (name.size() > 4 && name.compare(name.size() - 4, 4, ".git") == 0)
    name.resize(name.size() - 4);
  auto id = MakeRepoId(type, req.Param("ns"), name);
  if (!id.ok()) return Status::RepoNotFound();
  return id;
}

// git-lfs wants its own media type on every JSON answer.
http::Response AsLfsJson(http::Response r) {
  for (auto& [k, v] : r.headers) {
    if (k == "Content-Type") v = kLfsJson;
  }
  return r;
}

// git-lfs asks for credentials only when a 401 carries LFS-Authenticate.
http::Response LfsError(const Status& st) {
  http::Response r = http::Response::Error(st);
  if (st.code() == Code::kUnauthenticated) r.Header("LFS-Authenticate", "Basic realm=\"spacehub\"");
  r = AsLfsJson(std::move(r));
  if (st.code() != Code::kOk) {
    nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
    if (body.is_object()) {
      body["message"] = st.message();
      r.body = body.dump();
    }
  }
  return r;
}

nlohmann::json ActionJson(const service::LfsAction& a, int64_t expires_in) {
  nlohmann::json j = {{"href", a.href}, {"expires_in", expires_in}};
  if (!a.header.empty()) {
    nlohmann::json h = nlohmann::json::object();
    for (const auto& [k, v] : a.header) h[k] = v;
    j["header"] = std::move(h);
  }
  return j;
}

// Uploads from a client that offers "xet" go to Xet storage: each object still missing gets the
// write-token URL to refresh from and a first token in the X-Xet-* headers (the Hub's answer).
void OfferXet(ApiContext& ctx, const http::Request& req, const service::Caller& who,
              const RepoId& id, const LfsBatchRequest& batch,
              std::vector<service::LfsBatchAnswer>& answers) {
  std::string ref = batch.ref.empty() ? "main" : batch.ref;
  auto token = ctx.xet.IssueToken(who, id, ref, /*write=*/true);
  if (!token.ok()) return;  // the basic transfer still works
  std::string href = ctx.BaseUrl(req) + "/api/" + std::string(RepoTypeName(id.type)) + "s/" +
                     id.ns + "/" + id.name + "/xet-write-token/" + ref;
  for (auto& a : answers) {
    if (!a.upload) continue;
    a.upload = service::LfsAction{href,
                                  {{"X-Xet-Cas-Url", ctx.BaseUrl(req) + "/cas"},
                                   {"X-Xet-Access-Token", token->access_token},
                                   {"X-Xet-Token-Expiration", std::to_string(token->expires_at)},
                                   {"X-Xet-Session-Id", RandomHex(16)}}};
    a.verify.reset();
  }
}

Result<http::Response> Batch(ApiContext& ctx, http::Request& req, RepoType type) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(RepoId id, LfsRepoId(req, type));
  SH_ASSIGN_OR_RETURN(LfsBatchRequest batch, ParseLfsBatchRequest(req.body));
  SH_ASSIGN_OR_RETURN(auto answers,
                      ctx.lfs.Batch(who, id, batch.operation, batch.objects, ctx.BaseUrl(req)));
  const bool xet =
      batch.operation == "upload" &&
      std::find(batch.transfers.begin(), batch.transfers.end(), "xet") != batch.transfers.end();
  if (xet) OfferXet(ctx, req, who, id, batch, answers);
  int64_t ttl = ctx.hub().options.lfs_url_ttl_seconds;
  bool multipart = false;
  nlohmann::json out = nlohmann::json::array();
  for (const auto& a : answers) {
    nlohmann::json o = {{"oid", a.oid}, {"size", a.size}, {"authenticated", true}};
    if (a.error) {
      o["error"] = {{"code", a.error->first}, {"message", a.error->second}};
    } else {
      nlohmann::json actions = nlohmann::json::object();
      if (a.upload) {
        actions["upload"] = ActionJson(*a.upload, ttl);
        if (!a.upload->header.empty()) multipart = true;
      }
      if (a.verify) actions["verify"] = ActionJson(*a.verify, ttl);
      if (a.download) actions["download"] = ActionJson(*a.download, ttl);
      if (!actions.empty()) o["actions"] = std::move(actions);
    }
    out.push_back(std::move(o));
  }
  http::Response resp = http::Response::Json({{"transfer", xet         ? "xet"
                                                           : multipart ? "multipart"
                                                                       : "basic"},
                                              {"objects", std::move(out)}});
  return AsLfsJson(std::move(resp));
}

Result<http::Response> Verify(ApiContext& ctx, http::Request& req, RepoType type) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(RepoId id, LfsRepoId(req, type));
  SH_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(req.body));
  service::LfsObjectRef ref;
  SH_ASSIGN_OR_RETURN(ref.oid, RequireString(body, "oid"));
  SH_ASSIGN_OR_RETURN(auto size, OptionalInt(body, "size"));
  ref.size = size.value_or(0) < 0 ? 0 : static_cast<uint64_t>(size.value_or(0));
  SH_TRY(ctx.lfs.Verify(who, id, ref));
  return http::Response::Json(nlohmann::json::object());
}

// File locking is not offered; git-lfs asks before every push (POST locks/verify) and lists locks
// (GET locks). Empty answers let it carry on without warnings. Read access is required, as for
// batch.
Result<http::Response> NoLocks(ApiContext& ctx, http::Request& req, RepoType type, bool verify) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(RepoId id, LfsRepoId(req, type));
  SH_TRY(service::RequireReadable(ctx.hub(), who, id).status());
  nlohmann::json body = verify ? nlohmann::json{{"ours", nlohmann::json::array()},
                                                {"theirs", nlohmann::json::array()}}
                               : nlohmann::json{{"locks", nlohmann::json::array()}};
  http::Response resp = http::Response::Json(body);
  return AsLfsJson(std::move(resp));
}

Result<service::LfsGrant> GrantFrom(ApiContext& ctx, const http::Request& req,
                                    std::string_view operation) {
  return ctx.lfs.CheckGrant(operation, req.Param("repo"), req.Param("oid"), req.Param("size"),
                            req.Param("exp"), req.Param("sig"));
}

// Streams a PUT body into an upload session; the session publishes on Finish.
class UploadSink final : public http::BodySink {
 public:
  explicit UploadSink(std::unique_ptr<service::LfsUploadSession> s) : session_(std::move(s)) {}
  Status Write(std::string_view chunk) override { return session_->Write(chunk); }
  http::Response Finish() override {
    auto etag = session_->Finish();
    if (!etag.ok()) return http::Response::Error(etag.status());
    http::Response r = http::Response::Json(nlohmann::json::object());
    if (!etag->empty()) r.Header("ETag", *etag);
    return r;
  }

 private:
  std::unique_ptr<service::LfsUploadSession> session_;
};

Result<http::Response> Complete(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(service::LfsGrant grant, GrantFrom(ctx, req, "upload"));
  SH_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(req.body));
  auto parts = body.find("parts");
  if (parts == body.end() || !parts->is_array()) {
    return Status::InvalidArgument("'parts' is required and must be an array");
  }
  std::vector<repo::LfsStore::PartRef> refs;
  for (const auto& p : *parts) {
    if (!p.is_object()) return Status::InvalidArgument("each part must be an object");
    SH_ASSIGN_OR_RETURN(auto n, OptionalInt(p, "partNumber"));
    SH_ASSIGN_OR_RETURN(std::string etag, RequireString(p, "etag"));
    if (!n) return Status::InvalidArgument("each part needs a partNumber");
    refs.push_back({static_cast<int>(*n), std::move(etag)});
  }
  SH_TRY(ctx.lfs.CompleteMultipart(grant, refs));
  return http::Response::Json(nlohmann::json::object());
}

Result<http::Response> Download(ApiContext& ctx, http::Request& req) {
  SH_ASSIGN_OR_RETURN(service::LfsGrant grant, GrantFrom(ctx, req, "download"));
  http::Response r;
  auto path = ctx.lfs.ObjectPath(grant);
  if (path.ok()) {
    SH_ASSIGN_OR_RETURN(r.file, http::FileBody::Open(*path));
  } else {
    // Xet-stored objects are rebuilt from their xorbs for git-lfs.
    SH_ASSIGN_OR_RETURN(auto xet, ctx.xet.FileForObject(grant.repo_id, grant.oid));
    if (!xet) return std::move(path).take_status();
    SH_ASSIGN_OR_RETURN(auto reader, ctx.xet.OpenFile(*xet));
    r.sized = std::make_unique<XetFileBody>(std::move(reader));
  }
  r.ranges_allowed = true;
  r.Header("Content-Type", "application/octet-stream");
  return r;
}

// The signed transfer URLs batch hands out: PUT (whole or one part), verify, complete, GET.
// Grant URLs carry their authority in their signature, not in credentials (BodyRules).
void RegisterGrantRoutes(http::Router& router, ApiContext& ctx) {
  using http::Method;
  const std::string grant = "/api/lfs-transfer/{op}/{repo}/{oid}/{size}/{exp}/{sig}";
  router.AddStreaming(
      Method::kPut, grant, [&ctx](http::Request& req) -> Result<std::unique_ptr<http::BodySink>> {
        if (req.Param("op") != "upload") return Status::NotFound("Not found");
        SH_ASSIGN_OR_RETURN(service::LfsGrant g, GrantFrom(ctx, req, "upload"));
        SH_ASSIGN_OR_RETURN(auto session, ctx.lfs.BeginUpload(g));
        return std::unique_ptr<http::BodySink>(std::make_unique<UploadSink>(std::move(session)));
      });
  router.AddStreaming(
      Method::kPut, grant + "/part/{n}",
      [&ctx](http::Request& req) -> Result<std::unique_ptr<http::BodySink>> {
        if (req.Param("op") != "upload") return Status::NotFound("Not found");
        SH_ASSIGN_OR_RETURN(service::LfsGrant g, GrantFrom(ctx, req, "upload"));
        int n = std::atoi(std::string(req.Param("n")).c_str());
        SH_ASSIGN_OR_RETURN(auto session, ctx.lfs.BeginPart(g, n));
        return std::unique_ptr<http::BodySink>(std::make_unique<UploadSink>(std::move(session)));
      });
  // git-lfs sends only an action's own headers to verify, so the verify URL is signed like the
  // transfers instead of echoing the caller's token back in the batch response.
  router.Add(Method::kPost, grant, Handle([&ctx](http::Request& r) -> Result<http::Response> {
               if (r.Param("op") != "verify") return Status::NotFound("Not found");
               SH_ASSIGN_OR_RETURN(service::LfsGrant g, GrantFrom(ctx, r, "verify"));
               SH_TRY(ctx.lfs.VerifyGrant(g));
               return http::Response::Json(nlohmann::json::object());
             }),
             http::BodyRules::Anonymous());
  router.Add(Method::kPost, grant + "/complete",
             Handle([&ctx](http::Request& r) { return Complete(ctx, r); }),
             http::BodyRules::Anonymous());
  router.Add(Method::kGet, grant, Handle([&ctx](http::Request& r) { return Download(ctx, r); }));
}

// A git-lfs endpoint's handler: its errors are rendered the way git-lfs reads them (LfsError).
template <typename Fn>
http::Handler LfsHandle(Fn fn) {
  return [fn = std::move(fn)](http::Request& r) -> http::Response {
    auto res = fn(r);
    return res.ok() ? std::move(res).value() : LfsError(res.status());
  };
}

}  // namespace

void RegisterLfsRoutes(http::Router& router, ApiContext& ctx) {
  using http::Method;
  RegisterGrantRoutes(router, ctx);
  for (const auto& p : kWebPrefixes) {
    RepoType type = p.type;
    std::string base = std::string(p.web) + "{ns}/{name}/info/lfs/objects";
    std::string locks = std::string(p.web) + "{ns}/{name}/info/lfs/locks";
    // Anonymous bodies: batch downloads of public repos; and git-lfs needs the handlers' 401s,
    // which carry LFS-Authenticate.
    router.Add(Method::kPost, base + "/batch",
               LfsHandle([&ctx, type](http::Request& r) { return Batch(ctx, r, type); }),
               http::BodyRules::Anonymous());
    router.Add(Method::kPost, base + "/verify",
               LfsHandle([&ctx, type](http::Request& r) { return Verify(ctx, r, type); }),
               http::BodyRules::Anonymous());
    router.Add(Method::kPost, locks + "/verify", LfsHandle([&ctx, type](http::Request& r) {
                 return NoLocks(ctx, r, type, /*verify=*/true);
               }),
               http::BodyRules::Anonymous());
    router.Add(Method::kGet, locks, LfsHandle([&ctx, type](http::Request& r) {
                 return NoLocks(ctx, r, type, /*verify=*/false);
               }));
  }
}

}  // namespace spacehub::api
