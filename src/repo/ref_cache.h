// RefCache: remembers what each revision name of a repository resolved to, so the hot read paths
// (repo info, downloads) do not open the git repository to read a ref on every request.
//
// Correctness rests on one rule: every ref update goes through RepoStore (which invalidates), or is
// reported with RepoStore::InvalidateRefs (git receive-pack). A per-repo generation makes the
// read-then-insert race safe: a lookup that started before an invalidation cannot store its
// (possibly stale) answer after it.
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/mutex.h"

namespace spacehub::repo {

class RefCache final {
 public:
  struct Ticket {
    uint64_t generation = 0;
  };

  // Cached commit id for (repo key, revision), and a ticket to store a fresh answer with.
  std::optional<std::string> Find(const std::string& repo, const std::string& revision,
                                  Ticket* ticket);
  // Stores the answer unless the repo was invalidated since `ticket` was taken.
  void Store(const std::string& repo, const std::string& revision, const std::string& commit,
             Ticket ticket);
  void Invalidate(const std::string& repo);

 private:
  struct Entry {
    uint64_t generation = 0;
    std::unordered_map<std::string, std::string> revisions;
  };
  static constexpr size_t kMaxRepos = 100000;
  static constexpr size_t kMaxRevisionsPerRepo = 64;

  Mutex mu_;
  std::unordered_map<std::string, Entry> repos_ GUARDED_BY(mu_);
  uint64_t next_generation_ GUARDED_BY(mu_) = 1;
};

}  // namespace spacehub::repo
