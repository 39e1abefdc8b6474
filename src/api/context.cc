#include "api/context.h"

#include <spdlog/spdlog.h>

#include "auth/sessions.h"

namespace spacehub::api {

const TypedPrefix kWebPrefixes[3] = {
    {RepoType::kDataset, "/datasets/"}, {RepoType::kSpace, "/spaces/"}, {RepoType::kModel, "/"}};

Result<service::Caller> ApiContext::Authenticated(const http::Request& req) const {
  if (req.HasHeader("authorization"))
    return hub_.identity.Authenticate(req.Header("authorization"));
  // The web UI's own requests (its event and log streams) come with the session cookie.
  std::string_view cookie = auth::SessionCookieFrom(req.Header("cookie"));
  if (cookie.empty()) return service::Caller();
  SH_ASSIGN_OR_RETURN(std::optional<auth::SessionCaller> session, hub_.sessions.Resolve(cookie));
  if (!session) return service::Caller();  // expired or unknown: anonymous, as the pages treat it
  return service::Caller(std::move(session->principal));
}

Result<service::Caller> ApiContext::Caller(const http::Request& req) const {
  SH_ASSIGN_OR_RETURN(service::Caller who, Authenticated(req));
  // A cookie is sent by the browser whoever made the page that sends the request: a state change
  // made with one needs the session's CSRF token too, which only the hub's own pages know.
  const bool safe = req.method == http::Method::kGet || req.method == http::Method::kHead ||
                    req.method == http::Method::kOptions;
  if (who && who->session_id != 0 && !safe &&
      !auth::Sessions::CsrfMatches(
          req.Header("x-csrf-token"),
          auth::Sessions::CsrfFor(auth::SessionCookieFrom(req.Header("cookie"))))) {
    return Status::PermissionDenied("Missing or invalid CSRF token (X-CSRF-Token)");
  }
  return who;
}

std::string ApiContext::BaseUrl(const http::Request& req) const {
  // A Space reaches the hub only at its in-network listener: URLs handed to it must point there.
  // Set by the server from the listener, never from anything the client sent.
  return req.listener_url.empty() ? options_.public_url : req.listener_url;
}

http::Handler Handle(ApiContext& ctx, ContextHandler fn) {
  return Handle([&ctx, fn](http::Request& req) { return fn(ctx, req); });
}

std::string RouteParam(const http::Request& req, std::string_view name) {
  return std::string(req.Param(name));
}

http::Handler Handle(FallibleHandler fn) {
  return [fn = std::move(fn)](http::Request& req) -> http::Response {
    Result<http::Response> r = fn(req);
    if (r.ok()) return std::move(r).value();
    if (r.status().code() == Code::kInternal) {
      spdlog::error("internal error rid={} path={} error={}", req.request_id, req.path,
                    r.status().message());
    }
    return http::Response::Error(r.status());
  };
}

Result<RepoId> RouteRepoId(const http::Request& req, RepoType type) {
  auto id = MakeRepoId(type, req.Param("ns"), req.Param("name"));
  if (!id.ok()) return Status::RepoNotFound();
  return id;
}

}  // namespace spacehub::api
