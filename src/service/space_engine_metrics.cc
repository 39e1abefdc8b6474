// SpaceEngine::Usage: the metrics of a Space's running instance, read from the backend (cgroup and
// /data use) of the instance that serves visitors now. Called from API threads; the backend is
// thread-safe and only the published view is read (under mu_).
#include "service/space_engine.h"

namespace spacehub::service {

runtime::InstanceUsage SpaceEngine::Usage(int64_t repo_id) {
  std::string key;
  {
    MutexLock lock(mu_);
    auto it = views_.find(repo_id);
    if (it == views_.end() || it->second.instance_key.empty()) return {};
    key = it->second.instance_key;
  }
  return backend_.Usage(key);
}

}  // namespace spacehub::service
