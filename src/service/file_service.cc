#include "service/file_service.h"

#include "service/lfs_links.h"

namespace spacehub::service {

Result<ResolvedFile> FileService::Resolve(const Caller& who, const RepoId& id,
                                          const std::string& revision, const std::string& path) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireReadable(hub_, who, id));
  SH_ASSIGN_OR_RETURN(std::string commit, hub_.repos.ResolveRevision(row.repo, revision));
  auto missing = [&]() { return Status::EntryNotFound(path).WithResolvedCommit(commit); };
  if (!ValidateRepoPath(path).ok()) return missing();
  auto entry = hub_.repos.Stat(row.repo, commit, path);
  if (!entry.ok()) {
    if (entry.status().reason() == "EntryNotFound") return missing();
    return std::move(entry).take_status();
  }
  if (entry->is_dir) return missing();
  if (entry->lfs) {
    // The object is stored for whoever uploaded it; this repo may serve it only if linked.
    SH_ASSIGN_OR_RETURN(bool linked, IsLfsLinked(hub_, row.id, entry->lfs->oid));
    if (!linked) {
      return Status::NotFound("The LFS object of " + path +
                              " was never uploaded to this repository")
          .WithReason("EntryNotFound")
          .WithResolvedCommit(commit);
    }
  }
  ResolvedFile out;
  out.commit = commit;
  out.entry = std::move(*entry);
  SH_ASSIGN_OR_RETURN(out.content, hub_.repos.ReadFile(row.repo, commit, path));
  if (out.entry.lfs) {
    if (hub_.lfs.Exists(out.entry.lfs->oid)) {
      out.lfs_path = hub_.lfs.ObjectPath(out.entry.lfs->oid).string();
    }
    // Also when a copy is in the LFS store (a Space build made one): Xet clients still get Xet.
    SH_ASSIGN_OR_RETURN(out.xet, hub_.db.xet().FindFileBySha256(out.entry.lfs->oid));
  }
  return out;
}

Result<std::vector<TreeEntryWithCommit>> FileService::Tree(const Caller& who, const RepoId& id,
                                                           const std::string& revision,
                                                           const std::string& path, bool recursive,
                                                           bool expand) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireReadable(hub_, who, id));
  SH_ASSIGN_OR_RETURN(std::string commit, hub_.repos.ResolveRevision(row.repo, revision));
  if (!path.empty() && !ValidateRepoPath(path).ok()) return Status::EntryNotFound(path);
  SH_ASSIGN_OR_RETURN(std::vector<repo::TreeEntry> entries,
                      hub_.repos.ListTree(row.repo, commit, path, recursive));
  std::vector<TreeEntryWithCommit> out;
  out.reserve(entries.size());
  for (auto& e : entries) {
    TreeEntryWithCommit t{std::move(e), std::nullopt, {}};
    if (expand) {
      auto last = hub_.repos.LastCommitFor(row.repo, commit, t.entry.path);
      if (last.ok()) t.last_commit = std::move(*last);
    }
    out.push_back(std::move(t));
  }
  SH_TRY(HideUnlinked(row.id, out));
  return out;
}

Status FileService::HideUnlinked(int64_t repo_id, std::vector<TreeEntryWithCommit>& entries) {
  std::vector<repo::TreeEntry*> refs;
  refs.reserve(entries.size());
  for (auto& t : entries) refs.push_back(&t.entry);
  SH_TRY(HideUnlinkedLfs(hub_, repo_id, refs));
  // Xet-stored objects are announced by their file hash (clients download them through Xet).
  for (auto& t : entries) {
    if (!t.entry.lfs) continue;
    SH_ASSIGN_OR_RETURN(auto file, hub_.db.xet().FindFileBySha256(t.entry.lfs->oid));
    if (file) t.xet_hash = file->file_hash;
  }
  return Status::Ok();
}

Result<std::vector<TreeEntryWithCommit>> FileService::PathsInfo(
    const Caller& who, const RepoId& id, const std::string& revision,
    const std::vector<std::string>& paths, bool expand) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireReadable(hub_, who, id));
  SH_ASSIGN_OR_RETURN(std::string commit, hub_.repos.ResolveRevision(row.repo, revision));
  std::vector<TreeEntryWithCommit> out;
  for (const auto& p : paths) {
    if (!ValidateRepoPath(p).ok()) continue;
    auto e = hub_.repos.Stat(row.repo, commit, p);
    if (!e.ok()) {
      if (e.status().reason() == "EntryNotFound") continue;
      return std::move(e).take_status();
    }
    TreeEntryWithCommit t{std::move(*e), std::nullopt, {}};
    if (expand) {
      auto last = hub_.repos.LastCommitFor(row.repo, commit, t.entry.path);
      if (last.ok()) t.last_commit = std::move(*last);
    }
    out.push_back(std::move(t));
  }
  SH_TRY(HideUnlinked(row.id, out));
  return out;
}

}  // namespace spacehub::service
