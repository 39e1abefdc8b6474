// RepoService: the repository lifecycle use cases — create, delete, move, visibility, info and
// listing — with the Hub's semantics (a repo is a database row plus a bare git repository; the row
// is the lock that makes names unique, the git repository holds the content).
// Thread-safe: holds only a reference to the Hub.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "repo/types.h"
#include "service/access.h"
#include "service/repo_view.h"
#include "service/snapshot_cache.h"

namespace spacehub::service {

struct CreateRepoInput {
  RepoType type = RepoType::kModel;
  std::string ns;  // empty: the caller's own namespace
  std::string name;
  bool is_private = false;
  std::string sdk;  // Spaces: gradio, streamlit, docker or static
};

struct RepoInfo {
  RepoView repo;    // what the API renders
  db::RepoRow row;  // the same repo, for SpaceService::RuntimeOf (access already checked)
  std::string sha;  // head of the revision; empty for a repo without commits
  int64_t last_modified = 0;
  // Files (siblings) and README front matter at `sha`; null for a repo without commits.
  std::shared_ptr<const CommitSnapshot> snapshot;
};

struct ListReposInput {
  RepoType type = RepoType::kModel;
  std::optional<std::string> author;
  std::optional<std::string> search;
  std::string sort;  // "lastModified", "createdAt", "id", "likes", "downloads", "trendingScore"
  bool descending = true;
  size_t offset = 0;
  size_t limit = 100;
};

class RepoService final {
 public:
  explicit RepoService(Hub& hub) : hub_(hub) {}

  // `base_url` builds the `url` of the 409 that names an existing repo.
  Result<db::RepoRow> Create(const Caller& who, CreateRepoInput input, const std::string& base_url);
  Status Delete(const Caller& who, const RepoId& id);
  Status Move(const Caller& who, const RepoId& from, const RepoId& to);
  Status SetPrivate(const Caller& who, const RepoId& id, bool is_private);
  Result<RepoInfo> Info(const Caller& who, const RepoId& id, const std::string& revision);
  Result<std::vector<RepoView>> List(const Caller& who, const ListReposInput& input);

 private:
  Result<std::shared_ptr<const CommitSnapshot>> Snapshot(const RepoId& id, const std::string& sha);

  Hub& hub_;
  SnapshotCache snapshots_;
};

// "{base}/{prefix}{ns}/{name}": the repo's web URL, which clients parse back into a repo id.
std::string RepoUrl(const std::string& base_url, const RepoId& id);
// The files a new repo starts with (.gitattributes; Spaces also README.md, index.html if static).
std::vector<repo::CommitOp> InitialFiles(const RepoId& id, const std::string& sdk);

}  // namespace spacehub::service
