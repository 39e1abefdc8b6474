// SpaceIndex: subdomain -> Space, for routing by Host. Built from the Space directory
// (service/space_directory.h) and rebuilt when a
// name is not found (a Space created or renamed since), at most once per `min_refresh` so that a
// stream of requests for unknown hosts cannot turn into a stream of table scans.
// Two Spaces whose names map to one subdomain ("a_b" and "a-b"): the older one (lower id) wins.
// Thread-safe: lookups share a lock with the (rare) rebuild.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "core/mutex.h"
#include "core/repo_id.h"
#include "service/space_directory.h"

namespace spacehub::proxy {

class SpaceIndex final {
 public:
  // `clock` (its steady time) paces the rebuilds; it outlives the index.
  SpaceIndex(service::SpaceDirectory& spaces, std::chrono::milliseconds min_refresh,
             const Clock& clock = Clock::System());
  SpaceIndex(const SpaceIndex&) = delete;
  SpaceIndex& operator=(const SpaceIndex&) = delete;

  std::optional<RepoId> Find(const std::string& subdomain) EXCLUDES(mu_);
  // How long until a miss may rebuild again (zero: now). A caller that can wait asynchronously
  // retries after it, so that a Space created a moment ago is found without extra scans.
  std::chrono::milliseconds RefreshDelay() EXCLUDES(mu_);
  // The entry led to a Space that no longer exists under that name: the next miss may rebuild.
  void Forget(const std::string& subdomain) EXCLUDES(mu_);

 private:
  Status Rebuild() REQUIRES(mu_);

  service::SpaceDirectory& spaces_;
  const std::chrono::milliseconds min_refresh_;
  const Clock& clock_;
  Mutex mu_;
  std::unordered_map<std::string, RepoId> by_subdomain_ GUARDED_BY(mu_);
  std::optional<int64_t> built_at_ GUARDED_BY(mu_);  // Clock::SteadyMillis
};

}  // namespace spacehub::proxy
