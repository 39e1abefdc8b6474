// HubInstance: a hub opened on a data directory — the metadata database, the git repositories, the
// LFS objects and the keys — owned together and wired into a Hub. Used by `spacehub serve`,
// `spacehub admin` and tests. Data layout (ARCHITECTURE.md):
//   hub.db · repos/<type>s/<ns>/<name>.git · lfs/objects/.. · xet/xorbs/.. · keys/ (LFS URL key,
//   secrets/ keyring) · hardware.yaml (the Space hardware catalog the administrator edits)
// Thread-safety: Open is not concurrent with itself on one directory; the Hub it exposes is
// thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "service/hub.h"

namespace spacehub::service {

struct BootstrapCredentials {
  std::string token;     // the administrator's write token
  std::string password;  // the administrator's password for the web UI
};

class HubInstance final {
 public:
  // `clock` is the hub's one "now" (services, scheduler, identity, store); tests pass a FakeClock.
  static Result<std::unique_ptr<HubInstance>> Open(const std::filesystem::path& data_dir,
                                                   HubOptions options,
                                                   const Clock& clock = Clock::System());
  ~HubInstance();
  HubInstance(const HubInstance&) = delete;
  HubInstance& operator=(const HubInstance&) = delete;

  Hub& hub() { return *hub_; }
  // On a hub without users: creates the administrator "admin" with a write token and a random
  // password (for the web UI), and returns both (shown once). Otherwise nullopt.
  Result<std::optional<BootstrapCredentials>> BootstrapAdmin();

 private:
  HubInstance() = default;
  std::unique_ptr<db::MetadataStore> db_;
  std::unique_ptr<repo::RepoStore> repos_;
  std::unique_ptr<repo::LfsStore> lfs_;
  std::unique_ptr<repo::XorbStore> xorbs_;
  std::unique_ptr<auth::Identity> identity_;
  std::unique_ptr<auth::LoginThrottle> throttle_;
  std::unique_ptr<auth::Sessions> sessions_;
  std::unique_ptr<SecretBox> secrets_;
  std::unique_ptr<HardwareCatalog> hardware_;
  std::unique_ptr<HardwareScheduler> scheduler_;
  std::unique_ptr<Hub> hub_;
};

}  // namespace spacehub::service
