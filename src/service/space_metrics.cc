// SpaceService::Metrics: CPU, memory, processes and /data use of a Space's running instance for
// `GET /api/spaces/{id}/metrics` (owner only, like the logs). Thread-safe.
#include "service/access.h"
#include "service/space_service.h"

namespace spacehub::service {

Result<runtime::InstanceUsage> SpaceService::Metrics(const Caller& who, const RepoId& id) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireManage(who, id));
  if (!hub_.runtime) return runtime::InstanceUsage{};
  return hub_.runtime->Usage(row.id);
}

}  // namespace spacehub::service
