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

}  // namespace spacehub::client::detail
