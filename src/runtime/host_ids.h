// Host identities of Spaces (issue #12): every Space owns a block of 65,536 host uids and gids,
// [base, base + 65536), that no other Space, no host account and not the hub uses. Its sandboxed
// processes (the app and its builds) run as host uid/gid base + 1000, which is uid 1000 inside;
// a container Space maps its whole user namespace onto the block (podman --uidmap 0:base:65536),
// so the container's uid 1000 is the same host uid. Host root never runs a Space's code.
//
// The allocation is recorded where the Space's files are: `<spaces root>/<space uid>/host-ids`
// (root-owned, 0600), so it survives restarts and goes with the Space's directory when the Space
// is deleted. HostIdAllocator is thread-safe (one mutex; allocation is rare).
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>

#include "core/mutex.h"
#include "core/result.h"

namespace spacehub::runtime {

inline constexpr uint32_t kHostIdBlock = 65536;
inline constexpr uint32_t kSandboxUid = 1000;  // the app's uid and gid inside its sandbox

struct HostIds {
  uint32_t base = 0;  // 0: not assigned (the hub runs unprivileged; Spaces run as its uid)
  bool set() const { return base != 0; }
  uint32_t app_uid() const { return base + kSandboxUid; }
};

struct HostIdOptions {
  std::filesystem::path root;  // <data>/spaces
  // Blocks start here (rounded down to a whole block), far above accounts and /etc/subuid
  // ranges; about 50,000 blocks fit below 2^32.
  uint32_t first_base = 1'000'000'000;
  uint32_t max_blocks = 1'000'000;  // a lower cap, for tests
};

class HostIdAllocator final {
 public:
  // Reads every allocation under `root`. Blocks that would pass 2^32 - 2 are never handed out.
  explicit HostIdAllocator(HostIdOptions options);

  // The Space's block, allocating (and recording) the lowest free one on first use.
  Result<HostIds> ForSpace(const std::string& space_uid);
  // Forgets a deleted Space's block (its directory is gone or going).
  void Release(const std::string& space_uid);

  // "host-ids" file contents <-> block base (exposed for tests).
  static std::string Format(uint32_t base);
  static bool Parse(const std::string& text, uint32_t* base);

 private:
  std::filesystem::path RecordPath(const std::string& space_uid) const;

  HostIdOptions options_;
  Mutex mu_;
  std::set<uint32_t> used_ GUARDED_BY(mu_);  // bases in use
};

}  // namespace spacehub::runtime
