#include "api/routes.h"

namespace spacehub::api {

void RegisterRoutes(http::Router& router, ApiContext& ctx) {
  // Order matters where patterns overlap: specific API routes first, the model web routes
  // ("/{ns}/{name}/...") last.
  RegisterUserRoutes(router, ctx);
  // Before the generic repo routes: /api/spaces/hardware is not a repo.
  RegisterSpaceRuntimeRoutes(router, ctx);
  RegisterSpaceLogRoutes(router, ctx);
  RegisterSpaceSettingsRoutes(router, ctx);
  RegisterRepoRoutes(router, ctx);
  RegisterCommitRoutes(router, ctx);
  RegisterRefRoutes(router, ctx);
  RegisterLfsRoutes(router, ctx);
  RegisterGitHttpRoutes(router, ctx);
  RegisterFileRoutes(router, ctx);
}

}  // namespace spacehub::api
