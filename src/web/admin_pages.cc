// The admin console under `/-/admin` (site administrators only; 404 for everyone else): one page
// per section, each in its own file (admin_<section>_pages.cc), sharing admin_common.h.
//   GET /-/admin   → the users section
#include "web/admin_common.h"
#include "web/routes.h"

namespace spacehub::web {

void RegisterAdminPages(http::Router& router, const WebContext& ctx) {
  router.Add(http::Method::kGet, std::string(kAdminBase),
             AdminPageRoute(ctx, [](http::Request&, const Visitor&) {
               return Result<http::Response>(Redirect(std::string(kAdminBase) + "/users"));
             }));
  RegisterAdminUserPages(router, ctx);
  RegisterAdminOrgPages(router, ctx);
  RegisterAdminAccessPages(router, ctx);
  RegisterAdminHardwarePages(router, ctx);
  RegisterAdminSpacePages(router, ctx);
  RegisterAdminUsagePages(router, ctx);
}

}  // namespace spacehub::web
