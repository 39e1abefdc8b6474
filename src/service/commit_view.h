// Showing one commit, for the web UI's commit page: its metadata and what it changed against its
// first parent (repo::CommitDiff, cut to limits so a huge commit still renders as a list). Same
// rule as every read: a repo the caller may not read does not exist (404).
// Thread-safe (stateless).
#pragma once

#include <string>

#include "repo/diff.h"
#include "service/access.h"

namespace spacehub::service {

struct CommitView {
  repo::CommitInfo info;
  repo::CommitDiff diff;
};

// `revision`: a commit id, branch, tag or refs/pr/N. RevisionNotFound when unknown.
Result<CommitView> ShowCommit(Hub& hub, const Caller& who, const RepoId& id,
                              const std::string& revision, const repo::DiffLimits& limits = {});

}  // namespace spacehub::service
