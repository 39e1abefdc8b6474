// RepoCache: a Space's listing (id, visibility; service/space_directory.h) for the proxy, kept for
// `ttl` so that a stream of visits costs one database lookup per Space per `ttl`, not one per
// request. The price: a change of
// visibility or a deletion reaches the proxy up to `ttl` late (1 s by default), which is shorter
// than any client would notice; a missing repo is not cached, so a new Space is seen at once.
// Thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "core/mutex.h"
#include "core/result.h"
#include "service/space_directory.h"

namespace spacehub::proxy {

class RepoCache final {
 public:
  // `clock` (its steady time) ages the entries; it outlives the cache.
  RepoCache(service::SpaceDirectory& spaces, std::chrono::milliseconds ttl,
            const Clock& clock = Clock::System())
      : spaces_(spaces), ttl_(ttl), clock_(clock) {}
  RepoCache(const RepoCache&) = delete;
  RepoCache& operator=(const RepoCache&) = delete;

  Result<service::SpaceListing> Find(const RepoId& id) EXCLUDES(mu_);

 private:
  struct Entry {
    service::SpaceListing row;
    int64_t at;  // Clock::SteadyMillis
  };
  service::SpaceDirectory& spaces_;
  const std::chrono::milliseconds ttl_;
  const Clock& clock_;
  Mutex mu_;
  std::unordered_map<std::string, Entry> rows_ GUARDED_BY(mu_);  // key: "ns/name", lowercase
};

}  // namespace spacehub::proxy
