// What every page of the admin console (`/-/admin/...`) shares: the gate, the tab nav, paging.
//
// The console is for site administrators signed in with a browser session, and for no one else:
// to everyone else (signed out, signed-in non-admins) every admin path is a plain 404, so the
// console's existence is not given away. "-" is not a valid account name, so `/-/...` never
// collides with a user's page. The gate runs before the handler on every route (AdminPageRoute,
// AdminFormRoute), so a page cannot forget it; forms are also CSRF-checked by FormRoute.
// Thread-safe (stateless).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "web/page.h"

namespace spacehub::web {

inline constexpr std::string_view kAdminBase = "/-/admin";
inline constexpr size_t kAdminPageSize = 50;

// The administrator behind `visitor`, or NotFound: signed out, not a site administrator, or not a
// browser session (a token never opens the console).
Result<const auth::Principal*> RequireSiteAdmin(const Visitor& visitor);

// GET and POST routes behind the gate.
http::Handler AdminPageRoute(const WebContext& ctx, PageHandler handler);
http::Handler AdminFormRoute(const WebContext& ctx, FormHandler handler);

// An admin page: `view` inside the console's frame with `tab` ("users", "orgs", "tokens",
// "invitations", "hardware", "spaces", "usage") current.
Result<http::Response> RenderAdminPage(const WebContext& ctx, const Visitor& visitor,
                                       std::string_view tab, std::string title, std::string view,
                                       nlohmann::json data);

// The 1-based page number in `?p=` (1 when absent or malformed; capped).
size_t AdminPageNumber(const http::Request& req);
// Adds "prev"/"next" links and "page" to `data` for paged lists at `path`.
void AddPager(nlohmann::json& data, std::string_view path, size_t page, bool more);

// One per console section (admin_<section>_pages.cc); RegisterAdminPages (admin_pages.cc) calls
// them all.
void RegisterAdminUserPages(http::Router& router, const WebContext& ctx);
void RegisterAdminOrgPages(http::Router& router, const WebContext& ctx);
void RegisterAdminAccessPages(http::Router& router, const WebContext& ctx);
void RegisterAdminHardwarePages(http::Router& router, const WebContext& ctx);
void RegisterAdminSpacePages(http::Router& router, const WebContext& ctx);
void RegisterAdminUsagePages(http::Router& router, const WebContext& ctx);

}  // namespace spacehub::web
