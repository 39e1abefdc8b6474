// Admin console: the hardware catalog and who may use which non-free flavor.
//   GET  /-/admin/hardware          flavors (specs, price, capacity, Spaces holding each) and
//   grants POST /-/admin/hardware/grant    allow an account (user or organization) a flavor, or "*"
//   POST /-/admin/hardware/revoke   withdraw a grant
// The catalog itself is hardware.yaml (edited by the administrator, re-read on change); grants go
// through service::SetHardwareGrants, the same rules as `spacehub admin hardware grant|revoke`.
#include "service/hardware_grants.h"
#include "web/admin_common.h"
#include "web/format.h"
#include "web/routes.h"

namespace spacehub::web {
namespace {

std::string HardwarePath() { return std::string(kAdminBase) + "/hardware"; }

nlohmann::json FlavorRow(const WebContext& ctx, const service::Flavor& f) {
  std::string gpu = "—";
  if (f.gpu_count > 0) {
    gpu = std::to_string(f.gpu_count) + "× " + f.gpu_manufacturer + " " + f.gpu_model + " (" +
          std::to_string(f.gpu_memory_gb) + " GB)";
  }
  auto placed = ctx.hub().db.CountPlacedSpaces(f.name, 0);
  return {{"name", f.name},
          {"pretty", f.pretty_name.empty() ? f.name : f.pretty_name},
          {"vcpu", f.vcpu},
          {"memory", std::to_string(f.memory_gb) + " GB"},
          {"gpu", gpu},
          {"price", f.free             ? std::string("free")
                    : f.price_per_hour ? Price(*f.price_per_hour) + "/h"
                                       : std::string("—")},
          {"free", f.free},
          {"capacity", !f.capacity        ? std::string("no limit")
                       : *f.capacity == 0 ? std::string("0 (none now)")
                                          : std::to_string(*f.capacity)},
          {"placed", placed.ok() ? std::to_string(*placed) : std::string("?")}};
}

Result<http::Response> HardwarePage(const WebContext& ctx, const Visitor& visitor) {
  auto catalog = ctx.hub().hardware.Get();
  nlohmann::json flavors = nlohmann::json::array();
  nlohmann::json grantable = nlohmann::json::array();
  for (const auto& f : catalog->flavors) {
    flavors.push_back(FlavorRow(ctx, f));
    if (!f.free) grantable.push_back({{"name", f.name}});
  }
  SH_ASSIGN_OR_RETURN(auto grants, ctx.hub().db.ListHardwareGrants(std::nullopt));
  nlohmann::json grant_items = nlohmann::json::array();
  for (const auto& g : grants) {
    grant_items.push_back({{"account", g.account},
                           {"flavor", g.flavor},
                           {"all", g.flavor == "*"},
                           {"known", g.flavor == "*" || catalog->Find(g.flavor) != nullptr}});
  }
  nlohmann::json data = {{"flavors", std::move(flavors)},
                         {"grantable", std::move(grantable)},
                         {"grants", std::move(grant_items)},
                         {"default_flavor", catalog->default_flavor}};
  return RenderAdminPage(ctx, visitor, "hardware", "Hardware", "admin_hardware", std::move(data));
}

Result<http::Response> ChangeGrant(const WebContext& ctx, const Form& form, bool granted) {
  SH_TRY(service::SetHardwareGrants(ctx.hub(), form.Get("account"), {form.Get("flavor")}, granted)
             .status());
  return Redirect(HardwarePath());
}

}  // namespace

void RegisterAdminHardwarePages(http::Router& router, const WebContext& ctx) {
  using http::Method;
  router.Add(Method::kGet, HardwarePath(),
             AdminPageRoute(
                 ctx, [&ctx](http::Request&, const Visitor& v) { return HardwarePage(ctx, v); }));
  for (bool granted : {true, false}) {
    router.Add(Method::kPost, HardwarePath() + (granted ? "/grant" : "/revoke"),
               AdminFormRoute(ctx, [&ctx, granted](http::Request&, const Visitor&, const Form& f) {
                 return ChangeGrant(ctx, f, granted);
               }));
  }
}

}  // namespace spacehub::web
