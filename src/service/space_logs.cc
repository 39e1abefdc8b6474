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

bool SpaceService::LogIsLive(int64_t repo_id, bool build) const {
  if (!hub_.runtime) return false;
  std::string stage = hub_.runtime->Target(repo_id).stage;
  if (build) return stage == "BUILDING" || stage == "RUNNING_BUILDING";
  return stage == "APP_STARTING" || stage == "RUNNING" || stage == "RUNNING_BUILDING";
}

Result<std::filesystem::path> SpaceService::StaticFile(const Caller& who, const RepoId& id,
                                                       const std::string& path) {
  namespace fs = std::filesystem;
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireReadable(hub_, who, id));
  std::optional<fs::path> root = hub_.runtime ? hub_.runtime->StaticRoot(row.id) : std::nullopt;
  if (!root) return Status::NotFound("The Space " + id.Full() + " is not running a static app");
  std::string rel = path.empty() || path.back() == '/' ? path + "index.html" : path;
  fs::path p(rel);
  for (const auto& part : p) {
    std::string s = part.string();
    // No way out of the build, and none of the hub's own files (venv, markers) are served.
    if (s == ".." || s == "." || s.empty() || s.front() == '.' || p.is_absolute()) {
      return Status::EntryNotFound(path);
    }
  }
  std::error_code ec;
  fs::path full = fs::weakly_canonical(*root / p, ec);
  fs::path base = fs::weakly_canonical(*root, ec);
  auto rel_check = full.lexically_relative(base);
  if (ec || rel_check.empty() || *rel_check.begin() == ".." || !fs::is_regular_file(full, ec)) {
    return Status::EntryNotFound(path);
  }
  return full;
}

}  // namespace spacehub::service
