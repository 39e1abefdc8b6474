#include "auth/principal.h"

#include <strings.h>

namespace spacehub::auth {
namespace {

bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// The user's role on `ns`: admin on their own namespace, their membership role in an org.
std::optional<db::Role> RoleOn(const Principal& p, std::string_view ns) {
  if (SameName(p.user.name, ns)) return db::Role::kAdmin;
  for (const auto& m : p.orgs) {
    if (SameName(m.org_name, ns)) return m.role;
  }
  return std::nullopt;
}

}  // namespace

bool CanRead(const std::optional<Principal>& who, const db::RepoRow& repo) {
  if (!repo.is_private) return true;
  if (!who) return false;
  return who->user.is_admin || RoleOn(*who, repo.repo.ns).has_value();
}

bool CanSeeNamespace(const std::optional<Principal>& who, std::string_view ns) {
  return who && (who->user.is_admin || RoleOn(*who, ns).has_value());
}

bool CanWrite(const std::optional<Principal>& who, std::string_view ns) {
  if (!who || who->token.role < db::Role::kWrite) return false;
  if (who->user.is_admin) return true;
  auto role = RoleOn(*who, ns);
  return role && *role >= db::Role::kWrite;
}

bool CanAdmin(const std::optional<Principal>& who, std::string_view ns) {
  if (!who || who->token.role < db::Role::kWrite) return false;
  if (who->user.is_admin) return true;
  auto role = RoleOn(*who, ns);
  return role && *role == db::Role::kAdmin;
}

std::vector<std::string> VisibleNamespaces(const std::optional<Principal>& who) {
  std::vector<std::string> out;
  if (!who) return out;
  out.push_back(who->user.name);
  for (const auto& m : who->orgs) out.push_back(m.org_name);
  return out;
}

}  // namespace spacehub::auth
