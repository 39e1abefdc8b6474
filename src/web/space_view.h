// What every tab of a Space page shows at its top: name, visibility, SDK, the stage (live through
// the events stream), hardware current and requested, why it is in that stage, and the tabs the
// visitor may open. Shared by the App, Logs, Settings and Files tabs. Thread-safe (stateless).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "web/web_context.h"

namespace spacehub::web {

// nlohmann::json members: clang-tidy assumes their implicit copies may throw out of a noexcept.
struct SpaceHeader {  // NOLINT(bugprone-exception-escape)
  db::RepoRow row;
  service::SpaceRuntimeView runtime;
  bool can_manage = false;  // write access on the owner: logs and settings
  nlohmann::json data;      // the space_header partial's data
};

// 404 for a Space the visitor may not read (exactly like the API). `tab`: "app", "files", "logs",
// "settings".
Result<SpaceHeader> LoadSpaceHeader(const WebContext& ctx, const Visitor& visitor, const RepoId& id,
                                    std::string_view tab);

}  // namespace spacehub::web
