// VisitorIdentity: who visits a Space, for private Spaces (only those who may read the repo get
// through): a hub token (API clients), or the visit grant the hub's Space page gave the browser
// (service/space_visits.h), kept in a cookie on the Space's own origin. Thread-safe.
#pragma once

#include "core/result.h"
#include "http/request.h"
#include "service/access.h"
#include "service/space_directory.h"
#include "service/space_visits.h"

namespace spacehub::auth {
class Identity;
}

namespace spacehub::proxy {

class VisitorIdentity {
 public:
  virtual ~VisitorIdentity() = default;
  // The visitor, or nullopt for an anonymous one; an error when credentials are present but
  // invalid (the proxy then treats the visitor as someone who may not see private Spaces).
  virtual Result<service::Caller> Identify(const http::Request& req,
                                           const service::SpaceListing& space) = 0;
  // Whether the credentials Identify used travel in a header that must not reach the app (a hub
  // token is the visitor's key to the whole hub, not to this app).
  virtual bool UsesAuthorizationHeader() const = 0;
};

// A hub token in `Authorization: Bearer hf_…` or `Basic` (password = token), as the API accepts;
// without one, a visit grant in the kSpaceVisitCookie cookie (when `visits` is given).
class TokenVisitorIdentity final : public VisitorIdentity {
 public:
  explicit TokenVisitorIdentity(auth::Identity& identity,
                                const service::SpaceVisits* visits = nullptr)
      : identity_(identity), visits_(visits) {}
  Result<service::Caller> Identify(const http::Request& req,
                                   const service::SpaceListing& space) override;
  bool UsesAuthorizationHeader() const override { return true; }

 private:
  auth::Identity& identity_;
  const service::SpaceVisits* visits_;
};

// The value of the visit-grant cookie in a `Cookie` header, or "".
std::string_view VisitCookieFrom(std::string_view cookie_header);

}  // namespace spacehub::proxy
