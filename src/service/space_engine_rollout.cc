// Rollouts: a new commit or restart of a RUNNING app builds and starts the new version while the
// old one keeps serving (RUNNING_BUILDING); once the new one answers, visitors are sent to it and
// the old one gets `drain` to finish its requests before it is stopped. The engine's instances
// are therefore keyed "<repo id>-<n>", never reused while one may still run.
#include "service/space_engine.h"

namespace spacehub::service {

void SpaceEngine::StopKey(const std::string& key) {
  if (auto it = inside_listeners_.find(key); it != inside_listeners_.end()) {
    if (inside_.remove) inside_.remove(it->second);
    inside_listeners_.erase(it);
  }
  backend_.Stop(key);
  gpus_.Release(key);
  CloseUsage(key);
}

void SpaceEngine::StopCurrent(Space& sp) {
  if (sp.state.has_instance) StopKey(sp.instances.key);
  sp.state.has_instance = false;
}

void SpaceEngine::StopOld(Space& sp, bool drain) {
  if (!sp.state.has_old) return;
  sp.state.has_old = false;
  if (drain && options_.drain.count() > 0) {
    sp.instances.draining.emplace_back(sp.instances.old_key,
                                       clock_.NowMillis() + options_.drain.count());
  } else {
    StopKey(sp.instances.old_key);
  }
  sp.instances.old_key.clear();
}

void SpaceEngine::StopEverything(Space& sp) {
  StopCurrent(sp);
  StopOld(sp, /*drain=*/false);
  for (const auto& [key, at] : sp.instances.draining) StopKey(key);
  sp.instances.draining.clear();
}

void SpaceEngine::StopDrained(Space& sp) {
  const int64_t now = clock_.NowMillis();
  auto& draining = sp.instances.draining;
  for (auto it = draining.begin(); it != draining.end();) {
    if (it->second > now) {
      ++it;
      continue;
    }
    StopKey(it->first);
    it = draining.erase(it);
  }
}

}  // namespace spacehub::service
