// RepoStore history: Log, CountCommits, GetCommit, LastCommitFor. All walks follow first parents
// only (the Hub's linear history view), newest first.
#include <string>
#include <vector>

#include "repo/git_util.h"
#include "repo/repo_store.h"
#include "repo/revision.h"

namespace spacehub::repo {
namespace {

CommitInfo ToInfo(const git_commit* c) {
  CommitInfo info;
  info.id = git::OidHex(*git_commit_id(c));
  std::string_view msg = git_commit_message(c) != nullptr ? git_commit_message(c) : "";
  size_t nl = msg.find('\n');
  info.title = std::string(msg.substr(0, nl));
  if (nl != std::string_view::npos) {
    std::string_view rest = msg.substr(nl + 1);
    while (!rest.empty() && rest.front() == '\n') rest.remove_prefix(1);
    while (!rest.empty() && rest.back() == '\n') rest.remove_suffix(1);
    info.message = std::string(rest);
  }
  const git_signature* author = git_commit_author(c);
  info.author_name = author->name != nullptr ? author->name : "";
  info.author_email = author->email != nullptr ? author->email : "";
  info.time_millis = static_cast<int64_t>(author->when.time) * 1000;
  for (unsigned i = 0; i < git_commit_parentcount(c); ++i) {
    info.parents.push_back(git::OidHex(*git_commit_parent_id(c, i)));
  }
  return info;
}

// A first-parent walk from `start`; Next() yields commit ids until the root.
class FirstParentWalk final {
 public:
  static Result<FirstParentWalk> Start(git_repository* repo, const git_oid& start) {
    git_revwalk* raw = nullptr;
    int rc = git_revwalk_new(&raw, repo);
    if (rc < 0) return git::Error(rc, "revwalk");
    git::RevwalkPtr walk(raw);
    rc = git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
    if (rc == 0) rc = git_revwalk_simplify_first_parent(walk.get());
    if (rc == 0) rc = git_revwalk_push(walk.get(), &start);
    if (rc < 0) return git::Error(rc, "revwalk");
    return FirstParentWalk(std::move(walk));
  }
  // false at the end; an error status is reported through `status`.
  bool Next(git_oid* out, Status* status) {
    int rc = git_revwalk_next(out, walk_.get());
    if (rc == GIT_ITEROVER) return false;
    if (rc < 0) {
      *status = git::Error(rc, "revwalk");
      return false;
    }
    return true;
  }

 private:
  explicit FirstParentWalk(git::RevwalkPtr walk) : walk_(std::move(walk)) {}
  git::RevwalkPtr walk_;
};

struct Opened {
  git::RepoPtr repo;
  git_oid start;
};

Result<Opened> OpenAt(const std::filesystem::path& git_dir, std::string_view commit) {
  SH_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(git_dir));
  SH_ASSIGN_OR_RETURN(git_oid oid, ResolveCommitOid(repo.get(), commit));
  return Opened{std::move(repo), oid};
}

// Id of the entry at `path` in commit `c` (zero oid when absent).
Result<git_oid> EntryId(const git_commit* c, const std::string& path) {
  git_oid zero{};
  git_tree* raw = nullptr;
  int rc = git_commit_tree(&raw, c);
  if (rc < 0) return git::Error(rc, "read tree");
  git::TreePtr tree(raw);
  if (path.empty()) return *git_tree_id(tree.get());
  git_tree_entry* e = nullptr;
  rc = git_tree_entry_bypath(&e, tree.get(), path.c_str());
  if (rc == GIT_ENOTFOUND) return zero;
  if (rc < 0) return git::Error(rc, "lookup " + path);
  git::TreeEntryPtr entry(e);
  return *git_tree_entry_id(entry.get());
}

}  // namespace

Result<std::vector<CommitInfo>> RepoStore::Log(const RepoId& id, std::string_view commit,
                                               size_t skip, size_t limit) const {
  SH_ASSIGN_OR_RETURN(Opened o, OpenAt(GitDir(id), commit));
  SH_ASSIGN_OR_RETURN(FirstParentWalk walk, FirstParentWalk::Start(o.repo.get(), o.start));
  std::vector<CommitInfo> out;
  Status st;
  git_oid oid;
  for (size_t i = 0; out.size() < limit && walk.Next(&oid, &st); ++i) {
    if (i < skip) continue;
    SH_ASSIGN_OR_RETURN(git::CommitPtr c, git::LookupCommit(o.repo.get(), oid));
    out.push_back(ToInfo(c.get()));
  }
  SH_TRY(std::move(st));
  return out;
}

Result<size_t> RepoStore::CountCommits(const RepoId& id, std::string_view commit) const {
  SH_ASSIGN_OR_RETURN(Opened o, OpenAt(GitDir(id), commit));
  SH_ASSIGN_OR_RETURN(FirstParentWalk walk, FirstParentWalk::Start(o.repo.get(), o.start));
  size_t n = 0;
  Status st;
  git_oid oid;
  while (walk.Next(&oid, &st)) ++n;
  SH_TRY(std::move(st));
  return n;
}

Result<CommitInfo> RepoStore::GetCommit(const RepoId& id, std::string_view commit) const {
  SH_ASSIGN_OR_RETURN(Opened o, OpenAt(GitDir(id), commit));
  SH_ASSIGN_OR_RETURN(git::CommitPtr c, git::LookupCommit(o.repo.get(), o.start));
  return ToInfo(c.get());
}

// O(history): compares the entry id at `path` with the first parent's, newest first.
Result<CommitInfo> RepoStore::LastCommitFor(const RepoId& id, std::string_view commit,
                                            std::string_view path) const {
  SH_ASSIGN_OR_RETURN(Opened o, OpenAt(GitDir(id), commit));
  std::string p(path);
  while (!p.empty() && p.back() == '/') p.pop_back();
  SH_ASSIGN_OR_RETURN(git::CommitPtr current, git::LookupCommit(o.repo.get(), o.start));
  SH_ASSIGN_OR_RETURN(git_oid current_id, EntryId(current.get(), p));
  if (git_oid_is_zero(&current_id)) return Status::EntryNotFound(path);
  while (git_commit_parentcount(current.get()) > 0) {
    git_commit* raw = nullptr;
    int rc = git_commit_parent(&raw, current.get(), 0);
    if (rc < 0) return git::Error(rc, "read parent");
    git::CommitPtr parent(raw);
    SH_ASSIGN_OR_RETURN(git_oid parent_id, EntryId(parent.get(), p));
    if (!git_oid_equal(&parent_id, &current_id)) break;
    current = std::move(parent);
  }
  return ToInfo(current.get());
}

}  // namespace spacehub::repo
