// SnapshotCache: what repo info needs from one commit (file list, README front matter, commit
// time), keyed by commit id. A commit never changes, so entries never go stale; the cache is only
// bounded. This keeps `GET /api/{type}s/{id}` from walking the tree and parsing YAML per request.
// Thread-safety: all methods may be called concurrently; snapshots are immutable and shared.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/mutex.h"
#include "core/thread_annotations.h"
#include "repo/types.h"

namespace spacehub::service {

// The implicit (noexcept) default constructor reaches nlohmann::json's, whose body holds a throw
// for a case a null json never takes; nlohmann NOLINTs the same finding on its own constructor.
struct CommitSnapshot {  // NOLINT(bugprone-exception-escape)
  int64_t commit_time = 0;
  std::vector<repo::TreeEntry> files;
  nlohmann::json card_data;  // null when the README has no (valid) front matter
};

class SnapshotCache final {
 public:
  explicit SnapshotCache(size_t capacity = 4096) : capacity_(capacity) {}

  std::shared_ptr<const CommitSnapshot> Find(const std::string& commit) EXCLUDES(mu_);
  void Put(const std::string& commit, std::shared_ptr<const CommitSnapshot> snapshot) EXCLUDES(mu_);

 private:
  size_t capacity_;
  Mutex mu_;
  // Dropped wholesale when full (simple, and a refill costs one tree walk each).
  std::unordered_map<std::string, std::shared_ptr<const CommitSnapshot>> entries_ GUARDED_BY(mu_);
};

}  // namespace spacehub::service
