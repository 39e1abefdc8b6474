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

Status CheckHardwareGrant(Hub& hub, const std::optional<auth::Principal>& who,
                          const std::string& owner, const Flavor& flavor) {
  if (flavor.free || (who && who->user.is_admin)) return Status::Ok();
  SH_ASSIGN_OR_RETURN(db::Account account, hub.db.FindAccount(owner));
  SH_ASSIGN_OR_RETURN(std::vector<db::HardwareGrant> grants, hub.db.ListHardwareGrants(account.id));
  for (const auto& g : grants) {
    if (g.flavor == flavor.name || g.flavor == "*") return Status::Ok();
  }
  return Status::PermissionDenied(
      "'" + owner + "' may not use the hardware '" + flavor.name +
      "': upgraded hardware needs a grant from this hub's administrator (the hub's equivalent of "
      "a payment method or a community grant). Ask an administrator to run: spacehub admin "
      "hardware grant " +
      owner + " " + flavor.name);
}

}  // namespace spacehub::service
