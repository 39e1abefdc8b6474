// RepoCache: a Space's repo row (id, visibility) for the proxy, kept for `ttl` so that a stream of
// visits costs one database lookup per Space per `ttl`, not one per request. The price: a change of
// visibility or a deletion reaches the proxy up to `ttl` late (1 s by default), which is shorter
// than any client would notice; a missing repo is not cached, so a new Space is seen at once.
// Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/result.h"
#include "db/metadata_store.h"

namespace spacehub::proxy {

class RepoCache final {
 public:
  RepoCache(db::MetadataStore& db, std::chrono::milliseconds ttl) : db_(db), ttl_(ttl) {}
  RepoCache(const RepoCache&) = delete;
  RepoCache& operator=(const RepoCache&) = delete;

  Result<db::RepoRow> Find(const RepoId& id);

 private:
  struct Entry {
    db::RepoRow row;
    std::chrono::steady_clock::time_point at;
  };
  db::MetadataStore& db_;
  const std::chrono::milliseconds ttl_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> rows_;  // guarded by mu_; key: "ns/name", lowercase
};

}  // namespace spacehub::proxy
