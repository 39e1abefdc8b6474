// git smart HTTP (gitprotocol-http(5)) under "{prefix}{ns}/{name}[.git]":
//   GET  /info/refs?service=git-upload-pack|git-receive-pack   ref advertisement
//   POST /git-upload-pack, /git-receive-pack                    one stateless RPC round
// Request bodies (chunked, possibly gzip) stream into git's stdin; git's stdout streams out as the
// chunked response. Errors are text/plain so that git shows the message to the user ("remote:
// ..."); 401s carry WWW-Authenticate so that git asks for (or sends) credentials.
#include <algorithm>
#include <cstdio>

#include "api/routes.h"
#include "http/gzip_decoder.h"

namespace spacehub::api {
namespace {

using service::GitService;

// The error as git shows it: status code from the one Status→HTTP mapping, message as text.
// A 401 tells git which credentials to send.
http::Response GitError(const Status& st) {
  Status shown = st;
  if (st.code() == Code::kUnauthenticated) shown = std::move(shown).WithCredentialsChallenge();
  http::Response r = http::Response::Error(shown);
  r.body = st.message() + "\n";
  for (auto& [k, v] : r.headers) {
    if (k == "Content-Type") v = "text/plain; charset=utf-8";
  }
  return r;
}

Result<RepoId> GitRepoId(const http::Request& req, RepoType type) {
  std::string name(req.Param("name"));
  if (name.size() > 4 && name.ends_with(".git")) name.resize(name.size() - 4);
  auto id = MakeRepoId(type, req.Param("ns"), name);
  if (!id.ok()) return Status::RepoNotFound();
  return id;
}

std::string PktLine(std::string_view payload) {
  char len[5];
  std::snprintf(len, sizeof len, "%04zx", payload.size() + 4);
  return std::string(len) + std::string(payload);
}

// git's output, preceded by `prefix` (the "# service=..." header of an advertisement).
class GitSource final : public http::BodySource {
 public:
  GitSource(std::unique_ptr<service::GitRpcCall> call, std::string prefix)
      : call_(std::move(call)), prefix_(std::move(prefix)) {}
  Result<size_t> Read(char* buf, size_t capacity) override {
    if (prefix_pos_ < prefix_.size()) {
      size_t n = std::min(capacity, prefix_.size() - prefix_pos_);
      std::copy_n(prefix_.data() + prefix_pos_, n, buf);
      prefix_pos_ += n;
      return n;
    }
    return call_->Read(buf, capacity);
  }

