#include "web/web_context.h"

#include "auth/hub_credentials.h"

namespace spacehub::web {

Result<Visitor> WebContext::VisitorOf(const http::Request& req) const {
  Visitor v;
  std::string_view cookie = auth::SessionCookieFrom(req.Header("cookie"));
  if (cookie.empty()) return v;
  SH_ASSIGN_OR_RETURN(std::optional<auth::SessionCaller> session, hub_.sessions.Resolve(cookie));
  if (!session) return v;
  v.caller = std::move(session->principal);
  v.csrf = std::move(session->csrf);
  return v;
}

bool WebContext::SecureCookies() const { return options_.public_url.rfind("https://", 0) == 0; }

std::string_view WebContext::CookieName() const {
  return SecureCookies() ? auth::kSessionCookieNames[1] : auth::kSessionCookie;
}

}  // namespace spacehub::web
