// SpaceEngine::Usage: the metrics of a Space's running instance, read from the backend (cgroup and
// /data use). Called from API threads; the backend is thread-safe and the engine's own state is
// not touched.
#include "service/space_engine.h"

namespace spacehub::service {

runtime::InstanceUsage SpaceEngine::Usage(int64_t repo_id) {
  return backend_.Usage(std::to_string(repo_id));
}

}  // namespace spacehub::service
