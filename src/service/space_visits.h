// SpaceVisits: how a browser gets into a private Space's app. The app is served on its own origin
// ({ns}-{name}.{domain}), where the hub's session cookie never goes; so the Space page, which knows
// its visitor, hands the app frame a grant: a short string naming the visitor and this one Space,
// with an expiry, signed with the hub's key. The proxy turns a valid grant into a cookie on the
// Space's origin (proxy/space_proxy.cc) and admits its holder as long as they may still read the
// Space: memberships are looked up again on every use, so a removed member is out at once.
// Thread-safe (reads the Hub only).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "service/access.h"

namespace spacehub::service {

inline constexpr int64_t kSpaceVisitTtlMs = 12LL * 3600 * 1000;

class SpaceVisits final {
 public:
  explicit SpaceVisits(Hub& hub) : hub_(hub) {}

  // A grant for `who` to visit the Space with repo id `repo_id` until now + `ttl_ms`.
  std::string Grant(const auth::Principal& who, int64_t repo_id,
                    int64_t ttl_ms = kSpaceVisitTtlMs) const;
  // The visitor a grant names, when it is for this Space, unexpired and correctly signed (the
  // caller still checks that they may read it); nullopt for anything else.
  Result<Caller> Redeem(std::string_view grant, int64_t repo_id) const;

 private:
  std::string Mac(int64_t user_id, int64_t repo_id, int64_t expires) const;

  Hub& hub_;
};

}  // namespace spacehub::service
