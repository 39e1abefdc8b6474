// Hardware grants: which user or organization may use which non-free flavor, as the administrator
// decides — one set of rules for `spacehub admin hardware grant|revoke` and the admin console's
// Hardware page. The account must exist; a grant names a flavor of the current catalog or "*"
// (every flavor); a revoke takes any name, so a grant of a flavor since removed from hardware.yaml
// can still be withdrawn. Every name is checked before anything is written: a bad one changes
// nothing.
//
// No permission check here: the callers are the administrator's own tools (the CLI works on the
// data directory; the admin pages admit only site administrators). Thread-safe (stateless).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.h"
#include "service/hub.h"

namespace spacehub::service {

// Grants (`granted`) or revokes `flavors` for `account`; returns the account. kNotFound for an
// unknown account, kInvalidArgument for an unknown flavor (grant) or an empty list or name.
// Whether `owner` (a namespace) may use `flavor`: free flavors and site administrators always;
// otherwise a grant of that flavor or "*". PermissionDenied saying whom to ask. Spaces and Jobs
// both ask it.
Status CheckHardwareGrant(Hub& hub, const std::optional<auth::Principal>& who,
                          const std::string& owner, const Flavor& flavor);

Result<db::Account> SetHardwareGrants(Hub& hub, std::string_view account,
                                      const std::vector<std::string>& flavors, bool granted);

}  // namespace spacehub::service
