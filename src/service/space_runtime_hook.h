// SpaceRuntimeHook: what the rest of the service layer sees of the Space engine (space_engine.h):
// the engine's real stage for the runtime view, a nudge after a commit or a settings change, and
// where its logs are. Hub::runtime is null when the hub runs without a runtime (serve
// --space-runtime none, admin commands, most tests): the runtime view then says STOPPED.
// Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "core/result.h"
#include "runtime/runtime_backend.h"
#include "spacehub/wire/space_stage.h"

namespace spacehub::service {

// The stage vocabulary of the service layer; its wire name appears only where JSON is rendered.
using wire::SpaceStage;

struct SpaceEngineStatus {
  SpaceStage stage = SpaceStage::kBuilding;
  std::optional<std::string> error_message;  // BUILD_ERROR / RUNTIME_ERROR: why, secrets redacted
  std::string message;                       // a human sentence about what happens now
  // While an app (or a static Space's files) serves visitors: when that version started serving.
  // It changes with every restart, however fast, so a page showing the app knows to reload it.
  std::optional<int64_t> serving_since_ms;
};

// Where a visitor's request to a Space goes now (the proxy, issue #6).
struct SpaceTarget {
  enum class Kind {
    kUnavailable,  // nothing serves it now: see `stage`, and `waking`
    kStatic,       // serve the files under `static_root` directly
    kApp,          // connect to the app: OpenAppSocket(instance_key, port)
  };
  Kind kind = Kind::kUnavailable;
  std::filesystem::path static_root;
  // kStatic: a <script> that sets window.huggingface.variables (the Space's variables, never its
  // secrets), for the server to put into the HTML pages it serves.
  std::string static_head;
  std::string instance_key;
  int port = 0;
  SpaceStage stage = SpaceStage::kBuilding;  // the runtime stage now
  bool waking = false;  // it is being built or started: worth holding the request a moment
};

// A Space's built environment, lent to a job.
struct SpaceJobEnvironment {
  std::string sdk;
  std::filesystem::path app_dir;                    // the completed build (read-only at /app)
  std::optional<runtime::ContainerSpec> container;  // Docker Spaces: the built image, its store
  runtime::HostIds ids;                             // the Space's own host uid block
};

class SpaceRuntimeHook {
 public:
  virtual ~SpaceRuntimeHook() = default;
  // The engine's view of a Space whose desired state is (head_sha, generation), not paused.
  virtual SpaceEngineStatus Status(int64_t repo_id, const std::string& head_sha,
                                   int64_t generation) = 0;
  // Something about this Space changed (commit, settings): reconcile it soon.
  virtual void Notify(int64_t repo_id) = 0;
  // The build or run log of a Space (repo uid); the file may not exist yet.
  virtual std::filesystem::path LogPath(const std::string& repo_uid, bool build) const = 0;

  // A visit: counts as activity (postpones sleep) and wakes a SLEEPING Space (never a PAUSED
  // one); returns where the request goes now. Cheap: called for every proxied request, and every
  // few seconds while a long-lived proxied connection (websocket, SSE) stays open.
  virtual SpaceTarget Visit(int64_t repo_id) = 0;
  // Where requests go now, without counting as activity (polling while a Space wakes).
  virtual SpaceTarget Target(int64_t repo_id) = 0;
  // A connected, non-blocking socket to the app of a kApp target; owned by the caller.
  virtual Result<int> OpenAppSocket(const std::string& instance_key, int port) = 0;
  // What the Space's running instance uses now (metrics); exists=false when none runs.
  virtual runtime::InstanceUsage Usage(int64_t /*repo_id*/) { return {}; }
  // Where a job runs "in the Space's environment" (issue #16): its last completed build (a Python
  // Space's app directory with its venv, or a Docker Space's image) and the Space's host ids.
  // Conflict when the Space has no completed build here yet.
  virtual Result<SpaceJobEnvironment> JobEnvironment(int64_t /*repo_id*/) {
    return Status::Unavailable("This hub runs no Spaces");
  }
};

}  // namespace spacehub::service
