// libgit2 plumbing shared by the repo layer: RAII owners for libgit2 handles, one-time library
// setup, libgit2 error → Status conversion and small oid/signature helpers. Internal to src/repo.
//
// Thread-safety: every function may be called from any thread. The handles themselves follow
// libgit2's rule: one object (and everything opened from it) is used by one thread at a time.
#pragma once

#include <git2.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace spacehub::repo::git {

template <auto FreeFn>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    if (p != nullptr) FreeFn(p);
  }
};

using RepoPtr = std::unique_ptr<git_repository, Deleter<git_repository_free>>;
using ObjectPtr = std::unique_ptr<git_object, Deleter<git_object_free>>;
using CommitPtr = std::unique_ptr<git_commit, Deleter<git_commit_free>>;
using TreePtr = std::unique_ptr<git_tree, Deleter<git_tree_free>>;
using TreeEntryPtr = std::unique_ptr<git_tree_entry, Deleter<git_tree_entry_free>>;
using BlobPtr = std::unique_ptr<git_blob, Deleter<git_blob_free>>;
using ReferencePtr = std::unique_ptr<git_reference, Deleter<git_reference_free>>;
using RefIteratorPtr =
    std::unique_ptr<git_reference_iterator, Deleter<git_reference_iterator_free>>;
using IndexPtr = std::unique_ptr<git_index, Deleter<git_index_free>>;
using SignaturePtr = std::unique_ptr<git_signature, Deleter<git_signature_free>>;
using RevwalkPtr = std::unique_ptr<git_revwalk, Deleter<git_revwalk_free>>;
using OdbPtr = std::unique_ptr<git_odb, Deleter<git_odb_free>>;
using ConfigPtr = std::unique_ptr<git_config, Deleter<git_config_free>>;

// Initialises libgit2 once per process and turns on fsync of everything written under a git dir
// (objects, packs, refs), so an acknowledged commit survives a crash or kill -9.
void EnsureInit();

// Maps a libgit2 return code plus git_error_last() to a Status: GIT_ENOTFOUND → kNotFound,
// GIT_EEXISTS / GIT_EMODIFIED / GIT_ELOCKED → kConflict, GIT_EINVALIDSPEC → kInvalidArgument,
// anything else → kInternal. The message reads "<context>: <libgit2 message>".
Status Error(int code, std::string_view context);

// Opens the bare repository at `git_dir` (no discovery, no walking up). RepoNotFound when absent.
Result<RepoPtr> Open(const std::filesystem::path& git_dir);

std::string OidHex(const git_oid& oid);
// Creates `name` -> `target` only if the ref does not exist yet, atomically: the existence check
// happens under the ref lock (git_reference_create with force=0 checks before locking, so two
// concurrent creators could both "succeed"). kConflict when it exists.
Status CreateRefIfAbsent(git_repository* repo, const std::string& name, const git_oid& target);

// Parses exactly 40 lowercase hex digits.
bool ParseOid(std::string_view hex, git_oid* out);

// Author/committer "now"; falls back to a neutral identity when the name or email is empty
// (libgit2 refuses empty names).
Result<SignaturePtr> SignatureNow(std::string_view name, std::string_view email);

// Peels `oid` (commit or tag) to the commit it names. kNotFound when it is not a commit.
Result<CommitPtr> LookupCommit(git_repository* repo, const git_oid& oid);

}  // namespace spacehub::repo::git
