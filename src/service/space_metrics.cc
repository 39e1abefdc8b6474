// SpaceService::Metrics: CPU, memory, processes and /data use of a Space's running instance for
// `GET /api/spaces/{id}/metrics` (owner only, like the logs): access is checked once, then the
// stream samples as often as it needs. Thread-safe.
#include "service/access.h"
#include "service/space_service.h"

namespace spacehub::service {

Result<std::function<runtime::InstanceUsage()>> SpaceService::Metrics(const Caller& who,
                                                                      const RepoId& id) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireManage(who, id));
  SpaceRuntimeHook* runtime = hub_.runtime;
  int64_t repo_id = row.id;
  return std::function<runtime::InstanceUsage()>(
      [runtime, repo_id] { return runtime ? runtime->Usage(repo_id) : runtime::InstanceUsage{}; });
}

}  // namespace spacehub::service
