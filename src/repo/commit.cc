// RepoStore::Commit: builds a commit from operations and moves the ref by compare-and-swap.
//
// Commits to the same ref through the same RepoStore are serialised by an in-process lock (so they
// do not waste work racing each other); writers outside this process (git receive-pack) are handled
// by the CAS on the ref: a loser without `expected_parent` is rebuilt on the new head and retried.
#include <array>
#include <chrono>
#include <functional>
#include <optional>
#include <random>
#include <thread>

#include "core/mutex.h"
#include "repo/git_util.h"
#include "repo/pack_writer.h"
#include "repo/repo_store.h"
#include "repo/revision.h"
#include "repo/tree_editor.h"

namespace spacehub::repo {
namespace {

constexpr int kMaxAttempts = 64;
constexpr size_t kLockStripes = 64;

Mutex& RefLock(const void* store, const std::filesystem::path& git_dir, const std::string& ref) {
  static std::array<Mutex, kLockStripes> stripes;
  size_t h = std::hash<std::string>{}(git_dir.string() + '\0' + ref);
  h ^= std::hash<const void*>{}(store) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return stripes[h % kLockStripes];
}

void Backoff(int attempt) {
  thread_local std::minstd_rand rng(std::random_device{}());
  int max_us = 200 * (attempt + 1);
  std::this_thread::sleep_for(std::chrono::microseconds(rng() % max_us));
}

// The commit the ref points at, nullopt when the ref does not exist.
Result<std::optional<git_oid>> ReadRef(git_repository* repo, const std::string& ref) {
  git_oid oid;
  int rc = git_reference_name_to_id(&oid, repo, ref.c_str());
  if (rc == GIT_ENOTFOUND) return std::optional<git_oid>();
  if (rc < 0) return git::Error(rc, "read " + ref);
  return std::optional<git_oid>(oid);
}

std::string Describe(const std::optional<git_oid>& oid) {
  return oid ? git::OidHex(*oid) : std::string("none");
}

struct Attempt {
  std::optional<git_oid> head;  // what the ref pointed at when we started
  std::optional<git_oid> base;  // parent of the new commit
  git_oid commit;
};

// One build: new tree from `base` + ops, commit object, durable pack. Does not touch the ref.
Status BuildCommit(git_repository* repo, PackWriter& pack, const CommitRequest& req,
                   const git_signature* sig, const std::string& message, Attempt& a) {
  git::CommitPtr parent;
  git::TreePtr base_tree;
  if (a.base) {
    SH_ASSIGN_OR_RETURN(parent, git::LookupCommit(repo, *a.base));
    git_tree* raw = nullptr;
    int rc = git_commit_tree(&raw, parent.get());
    if (rc < 0) return git::Error(rc, "read base tree");
    base_tree.reset(raw);
  }
  SH_ASSIGN_OR_RETURN(TreeEditor editor, TreeEditor::Open(repo, base_tree.get()));
  for (const CommitOp& op : req.ops) SH_TRY(editor.Apply(op));
  SH_ASSIGN_OR_RETURN(git_oid tree_id, editor.WriteTree());
  git_tree* raw_tree = nullptr;
  int rc = git_tree_lookup(&raw_tree, repo, &tree_id);
  if (rc < 0) return git::Error(rc, "lookup new tree");
  git::TreePtr tree(raw_tree);
  const git_commit* parents[1] = {parent.get()};
  rc = git_commit_create(&a.commit, repo, nullptr, sig, sig, nullptr, message.c_str(), tree.get(),
                         parent ? 1 : 0, parents);
  if (rc < 0) return git::Error(rc, "create commit");
  return pack.Flush();
}

}  // namespace

Result<CommitResult> RepoStore::Commit(const RepoId& id, const CommitRequest& req) {
  int valid = 0;
  if (!req.ref.starts_with("refs/") || git_reference_name_is_valid(&valid, req.ref.c_str()) < 0 ||
      valid == 0) {
    return Status::InvalidArgument("Invalid ref '" + req.ref + "'");
  }
  std::filesystem::path git_dir = GitDir(id);
  MutexLock lock(RefLock(this, git_dir, req.ref));
  SH_ASSIGN_OR_RETURN(git::RepoPtr repo, git::Open(git_dir));
  SH_ASSIGN_OR_RETURN(git::SignaturePtr sig, git::SignatureNow(req.author_name, req.author_email));
  std::string message = req.summary;
  if (!req.description.empty()) message += "\n\n" + req.description;
  std::optional<git_oid> base_commit;
  if (req.base_commit) {
    SH_ASSIGN_OR_RETURN(git_oid oid, ResolveCommitOid(repo.get(), *req.base_commit));
    base_commit = oid;
  }
  PackWriter pack;
  SH_TRY(pack.Attach(repo.get()));

  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    Attempt a;
    SH_ASSIGN_OR_RETURN(a.head, ReadRef(repo.get(), req.ref));
    a.base = a.head ? a.head : base_commit;
    if (req.expected_parent && (!a.base || git::OidHex(*a.base) != *req.expected_parent)) {
      return Status::Conflict("The commit's parent " + *req.expected_parent +
                              " is not the head of " + req.ref + " (" + Describe(a.head) +
                              "); pull and retry");
    }
    Status built = BuildCommit(repo.get(), pack, req, sig.get(), message, a);
    if (!built.ok()) {
      pack.Discard();
      return built;
    }
    // CAS under the ref lock; a zero current id means "only if the ref is still missing" (the
    // force=0 form of git_reference_create checks before locking and could overwrite a racer).
    git_oid absent{};
    git_reference* moved = nullptr;
    int rc = git_reference_create_matching(&moved, repo.get(), req.ref.c_str(), &a.commit, 1,
                                           a.head ? &*a.head : &absent, nullptr);
    git_reference_free(moved);
    if (rc == 0) {
      InvalidateRefs(id);
      return CommitResult{git::OidHex(a.commit), a.base ? git::OidHex(*a.base) : std::string()};
    }
    if (rc != GIT_EMODIFIED && rc != GIT_EEXISTS && rc != GIT_ELOCKED) {
      return git::Error(rc, "update " + req.ref);
    }
    // Someone outside this store moved (or is moving) the ref. With expected_parent the next
    // round reports the conflict; without it we rebuild on the new head.
    Backoff(attempt);
  }
  return Status::Unavailable("Too many concurrent updates of " + req.ref + "; retry later");
}

}  // namespace spacehub::repo
