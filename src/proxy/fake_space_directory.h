// Test support for the proxy's Space lookups (SpaceIndex, RepoCache): a SpaceDirectory over a list
// the test edits, counting the calls that would each be a database read. Tests only; one thread.
#pragma once

#include <vector>

#include "core/space_host_label.h"
#include "service/space_directory.h"

namespace spacehub::proxy {

class FakeSpaceDirectory final : public service::SpaceDirectory {
 public:
  // Adds a Space (ids grow with the order of adding, as in the database).
  const service::SpaceListing& Add(std::string ns, std::string name, bool is_private = false) {
    service::SpaceListing s;
    s.id = static_cast<int64_t>(spaces.size()) + 1;
    s.repo = RepoId{RepoType::kSpace, std::move(ns), std::move(name)};
    s.is_private = is_private;
    spaces.push_back(std::move(s));
    return spaces.back();
  }

  Result<std::unordered_map<std::string, RepoId>> SpacesByLabel() override {
    ++scans;
    std::unordered_map<std::string, RepoId> out;
    for (const auto& s : spaces) out.emplace(SpaceHostLabel(s.repo.ns, s.repo.name), s.repo);
    return out;
  }
  Result<service::SpaceListing> FindSpace(const RepoId& id) override {
    ++finds;
    for (const auto& s : spaces) {
      if (s.repo.ns == id.ns && s.repo.name == id.name) return s;
    }
    return Status::RepoNotFound();
  }
  bool CanVisit(const service::Caller&, const service::SpaceListing& space) const override {
    return !space.is_private;
  }

  std::vector<service::SpaceListing> spaces;
  int scans = 0;
  int finds = 0;
};

}  // namespace spacehub::proxy
