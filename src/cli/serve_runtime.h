// The Space runtime of `spacehub serve`: the local backend (bubblewrap sandboxes, podman for Docker
// Spaces when installed) and the engine over it, built from serve's options before the hub
// listens. Spaces are off (an empty SpaceRuntime) with --space-runtime none, without bwrap, or when
// the data directory is out of reach of sandboxed users; each reason is said once on stderr.
// Jobs run through the same local backend (--jobs-backend local) or on a Slurm cluster.
// Called from serve's thread only.
#pragma once

#include <memory>

#include "cli/serve_options.h"
#include "core/result.h"
#include "runtime/local/local_backend.h"
#include "service/hub.h"
#include "service/job_engine.h"
#include "service/space_engine.h"

namespace spacehub::cli {

struct SpaceRuntime {
  std::unique_ptr<runtime::LocalBackend> backend;
  std::unique_ptr<service::SpaceEngine> engine;  // null: Spaces are off
  bool have_podman = false;
  std::unique_ptr<runtime::JobBackend> job_backend;
  std::unique_ptr<service::JobEngine> jobs;  // null: Jobs are off (they wait, saying so)
};

// Builds the runtime over `hub` (which must outlive it); InvalidArgument naming the option for a
// value that does not parse; with --jobs-backend slurm, an error naming the flags when the cluster
// cannot be reached (a hub that cannot submit its jobs does not start).
Result<SpaceRuntime> BuildSpaceRuntime(const ServeOptions& o, service::Hub& hub);

}  // namespace spacehub::cli
