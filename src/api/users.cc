// GET /api/whoami-v2: who the token belongs to, in the Hub's shape (spec §1).
#include "api/render.h"
#include "api/routes.h"
#include "core/time_util.h"

namespace spacehub::api {

void RegisterUserRoutes(http::Router& router, ApiContext& ctx) {
  router.Add(http::Method::kGet, "/api/whoami-v2",
             Handle([&ctx](http::Request& req) -> Result<http::Response> {
               SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Caller(req));
               if (!who)
                 return Status::Unauthenticated("Invalid credentials in Authorization header");
               const db::Account& u = who->user;
               nlohmann::json orgs = nlohmann::json::array();
               for (const auto& m : who->orgs) {
                 orgs.push_back({{"type", "org"},
                                 {"id", ObjectId(m.org_id)},
                                 {"name", m.org_name},
                                 {"fullname", m.org_name},
                                 {"roleInOrg", db::RoleName(m.role)},
                                 {"isEnterprise", false}});
               }
               nlohmann::json body = {
                   {"type", "user"},
                   {"id", ObjectId(u.id)},
                   {"name", u.name},
                   {"fullname", u.fullname.empty() ? u.name : u.fullname},
                   {"email", u.email},
                   {"emailVerified", !u.email.empty()},
                   {"canPay", false},
                   {"isPro", false},
                   {"periodEnd", nullptr},
                   {"avatarUrl", ""},
                   {"isAdmin", u.is_admin},
                   {"orgs", std::move(orgs)},
                   {"auth",
                    {{"type", "access_token"},
                     {"accessToken",
                      {{"displayName", who->token.name},
                       {"role", db::RoleName(who->token.role)},
                       {"createdAt", FormatIsoMillis(who->token.created_at)}}}}},
               };
               return http::Response::Json(body);
             }));
}

}  // namespace spacehub::api
