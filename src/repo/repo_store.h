// RepoStore: every repository is a bare git repository on disk, read and written through libgit2.
//
// Layout: <root>/<type>s/<ns>/<name>.git. Writes are real git commits; a branch moves only by
// compare-and-swap (git_reference_create_matching), so two concurrent commits never lose one
// another: a commit without `expected_parent` that loses the race is rebuilt on the new head and
// retried; one with `expected_parent` that no longer matches fails with kConflict.
//
// Thread-safety: all methods may be called concurrently from any thread. Each call opens its own
// libgit2 handle (libgit2 objects are not shared between threads).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/repo_id.h"
#include "core/result.h"
#include "repo/diff.h"
#include "repo/ref_cache.h"
#include "repo/types.h"

namespace spacehub::repo {

class RepoStore final {
 public:
  explicit RepoStore(std::filesystem::path root);
  ~RepoStore();
  RepoStore(const RepoStore&) = delete;
  RepoStore& operator=(const RepoStore&) = delete;

  std::filesystem::path GitDir(const RepoId& id) const;
  bool Exists(const RepoId& id) const;

  // Creates an empty bare repository whose HEAD points at refs/heads/main. kConflict if it exists.
  Status Create(const RepoId& id);
  // Removes the lock files a killed writer leaves in every repository (refs/**/*.lock,
  // packed-refs.lock, HEAD.lock, config.lock): git never takes them back by itself, so a branch
  // whose update was cut by a crash would refuse every later commit. Only while nothing writes:
  // `serve` calls it before it listens (git processes are its children and died with it).
  // Returns how many were removed.
  int RemoveStaleLocks();
  // Removes the repository directory (renamed aside first, so a crash never leaves half a repo).
  Status Delete(const RepoId& id);
  // Renames the directory; kConflict if the target exists.
  Status Move(const RepoId& from, const RepoId& to);

  // Resolves a branch name, tag name, full ref ("refs/pr/1") or full 40-hex commit id to a commit
  // sha1. Unknown → Status::RevisionNotFound(rev).
  Result<std::string> ResolveRevision(const RepoId& id, std::string_view revision) const;

  Result<CommitResult> Commit(const RepoId& id, const CommitRequest& request);

  // Entries directly under `dir` ("" = root), or all files and folders beneath it when recursive;
  // sorted by path (folders and files interleaved in git order). Unknown dir → EntryNotFound.
  Result<std::vector<TreeEntry>> ListTree(const RepoId& id, std::string_view commit,
                                          std::string_view dir, bool recursive) const;
  // The entry at `path` (file or folder); EntryNotFound when absent.
  Result<TreeEntry> Stat(const RepoId& id, std::string_view commit, std::string_view path) const;
  // Content of the blob at `path` (the pointer text for LFS files).
  Result<std::string> ReadFile(const RepoId& id, std::string_view commit,
                               std::string_view path) const;

  // History from `commit` (first-parent order, newest first), skipping `skip`, at most `limit`.
  Result<std::vector<CommitInfo>> Log(const RepoId& id, std::string_view commit, size_t skip,
                                      size_t limit) const;
  Result<size_t> CountCommits(const RepoId& id, std::string_view commit) const;
  // The newest commit reachable from `commit` that changed `path`.
  Result<CommitInfo> LastCommitFor(const RepoId& id, std::string_view commit,
                                   std::string_view path) const;
  Result<CommitInfo> GetCommit(const RepoId& id, std::string_view commit) const;
  // What `commit` changed against its first parent (all of it for a root commit), cut to `limits`
  // (repo/diff.h).
  Result<CommitDiff> DiffCommit(const RepoId& id, std::string_view commit,
                                const DiffLimits& limits) const;

  Result<Refs> ListRefs(const RepoId& id) const;
  // kConflict if the branch/tag exists; names are validated with git_reference_name_is_valid.
  Status CreateBranch(const RepoId& id, std::string_view name, std::string_view commit);
  Status DeleteBranch(const RepoId& id, std::string_view name);
  // Annotated tag when `message` is non-empty, lightweight otherwise.
  Status CreateTag(const RepoId& id, std::string_view name, std::string_view commit,
                   std::string_view message, std::string_view tagger_name,
                   std::string_view tagger_email);
  Status DeleteTag(const RepoId& id, std::string_view name);
  // Next free N for refs/pr/N (1-based).
  Result<int> NextPullRequestNumber(const RepoId& id) const;

  // Revision lookups are cached; every ref update made here invalidates them. Whoever moves refs
  // behind RepoStore's back (git receive-pack) must call this afterwards.
  void InvalidateRefs(const RepoId& id);

 private:
  std::filesystem::path root_;
  mutable RefCache ref_cache_;
};

}  // namespace spacehub::repo
