// RuntimeBackend: the seam between the Space engine (service/space_engine, which owns the desired
// state and the stage machine) and whatever runs Space processes — `local/` (bubblewrap on this
// machine) now, Kubernetes later. A backend starts, stops and reports one instance per key; it does
// not restart anything by itself: crash handling and backoff are the engine's decisions.
// Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "runtime/cgroup.h"
#include "runtime/host_ids.h"
#include "runtime/redactor.h"
#include "runtime/space_env.h"
#include "runtime/volume.h"

namespace spacehub::runtime {

// A Docker Space's instance: its image, run by podman instead of a bwrap sandbox (podman/podman.h).
struct ContainerSpec {
  std::string image;            // a local image (DockerImageTag) of the Space's own store
  std::string user;             // --user; empty: the image's own
  std::filesystem::path store;  // the Space's podman store (podman/podman.h SpacePodmanStore)
};

struct InstanceSpec {
  std::string key;                 // one instance per key (the Space's uid)
  std::filesystem::path app_dir;   // the checked-out, built commit
  std::filesystem::path data_dir;  // persistent /data on the host; empty: no /data (no tier)
  // The storage tier of /data: a sized volume at data_dir (runtime/volume.h); none: a plain dir.
  std::optional<VolumeSpec> volume;
  Limits limits;                     // from the hardware flavor (runtime/cgroup.h); 0 = no limit
  std::vector<std::string> devices;  // host device nodes given to the app (its GPUs), if present
  std::filesystem::path log_path;    // run log: "<epoch millis> <line>" per line, appended
  std::vector<std::string> argv;     // inside the sandbox, cwd /app (containers: empty = its CMD)
  EnvList env;                       // complete environment of the app
  int port = 7860;                   // the app's port inside its network namespace
  // Read-only files made for this instance only: {path inside, content}. They exist only in the
  // sandbox's memory (never on the host's disk), e.g. Streamlit's secrets.toml.
  std::vector<std::pair<std::string, std::string>> files;
  Redactor redactor;                       // applied to every log line before it is written
  std::optional<ContainerSpec> container;  // set: a container (app_dir unused)
  HostIds ids;  // the Space's host uid block (runtime/host_ids.h); unset: the hub's own uid
  int64_t tmp_bytes = int64_t{1} << 30;  // each of /tmp and $HOME (memory, charged to the Space)
  int64_t log_cap = 0;                   // run log bytes before it rotates; 0: the default
};

// What an instance uses now (metrics); a value the backend cannot read is absent.
struct InstanceUsage {
  bool exists = false;  // an instance runs under this key
  CgroupUsage cgroup;
  std::optional<double> cpu_millicores;  // CPU use since the previous reading (or the start)
  int64_t cpu_limit_millis = 0;          // 0: no CPU limit
  std::optional<VolumeUsage> storage;
};

struct InstanceStatus {
  bool exists = false;                  // Start was called and Stop was not
  bool alive = false;                   // the sandbox process has not exited
  std::optional<int> exit_code;         // once exited: the code, or 128+signal
  int64_t started_at = 0;               // epoch millis
  std::vector<std::string> last_lines;  // the last lines of output, redacted
};

class RuntimeBackend {
 public:
  virtual ~RuntimeBackend() = default;
  // The host ids a Space's code runs as here (builds and instances alike), keyed by the Space's
  // directory name; unset where this backend does not give Spaces their own host ids.
  virtual Result<HostIds> SpaceIds(const std::string& space_uid) {
    (void)space_uid;
    return HostIds{};
  }
  // Replaces any instance with the same key.
  virtual Status Start(const InstanceSpec& spec) = 0;
  // Stops the instance (TERM, then KILL after a grace period) and forgets it. No-op when absent.
  virtual void Stop(const std::string& key) = 0;
  virtual InstanceStatus Get(const std::string& key) = 0;
  // Whether the app accepts a TCP connection on its port now.
  virtual bool Probe(const std::string& key) = 0;
  // A socket to the app's `port` (the proxy's way in; issue #6), connected or with the connection
  // still under way (the caller waits for it to turn writable, then reads SO_ERROR): an app whose
  // listen backlog is full answers late, and no thread may block on that. Non-blocking, owned by
  // the caller. Unavailable when the instance does not run or refuses the connection at once.
  virtual Result<int> Connect(const std::string& key, int port) = 0;
  // A listening socket on 127.0.0.1:`port` *inside* the instance (its own network), owned by the
  // caller, who accepts on it: how the app reaches the hub at HF_ENDPOINT with no relay process.
  virtual Result<int> ListenInside(const std::string& key, int port) = 0;
  // CPU, memory, pids and /data use of a running instance (empty when absent).
  virtual InstanceUsage Usage(const std::string& /*key*/) { return {}; }
};

}  // namespace spacehub::runtime
