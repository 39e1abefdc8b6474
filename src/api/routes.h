// Registers every API route on the router. One Register* function per resource file.
// Called once at start-up, before the server runs.
#pragma once

#include "api/context.h"
#include "http/router.h"

namespace spacehub::api {

void RegisterRoutes(http::Router& router, ApiContext& ctx);

void RegisterUserRoutes(http::Router& router, ApiContext& ctx);
void RegisterRepoRoutes(http::Router& router, ApiContext& ctx);
void RegisterCommitRoutes(http::Router& router, ApiContext& ctx);
void RegisterLfsRoutes(http::Router& router, ApiContext& ctx);
void RegisterFileRoutes(http::Router& router, ApiContext& ctx);
void RegisterRefRoutes(http::Router& router, ApiContext& ctx);
void RegisterGitHttpRoutes(http::Router& router, ApiContext& ctx);
void RegisterSpaceSettingsRoutes(http::Router& router, ApiContext& ctx);
void RegisterSpaceRuntimeRoutes(http::Router& router, ApiContext& ctx);
void RegisterSpaceLogRoutes(http::Router& router, ApiContext& ctx);
void RegisterJobRoutes(http::Router& router, ApiContext& ctx);
void RegisterScheduledJobRoutes(http::Router& router, ApiContext& ctx);
void RegisterXetRoutes(http::Router& router, ApiContext& ctx);

}  // namespace spacehub::api
