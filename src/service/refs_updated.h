// OnRefsUpdated: what happens after refs of a repository moved, whoever moved them — an API commit
// (CommitService) or a `git push` (GitHttpService). The one place for "after a commit": the
// repository's cached revision lookups are dropped and its `lastModified` moves when a branch or
// tag changed (pull-request refs alone do not count, as on the Hub). A Space's runtime engine is
// notified, so a new commit rebuilds it. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "service/hub.h"

namespace spacehub::service {

// `changed_refs`: full ref names ("refs/heads/main") that were created, moved or deleted.
void OnRefsUpdated(Hub& hub, const db::RepoRow& row, const std::vector<std::string>& changed_refs);

}  // namespace spacehub::service
