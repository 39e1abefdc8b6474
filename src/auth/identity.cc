#include "auth/identity.h"

#include <strings.h>

#include "core/crypto.h"

namespace spacehub::auth {
namespace {

constexpr std::string_view kTokenPrefix = "hf_";
constexpr size_t kTokenRandomChars = 34;
constexpr int64_t kTouchTokenEveryMs = 60 * 1000;

Status InvalidCredentials() {
  return Status::Unauthenticated("Invalid credentials in Authorization header");
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && strncasecmp(s.data(), prefix.data(), prefix.size()) == 0;
}

// Extracts the token from a Bearer or Basic credential.
Result<std::string> TokenFromHeader(std::string_view header) {
  if (StartsWithNoCase(header, "Bearer ")) {
    std::string_view t = header.substr(7);
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    return std::string(t);
  }
  if (StartsWithNoCase(header, "Basic ")) {
    auto decoded = Base64Decode(header.substr(6));
    if (!decoded.ok()) return InvalidCredentials();
    size_t colon = decoded->find(':');
    if (colon == std::string::npos) return InvalidCredentials();
    return decoded->substr(colon + 1);
  }
  return InvalidCredentials();
}

}  // namespace

std::string HashToken(std::string_view token) { return Sha256Hex(token); }

Result<db::Account> Identity::CreateUser(std::string_view name, bool is_admin) {
  SH_TRY(ValidateNamespace(name));
  db::Account a;
  a.name = std::string(name);
  a.kind = db::AccountKind::kUser;
  a.fullname = std::string(name);
  a.is_admin = is_admin;
  a.created_at = clock_.NowMillis();
  return store_.CreateAccount(a);
}

Result<db::Account> Identity::CreateOrg(std::string_view name,
                                        const std::vector<std::string>& members) {
  SH_TRY(ValidateNamespace(name));
  // Validate every member before writing anything.
  std::vector<std::pair<db::Account, db::Role>> resolved;
  for (const auto& spec : members) {
    std::string_view s = spec;
    db::Role role = db::Role::kWrite;
    size_t colon = s.find(':');
    if (colon != std::string_view::npos) {
      SH_ASSIGN_OR_RETURN(role, db::ParseRole(s.substr(colon + 1)));
      s = s.substr(0, colon);
    }
    SH_ASSIGN_OR_RETURN(db::Account user, store_.FindAccount(s));
    if (user.kind != db::AccountKind::kUser) {
      return Status::InvalidArgument("'" + user.name + "' is an organization, not a user");
    }
    resolved.emplace_back(std::move(user), role);
  }
  db::Account org;
  org.name = std::string(name);
  org.kind = db::AccountKind::kOrg;
  org.fullname = std::string(name);
  org.created_at = clock_.NowMillis();
  SH_ASSIGN_OR_RETURN(org, store_.CreateAccount(org));
  for (const auto& [user, role] : resolved) SH_TRY(store_.SetMembership(org.id, user.id, role));
  return org;
}

Status Identity::AddMember(std::string_view org_name, std::string_view user_name, db::Role role) {
  SH_ASSIGN_OR_RETURN(db::Account org, store_.FindAccount(org_name));
  if (org.kind != db::AccountKind::kOrg) {
    return Status::InvalidArgument("'" + org.name + "' is not an organization");
  }
  SH_ASSIGN_OR_RETURN(db::Account user, store_.FindAccount(user_name));
  if (user.kind != db::AccountKind::kUser) {
    return Status::InvalidArgument("'" + user.name + "' is not a user");
  }
  return store_.SetMembership(org.id, user.id, role);
}

Result<IssuedToken> Identity::CreateToken(std::string_view user_name, db::Role role,
                                          std::string_view name) {
  if (role == db::Role::kAdmin) {
    return Status::InvalidArgument("A token's role is read or write");
  }
  SH_ASSIGN_OR_RETURN(db::Account user, store_.FindAccount(user_name));
  if (user.kind != db::AccountKind::kUser) {
    return Status::InvalidArgument("Tokens belong to users; '" + user.name +
                                   "' is an organization");
  }
  std::string text = std::string(kTokenPrefix) + RandomAlnum(kTokenRandomChars);
  SH_ASSIGN_OR_RETURN(db::Token token, store_.CreateToken(user.id, name, HashToken(text), role));
  return IssuedToken{std::move(text), std::move(token)};
}

Result<std::optional<Principal>> Identity::Authenticate(std::string_view authorization) {
  if (authorization.empty()) return std::optional<Principal>();
  SH_ASSIGN_OR_RETURN(std::string text, TokenFromHeader(authorization));
  if (text.size() < kTokenPrefix.size() || text.compare(0, 3, kTokenPrefix) != 0) {
    return InvalidCredentials();
  }
  auto token = store_.FindTokenByHash(HashToken(text));
  if (!token.ok()) {
    if (token.status().code() == Code::kNotFound) return InvalidCredentials();
    return std::move(token).take_status();
  }
  // At most one write a minute per token: "last used" is for people reading the tokens page, and
  // a write per request would serialise every API call on the database.
  const int64_t now = clock_.NowMillis();
  if (now - token->last_used_at >= kTouchTokenEveryMs) {
    SH_TRY(store_.TouchToken(token->id, now));
    token->last_used_at = now;
  }
  SH_ASSIGN_OR_RETURN(db::Account user, store_.FindAccountById(token->user_id));
  SH_ASSIGN_OR_RETURN(std::vector<db::Membership> orgs, store_.ListMemberships(user.id));
  return std::optional<Principal>(Principal{std::move(user), std::move(*token), std::move(orgs)});
}

}  // namespace spacehub::auth
