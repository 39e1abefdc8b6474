#include "api/routes.h"

namespace spacehub::api {

void RegisterRoutes(http::Router& router, ApiContext& ctx) {
  // A request with a body to a route that needs a caller (every write; http::BodyRules) is refused
  // before its body is read when its credentials are missing or invalid.
  router.SetCredentialCheck([&ctx](const http::Request& req) -> Status {
    // The CAS takes Xet tokens: uploads (up to 64 MiB) need a write token for a repo the user may
    // still write, checked before the body is read; the batch reconstruction query a read token.
    if (req.path.rfind("/cas/", 0) == 0) {
      const bool query = req.path == "/cas/v1/reconstructions";
      return service::CheckXetToken(ctx.hub(), req.Header("authorization"), !query).status();
    }
    SH_ASSIGN_OR_RETURN(service::Caller who, ctx.Authenticated(req));
    if (!who) return Status::Unauthenticated("You must be authenticated: pass a token");
    return Status::Ok();
  });
  // Order matters where patterns overlap: specific API routes first, the model web routes
  // ("/{ns}/{name}/...") last.
  RegisterUserRoutes(router, ctx);
  // Before the generic repo routes: /api/spaces/hardware is not a repo.
  RegisterSpaceRuntimeRoutes(router, ctx);
  RegisterSpaceLogRoutes(router, ctx);
  RegisterSpaceSettingsRoutes(router, ctx);
  RegisterJobRoutes(router, ctx);
  RegisterScheduledJobRoutes(router, ctx);
  RegisterXetRoutes(router, ctx);
  RegisterRepoRoutes(router, ctx);
  RegisterCommitRoutes(router, ctx);
  RegisterRefRoutes(router, ctx);
  RegisterLfsRoutes(router, ctx);
  RegisterGitHttpRoutes(router, ctx);
  RegisterFileRoutes(router, ctx);
}

}  // namespace spacehub::api
