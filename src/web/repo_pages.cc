// Placeholder until the repo pages land (README, files, history).
#include "web/routes.h"

namespace spacehub::web {

void RegisterRepoPages(http::Router&, const WebContext&) {}

}  // namespace spacehub::web
