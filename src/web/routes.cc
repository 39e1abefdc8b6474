#include "web/routes.h"

namespace spacehub::web {

void RegisterWebRoutes(http::Router& router, const WebContext& ctx) {
  RegisterStaticRoutes(router, ctx);
  RegisterAuthPages(router, ctx);
  RegisterAccountPages(router, ctx);
  RegisterAdminPages(router, ctx);
  RegisterNewRepoPages(router, ctx);
  // Fixed paths ("/spaces", "/settings", ...) before the patterns that would take them as names.
  RegisterListPages(router, ctx);
  RegisterSpacePages(router, ctx);
  RegisterJobPages(router, ctx);
  RegisterRepoPages(router, ctx);
}

}  // namespace spacehub::web
