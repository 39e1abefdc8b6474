#include "service/snapshot_cache.h"

namespace spacehub::service {

std::shared_ptr<const CommitSnapshot> SnapshotCache::Find(const std::string& commit) {
  MutexLock lock(mu_);
  auto it = entries_.find(commit);
  return it == entries_.end() ? nullptr : it->second;
}

void SnapshotCache::Put(const std::string& commit, std::shared_ptr<const CommitSnapshot> snapshot) {
  MutexLock lock(mu_);
  if (entries_.size() >= capacity_) entries_.clear();
  entries_[commit] = std::move(snapshot);
}

}  // namespace spacehub::service
