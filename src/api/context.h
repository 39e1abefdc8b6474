// ApiContext: what the HTTP handlers share — the services, and the helpers every handler uses to
// read the caller, the repo id and JSON bodies. Handlers stay thin: parse into typed input, call
// one service, render. Errors are returned as Status and become HTTP in exactly one place
// (http::Response::Error, via Handle()).
// Built once at start-up (SetPublicUrl included); read-only afterwards, so safe from every I/O
// thread.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/json_body.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "service/commit_service.h"
#include "service/file_service.h"
#include "service/git_http_service.h"
#include "service/job_service.h"
#include "service/lfs_service.h"
#include "service/ref_service.h"
#include "service/repo_service.h"
#include "service/space_service.h"
#include "service/xet_service.h"

namespace spacehub::api {

struct ApiOptions {
  // The absolute base of the URLs the hub hands out (api/public_url.h); never a request's Host.
  std::string public_url;
  service::GitHttpOptions git;  // hooks and HOME for git smart HTTP (service::PrepareGitHttp)
  service::JobRuntimeHook* jobs = nullptr;  // the job engine when jobs run here (serve)
};

class ApiContext final {
 public:
  ApiContext(service::Hub& hub, ApiOptions options)
      : hub_(hub),
        options_(std::move(options)),
        repos(hub),
        commits(hub),
        lfs(hub),
        files(hub),
        refs(hub),
        git(hub, options_.git),
        spaces(hub, repos),
        jobs(hub, options_.jobs),
        xet(hub) {}

  // The caller behind the Authorization header (an invalid token is a 401 even on public reads) or,
  // without one, behind the web UI's session cookie (an unknown or expired cookie is anonymous). A
  // state-changing request made with a cookie needs the session's X-CSRF-Token (else 403).
  Result<service::Caller> Caller(const http::Request& req) const;
  // Caller without the CSRF check: who the credentials name (the router's check before a body).
  Result<service::Caller> Authenticated(const http::Request& req) const;
  // The public URL (ApiOptions::public_url), or for a request through a listener with its own
  // address (a Space's HF_ENDPOINT) that address. The request's Host is never consulted: it is the
  // client's say (a Host of evil.example must not turn signed LFS URLs toward evil.example).
  std::string BaseUrl(const http::Request& req) const;
  // Sets the public URL once the server listens (its port may be known only then), before any
  // request is served.
  void SetPublicUrl(std::string url) { options_.public_url = std::move(url); }
  service::Hub& hub() const { return hub_; }

 private:
  service::Hub& hub_;
  ApiOptions options_;

 public:
  service::RepoService repos;
  service::CommitService commits;
  service::LfsService lfs;
  service::FileService files;
  service::RefService refs;
  service::GitHttpService git;
  service::SpaceService spaces;
  service::JobService jobs;
  service::XetService xet;
};

// Adapts a handler that may fail into an http::Handler; a failure becomes Response::Error.
using FallibleHandler = std::function<Result<http::Response>(http::Request&)>;
http::Handler Handle(FallibleHandler fn);
// The same for a plain function of the context and the request.
using ContextHandler = Result<http::Response> (*)(ApiContext&, http::Request&);
http::Handler Handle(ApiContext& ctx, ContextHandler fn);

// The route's {name} parameter as a string.
std::string RouteParam(const http::Request& req, std::string_view name);

// The repo named by the route's {ns} and {name} params. An impossible name cannot exist: reads get
// RepoNotFound rather than a validation error.
Result<RepoId> RouteRepoId(const http::Request& req, RepoType type);

// JSON body helpers (ParseJsonObject, RequireString, ...): api/json_body.h.

// The three URL shapes of a repo type: "" / "datasets/" / "spaces/" web prefixes.
struct TypedPrefix {
  RepoType type;
  const char* web;  // "/", "/datasets/", "/spaces/"
};
extern const TypedPrefix kWebPrefixes[3];

}  // namespace spacehub::api
