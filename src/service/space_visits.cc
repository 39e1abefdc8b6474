#include "service/space_visits.h"

#include <openssl/crypto.h>

#include <charconv>

#include "core/crypto.h"

namespace spacehub::service {
namespace {

// "a.b.c.d" split on '.', exactly four parts.
bool Split4(std::string_view s, std::string_view (&out)[4]) {
  for (int i = 0; i < 3; ++i) {
    size_t dot = s.find('.');
    if (dot == std::string_view::npos) return false;
    out[i] = s.substr(0, dot);
    s.remove_prefix(dot + 1);
  }
  out[3] = s;
  return s.find('.') == std::string_view::npos;
}

bool ParseInt(std::string_view s, int64_t& v) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

}  // namespace

std::string SpaceVisits::Mac(int64_t user_id, int64_t repo_id, int64_t expires) const {
  // A label of its own, so no other signature the key makes (LFS URLs) can pass for a grant.
  return HmacSha256Hex(hub_.options.lfs_signing_key,
                       "spacehub space visit\n" + std::to_string(user_id) + "\n" +
                           std::to_string(repo_id) + "\n" + std::to_string(expires));
}

std::string SpaceVisits::Grant(const auth::Principal& who, int64_t repo_id, int64_t ttl_ms) const {
  const int64_t expires = hub_.clock.NowMillis() + ttl_ms;
  return std::to_string(who.user.id) + "." + std::to_string(repo_id) + "." +
         std::to_string(expires) + "." + Mac(who.user.id, repo_id, expires);
}

Result<Caller> SpaceVisits::Redeem(std::string_view grant, int64_t repo_id) const {
  std::string_view parts[4];
  int64_t user_id = 0, granted_repo = 0, expires = 0;
  if (grant.size() > 200 || !Split4(grant, parts) || !ParseInt(parts[0], user_id) ||
      !ParseInt(parts[1], granted_repo) || !ParseInt(parts[2], expires)) {
    return Caller();
  }
  if (granted_repo != repo_id || expires < hub_.clock.NowMillis()) return Caller();
  const std::string expected = Mac(user_id, granted_repo, expires);
  if (parts[3].size() != expected.size() ||
      CRYPTO_memcmp(parts[3].data(), expected.data(), expected.size()) != 0) {
    return Caller();
  }
  auto user = hub_.db.FindAccountById(user_id);
  if (!user.ok())
    return user.status().code() == Code::kNotFound ? Result<Caller>(Caller()) : user.status();
  auth::Principal p;
  p.user = std::move(*user);
  // Only ever a reader: a grant opens the app, nothing else on the hub.
  p.token.user_id = p.user.id;
  p.token.name = "space visit";
  p.token.role = db::Role::kRead;
  SH_ASSIGN_OR_RETURN(p.orgs, hub_.db.ListMemberships(p.user.id));
  return Caller(std::move(p));
}

}  // namespace spacehub::service
