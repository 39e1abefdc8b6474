// SpaceService::Logs: opens a Space's build or run log for the logs API. The engine writes run-log
// lines as "<epoch millis> <text>" and build-log lines as plain text; both are redacted when
// written, and again here with the secrets as they are now (a secret added later is hidden in
// older lines too).

#include "runtime/redactor.h"
#include "service/access.h"
#include "service/space_service.h"

namespace spacehub::service {

Result<SpaceLogStream> SpaceService::Logs(const Caller& who, const RepoId& id, bool build,
                                          size_t tail) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireManage(who, id));
  SpaceLogStream out;
  out.repo_id = row.id;
  std::vector<std::string> values;
  if (auto secrets = SecretEnvironment(row); secrets.ok()) {
    for (auto& [k, v] : *secrets) values.push_back(v);
  }
  std::filesystem::path path = hub_.runtime ? hub_.runtime->LogPath(row.uid, build) : "";
  out.follower =
      std::make_unique<LogFollower>(std::move(path), runtime::Redactor(std::move(values)));
  if (hub_.runtime) out.backlog = out.follower->Backlog(tail);
  return out;
}

bool SpaceService::LogIsLive(const RepoId& id, int64_t repo_id, bool build) const {
  if (!hub_.runtime) return false;
  const SpaceStage stage = hub_.runtime->Target(repo_id).stage;
  // A restart (or a new commit) passes through BUILDING on its way back to running, even when it
  // reuses the build: a followed run log stays open through it, and ends once the Space stops
  // (paused, sleeping, an error stage) or is deleted.
  const bool live = build ? stage == SpaceStage::kBuilding || stage == SpaceStage::kRunningBuilding
                          : stage == SpaceStage::kBuilding || stage == SpaceStage::kAppStarting ||
                                stage == SpaceStage::kRunning ||
                                stage == SpaceStage::kRunningBuilding;
  if (!live) return false;
  // The engine reports a Space it has no view of as BUILDING (a Space created a moment ago), and
  // a deleted one has none either: only the database tells them apart (a point lookup per poll).
  Result<db::RepoRow> row = hub_.db.FindRepo(id);
  return row.ok() && row->id == repo_id;
}

}  // namespace spacehub::service
