#include "service/commit_view.h"

namespace spacehub::service {

Result<CommitView> ShowCommit(Hub& hub, const Caller& who, const RepoId& id,
                              const std::string& revision, const repo::DiffLimits& limits) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireReadable(hub, who, id));
  SH_ASSIGN_OR_RETURN(std::string sha, hub.repos.ResolveRevision(row.repo, revision));
  CommitView out;
  SH_ASSIGN_OR_RETURN(out.info, hub.repos.GetCommit(row.repo, sha));
  SH_ASSIGN_OR_RETURN(out.diff, hub.repos.DiffCommit(row.repo, sha, limits));
  return out;
}

}  // namespace spacehub::service
