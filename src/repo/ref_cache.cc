#include "repo/ref_cache.h"

namespace spacehub::repo {

std::optional<std::string> RefCache::Find(const std::string& repo, const std::string& revision,
                                          Ticket* ticket) {
  MutexLock lock(mu_);
  auto it = repos_.find(repo);
  if (it == repos_.end()) {
    if (repos_.size() >= kMaxRepos) repos_.clear();
    it = repos_.emplace(repo, Entry{next_generation_++, {}}).first;
  }
  ticket->generation = it->second.generation;
  auto rev = it->second.revisions.find(revision);
  if (rev == it->second.revisions.end()) return std::nullopt;
  return rev->second;
}

void RefCache::Store(const std::string& repo, const std::string& revision,
                     const std::string& commit, Ticket ticket) {
  MutexLock lock(mu_);
  auto it = repos_.find(repo);
  if (it == repos_.end() || it->second.generation != ticket.generation) return;
  if (it->second.revisions.size() >= kMaxRevisionsPerRepo) it->second.revisions.clear();
  it->second.revisions[revision] = commit;
}

void RefCache::Invalidate(const std::string& repo) {
  MutexLock lock(mu_);
  auto it = repos_.find(repo);
  if (it == repos_.end()) return;
  it->second.generation = next_generation_++;
  it->second.revisions.clear();
}

}  // namespace spacehub::repo
