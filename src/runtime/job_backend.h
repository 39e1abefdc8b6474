// JobBackend: the seam between the Jobs engine (service/job_engine, which owns every job's stage,
// its hardware and its timeout) and whatever runs a job's command — `local` (this machine: the same
// RuntimeBackend that runs Spaces, so the same bubblewrap sandbox, cgroups and podman) or `slurm`
// (a Slurm cluster; the node runs the same sandbox through `spacehub job-exec`). A backend runs one
// command to its end; it never retries: retries, timeouts and cancel are the engine's decisions.
//
// A job is named by its backend reference (Submit's answer), which the engine stores in the
// database, so that a restarted hub asks the backend about the jobs its previous life submitted
// (Poll) — a Slurm job runs on while the hub is down; a local one dies with the hub and Poll says
// so. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "runtime/runtime_backend.h"

namespace spacehub::runtime {

// What a job needs from the cluster, from its flavor (hardware.yaml): a local backend reads only
// instance.limits; a cluster maps these to its own terms (Slurm: partition, CPUs, memory, GRES).
struct JobResources {
  std::string flavor;     // the flavor's name
  int cpus = 0;           // vCPUs; 0: the backend's default
  int64_t memory_mb = 0;  // 0: the backend's default
  int gpus = 0;
  std::string partition;  // cluster partition (hardware.yaml `slurm.partition`); "" = default
  std::string gres;       // cluster GRES (`slurm.gres`, e.g. "gpu:a100:1"); "" = none
};

struct JobLaunch {
  std::string job_id;  // the hub's job id (24 hex), for names and logs
  // How the command runs, as a Space instance would: key ("job-<id>"), app_dir (a Space's built
  // environment) or container (a local image), argv, env (secrets included), limits, devices,
  // log_path ("<epoch millis> <line>" lines, appended, redacted), ids, tmp_bytes. No port, no
  // /data. The redactor holds the secret values; `redact` holds them again for backends that hand
  // the launch to another process (the node's `spacehub job-exec`).
  InstanceSpec instance;
  std::vector<std::string> redact;
  JobResources resources;
  int64_t timeout_seconds = 0;  // the cluster's own limit, a little above the engine's; 0: none
};

enum class JobRunState {
  kPending,  // submitted, not started yet (a cluster queue)
  kRunning,
  kExited,   // ended by itself: exit_code is set
  kStopped,  // ended by Cancel (or the cluster's own limit): exit_code may be set
  kLost,     // the backend does not know the reference (a local job of a hub that was killed)
};

struct JobRunStatus {
  JobRunState state = JobRunState::kLost;
  std::optional<int> exit_code;  // 0..255, or 128+signal
  std::string reason;            // a sentence for the job's status when it did not exit by itself
  int64_t started_at = 0;        // epoch millis; 0: not started
};

class JobBackend {
 public:
  virtual ~JobBackend() = default;
  virtual std::string Name() const = 0;  // "local", "slurm"
  // Starts (or queues) the job; returns its reference. Fails without leaving anything behind.
  virtual Result<std::string> Submit(const JobLaunch& launch) = 0;
  virtual JobRunStatus Poll(const std::string& ref) = 0;
  // Stops the job (TERM, then KILL after a grace period). No-op when it already ended.
  virtual void Cancel(const std::string& ref) = 0;
  // Frees what the backend keeps for an ended job (its cgroup, its record). Poll then says kLost.
  virtual void Forget(const std::string& ref) = 0;
  // The host ids Docker-image jobs run as (runtime/host_ids.h): one block for such jobs, never
  // a Space's; unset where the backend gives none (the hub runs unprivileged).
  virtual Result<HostIds> ImageJobIds() { return HostIds{}; }
  // CPU and memory of a running job, where the backend can read them (metrics).
  virtual InstanceUsage Usage(const std::string& /*ref*/) { return {}; }
  // A listening socket on 127.0.0.1:`port` inside the job's own network, where the backend runs
  // jobs on this machine (HF_ENDPOINT); Unavailable elsewhere.
  virtual Result<int> ListenInside(const std::string& /*ref*/, int /*port*/) {
    return Status::Unavailable("this job backend gives jobs no way to reach the hub");
  }
};

}  // namespace spacehub::runtime
