// Principal: who is making a request, resolved from an access token, and the permission rules that
// every endpoint applies (read and write on a namespace or a repository).
// Value type; thread-safe for const use.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/metadata_store.h"

namespace spacehub::auth {

struct Principal {
  db::Account user;
  db::Token token;                   // the token used (its role caps what it may do)
  std::vector<db::Membership> orgs;  // organizations the user belongs to
  int64_t session_id = 0;            // the web session when signed in with a cookie, else 0
};

// Reading a repo: public ones for everyone; private ones for their namespace's owner, members of
// the owning organization (any role) and site administrators.
bool CanRead(const std::optional<Principal>& who, const db::RepoRow& repo);
// Writing under a namespace needs a write token and: the namespace is the user's own, or an
// organization where the user has the write or admin role, or the user is a site administrator.
bool CanWrite(const std::optional<Principal>& who, std::string_view ns);
// Seeing what belongs to a namespace that is not a repo (its jobs): its user, the organization's
// members (any role) and site administrators.
bool CanSeeNamespace(const std::optional<Principal>& who, std::string_view ns);
// Managing a namespace's settings (visibility, delete) needs admin in an organization.
bool CanAdmin(const std::optional<Principal>& who, std::string_view ns);
// Namespaces whose private repos `who` may list.
std::vector<std::string> VisibleNamespaces(const std::optional<Principal>& who);

}  // namespace spacehub::auth
