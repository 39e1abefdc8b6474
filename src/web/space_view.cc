#include "web/space_view.h"

#include "service/access.h"
#include "web/format.h"

namespace spacehub::web {

Result<SpaceHeader> LoadSpaceHeader(const WebContext& ctx, const Visitor& visitor, const RepoId& id,
                                    std::string_view tab) {
  SpaceHeader h;
  SH_ASSIGN_OR_RETURN(h.row, service::RequireReadable(ctx.hub(), visitor.caller, id));
  SH_ASSIGN_OR_RETURN(h.runtime, ctx.services().spaces.Runtime(visitor.caller, id));
  h.can_manage = auth::CanWrite(visitor.caller, id.ns);
  const std::string stage(wire::SpaceStageName(h.runtime.stage));
  const std::string base = RepoPath(id);
  h.data = {
      {"ns", id.ns},
      {"name", id.name},
      {"full", id.Full()},
      {"base", base},
      {"private", h.row.is_private},
      {"sdk", h.row.sdk.empty() ? nlohmann::json() : nlohmann::json(h.row.sdk)},
      {"stage", stage},
      {"stage_class", "stage-" + stage},
      {"hardware_current", h.runtime.hardware_current.value_or("none yet")},
      {"hardware_requested", h.runtime.hardware_requested},
      {"hardware_pending", h.runtime.hardware_requested !=
                               h.runtime.hardware_current.value_or(h.runtime.hardware_requested)},
      {"stage_message", h.runtime.error_message.value_or(h.runtime.message.value_or(""))},
      {"events_url", "/api/spaces/" + id.Full() + "/events?follow=true&tail=1"},
      {"can_manage", h.can_manage},
      {"tab_" + std::string(tab), true}};
  return h;
}

}  // namespace spacehub::web
