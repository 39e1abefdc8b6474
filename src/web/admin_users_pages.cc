// Admin console: users.
//   GET  /-/admin/users?p=N                  the users, by name, paged
//   POST /-/admin/users                      create (name, optional password, site admin flag)
//   POST /-/admin/users/{name}/password      set or reset the password (ends the user's sessions)
//   POST /-/admin/users/{name}/admin         make or unmake a site administrator
// A password the administrator leaves empty is generated and shown once, on the page that answers
// the form (never in a URL, never stored in clear). An administrator cannot remove their own admin
// flag, so a hub always keeps the one who is using the console.
#include "core/crypto.h"
#include "web/admin_common.h"
#include "web/format.h"
#include "web/routes.h"

namespace spacehub::web {
namespace {

constexpr size_t kGeneratedPasswordChars = 20;

// The password from the form, or a generated one when the field was left empty.
Result<std::pair<std::string, bool>> PasswordFrom(const Form& form) {
  std::string pw = form.Get("password");
  if (pw.empty()) return std::pair{RandomAlnum(kGeneratedPasswordChars), true};
  SH_TRY(auth::ValidatePassword(pw));
  return std::pair{std::move(pw), false};
}

// The users page; `shown_once` carries a generated password for `for_user`.
Result<http::Response> UsersPage(const WebContext& ctx, const http::Request& req,
                                 const Visitor& visitor, const std::string& for_user,
                                 const std::string& shown_once) {
  SH_ASSIGN_OR_RETURN(const auth::Principal* me, RequireSiteAdmin(visitor));
  const size_t page = AdminPageNumber(req);
  SH_ASSIGN_OR_RETURN(auto users,
                      ctx.hub().db.ListAccounts(db::AccountKind::kUser, (page - 1) * kAdminPageSize,
                                                kAdminPageSize + 1));
  const bool more = users.size() > kAdminPageSize;
  if (more) users.resize(kAdminPageSize);
  const int64_t now = ctx.hub().clock.NowMillis();
  nlohmann::json items = nlohmann::json::array();
  for (const auto& u : users) {
    items.push_back({{"name", u.name},
                     {"is_admin", u.is_admin},
                     {"self", u.id == me->user.id},
                     {"created", Age(u.created_at, now)}});
  }
  nlohmann::json data = {{"users", std::move(items)}};
  if (!shown_once.empty()) data["new_password"] = {{"user", for_user}, {"password", shown_once}};
  AddPager(data, std::string(kAdminBase) + "/users", page, more);
  return RenderAdminPage(ctx, visitor, "users", "Users", "admin_users", std::move(data));
}

Result<db::Account> FindUser(const WebContext& ctx, std::string_view name) {
  SH_ASSIGN_OR_RETURN(db::Account a, ctx.hub().db.FindAccount(name));
  if (a.kind != db::AccountKind::kUser) {
    return Status::InvalidArgument("'" + a.name + "' is an organization, not a user");
  }
  return a;
}

Result<http::Response> CreateUser(const WebContext& ctx, const http::Request& req,
                                  const Visitor& visitor, const Form& form) {
  const std::string admin = form.Get("admin");
  if (!admin.empty() && admin != "on") return Status::InvalidArgument("Unexpected admin value");
  // Every input is checked before the account exists: a bad password creates no user.
  SH_ASSIGN_OR_RETURN(auto password, PasswordFrom(form));
  SH_ASSIGN_OR_RETURN(db::Account user,
                      ctx.hub().identity.CreateUser(form.Get("name"), admin == "on"));
  SH_TRY(ctx.hub().sessions.SetPassword(user.name, password.first));
  if (!password.second) return Redirect(std::string(kAdminBase) + "/users");
  return UsersPage(ctx, req, visitor, user.name, password.first);
}

Result<http::Response> SetPassword(const WebContext& ctx, const http::Request& req,
                                   const Visitor& visitor, const Form& form) {
  SH_ASSIGN_OR_RETURN(db::Account user, FindUser(ctx, req.Param("name")));
  SH_ASSIGN_OR_RETURN(auto password, PasswordFrom(form));
  SH_TRY(ctx.hub().sessions.SetPassword(user.name, password.first));
  if (!password.second) return Redirect(std::string(kAdminBase) + "/users");
  return UsersPage(ctx, req, visitor, user.name, password.first);
}

Result<http::Response> SetAdmin(const WebContext& ctx, const http::Request& req,
                                const Visitor& visitor, const Form& form) {
  SH_ASSIGN_OR_RETURN(const auth::Principal* me, RequireSiteAdmin(visitor));
  SH_ASSIGN_OR_RETURN(db::Account user, FindUser(ctx, req.Param("name")));
  const std::string value = form.Get("admin");
  if (value != "true" && value != "false") {
    return Status::InvalidArgument("The admin field must be true or false");
  }
  const bool make = value == "true";
  if (!make && user.id == me->user.id) {
    return Status::InvalidArgument(
        "You cannot remove your own administrator rights; another administrator can");
  }
  SH_TRY(ctx.hub().db.SetAccountAdmin(user.id, make));
  return Redirect(std::string(kAdminBase) + "/users");
}

}  // namespace

void RegisterAdminUserPages(http::Router& router, const WebContext& ctx) {
  using http::Method;
  const std::string base(kAdminBase);
  router.Add(Method::kGet, base + "/users",
             AdminPageRoute(ctx, [&ctx](http::Request& req, const Visitor& v) {
               return UsersPage(ctx, req, v, "", "");
             }));
  router.Add(Method::kPost, base + "/users",
             AdminFormRoute(ctx, [&ctx](http::Request& req, const Visitor& v, const Form& f) {
               return CreateUser(ctx, req, v, f);
             }));
  router.Add(Method::kPost, base + "/users/{name}/password",
             AdminFormRoute(ctx, [&ctx](http::Request& req, const Visitor& v, const Form& f) {
               return SetPassword(ctx, req, v, f);
             }));
  router.Add(Method::kPost, base + "/users/{name}/admin",
             AdminFormRoute(ctx, [&ctx](http::Request& req, const Visitor& v, const Form& f) {
               return SetAdmin(ctx, req, v, f);
             }));
}

}  // namespace spacehub::web
