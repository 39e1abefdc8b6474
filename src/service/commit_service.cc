#include "service/commit_service.h"

#include <unordered_map>

#include "core/crypto.h"
#include "core/time_util.h"
#include "service/lfs_links.h"
#include "service/path_patterns.h"
#include "service/refs_updated.h"

namespace spacehub::service {
namespace {

// The Hub treats a sample with a NUL byte as binary, and binaries go to LFS.
bool LooksBinary(std::string_view sample) { return sample.find('\0') != std::string_view::npos; }

// The git ref a commit to `revision` moves: branches by short name, pull requests by full ref.
std::string RefFor(const std::string& revision) {
  if (revision.rfind("refs/", 0) == 0) return revision;
  return "refs/heads/" + revision;
}

Status ValidateOpPath(std::string_view path) {
  Status st = ValidateRepoPath(path);
  if (!st.ok()) return std::move(st).Annotate("Invalid path in commit");
  return Status::Ok();
}

// An lfsFile operation may name only an object uploaded to this repository, at its stored size.
Result<repo::CommitOp> CheckLfsOp(Hub& hub, int64_t repo_row_id, const CommitLfsFile& lfs) {
  SH_TRY(ValidateOpPath(lfs.path));
  if (!IsHex(lfs.oid, 64)) {
    return Status::InvalidArgument("Invalid LFS oid for " + lfs.path +
                                   ": expected 64 lowercase hex digits");
  }
  SH_ASSIGN_OR_RETURN(bool linked, hub.db.HasLfsObject(repo_row_id, lfs.oid));
  auto stored_size = StoredObjectSize(hub, lfs.oid);
  if (!linked || !stored_size.ok()) {
    return Status::InvalidArgument("LFS object " + lfs.oid + " for " + lfs.path +
                                   " was not uploaded to this repository; upload it first");
  }
  if (lfs.size && *lfs.size != *stored_size) {
    return Status::InvalidArgument("LFS object " + lfs.oid + " has size " +
                                   std::to_string(*stored_size) + ", not " +
                                   std::to_string(*lfs.size));
  }
  return repo::CommitOp{repo::AddLfsFile{lfs.path, {lfs.oid, *stored_size}}};
}

// One operation as the repository store takes it, after its path and (for LFS) its proof of
// upload are checked.
Result<repo::CommitOp> CheckOp(Hub& hub, int64_t repo_row_id, CommitInputOp& op) {
  if (auto* add = std::get_if<repo::AddFile>(&op)) {
    SH_TRY(ValidateOpPath(add->path));
    // A plain file whose content is a pointer is an LFS file to every client: it needs the same
    // proof of upload as an lfsFile operation, or it would read another repo's object by hash.
    if (auto pointer = repo::DetectLfsPointer(add->content)) {
      SH_TRY(RequireLfsLinked(hub, repo_row_id, add->path, *pointer));
    }
    return repo::CommitOp{std::move(*add)};
  }
  if (auto* lfs = std::get_if<CommitLfsFile>(&op)) return CheckLfsOp(hub, repo_row_id, *lfs);
  if (auto* del = std::get_if<repo::DeleteFile>(&op)) {
    SH_TRY(ValidateOpPath(del->path));
    return repo::CommitOp{std::move(*del)};
  }
  auto& dir = std::get<repo::DeleteFolder>(op);
  while (!dir.path.empty() && dir.path.back() == '/') dir.path.pop_back();
  SH_TRY(ValidateOpPath(dir.path));
  return repo::CommitOp{std::move(dir)};
}

// The ref the commit moves: a new pull request (created from the revision), or an existing
// branch or PR; only an empty repo's main may be born here.
Status ChooseTargetRef(Hub& hub, const db::RepoRow& row, const CommitInput& in,
                       repo::CommitRequest& req, CommitOutput& out) {
  if (in.create_pr) {
    SH_ASSIGN_OR_RETURN(std::string base, hub.repos.ResolveRevision(row.repo, in.revision));
    SH_ASSIGN_OR_RETURN(int n, hub.repos.NextPullRequestNumber(row.repo));
    out.pr_number = n;
    req.ref = "refs/pr/" + std::to_string(n);
    req.base_commit = std::move(base);
    return Status::Ok();
  }
  if (in.revision.rfind("refs/", 0) == 0 && in.revision.rfind("refs/pr/", 0) != 0) {
    return Status::InvalidArgument("Commits go to a branch or a pull request (refs/pr/N)");
  }
  req.ref = RefFor(in.revision);
  auto head = hub.repos.ResolveRevision(row.repo, req.ref);
  if (!head.ok()) {
    auto refs = hub.repos.ListRefs(row.repo);
    bool empty_repo = refs.ok() && refs->branches.empty();
    if (!(empty_repo && in.revision == "main")) return Status::RevisionNotFound(in.revision);
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<PreuploadAnswer>> CommitService::Preupload(const Caller& who, const RepoId& id,
                                                              const PreuploadInput& input) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireWritable(hub_, who, id));
  for (const auto& f : input.files) SH_TRY(ValidateOpPath(f.path));

  std::unordered_map<std::string, repo::TreeEntry> current;
  std::string attributes = input.git_attributes.value_or("");
  auto sha = hub_.repos.ResolveRevision(row.repo, input.revision);
  if (sha.ok()) {
    SH_ASSIGN_OR_RETURN(std::vector<repo::TreeEntry> entries,
                        hub_.repos.ListTree(row.repo, *sha, "", true));
    for (auto& e : entries) {
      if (!e.is_dir) current.emplace(e.path, std::move(e));
    }
    if (!input.git_attributes) {
      auto text = hub_.repos.ReadFile(row.repo, *sha, ".gitattributes");
      if (text.ok()) attributes = std::move(*text);
    }
  } else if (sha.status().reason() != "RevisionNotFound" || input.revision != "main") {
    return std::move(sha).take_status();
  }
  PathPatterns lfs_patterns = PathPatterns::LfsFromGitattributes(attributes);
  PathPatterns ignore = PathPatterns::FromGitignore(input.git_ignore.value_or(""));

  std::vector<PreuploadAnswer> out;
  out.reserve(input.files.size());
  for (const auto& f : input.files) {
    PreuploadAnswer a;
    a.path = f.path;
    a.lfs = f.size >= hub_.options.lfs_threshold_bytes || LooksBinary(f.sample) ||
            lfs_patterns.Matches(f.path);
    a.should_ignore = ignore.Matches(f.path);
    if (auto it = current.find(f.path); it != current.end()) {
      a.oid = it->second.lfs ? it->second.lfs->oid : it->second.oid;
    }
    out.push_back(std::move(a));
  }
  return out;
}

Result<CommitOutput> CommitService::Commit(const Caller& who, const RepoId& id, CommitInput in) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireWritable(hub_, who, id));
  if (in.summary.empty()) in.summary = "Upload with spacehub";
  if (in.parent_commit && !IsHex(*in.parent_commit, 40)) {
    return Status::InvalidArgument("parentCommit must be a 40-character commit id");
  }
  repo::CommitRequest req;
  req.summary = in.summary;
  req.description = in.description;
  req.author_name = who->user.fullname.empty() ? who->user.name : who->user.fullname;
  req.author_email =
      who->user.email.empty() ? who->user.name + "@users.noreply.spacehub" : who->user.email;
  req.expected_parent = in.parent_commit;
  req.ops.reserve(in.ops.size());
  for (auto& op : in.ops) {
    SH_ASSIGN_OR_RETURN(repo::CommitOp checked, CheckOp(hub_, row.id, op));
    req.ops.push_back(std::move(checked));
  }
  CommitOutput out;
  SH_TRY(ChooseTargetRef(hub_, row, in, req, out));
  SH_ASSIGN_OR_RETURN(repo::CommitResult result, hub_.repos.Commit(row.repo, req));
  OnRefsUpdated(hub_, row, {req.ref});
  out.commit_id = result.commit_id;
  return out;
}

}  // namespace spacehub::service
