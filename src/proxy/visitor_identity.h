// VisitorIdentity: who visits a Space, for private Spaces (only those who may read the repo get
// through). The seam for the web UI's session cookie: a cookie-reading implementation can sit in
// front of (or replace) the token one without touching the proxy. Thread-safe.
#pragma once

#include "core/result.h"
#include "http/request.h"
#include "service/access.h"

namespace spacehub::auth {
class Identity;
}

namespace spacehub::proxy {

class VisitorIdentity {
 public:
  virtual ~VisitorIdentity() = default;
  // The visitor, or nullopt for an anonymous one; an error when credentials are present but
  // invalid (the proxy then treats the visitor as someone who may not see private Spaces).
  virtual Result<service::Caller> Identify(const http::Request& req) = 0;
  // Whether the credentials Identify used travel in a header that must not reach the app (a hub
  // token is the visitor's key to the whole hub, not to this app).
  virtual bool UsesAuthorizationHeader() const = 0;
};

// A hub token in `Authorization: Bearer hf_…` or `Basic` (password = token), as the API accepts.
class TokenVisitorIdentity final : public VisitorIdentity {
 public:
  explicit TokenVisitorIdentity(auth::Identity& identity) : identity_(identity) {}
  Result<service::Caller> Identify(const http::Request& req) override;
  bool UsesAuthorizationHeader() const override { return true; }

 private:
  auth::Identity& identity_;
};

}  // namespace spacehub::proxy
