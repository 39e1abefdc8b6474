// SpaceDirectory: the Space proxy's narrow view of the hub's Spaces: which Space a host label
// names, a Space's visibility, and whether a visitor may see it. The proxy (src/proxy) reaches the
// database only through it (layering: proxy -> service -> db); HubSpaceDirectory is the hub's
// implementation, a test can give the proxy its own.
// Thread-safety: implementations are safe for concurrent use (the proxy calls them from every
// visitor connection's strand).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "core/repo_id.h"
#include "core/result.h"
#include "service/access.h"

namespace spacehub::service {

// What the proxy knows about one Space.
struct SpaceListing {
  int64_t id = 0;  // the repo id the Space runtime knows it by (SpaceRuntimeHook)
  RepoId repo;
  bool is_private = false;
};

class SpaceDirectory {
 public:
  virtual ~SpaceDirectory() = default;
  // Every Space by its host label (core/space_host_label.h). Two Spaces on one label (possible for
  // rows older than the check in space_hosts.h): the older one (lower id) wins.
  virtual Result<std::unordered_map<std::string, RepoId>> SpacesByLabel() = 0;
  // The Space named `id`; RepoNotFound when there is none.
  virtual Result<SpaceListing> FindSpace(const RepoId& id) = 0;
  // Whether `who` may see `space` (auth::CanRead: public, or a member of its namespace, or admin).
  virtual bool CanVisit(const Caller& who, const SpaceListing& space) const = 0;
};

// The hub's directory: straight to the hub's metadata store (no cache; the proxy keeps its own).
class HubSpaceDirectory final : public SpaceDirectory {
 public:
  explicit HubSpaceDirectory(Hub& hub) : hub_(hub) {}

  Result<std::unordered_map<std::string, RepoId>> SpacesByLabel() override;
  Result<SpaceListing> FindSpace(const RepoId& id) override;
  bool CanVisit(const Caller& who, const SpaceListing& space) const override;

 private:
  Hub& hub_;
};

}  // namespace spacehub::service
