// The signed-in user's own settings:
//   GET  /settings/tokens  POST /settings/tokens  POST /settings/tokens/{id}/delete
//   GET  /settings/password  POST /settings/password
// A new token is shown once, on the page that answers its creation (never stored in clear, never
// shown again); the list shows names, roles, creation and last use. Changing the password ends
// every other session of the user.
#include "web/format.h"
#include "web/page.h"
#include "web/routes.h"

namespace spacehub::web {
namespace {

Result<const auth::Principal*> SignedIn(const Visitor& visitor) {
  if (!visitor.user()) return Status::Unauthenticated("Sign in first");
  return visitor.user();
}

Result<http::Response> TokensPage(const WebContext& ctx, const Visitor& visitor,
                                  const std::string& new_token) {
  SH_ASSIGN_OR_RETURN(const auth::Principal* me, SignedIn(visitor));
  SH_ASSIGN_OR_RETURN(auto tokens, ctx.hub().db.ListTokens(me->user.id));
  const int64_t now = ctx.hub().clock.NowMillis();
  nlohmann::json items = nlohmann::json::array();
  for (const auto& t : tokens) {
    items.push_back({{"id", t.id},
                     {"name", t.name},
                     {"role", db::RoleName(t.role)},
                     {"created", Age(t.created_at, now)},
                     {"last_used", t.last_used_at ? Age(t.last_used_at, now) : "never"}});
  }
  nlohmann::json data = {{"tokens", items}, {"new_token", new_token}, {"tab_tokens", true}};
  return RenderPage(ctx, visitor,
                    PageView{.title = "Access tokens",
                             .view = "settings_tokens",
                             .data = std::move(data),
                             .section = "settings"});
}

Result<http::Response> CreateToken(const WebContext& ctx, const Visitor& visitor,
                                   const Form& form) {
  SH_ASSIGN_OR_RETURN(const auth::Principal* me, SignedIn(visitor));
  SH_ASSIGN_OR_RETURN(db::Role role, db::ParseRole(form.Get("role")));
  if (role == db::Role::kAdmin) return Status::InvalidArgument("A token's role is read or write");
  std::string name = form.Get("name");
  if (name.empty() || name.size() > 100) {
    return Status::InvalidArgument("A token needs a name of at most 100 characters");
  }
  SH_ASSIGN_OR_RETURN(auth::IssuedToken issued,
                      ctx.hub().identity.CreateToken(me->user.name, role, name));
  // Answered directly (no redirect), so the token is on this one page and in no URL.
  return TokensPage(ctx, visitor, issued.text);
}

Result<http::Response> DeleteToken(const WebContext& ctx, const http::Request& req,
                                   const Visitor& visitor) {
  SH_ASSIGN_OR_RETURN(const auth::Principal* me, SignedIn(visitor));
  int64_t id = 0;
  try {
    id = std::stoll(std::string(req.Param("id")));
  } catch (...) {
    return Status::NotFound("No such token");
  }
  SH_TRY(ctx.hub().db.DeleteToken(me->user.id, id));
  return Redirect("/settings/tokens");
}

Result<http::Response> PasswordPage(const WebContext& ctx, const Visitor& visitor, bool changed) {
  SH_TRY(SignedIn(visitor).status());
  return RenderPage(ctx, visitor,
                    PageView{.title = "Password",
                             .view = "settings_password",
                             .data = {{"changed", changed}, {"tab_password", true}},
                             .section = "settings"});
}

Result<http::Response> ChangePassword(const WebContext& ctx, const http::Request& req,
                                      const Visitor& visitor, const Form& form) {
  SH_ASSIGN_OR_RETURN(auto session,
                      ctx.hub().sessions.Resolve(auth::SessionCookieFrom(req.Header("cookie"))));
  if (!session) return Status::Unauthenticated("Sign in first");
  if (form.Get("password") != form.Get("password_again")) {
    return Status::InvalidArgument("The two new passwords differ");
  }
  SH_TRY(ctx.hub().sessions.ChangePassword(*session, form.Get("current"), form.Get("password")));
  return PasswordPage(ctx, visitor, true);
}

}  // namespace

void RegisterAccountPages(http::Router& router, const WebContext& ctx) {
  using http::Method;
  router.Add(Method::kGet, "/settings", PageRoute(ctx, [](http::Request&, const Visitor&) {
               return Result<http::Response>(Redirect("/settings/tokens"));
             }));
  router.Add(
      Method::kGet, "/settings/tokens",
      PageRoute(ctx, [&ctx](http::Request&, const Visitor& v) { return TokensPage(ctx, v, ""); }));
  router.Add(Method::kPost, "/settings/tokens",
             FormRoute(ctx, [&ctx](http::Request&, const Visitor& v, const Form& f) {
               return CreateToken(ctx, v, f);
             }));
  router.Add(Method::kPost, "/settings/tokens/{id}/delete",
             FormRoute(ctx, [&ctx](http::Request& req, const Visitor& v, const Form&) {
               return DeleteToken(ctx, req, v);
             }));
  router.Add(Method::kGet, "/settings/password",
             PageRoute(ctx, [&ctx](http::Request&, const Visitor& v) {
               return PasswordPage(ctx, v, false);
             }));
  router.Add(Method::kPost, "/settings/password",
             FormRoute(ctx, [&ctx](http::Request& req, const Visitor& v, const Form& f) {
               return ChangePassword(ctx, req, v, f);
             }));
}

}  // namespace spacehub::web
