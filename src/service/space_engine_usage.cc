// What the Space engine shares with Jobs (issue #16): the hardware usage record of every instance
// it runs (flavor-seconds per owner, db/job_store.h UsageStore), and a Space's built environment
// for jobs that run in it.
#include <spdlog/spdlog.h>

#include "runtime/podman/podman.h"
#include "service/space_engine.h"

namespace spacehub::service {

void SpaceEngine::OpenUsage(const db::RepoRow& row, const std::string& key,
                            const std::string& flavor) {
  auto owner = hub_.db.FindAccount(row.repo.ns);
  if (!owner.ok()) return;
  db::UsageRecord r;
  r.owner_id = owner->id;
  r.kind = "space";
  r.subject = row.repo.Full();
  r.flavor = flavor.empty() ? hub_.hardware.Get()->default_flavor : flavor;
  r.started_at = clock_.NowMillis();
  auto id = hub_.db.usage().OpenUsage(r);
  if (!id.ok()) {
    spdlog::warn("space runtime: cannot record the usage of {}: {}", r.subject,
                 id.status().message());
    return;
  }
  usage_[key] = *id;
}

void SpaceEngine::CloseUsage(const std::string& key) {
  auto it = usage_.find(key);
  if (it == usage_.end()) return;
  (void)hub_.db.usage().CloseUsage(it->second, clock_.NowMillis());
  usage_.erase(it);
}

void SpaceEngine::HeartbeatUsage() {
  const int64_t now = clock_.NowMillis();
  if (usage_.empty() || now - usage_heartbeat_at_ < 15'000) return;
  usage_heartbeat_at_ = now;
  (void)hub_.db.usage().TouchOpenUsage(now);
}

Result<SpaceJobEnvironment> SpaceEngine::JobEnvironment(int64_t repo_id) {
  View v;
  {
    MutexLock lock(mu_);
    auto it = views_.find(repo_id);
    if (it != views_.end()) v = it->second;
  }
  if (v.built_dir.empty() || v.uid.empty()) {
    return spacehub::Status::Conflict(
        "The Space has no completed build on this hub yet: a job runs in the Space's built "
        "environment, so start the Space once (or wait for its build) and run the job again");
  }
  SpaceJobEnvironment env;
  env.sdk = v.sdk;
  env.app_dir = v.built_dir;
  SH_ASSIGN_OR_RETURN(env.ids, backend_.SpaceIds(v.uid));
  if (v.sdk == "docker") {
    runtime::ContainerSpec c;
    c.store = runtime::SpacePodmanStore(options_.data_dir / "spaces", v.uid).root;
    // The build directory is named by its commit, as is the image built from it.
    c.image = runtime::DockerImageTag(v.uid, v.built_dir.filename().string());
    if (runtime::ImageUser(options_.podman, runtime::PodmanStore{c.store}, c.image).empty()) {
      c.user = std::to_string(runtime::kSandboxUid);
    }
    env.container = std::move(c);
  }
  return env;
}

}  // namespace spacehub::service
