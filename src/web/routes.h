// Registers every web page on the router: one Register* function per page file. Called once at
// start-up, after the JSON API's routes (which win where patterns overlap), before serving.
#pragma once

#include "http/router.h"
#include "web/web_context.h"

namespace spacehub::web {

void RegisterWebRoutes(http::Router& router, const WebContext& ctx);

void RegisterStaticRoutes(http::Router& router, const WebContext& ctx);
void RegisterAuthPages(http::Router& router, const WebContext& ctx);
void RegisterAccountPages(http::Router& router, const WebContext& ctx);
void RegisterListPages(http::Router& router, const WebContext& ctx);
void RegisterNewRepoPages(http::Router& router, const WebContext& ctx);
void RegisterSpacePages(http::Router& router, const WebContext& ctx);
void RegisterJobPages(http::Router& router, const WebContext& ctx);
void RegisterSpaceSettingsPages(http::Router& router, const WebContext& ctx);
void RegisterRepoPages(http::Router& router, const WebContext& ctx);
void RegisterAdminPages(http::Router& router, const WebContext& ctx);

}  // namespace spacehub::web
