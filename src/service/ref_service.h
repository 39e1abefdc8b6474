// RefService: refs, history, branches and tags of a repository.
// Thread-safe: holds only a reference to the Hub.
#pragma once

#include <string>
#include <vector>

#include "repo/types.h"
#include "service/access.h"

namespace spacehub::service {

struct CommitPage {
  std::vector<repo::CommitInfo> commits;
  size_t total = 0;
};

class RefService final {
 public:
  explicit RefService(Hub& hub) : hub_(hub) {}

  Result<repo::Refs> Refs(const Caller& who, const RepoId& id);
  Result<CommitPage> Commits(const Caller& who, const RepoId& id, const std::string& revision,
                             size_t offset, size_t limit);
  // `starting_point` empty: the head of main.
  Status CreateBranch(const Caller& who, const RepoId& id, const std::string& branch,
                      const std::string& starting_point);
  Status DeleteBranch(const Caller& who, const RepoId& id, const std::string& branch);
  Status CreateTag(const Caller& who, const RepoId& id, const std::string& revision,
                   const std::string& tag, const std::string& message);
  Status DeleteTag(const Caller& who, const RepoId& id, const std::string& tag);

 private:
  Hub& hub_;
};

}  // namespace spacehub::service
