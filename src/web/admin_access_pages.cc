// Admin console: who holds a way in — every user's access tokens, and sign-up invitations.
//   GET  /-/admin/tokens?p=N            every token: owner, name, role, created, last used
//   POST /-/admin/tokens/{id}/delete    revoke any user's token
//   GET  /-/admin/invitations           the sign-up policy; a form for a new invitation
//   POST /-/admin/invitations           a new invitation (days valid): its link is shown once
// Invitations exist only under `serve --signup invitation`; under another policy the form is not
// offered and a post is refused. The code, like a new token, is on the answering page only.
#include <map>

#include "web/admin_common.h"
#include "web/format.h"
#include "web/routes.h"

namespace spacehub::web {
namespace {

constexpr int64_t kDayMs = 86400000;

std::string TokensPath() { return std::string(kAdminBase) + "/tokens"; }

Result<http::Response> TokensPage(const WebContext& ctx, const http::Request& req,
                                  const Visitor& visitor) {
  const size_t page = AdminPageNumber(req);
  SH_ASSIGN_OR_RETURN(auto tokens, ctx.hub().db.ListTokens(std::nullopt));
  const size_t first = std::min(tokens.size(), (page - 1) * kAdminPageSize);
  const size_t last = std::min(tokens.size(), first + kAdminPageSize);
  const int64_t now = ctx.hub().clock.NowMillis();
  std::map<int64_t, std::string> owners;  // one lookup per owner, not per token
  nlohmann::json items = nlohmann::json::array();
  for (size_t i = first; i < last; ++i) {
    const db::Token& t = tokens[i];
    auto [it, added] = owners.try_emplace(t.user_id);
    if (added) {
      auto owner = ctx.hub().db.FindAccountById(t.user_id);
      it->second = owner.ok() ? owner->name : "#" + std::to_string(t.user_id);
    }
    items.push_back({{"id", t.id},
                     {"owner", it->second},
                     {"name", t.name},
                     {"role", db::RoleName(t.role)},
                     {"created", Age(t.created_at, now)},
                     {"last_used", t.last_used_at ? Age(t.last_used_at, now) : "never"}});
  }
  nlohmann::json data = {{"tokens", std::move(items)}, {"count", tokens.size()}};
  AddPager(data, TokensPath(), page, last < tokens.size());
  return RenderAdminPage(ctx, visitor, "tokens", "Tokens", "admin_tokens", std::move(data));
}

Result<http::Response> RevokeToken(const WebContext& ctx, const http::Request& req) {
  int64_t id = 0;
  try {
    size_t used = 0;
    const std::string text(req.Param("id"));
    id = std::stoll(text, &used);
    if (used != text.size()) throw std::invalid_argument("id");
  } catch (...) {
    return Status::NotFound("No such token");
  }
  SH_TRY(ctx.hub().db.DeleteToken(std::nullopt, id));
  return Redirect(TokensPath());
}

bool InvitationsOn(const WebContext& ctx) {
  return ctx.hub().options.signup == auth::SignupPolicy::kInvitation;
}

Result<http::Response> InvitationsPage(const WebContext& ctx, const Visitor& visitor,
                                       const std::string& link) {
  nlohmann::json data = {{"policy", auth::SignupPolicyName(ctx.hub().options.signup)},
                         {"enabled", InvitationsOn(ctx)},
                         {"link", link}};
  return RenderAdminPage(ctx, visitor, "invitations", "Invitations", "admin_invitations",
                         std::move(data));
}

Result<http::Response> CreateInvitation(const WebContext& ctx, const Visitor& visitor,
                                        const Form& form) {
  SH_ASSIGN_OR_RETURN(const auth::Principal* me, RequireSiteAdmin(visitor));
  if (!InvitationsOn(ctx)) {
    return Status::InvalidArgument(
        "Invitations are used only when sign-up is by invitation (serve --signup invitation)");
  }
  int64_t days = 0;
  try {
    size_t used = 0;
    const std::string text = form.Get("days");
    days = std::stoll(text, &used);
    if (used != text.size()) days = 0;
  } catch (...) {
    days = 0;
  }
  if (days < 1 || days > 365) {
    return Status::InvalidArgument("An invitation is valid for 1 to 365 days");
  }
  SH_ASSIGN_OR_RETURN(std::string code,
                      ctx.hub().sessions.CreateInvitation(me->user, days * kDayMs));
  std::string base = ctx.options().public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  // Answered directly: the code is on this page only, never in a URL the browser keeps.
  return InvitationsPage(ctx, visitor, base + "/join?invitation=" + UrlEncode(code));
}

}  // namespace

void RegisterAdminAccessPages(http::Router& router, const WebContext& ctx) {
  using http::Method;
  const std::string base(kAdminBase);
  router.Add(Method::kGet, TokensPath(),
             AdminPageRoute(ctx, [&ctx](http::Request& req, const Visitor& v) {
               return TokensPage(ctx, req, v);
             }));
  router.Add(Method::kPost, TokensPath() + "/{id}/delete",
             AdminFormRoute(ctx, [&ctx](http::Request& req, const Visitor&, const Form&) {
               return RevokeToken(ctx, req);
             }));
  router.Add(Method::kGet, base + "/invitations",
             AdminPageRoute(ctx, [&ctx](http::Request&, const Visitor& v) {
               return InvitationsPage(ctx, v, "");
             }));
  router.Add(Method::kPost, base + "/invitations",
             AdminFormRoute(ctx, [&ctx](http::Request&, const Visitor& v, const Form& f) {
               return CreateInvitation(ctx, v, f);
             }));
}

}  // namespace spacehub::web
