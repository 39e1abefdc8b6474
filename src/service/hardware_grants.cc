#include "service/hardware_grants.h"

namespace spacehub::service {

Result<db::Account> SetHardwareGrants(Hub& hub, std::string_view account,
                                      const std::vector<std::string>& flavors, bool granted) {
  if (flavors.empty()) return Status::InvalidArgument("Name at least one flavor");
  SH_ASSIGN_OR_RETURN(db::Account acc, hub.db.FindAccount(account));
  auto catalog = hub.hardware.Get();
  for (const auto& f : flavors) {
    if (f.empty()) return Status::InvalidArgument("A flavor name is empty");
    if (granted && f != "*" && !catalog->Find(f)) {
      return Status::InvalidArgument("Unknown flavor '" + f +
                                     "'; hardware.yaml lists: " + catalog->Names());
    }
  }
  for (const auto& f : flavors) SH_TRY(hub.db.SetHardwareGrant(acc.id, f, granted));
  return acc;
}

}  // namespace spacehub::service
