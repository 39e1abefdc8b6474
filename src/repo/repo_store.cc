// RepoStore: repository lifecycle (create, delete, move) and revision resolution. The other
// members live in commit.cc, tree_reader.cc, history.cc and refs.cc.
#include "repo/repo_store.h"

#include <cerrno>
#include <cstdio>
#include <system_error>

#include "core/crypto.h"
#include "repo/fs_util.h"
#include "repo/git_util.h"
#include "repo/revision.h"

namespace spacehub::repo {
namespace {

Status SetLocalConfig(git_repository* repo) {
  git_config* raw = nullptr;
  int rc = git_repository_config(&raw, repo);
  if (rc < 0) return git::Error(rc, "open config");
  git::ConfigPtr all(raw);
  rc = git_config_open_level(&raw, all.get(), GIT_CONFIG_LEVEL_LOCAL);
  if (rc < 0) return git::Error(rc, "open local config");
  git::ConfigPtr local(raw);
  // Hub repos have no reflogs: they would grow forever and nothing reads them.
  rc = git_config_set_bool(local.get(), "core.logallrefupdates", 0);
  // git's own receive-pack (pushes over smart HTTP) must be as durable as our commits.
  if (rc == 0) rc = git_config_set_string(local.get(), "core.fsync", "committed");
  if (rc == 0) rc = git_config_set_string(local.get(), "core.fsyncMethod", "fsync");
  // Served through our own smart-HTTP handler, which runs receive-pack only after auth.
  if (rc == 0) rc = git_config_set_bool(local.get(), "http.receivepack", 1);
  if (rc < 0) return git::Error(rc, "write config");
  return Status::Ok();
}

}  // namespace

RepoStore::RepoStore(std::filesystem::path root) : root_(std::move(root)) { git::EnsureInit(); }

RepoStore::~RepoStore() = default;

std::filesystem::path RepoStore::GitDir(const RepoId& id) const {
  return root_ / (std::string(RepoTypeName(id.type)) + "s") / id.ns / (id.name + ".git");
}

bool RepoStore::Exists(const RepoId& id) const {
  std::error_code ec;
  return std::filesystem::is_directory(GitDir(id), ec);
}

// Initialised aside under <root>/.tmp and renamed into place, so a repository either exists
// complete or not at all, and two concurrent creates cannot both succeed.
Status RepoStore::Create(const RepoId& id) {
  std::filesystem::path target = GitDir(id);
  if (Exists(id)) return Status::Conflict("Repository " + id.Full() + " already exists");
  std::filesystem::path staging = root_ / ".tmp" / (RandomHex(12) + ".git");
  SH_TRY(fs::MakeDirs(staging.parent_path()));

  git_repository_init_options opts = GIT_REPOSITORY_INIT_OPTIONS_INIT;
  opts.flags =
      GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
  opts.initial_head = "main";
  git_repository* raw = nullptr;
  int rc = git_repository_init_ext(&raw, staging.c_str(), &opts);
  if (rc < 0) return git::Error(rc, "init repository");
  git::RepoPtr repo(raw);
  Status st = SetLocalConfig(repo.get());
  repo.reset();
  std::error_code ec;
  // libgit2 does not fsync what init writes (HEAD, config); the repo must be whole after a crash.
  if (st.ok()) st = fs::FsyncTree(staging);
  if (st.ok()) st = fs::MakeDirs(target.parent_path());
  if (st.ok() && std::rename(staging.c_str(), target.c_str()) != 0) {
    int err = errno;
    st = (err == EEXIST || err == ENOTEMPTY)
             ? Status::Conflict("Repository " + id.Full() + " already exists")
             : fs::Errno(err, "rename into " + target.string());
  }
  if (!st.ok()) {
    std::filesystem::remove_all(staging, ec);
    return st;
  }
  return fs::FsyncDir(target.parent_path());
}

Status RepoStore::Delete(const RepoId& id) {
  InvalidateRefs(id);
  std::filesystem::path dir = GitDir(id);
  std::filesystem::path trash = root_ / ".trash" / RandomHex(12);
  SH_TRY(fs::MakeDirs(trash.parent_path()));
  if (std::rename(dir.c_str(), trash.c_str()) != 0) {
    if (errno == ENOENT) return Status::RepoNotFound();
    return fs::Errno(errno, "move " + dir.string() + " to trash");
  }
  SH_TRY(fs::FsyncDir(dir.parent_path()));
  std::error_code ec;
  std::filesystem::remove_all(trash, ec);
  if (ec) return Status::Internal("remove " + trash.string() + ": " + ec.message());
  return Status::Ok();
}

Status RepoStore::Move(const RepoId& from, const RepoId& to) {
  if (!Exists(from)) return Status::RepoNotFound();
  if (Exists(to)) return Status::Conflict("Repository " + to.Full() + " already exists");
  std::filesystem::path src = GitDir(from);
  std::filesystem::path dst = GitDir(to);
  SH_TRY(fs::MakeDirs(dst.parent_path()));
  if (std::rename(src.c_str(), dst.c_str()) != 0) {
    int err = errno;
    if (err == ENOENT) return Status::RepoNotFound();
    if (err == EEXIST || err == ENOTEMPTY) {
      return Status::Conflict("Repository " + to.Full() + " already exists");
    }
    return fs::Errno(err, "rename " + src.string());
  }
  InvalidateRefs(from);
  InvalidateRefs(to);
  SH_TRY(fs::FsyncDir(dst.parent_path()));
  return fs::FsyncDir(src.parent_path());
}

Result<std::string> RepoStore::ResolveRevision(const RepoId& id, std::string_view revision) const {
  std::string key = GitDir(id).string();
  std::string rev(revision);
  RefCache::Ticket ticket;
  if (auto cached = ref_cache_.Find(key, rev, &ticket)) return *cached;
  SH_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(GitDir(id)));
  SH_ASSIGN_OR_RETURN(git_oid oid, ResolveCommitOid(repo.get(), revision));
  std::string hex = git::OidHex(oid);
  ref_cache_.Store(key, rev, hex, ticket);
  return hex;
}

void RepoStore::InvalidateRefs(const RepoId& id) { ref_cache_.Invalidate(GitDir(id).string()); }

int RepoStore::RemoveStaleLocks() {
  namespace fs = std::filesystem;
  int removed = 0;
  std::error_code ec;
  auto remove_lock = [&](const fs::path& p) {
    if (fs::is_regular_file(fs::symlink_status(p, ec)) && fs::remove(p, ec)) ++removed;
  };
  for (auto it = fs::recursive_directory_iterator(root_, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_directory(ec) || it->path().extension() != ".git") continue;
    it.disable_recursion_pending();  // a bare repo: only its ref files are of interest
    const fs::path& git_dir = it->path();
    for (const char* name : {"packed-refs.lock", "HEAD.lock", "config.lock"}) {
      remove_lock(git_dir / name);
    }
    for (auto r = fs::recursive_directory_iterator(git_dir / "refs", ec);
         !ec && r != fs::recursive_directory_iterator(); r.increment(ec)) {
      if (r->path().extension() == ".lock") remove_lock(r->path());
    }
    ec.clear();
  }
  return removed;
}

}  // namespace spacehub::repo