 private:
  std::unique_ptr<service::GitRpcCall> call_;
  std::string prefix_;
  size_t prefix_pos_ = 0;
};

http::Response Streamed(std::unique_ptr<service::GitRpcCall> call, std::string content_type,
                        std::string prefix) {
  http::Response r;
  r.Header("Content-Type", std::move(content_type));
  r.Header("Cache-Control", "no-cache, max-age=0, must-revalidate");
  r.Header("Expires", "Fri, 01 Jan 1980 00:00:00 GMT");
  r.Header("Pragma", "no-cache");
  r.stream = std::make_unique<GitSource>(std::move(call), std::move(prefix));
  return r;
}

Result<db::RepoRow> Authorize(ApiContext& ctx, const http::Request& req, RepoType type,
                              GitService svc) {
  SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
  SH_ASSIGN_OR_RETURN(RepoId id, GitRepoId(req, type));
  return ctx.git.Authorize(who, id, svc);
}

Result<http::Response> InfoRefs(ApiContext& ctx, http::Request& req, RepoType type) {
  auto name = req.Query("service");
  if (!name) {
    return Status::PermissionDenied("Only git's smart HTTP protocol is served; upgrade git");
  }
  SH_ASSIGN_OR_RETURN(GitService svc, service::ParseGitService(*name));
  SH_ASSIGN_OR_RETURN(db::RepoRow row, Authorize(ctx, req, type, svc));
  std::string_view proto = req.Header("git-protocol");
  SH_ASSIGN_OR_RETURN(auto call,
                      ctx.git.Start(row, svc, service::GitHttpService::Mode::kAdvertise, proto));
  // Protocol v2 starts with its capability advertisement; v0/v1 with the service header
  // (as git http-backend does).
  std::string prefix;
  if (!service::WantsProtocolV2(proto)) {
    prefix = PktLine(std::string("# service=") + service::GitServiceName(svc) + "\n") + "0000";
  }
  return Streamed(std::move(call),
                  std::string("application/x-") + service::GitServiceName(svc) + "-advertisement",
                  std::move(prefix));
}

// The request body of one RPC round, decompressed if need be, into git's stdin.
class GitSink final : public http::BodySink {
 public:
  GitSink(std::unique_ptr<service::GitRpcCall> call, GitService svc, bool gzip)
      : call_(std::move(call)), svc_(svc) {
    if (gzip) {
      gzip_ = std::make_unique<http::GzipDecoder>(
          [this](std::string_view out) { return call_->Write(out); });
    }
  }
  Status Write(std::string_view chunk) override {
    return gzip_ ? gzip_->Feed(chunk) : call_->Write(chunk);
  }
  http::Response Finish() override {
    if (gzip_) {
      if (Status st = gzip_->Finish(); !st.ok()) return GitError(st);
    }
    call_->CloseInput();
    Result<bool> has_output = call_->WaitForOutput();
    if (!has_output.ok()) return GitError(has_output.status());
    if (!*has_output) {
      // git wrote nothing: an empty probe request ("0000") is fine, anything else was refused.
      if (int code = call_->Wait(); code != 0) {
        std::string why = call_->Stderr();
        if (size_t eol = why.find('\n'); eol != std::string::npos) why.resize(eol);
        return GitError(Status::InvalidArgument(std::string(service::GitServiceName(svc_)) +
                                                " refused the request: " + why));
      }
    }
    return Streamed(std::move(call_),
                    std::string("application/x-") + service::GitServiceName(svc_) + "-result", "");
  }

 private:
  std::unique_ptr<service::GitRpcCall> call_;
  GitService svc_;
  std::unique_ptr<http::GzipDecoder> gzip_;
};

Result<std::unique_ptr<http::BodySink>> OpenRpc(ApiContext& ctx, http::Request& req, RepoType type,
                                                GitService svc) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, Authorize(ctx, req, type, svc));
  std::string expected = std::string("application/x-") + service::GitServiceName(svc) + "-request";
  if (req.Header("content-type") != expected) {
    return Status::InvalidArgument("Expected Content-Type " + expected);
  }
  std::string_view encoding = req.Header("content-encoding");
  const bool gzip = encoding == "gzip" || encoding == "x-gzip";
  if (!gzip && !encoding.empty() && encoding != "identity") {
    return Status::InvalidArgument("Unsupported Content-Encoding " + std::string(encoding));
  }
  SH_ASSIGN_OR_RETURN(auto call, ctx.git.Start(row, svc, service::GitHttpService::Mode::kRpc,
                                               req.Header("git-protocol")));
  return std::unique_ptr<http::BodySink>(std::make_unique<GitSink>(std::move(call), svc, gzip));
}

}  // namespace

void RegisterGitHttpRoutes(http::Router& router, ApiContext& ctx) {
  using http::Method;
  for (const auto& p : kWebPrefixes) {
    RepoType type = p.type;
    std::string base = std::string(p.web) + "{ns}/{name}";
    router.Add(Method::kGet, base + "/info/refs", [&ctx, type](http::Request& r) {
      auto res = InfoRefs(ctx, r, type);
      return res.ok() ? std::move(res).value() : GitError(res.status());
    });
    for (GitService svc : {GitService::kUploadPack, GitService::kReceivePack}) {
      router.AddStreaming(
          Method::kPost, base + "/" + service::GitServiceName(svc),
          [&ctx, type, svc](http::Request& r) -> Result<std::unique_ptr<http::BodySink>> {
            // Refused before the body is read (the connection renders the Status); a 401 still
            // has to tell git which credentials to send.
            auto sink = OpenRpc(ctx, r, type, svc);
            if (sink.ok() || sink.status().code() != Code::kUnauthenticated) return sink;
            Status st = sink.status();
            return std::move(st).WithCredentialsChallenge();
          });
    }
  }
}

}  // namespace spacehub::api
