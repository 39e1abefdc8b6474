// LocalBackend: runs each Space instance on this machine in a bubblewrap sandbox
// (runtime/sandbox.h). Per instance, one pump thread reads the sandbox's stdout+stderr from a pipe,
// redacts each line, appends it with a timestamp to the run log, keeps the last lines in memory,
// and reaps the process once its output ends (the whole pid namespace dies with the app). Health:
// Probe enters the instance's network namespace (setns on /proc/<child>/ns/net from a short-lived
// thread, as only that thread changes namespace) and connects to 127.0.0.1:<port> there; needs
// CAP_SYS_ADMIN over the sandbox's user namespace (the hub running as root, or as the same user
// with ambient rights).
// Limits: each instance gets its cgroup (runtime/cgroup.h) with the flavor's memory, CPU and pids
// limits, joined by bwrap's forked parent before it executes, and removed (stragglers killed) when
// the instance stops. Storage: a Space with a tier gets its volume (runtime/volume.h) attached
// before the sandbox starts and detached after it stopped. Both are cleaned of leftovers of a
// killed hub when the backend is constructed (nothing runs yet).
// Docker Spaces (InstanceSpec::container) run the same way with `podman run` in place of bwrap
// (local_backend_podman.cc): the container's own network namespace, its pid from podman's
// pidfile, and `podman rm -f` to stop it.
// Host ids (issue #12): when the hub runs as root, every Space gets its own host uid block
// (runtime/host_ids.h) and bwrap is started as the Space's uid, so the app is an unprivileged host
// user inside an unprivileged user namespace; its app directory and /data belong to that uid and
// sit below directories no other account can list. Run as a normal user, the hub starts bwrap as
// itself (Spaces are then not separated from the hub by uid: docs/security.md). Thread-safe.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <thread>

#include "core/mutex.h"
#include "core/subprocess.h"
#include "runtime/podman/podman.h"
#include "runtime/runtime_backend.h"
#include "runtime/sandbox.h"

namespace spacehub::runtime {

struct LocalBackendOptions {
  std::filesystem::path bwrap = "/usr/bin/bwrap";
  std::chrono::milliseconds stop_grace{3000};
  bool limits = true;             // cgroup limits where cgroups are writable
  CgroupOptions cgroups;          // tree: unique per hub (serve.cc derives it from the data dir)
  VolumeOptions volumes;          // root: <data>/spaces
  std::filesystem::path podman;   // empty: containers cannot start
  std::string hub_tag;            // labels and names this hub's containers (podman/podman.h HubTag)
  std::filesystem::path scratch;  // PodmanScratchDir: env files and pidfiles
  // Give each Space its own host uid block. Needs root; off when the hub runs unprivileged.
  bool own_ids = true;
  uint32_t first_uid_base = 1'000'000'000;
};

class LocalBackend final : public RuntimeBackend {
 public:
  explicit LocalBackend(LocalBackendOptions options);
  ~LocalBackend() override;  // stops every instance

  Status Start(const InstanceSpec& spec) override;
  void Stop(const std::string& key) override;
  InstanceStatus Get(const std::string& key) override;
  bool Probe(const std::string& key) override;
  Result<int> Connect(const std::string& key, int port) override;
  Result<int> ListenInside(const std::string& key, int port) override;
  InstanceUsage Usage(const std::string& key) override;
  Result<HostIds> SpaceIds(const std::string& space_uid) override;

  // For the hub's log: how limits and /data work on this machine, and what was cleaned up.
  std::string LimitsMode() const;
  std::string StorageMode() const;
  // The cgroups of this backend (null: limits off), for builds to run limited too.
  Cgroups* cgroups() const { return cgroups_.get(); }

  // With own host ids, each Space's uid must pass through every directory above the data directory
  // to reach its own (bwrap binds them as that uid): an error naming the first that does not let
  // others through (e.g. root's 0700 home), so the hub can say so instead of failing every start.
  // Checks only when the hub runs as root (own ids); `data_dir` is absolute.
  static Status CheckReachable(const std::filesystem::path& data_dir);

  // Finds bwrap on this machine (PATH, then /usr/bin); empty when absent.
  static std::filesystem::path FindBwrap();
  // Removes the containers a previous life of this hub left behind (kill -9), and empties the
  // scratch dir: call before anything starts or builds.
  std::vector<std::string> RemoveStaleContainers();

 private:
  // Set by Start before the instance is published in instances_, read-only afterwards unless
  // marked otherwise.
  struct Instance {
    std::unique_ptr<Subprocess> proc;  // bwrap or `podman run`; reaped by the pump
    std::atomic<pid_t> child_pid{-1};  // first process inside the namespaces (written by the pump)
    int port = 7860;
    int64_t started_at = 0;
    std::thread pump;
    bool has_cgroup = false;
    std::optional<VolumeSpec> volume;
    std::function<std::string()> exit_note;  // why it died, when the hub knows (OOM kill)
    int64_t cpu_limit_millis = 0;
    // Containers only: its name, podman, and the private dir of its env file and pidfile (removed
    // once podman has started it).
    std::string container;
    std::filesystem::path podman;
    std::filesystem::path private_dir;
    Mutex mu;
    bool alive GUARDED_BY(mu) = true;
    std::optional<int> exit_code GUARDED_BY(mu);
    std::deque<std::string> last_lines GUARDED_BY(mu);
    int64_t last_cpu_ns GUARDED_BY(mu) = 0;  // the previous Usage reading, for a rate
    int64_t last_cpu_at GUARDED_BY(mu) = 0;  // epoch millis; 0: none yet (rate since the start)
  };
  // A started bwrap and the read end of its info pipe.
  struct Sandbox {
    std::unique_ptr<Subprocess> proc;
    int info_fd = -1;
  };
  // Steps of Start: a container (with its volume), or a sandbox run as the Space's host uid, in
  // its cgroup, spawned with its instance files.
  Status StartContainerWithVolume(const InstanceSpec& spec);
  Status StartContainer(const InstanceSpec& spec);
  ContainerRunSpec ContainerRun(const InstanceSpec& spec, const ContainerEnv& env,
                                const std::filesystem::path& dir) const;
  Status RunAsSpace(const InstanceSpec& spec, SpawnOptions& so);
  Status LimitInstance(const InstanceSpec& spec, Instance& inst, SandboxSpec& sb, SpawnOptions& so);
  Result<Sandbox> SpawnSandbox(const InstanceSpec& spec, SandboxSpec& sb, SpawnOptions& so);
  // Reads the container's pid from podman's pidfile; true once known (the env file is then gone).
  static bool PollContainerPid(Instance* inst);
  // The instance's thread: its output into the run log and last_lines until it exits, then reaps
  // it and records the exit code.
  static void Pump(Instance* inst, int info_fd, InstanceSpec spec);
  // The pid whose network namespace is the instance's (the first process inside the sandbox).
  Result<pid_t> NamespacePid(const std::string& key);
  static void Terminate(Instance& inst, std::chrono::milliseconds grace);
  // Terminates, then frees the instance's cgroup and volume.
  void Release(const std::string& key, Instance& inst);

  LocalBackendOptions options_;
  std::unique_ptr<Cgroups> cgroups_;      // null: limits switched off
  std::unique_ptr<Volumes> volumes_;      // null: no volume root configured
  std::unique_ptr<HostIdAllocator> ids_;  // null: Spaces run as the hub's uid
  int cgroups_cleaned_ = 0;
  Mutex mu_;
  std::map<std::string, std::unique_ptr<Instance>> instances_ GUARDED_BY(mu_);
};

}  // namespace spacehub::runtime
