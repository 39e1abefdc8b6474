#include "service/space_directory.h"

#include "core/space_host_label.h"
#include "service/space_hosts.h"

namespace spacehub::service {

Result<std::unordered_map<std::string, RepoId>> HubSpaceDirectory::SpacesByLabel() {
  std::unordered_map<std::string, RepoId> by_label;
  SH_TRY(ForEachSpace(hub_.db, [&](const db::RepoRow& row) -> Status {
    by_label.emplace(SpaceHostLabel(row.repo.ns, row.repo.name), row.repo);  // older rows first
    return Status::Ok();
  }));
  return by_label;
}

Result<SpaceListing> HubSpaceDirectory::FindSpace(const RepoId& id) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, hub_.db.FindRepo(id));
  return SpaceListing{row.id, row.repo, row.is_private};
}

bool HubSpaceDirectory::CanVisit(const Caller& who, const SpaceListing& space) const {
  db::RepoRow row;
  row.id = space.id;
  row.repo = space.repo;
  row.is_private = space.is_private;
  return auth::CanRead(who, row);
}

}  // namespace spacehub::service
