// Signing in and out, and signing up (as the administrator's policy allows):
//   GET/POST /login   GET/POST /join   POST /logout
// The session cookie is HttpOnly, SameSite=Lax, host-only (no Domain: it never reaches a Space's
// origin, which is another host), and Secure with the `__Host-` name when the hub is served over
// https.
#include "web/page.h"
#include "web/routes.h"
#include "web/safe_next.h"

namespace spacehub::web {
namespace {

constexpr int64_t kCookieMaxAgeSeconds = 30LL * 24 * 3600;  // the session's absolute lifetime

std::string SessionCookie(const WebContext& ctx, std::string_view value, int64_t max_age) {
  std::string c = std::string(ctx.CookieName()) + "=" + std::string(value) +
                  "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age);
  if (ctx.SecureCookies()) c += "; Secure";
  return c;
}

Result<http::Response> SignedIn(const WebContext& ctx, const auth::NewSession& session,
                                std::string_view next) {
  http::Response resp = Redirect(SafeNext(next));
  resp.Header("Set-Cookie", SessionCookie(ctx, session.cookie_value, kCookieMaxAgeSeconds));
  return resp;
}

Result<http::Response> LoginPage(const WebContext& ctx, const http::Request& req,
                                 const Visitor& visitor, std::string error, int status = 200) {
  PageView page{.title = "Sign in", .view = "login", .status = status};
  page.data = {{"next", SafeNext(req.Query("next").value_or("/"))},
               {"error", error},
               {"username", ""},
               {"can_join", ctx.hub().options.signup != auth::SignupPolicy::kClosed}};
  return RenderPage(ctx, visitor, std::move(page));
}

Result<http::Response> Login(const WebContext& ctx, const http::Request& req,
                             const Visitor& visitor, const Form& form) {
  auto session = ctx.hub().sessions.SignIn(form.Get("username"), form.Get("password"),
                                           req.remote_address, req.Header("user-agent"));
  if (!session.ok()) {
    const Status& st = session.status();
    if (st.code() != Code::kUnauthenticated && st.code() != Code::kResourceExhausted) return st;
    PageView page{.title = "Sign in",
                  .view = "login",
                  .status = st.code() == Code::kResourceExhausted ? 429 : 401};
    page.data = {{"next", SafeNext(form.Get("next"))},
                 {"error", st.message()},
                 {"username", form.Get("username")},
                 {"can_join", ctx.hub().options.signup != auth::SignupPolicy::kClosed}};
    SH_ASSIGN_OR_RETURN(http::Response resp, RenderPage(ctx, visitor, std::move(page)));
    if (st.retry_after_seconds()) {
      resp.Header("Retry-After", std::to_string(*st.retry_after_seconds()));
    }
    return resp;
  }
  return SignedIn(ctx, *session, form.Get("next"));
}

Result<http::Response> JoinPage(const WebContext& ctx, const http::Request& req,
                                const Visitor& visitor) {
  const auth::SignupPolicy policy = ctx.hub().options.signup;
  PageView page{.title = "Create an account", .view = "join"};
  page.data = {{"closed", policy == auth::SignupPolicy::kClosed},
               {"needs_invitation", policy == auth::SignupPolicy::kInvitation},
               {"invitation", req.Query("invitation").value_or("")}};
  if (policy == auth::SignupPolicy::kClosed) page.status = 403;
  return RenderPage(ctx, visitor, std::move(page));
}

Result<http::Response> Join(const WebContext& ctx, const http::Request& req, const Form& form) {
  if (form.Get("password") != form.Get("password_again")) {
    return Status::InvalidArgument("The two passwords differ");
  }
  SH_ASSIGN_OR_RETURN(auth::NewSession session,
                      ctx.hub().sessions.SignUp(ctx.hub().options.signup, form.Get("username"),
                                                form.Get("password"), form.Get("invitation"),
                                                req.remote_address, req.Header("user-agent")));
  return SignedIn(ctx, session, "/");
}

}  // namespace

void RegisterAuthPages(http::Router& router, const WebContext& ctx) {
  using http::Method;
  router.Add(Method::kGet, "/login", PageRoute(ctx, [&ctx](http::Request& req, const Visitor& v) {
               return LoginPage(ctx, req, v, "");
             }));
  router.Add(Method::kPost, "/login",
             PublicFormRoute(ctx, [&ctx](http::Request& req, const Visitor& v,
                                         const Form& f) { return Login(ctx, req, v, f); }),
             http::BodyRules::Anonymous());
  router.Add(Method::kGet, "/join", PageRoute(ctx, [&ctx](http::Request& req, const Visitor& v) {
               return JoinPage(ctx, req, v);
             }));
  router.Add(Method::kPost, "/join",
             PublicFormRoute(ctx, [&ctx](http::Request& req, const Visitor&,
                                         const Form& f) { return Join(ctx, req, f); }),
             http::BodyRules::Anonymous());
  router.Add(
      Method::kPost, "/logout",
      FormRoute(ctx,
                [&ctx](http::Request& req, const Visitor&, const Form&) -> Result<http::Response> {
                  SH_TRY(ctx.hub().sessions.SignOut(auth::SessionCookieFrom(req.Header("cookie"))));
                  http::Response resp = Redirect("/");
                  resp.Header("Set-Cookie", SessionCookie(ctx, "", 0));
                  return resp;
                }));
}

}  // namespace spacehub::web
