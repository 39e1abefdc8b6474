// Identity: users, organizations, memberships and access tokens on top of the MetadataStore.
//
// Tokens are "hf_" + 34 random alphanumerics (the JS client refuses tokens without the prefix).
// Only their SHA-256 is stored: a token has ~200 bits of entropy, so a fast hash is enough (a slow
// password hash buys nothing against brute force here and would cost every request).
//
// Thread-safety: all methods may be called concurrently. Borrows the store; the caller keeps it
// alive.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.h"
#include "core/clock.h"
#include "db/metadata_store.h"

namespace spacehub::auth {

struct IssuedToken {
  std::string text;  // shown once, never stored
  db::Token token;
};

class Identity final {
 public:
  // `clock` dates the accounts it creates.
  explicit Identity(db::MetadataStore& store, const Clock& clock = Clock::System())
      : store_(store), clock_(clock) {}

  Result<db::Account> CreateUser(std::string_view name, bool is_admin);
  // Creates the organization and adds members; each member "user[:role]" (role defaults to write).
  Result<db::Account> CreateOrg(std::string_view name, const std::vector<std::string>& members);
  Status AddMember(std::string_view org, std::string_view user, db::Role role);
  Result<IssuedToken> CreateToken(std::string_view user, db::Role role, std::string_view name);

  // Resolves an `Authorization` header value: "Bearer <token>" or "Basic base64(any:<token>)".
  // Empty header → nullopt (anonymous). A malformed or unknown token → kUnauthenticated with the
  // exact message the Hub uses ("Invalid credentials in Authorization header"), which clients
  // check.
  Result<std::optional<Principal>> Authenticate(std::string_view authorization);

 private:
  db::MetadataStore& store_;
  const Clock& clock_;
};

std::string HashToken(std::string_view token);

}  // namespace spacehub::auth
