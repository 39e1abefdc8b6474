// Access checks shared by every use case that touches a repository.
// A repo the caller may not read does not exist for them (RepoNotFound, 404), exactly as on the
// Hub; one they may read but not write gives 401 without credentials and 403 with them. Thread-safe
// (stateless).
#pragma once

#include <optional>

#include "auth/principal.h"
#include "service/hub.h"

namespace spacehub::service {

using Caller = std::optional<auth::Principal>;

Result<db::RepoRow> RequireReadable(Hub& hub, const Caller& who, const RepoId& id);
Result<db::RepoRow> RequireWritable(Hub& hub, const Caller& who, const RepoId& id);
// Writing under a namespace that may not have repos yet (create, move target).
Status RequireNamespaceWrite(Hub& hub, const Caller& who, std::string_view ns);
// A token is needed at all.
Result<const auth::Principal*> RequireAuthenticated(const Caller& who);

}  // namespace spacehub::service
