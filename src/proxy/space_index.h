// SpaceIndex: subdomain -> Space, for routing by Host. Built from the database and rebuilt when a
// name is not found (a Space created or renamed since), at most once per `min_refresh` so that a
// stream of requests for unknown hosts cannot turn into a stream of table scans.
// Two Spaces whose names map to one subdomain ("a_b" and "a-b"): the older one (lower id) wins.
// Thread-safe: lookups share a lock with the (rare) rebuild.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/repo_id.h"
#include "db/metadata_store.h"

namespace spacehub::proxy {

class SpaceIndex final {
 public:
  SpaceIndex(db::MetadataStore& db, std::chrono::milliseconds min_refresh);
  SpaceIndex(const SpaceIndex&) = delete;
  SpaceIndex& operator=(const SpaceIndex&) = delete;

  std::optional<RepoId> Find(const std::string& subdomain);
  // How long until a miss may rebuild again (zero: now). A caller that can wait asynchronously
  // retries after it, so that a Space created a moment ago is found without extra scans.
  std::chrono::milliseconds RefreshDelay();
  // The entry led to a Space that no longer exists under that name: the next miss may rebuild.
  void Forget(const std::string& subdomain);

 private:
  Status Rebuild();  // requires mu_

  db::MetadataStore& db_;
  const std::chrono::milliseconds min_refresh_;
  std::mutex mu_;
  std::unordered_map<std::string, RepoId> by_subdomain_;           // guarded by mu_
  std::optional<std::chrono::steady_clock::time_point> built_at_;  // guarded by mu_
};

}  // namespace spacehub::proxy
