#include "service/ref_service.h"

namespace spacehub::service {

Result<repo::Refs> RefService::Refs(const Caller& who, const RepoId& id) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireReadable(hub_, who, id));
  return hub_.repos.ListRefs(row.repo);
}

Result<CommitPage> RefService::Commits(const Caller& who, const RepoId& id,
                                       const std::string& revision, size_t offset, size_t limit) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireReadable(hub_, who, id));
  SH_ASSIGN_OR_RETURN(std::string commit, hub_.repos.ResolveRevision(row.repo, revision));
  CommitPage page;
  SH_ASSIGN_OR_RETURN(page.commits, hub_.repos.Log(row.repo, commit, offset, limit));
  SH_ASSIGN_OR_RETURN(page.total, hub_.repos.CountCommits(row.repo, commit));
  return page;
}

Status RefService::CreateBranch(const Caller& who, const RepoId& id, const std::string& branch,
                                const std::string& starting_point) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireWritable(hub_, who, id));
  SH_ASSIGN_OR_RETURN(
      std::string commit,
      hub_.repos.ResolveRevision(row.repo, starting_point.empty() ? "main" : starting_point));
  return hub_.repos.CreateBranch(row.repo, branch, commit);
}

Status RefService::DeleteBranch(const Caller& who, const RepoId& id, const std::string& branch) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireWritable(hub_, who, id));
  return hub_.repos.DeleteBranch(row.repo, branch);
}

Status RefService::CreateTag(const Caller& who, const RepoId& id, const std::string& revision,
                             const std::string& tag, const std::string& message) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireWritable(hub_, who, id));
  SH_ASSIGN_OR_RETURN(std::string commit, hub_.repos.ResolveRevision(row.repo, revision));
  return hub_.repos.CreateTag(row.repo, tag, commit, message, who->user.name,
                              who->user.name + "@users.noreply.spacehub");
}

Status RefService::DeleteTag(const Caller& who, const RepoId& id, const std::string& tag) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireWritable(hub_, who, id));
  return hub_.repos.DeleteTag(row.repo, tag);
}

}  // namespace spacehub::service
