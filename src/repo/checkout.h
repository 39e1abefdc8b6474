// Checking out one commit of a repository as plain files (what a Space build starts from): every
// file of the commit, LFS files with their real content from the LFS store, written into a
// temporary sibling of the destination that is renamed into place once complete, so a directory
// at `dest` is always a whole checkout. Paths that could leave the directory are refused.
// Stateless; each call owns its directory. Thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/repo_id.h"
#include "core/result.h"
#include "repo/lfs_store.h"
#include "repo/repo_store.h"

namespace spacehub::repo {

// Files of `sha` into `dest` (which must not exist). Returns the list of file paths.
Result<std::vector<std::string>> CheckoutCommit(const RepoStore& repos, const LfsStore& lfs,
                                                const RepoId& id, const std::string& sha,
                                                const std::filesystem::path& dest);

}  // namespace spacehub::repo
