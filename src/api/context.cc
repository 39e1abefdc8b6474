#include "api/context.h"

#include <spdlog/spdlog.h>

namespace spacehub::api {

const TypedPrefix kWebPrefixes[3] = {
    {RepoType::kDataset, "/datasets/"}, {RepoType::kSpace, "/spaces/"}, {RepoType::kModel, "/"}};

Result<service::Caller> ApiContext::Caller(const http::Request& req) const {
  return hub_.identity.Authenticate(req.Header("authorization"));
}

std::string ApiContext::BaseUrl(const http::Request& req) const {
  // A Space reaches the hub only at its in-network listener: URLs handed to it must point there.
  // Set by the server from the listener, never from anything the client sent.
  return req.listener_url.empty() ? options_.public_url : req.listener_url;
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
