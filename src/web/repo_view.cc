#include "web/repo_view.h"

#include "service/access.h"
#include "web/file_paths.h"
#include "web/format.h"
#include "web/space_view.h"

namespace spacehub::web {

Result<RepoId> RouteRepoId(const http::Request& req, RepoType type) {
  auto id = MakeRepoId(type, req.Param("ns"), req.Param("name"));
  if (!id.ok()) return Status::RepoNotFound();
  return id;
}

Result<RepoHeader> LoadRepoHeader(const WebContext& ctx, const Visitor& visitor, const RepoId& id,
                                  std::string_view tab) {
  RepoHeader h;
  if (id.type == RepoType::kSpace) {
    SH_ASSIGN_OR_RETURN(SpaceHeader s, LoadSpaceHeader(ctx, visitor, id, tab));
    h.row = std::move(s.row);
    h.can_write = s.can_manage;
    h.data = std::move(s.data);
    h.data["is_space"] = true;
    h.data["can_write"] = h.can_write;
    return h;
  }
  SH_ASSIGN_OR_RETURN(h.row, service::RequireReadable(ctx.hub(), visitor.caller, id));
  h.can_write = auth::CanWrite(visitor.caller, id.ns);
  h.data = {{"ns", id.ns},
            {"name", id.name},
            {"full", id.Full()},
            {"base", RepoPath(id)},
            {"private", h.row.is_private},
            {"kind", std::string(RepoKindLabel(id.type))},
            {"is_space", false},
            {"can_write", h.can_write},
            {"tab_" + std::string(tab), true}};
  return h;
}

Status AddRefSwitcher(const WebContext& ctx, const Visitor& visitor, const RepoId& id,
                      std::string_view kind, std::string_view rev, std::string_view path,
                      nlohmann::json& data) {
  SH_ASSIGN_OR_RETURN(repo::Refs refs, ctx.services().refs.Refs(visitor.caller, id));
  const std::string base = RepoPath(id);
  auto items = [&](const std::vector<repo::RefInfo>& list) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : list) {
      out.push_back({{"name", r.name}, {"url", RevPath(base, kind, r.name, path)}});
    }
    return out;
  };
  data["ref_branches"] = items(refs.branches);
  data["ref_tags"] = items(refs.tags);
  data["rev"] = std::string(rev);
  return Status::Ok();
}

}  // namespace spacehub::web
