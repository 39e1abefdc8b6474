// Xet CAS access tokens: what the hub hands out at /api/{type}s/{id}/xet-{read,write}-token/{rev}
// and the CAS routes take as a bearer token. Self-contained like a JWT: "xet1.<hex payload>.<hmac>"
// with an HMAC-SHA256 under the hub's signing key over the payload (repo, scope, user, token role,
// expiry), so checking one needs no database row. A token grants one repo, read or write, until it
// expires; every use re-checks that the user may still read (or write) that repo.
// Thread-safe (stateless).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "service/access.h"

namespace spacehub::service {

struct XetGrant {
  int64_t repo_id = 0;
  bool write = false;
  int64_t user_id = 0;  // 0: anonymous (read of a public repo)
  int role = 0;         // the hub token's role (db::Role) when user_id != 0
  int64_t expires_at = 0;
  // Filled by CheckXetToken: the caller as the token's user, and the repo as it is now.
  Caller caller;
  db::RepoRow repo;
};

// The token for `grant` (its repo_id, write, user_id, role and expires_at).
std::string IssueXetToken(const Hub& hub, const XetGrant& grant);

// The grant of an `Authorization: Bearer <token>` header. kUnauthenticated (401: the client
// refreshes) when missing, malformed, forged or expired; kPermissionDenied (403) when `write` is
// asked of a read token or the user may no longer write; RepoNotFound (404) when the user may no
// longer read the repo or it was deleted.
Result<XetGrant> CheckXetToken(Hub& hub, std::string_view authorization, bool write);

}  // namespace spacehub::service
