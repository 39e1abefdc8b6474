// Admin console: organizations and their members.
//   GET  /-/admin/orgs?p=N                         the organizations, by name, with member counts
//   POST /-/admin/orgs                             create one (name)
//   GET  /-/admin/orgs/{org}                       its members and their roles
//   POST /-/admin/orgs/{org}/members               add a member, or change a member's role
//   POST /-/admin/orgs/{org}/members/{user}/delete remove a member
// Through auth::Identity, as `spacehub admin org ...` does: the same name and role rules.
#include "web/admin_common.h"
#include "web/format.h"
#include "web/routes.h"

namespace spacehub::web {
namespace {

std::string OrgsPath() { return std::string(kAdminBase) + "/orgs"; }

Result<db::Account> FindOrg(const WebContext& ctx, std::string_view name) {
  auto org = ctx.hub().db.FindAccount(name);
  if (!org.ok() || org->kind != db::AccountKind::kOrg) {
    if (org.ok() || org.status().code() == Code::kNotFound) {
      return Status::NotFound("No organization named '" + std::string(name) + "'");
    }
    return org.status();
  }
  return org;
}

Result<http::Response> OrgsPage(const WebContext& ctx, const http::Request& req,
                                const Visitor& visitor) {
  const size_t page = AdminPageNumber(req);
  SH_ASSIGN_OR_RETURN(auto orgs,
                      ctx.hub().db.ListAccounts(db::AccountKind::kOrg, (page - 1) * kAdminPageSize,
                                                kAdminPageSize + 1));
  const bool more = orgs.size() > kAdminPageSize;
  if (more) orgs.resize(kAdminPageSize);
  const int64_t now = ctx.hub().clock.NowMillis();
  nlohmann::json items = nlohmann::json::array();
  for (const auto& o : orgs) {
    SH_ASSIGN_OR_RETURN(auto members, ctx.hub().db.ListMembers(o.id));
    items.push_back(
        {{"name", o.name}, {"members", members.size()}, {"created", Age(o.created_at, now)}});
  }
  nlohmann::json data = {{"orgs", std::move(items)}};
  AddPager(data, OrgsPath(), page, more);
  return RenderAdminPage(ctx, visitor, "orgs", "Organizations", "admin_orgs", std::move(data));
}

Result<http::Response> OrgPage(const WebContext& ctx, const http::Request& req,
                               const Visitor& visitor) {
  SH_ASSIGN_OR_RETURN(db::Account org, FindOrg(ctx, req.Param("org")));
  SH_ASSIGN_OR_RETURN(auto members, ctx.hub().db.ListMembers(org.id));
  nlohmann::json items = nlohmann::json::array();
  for (const auto& m : members) {
    items.push_back({{"name", m.user_name}, {"role", db::RoleName(m.role)}});
  }
  nlohmann::json data = {{"org", org.name}, {"members", std::move(items)}};
  return RenderAdminPage(ctx, visitor, "orgs", org.name, "admin_org", std::move(data));
}

Result<http::Response> CreateOrg(const WebContext& ctx, const Form& form) {
  SH_ASSIGN_OR_RETURN(db::Account org, ctx.hub().identity.CreateOrg(form.Get("name"), {}));
  return Redirect(OrgsPath() + "/" + org.name);
}

Result<http::Response> AddMember(const WebContext& ctx, const http::Request& req,
                                 const Form& form) {
  SH_ASSIGN_OR_RETURN(db::Account org, FindOrg(ctx, req.Param("org")));
  SH_ASSIGN_OR_RETURN(db::Role role, db::ParseRole(form.Get("role")));
  SH_TRY(ctx.hub().identity.AddMember(org.name, form.Get("user"), role));
  return Redirect(OrgsPath() + "/" + org.name);
}

Result<http::Response> RemoveMember(const WebContext& ctx, const http::Request& req) {
  SH_ASSIGN_OR_RETURN(db::Account org, FindOrg(ctx, req.Param("org")));
  SH_ASSIGN_OR_RETURN(db::Account user, ctx.hub().db.FindAccount(req.Param("user")));
  SH_TRY(ctx.hub().db.RemoveMembership(org.id, user.id));
  return Redirect(OrgsPath() + "/" + org.name);
}

}  // namespace

void RegisterAdminOrgPages(http::Router& router, const WebContext& ctx) {
  using http::Method;
  const std::string base = OrgsPath();
  router.Add(Method::kGet, base, AdminPageRoute(ctx, [&ctx](http::Request& req, const Visitor& v) {
               return OrgsPage(ctx, req, v);
             }));
  router.Add(Method::kPost, base,
             AdminFormRoute(ctx, [&ctx](http::Request&, const Visitor&, const Form& f) {
               return CreateOrg(ctx, f);
             }));
  router.Add(Method::kGet, base + "/{org}",
             AdminPageRoute(ctx, [&ctx](http::Request& req, const Visitor& v) {
               return OrgPage(ctx, req, v);
             }));
  router.Add(Method::kPost, base + "/{org}/members",
             AdminFormRoute(ctx, [&ctx](http::Request& req, const Visitor&, const Form& f) {
               return AddMember(ctx, req, f);
             }));
  router.Add(Method::kPost, base + "/{org}/members/{user}/delete",
             AdminFormRoute(ctx, [&ctx](http::Request& req, const Visitor&, const Form&) {
               return RemoveMember(ctx, req);
             }));
}

}  // namespace spacehub::web
