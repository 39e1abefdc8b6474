// Placeholder until the admin pages land.
#include "web/routes.h"

namespace spacehub::web {

void RegisterAdminPages(http::Router&, const WebContext&) {}

}  // namespace spacehub::web
