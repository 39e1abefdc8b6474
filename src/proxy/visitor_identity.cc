#include "proxy/visitor_identity.h"

#include "auth/hub_credentials.h"
#include "auth/identity.h"

namespace spacehub::proxy {

std::string_view VisitCookieFrom(std::string_view header) {
  while (!header.empty()) {
    size_t end = header.find(';');
    std::string_view pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == auth::kSpaceVisitCookie) {
      return pair.substr(eq + 1);
    }
  }
  return {};
}

Result<service::Caller> TokenVisitorIdentity::Identify(const http::Request& req,
                                                       const service::SpaceListing& space) {
  if (req.HasHeader("authorization") || !visits_) {
    return identity_.Authenticate(req.Header("authorization"));
  }
  std::string_view grant = VisitCookieFrom(req.Header("cookie"));
  if (grant.empty()) return service::Caller();
  return visits_->Redeem(grant, space.id);
}

}  // namespace spacehub::proxy
