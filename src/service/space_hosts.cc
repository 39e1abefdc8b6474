#include "service/space_hosts.h"

#include "core/space_host_label.h"

namespace spacehub::service {

Status ForEachSpace(db::MetadataStore& db, const std::function<Status(const db::RepoRow&)>& visit) {
  db::RepoQuery q;
  q.type = RepoType::kSpace;
  q.sort = db::RepoSort::kId;
  q.all_private = true;
  q.limit = 1000;
  for (q.offset = 0;; q.offset += q.limit) {
    SH_ASSIGN_OR_RETURN(std::vector<db::RepoRow> rows, db.ListRepos(q));
    for (const auto& row : rows) SH_TRY(visit(row));
    if (rows.size() < q.limit) break;
  }
  return Status::Ok();
}

Status CheckSpaceHostFree(Hub& hub, const Caller& who, const db::RepoRow& row, bool only_older) {
  if (row.repo.type != RepoType::kSpace) return Status::Ok();
  const std::string label = SpaceHostLabel(row.repo.ns, row.repo.name);
  return ForEachSpace(hub.db, [&](const db::RepoRow& other) -> Status {
    if (other.id == row.id || (only_older && other.id > row.id)) return Status::Ok();
    if (SpaceHostLabel(other.repo.ns, other.repo.name) != label) return Status::Ok();
    const std::string whose =
        auth::CanRead(who, other) ? "the Space " + other.repo.Full() : "another Space";
    return Status::Conflict("The Space " + row.repo.Full() + " would be visited at the host '" +
                            label + "', which " + whose + " already has")
        .WithReason("SpaceHostTaken");
  });
}

}  // namespace spacehub::service
