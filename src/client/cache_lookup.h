// Reading the huggingface_hub cache without the network (try_to_load_from_cache): a revision
// resolved through refs/<revision>, then a .no_exist/<commit>/<path> marker, then the file in
// snapshots/<commit>/. Only reads the file system; thread-safe.
#pragma once

#include <string>

#include "spacehub/types.h"

namespace spacehub::client::detail {

// Throws LocalError(kInvalidArgument) for a path that would leave the cache; anything missing or
// unreadable in the cache is kNotCached.
CachedFile LookupCache(const std::string& cache_dir, RepoType type, const std::string& repo_id,
                       const std::string& revision, const std::string& path_in_repo);

// The commit `revision` names in a repo's cache folder when the hub is not asked, as
// hf_hub_download / snapshot_download resolve it offline: a commit hash is itself, a branch or
// tag is the sha in refs/<revision>; "" when there is no such ref (or it would leave refs/).
std::string CachedCommit(const std::string& repo_dir, const std::string& revision);

}  // namespace spacehub::client::detail
