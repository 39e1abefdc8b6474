#include "service/access.h"

namespace spacehub::service {

Result<const auth::Principal*> RequireAuthenticated(const Caller& who) {
  if (!who) return Status::Unauthenticated("You must be authenticated: pass a token");
  return &*who;
}

Result<db::RepoRow> RequireReadable(Hub& hub, const Caller& who, const RepoId& id) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, hub.db.FindRepo(id));
  if (!auth::CanRead(who, row)) return Status::RepoNotFound();
  return row;
}

Result<db::RepoRow> RequireWritable(Hub& hub, const Caller& who, const RepoId& id) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireReadable(hub, who, id));
  if (!who) return Status::Unauthenticated("You must be authenticated to write to " + id.Full());
  if (!auth::CanWrite(who, row.repo.ns)) {
    return Status::PermissionDenied(
        who->token.role < db::Role::kWrite
            ? "This token has the read role; writing needs a write token"
            : "You don't have write access to " + id.Full());
  }
  return row;
}

Status RequireNamespaceWrite(Hub& /*hub*/, const Caller& who, std::string_view ns) {
  if (!who) return Status::Unauthenticated("You must be authenticated: pass a token");
  if (!auth::CanWrite(who, ns)) {
    return Status::PermissionDenied(
        who->token.role < db::Role::kWrite
            ? "This token has the read role; writing needs a write token"
            : "You don't have the rights to create or move repositories under '" + std::string(ns) +
                  "'");
  }
  return Status::Ok();
}

}  // namespace spacehub::service
