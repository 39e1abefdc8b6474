// LocalBackend's Docker Spaces: an instance whose spec names a container image runs under
// `podman run` (runtime/podman/podman.h) in place of a bwrap sandbox. Everything else — the log
// pump, Probe / Connect / ListenInside through the instance's network namespace — is shared with
// the sandbox path; only the start, the pid (podman's pidfile) and the stop (`podman rm -f`)
// differ. Each container runs in its Space's own podman store (ContainerSpec::store) and host uid
// block (InstanceSpec::ids); the store of each container name is remembered for its removal.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

#include "core/time_util.h"
#include "runtime/local/local_backend.h"
#include "runtime/podman/podman.h"
#include "runtime/process.h"

namespace spacehub::runtime {

std::vector<std::string> LocalBackend::RemoveStaleContainers() {
  if (options_.podman.empty() || options_.hub_tag.empty()) return {};
  // Podman's default store (hubs before per-Space stores), then every Space's own store.
  auto removed = RemoveHubContainers(options_.podman, PodmanStore{}, options_.hub_tag);
  std::error_code ec;
  if (!options_.volumes.root.empty()) {
    for (const auto& e : std::filesystem::directory_iterator(options_.volumes.root, ec)) {
      PodmanStore store = SpacePodmanStore(options_.volumes.root, e.path().filename().string());
      if (!std::filesystem::is_directory(store.root / "storage", ec)) continue;
      auto more = RemoveHubContainers(options_.podman, store, options_.hub_tag);
      removed.insert(removed.end(), more.begin(), more.end());
    }
  }
  // Env files and pidfiles of those containers (and build secrets of builds cut short).
  (void)ResetScratchDir(options_.scratch);
  return removed;
}

namespace {

// Removes the private directory of a container's env file and pidfile unless released.
class PrivateDirGuard {
 public:
  explicit PrivateDirGuard(std::filesystem::path dir) : dir_(std::move(dir)) {}
  ~PrivateDirGuard() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  PrivateDirGuard(const PrivateDirGuard&) = delete;
  PrivateDirGuard& operator=(const PrivateDirGuard&) = delete;
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path Release() { return std::exchange(dir_, {}); }

 private:
  std::filesystem::path dir_;
};

// Writes the env file of the Space's single-line values into `dir`; a multi-line value podman
// could be steered by is left out, with a line in the run log saying so.
Status WriteContainerEnv(const InstanceSpec& spec, const ContainerEnv& env,
                         const std::filesystem::path& dir) {
  SH_TRY(WritePrivateFile(dir / "env", env.file_text));
  for (const auto& name : env.dropped) {
    AppendLine(spec.log_path, std::to_string(NowMillis()) + " spacehub: the multi-line value of " +
                                  name + " cannot be passed to the container and is left out");
  }
  return Status::Ok();
}

}  // namespace

ContainerRunSpec LocalBackend::ContainerRun(const InstanceSpec& spec, const ContainerEnv& env,
                                            const std::filesystem::path& dir) const {
  ContainerRunSpec rs;
  rs.podman = options_.podman;
  rs.store = PodmanStore{spec.container->store};
  rs.ids = spec.ids;
  rs.name = ContainerName(options_.hub_tag, spec.key);
  rs.image = spec.container->image;
  rs.user = spec.container->user;
  rs.hub_tag = options_.hub_tag;
  rs.data_dir = spec.data_dir;
  rs.env_file = dir / "env";
  rs.pidfile = dir / "pid";
  rs.argv = spec.argv;
  rs.limits = spec.limits;
  rs.devices = spec.devices;
  for (const auto& [k, v] : env.passthrough) rs.passthrough_env.push_back(k);
  return rs;
}

Status LocalBackend::StartContainer(const InstanceSpec& spec) {
  if (options_.podman.empty()) {
    return Status::Unavailable("Docker Spaces need podman, and this hub has none");
  }
  // The env file and the pidfile live in a 0700 directory of their own, removed as soon as
  // podman has read the one and written the other.
  SH_ASSIGN_OR_RETURN(std::filesystem::path made, MakePrivateDir(options_.scratch, "run-"));
  PrivateDirGuard dir(made);
  ContainerEnv env = SplitContainerEnv(spec.env);
  SH_TRY(WriteContainerEnv(spec, env, dir.dir()));
  ContainerRunSpec rs = ContainerRun(spec, env, dir.dir());
  SH_TRY(PrepareStore(rs.store));
  // /data (a tier's volume, attached by Start) belongs to the container's uid 1000, which is the
  // Space's host uid when it has its own block.
  if (!spec.data_dir.empty() && rs.ids.set() && rs.user == std::to_string(kSandboxUid) &&
      ::chown(spec.data_dir.c_str(), rs.ids.app_uid(), rs.ids.app_uid()) != 0) {
    return Status::Internal("Cannot hand /data to the Space's uid");
  }
  RememberContainerStore(rs.name, rs.store);
  // A container of the same name may outlive a `podman run` that was killed: it goes first.
  RemoveContainer(options_.podman, rs.name, std::chrono::seconds(0));

  SpawnOptions so;
  so.argv = PodmanRunArgv(rs);
  so.env = PodmanEnv(rs.store);
  so.env.insert(so.env.end(), env.passthrough.begin(), env.passthrough.end());
  so.pipe_output = true;
  SH_ASSIGN_OR_RETURN(auto proc, Spawn(so));
  auto inst = std::make_unique<Instance>();
  inst->proc = std::move(proc);
  inst->port = spec.port;
  inst->started_at = NowMillis();
  inst->container = rs.name;
  inst->podman = options_.podman;
  inst->private_dir = dir.Release();         // the pump removes it
  if (volumes_) inst->volume = spec.volume;  // attached by Start; detached when it stops
  Instance* raw = inst.get();
  inst->pump = std::thread(&LocalBackend::Pump, raw, -1, spec);
  MutexLock lock(mu_);
  instances_[spec.key] = std::move(inst);
  return Status::Ok();
}

bool LocalBackend::PollContainerPid(Instance* inst) {
  std::ifstream in(inst->private_dir / "pid");
  int64_t pid = 0;
  if (!(in >> pid) || pid <= 0) return false;
  inst->child_pid = static_cast<pid_t>(pid);
  // podman has started the container: its environment file is no longer needed.
  std::error_code ec;
  std::filesystem::remove(inst->private_dir / "env", ec);
  return true;
}

}  // namespace spacehub::runtime
