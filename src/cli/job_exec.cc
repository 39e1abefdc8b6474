// `spacehub job-exec LAUNCH_FILE` (hidden): what a Slurm node runs for one job (the batch script
// of runtime/slurm/slurm_batch.h execs it). It reads and deletes the launch file the hub wrote
// (runtime/slurm/launch_file.h), starts the job's instance with the same LocalBackend that runs
// Spaces (bubblewrap sandbox or podman, its cgroup limits, its host uid), so its log lines land in
// instance.log_path exactly as on the hub's own machine, waits for it to exit and exits with its
// exit code, which Slurm records (ExitCode=) for the hub's Poll. SIGTERM (scancel) or SIGINT stops
// the instance first and exits 128 + the signal. When the instance cannot start, the reason goes
// to the job's log and to `exec-error` beside the launch file, where Poll finds it.
#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "cli/commands.h"
#include "runtime/local/local_backend.h"
#include "runtime/podman/podman.h"
#include "runtime/slurm/launch_file.h"
#include "runtime/slurm/slurm_job_state.h"

namespace spacehub::cli {
namespace {

namespace fs = std::filesystem;

// How often the instance's liveness is checked while waiting for a signal: LocalBackend reports
// an exit only through Get, so this bounds how late the job's end reaches Slurm.
constexpr std::chrono::milliseconds kCheckEvery{100};

int64_t EpochMillis() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

// Says why the job could not run: on stderr (Slurm's output file), in `exec-error` for the hub's
// Poll, and in the job's log when known.
int Fail(const fs::path& dir, const fs::path& log_path, const std::string& message) {
  std::fprintf(stderr, "spacehub job-exec: %s\n", message.c_str());
  std::ofstream(dir / "exec-error", std::ios::trunc) << message << "\n";
  if (!log_path.empty()) {
    std::ofstream(log_path, std::ios::app)
        << EpochMillis() << " spacehub: the job could not start: " << message << "\n";
  }
  return 1;
}

runtime::LocalBackendOptions NodeBackendOptions(const fs::path& dir, const std::string& job_id) {
  runtime::LocalBackendOptions bo;
  bo.bwrap = runtime::LocalBackend::FindBwrap();
  bo.podman = runtime::FindPodman();
  // Its own container tag and cgroup tree: on a machine that also runs the hub (a one-machine
  // cluster), the hub's start-up cleaning never touches a job that Slurm runs, nor this the hub's.
  bo.hub_tag = runtime::HubTag(dir);
  bo.scratch = dir / "podman";
  bo.cgroups.tree = "spacehub-jobs/" + job_id;
  // No volume root: jobs have no /data, and Volumes would unmount the hub's Spaces' volumes.
  // Host ids come with the launch (the hub allocated them); none are allocated here.
  return bo;
}

// GPUs: those Slurm gave the job on this node, not the hub's choice on its own machine.
void UseNodeGpus(runtime::JobLaunch& launch) {
  const runtime::JobResources& r = launch.resources;
  if (r.gpus <= 0 && r.gres.find("gpu") == std::string::npos) return;
  const char* gpus = std::getenv("SLURM_JOB_GPUS");
  launch.instance.devices = runtime::SlurmGpuDevices(gpus ? gpus : "");
}

// Waits for the instance to exit or for a signal; the code to exit with.
int Wait(runtime::LocalBackend& backend, const std::string& key, const sigset_t& signals) {
  for (;;) {
    timespec wait{};
    wait.tv_nsec = std::chrono::duration_cast<std::chrono::nanoseconds>(kCheckEvery).count();
    int sig = ::sigtimedwait(&signals, nullptr, &wait);
    if (sig > 0) {
      std::fprintf(stderr, "spacehub job-exec: signal %d: stopping the job\n", sig);
      backend.Stop(key);
      return 128 + sig;
    }
    runtime::InstanceStatus st = backend.Get(key);
    if (!st.alive) {
      backend.Stop(key);  // frees its cgroup
      return st.exit_code.value_or(1);
    }
  }
}

int JobExec(const fs::path& launch_file) {
  // Blocked before LocalBackend starts any thread, so that only sigtimedwait receives them.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  const fs::path dir = fs::absolute(launch_file).parent_path();
  auto launch = runtime::TakeLaunchFile(launch_file);
  if (!launch.ok()) return Fail(dir, {}, launch.status().message());
  const runtime::InstanceSpec& spec = launch->instance;
  UseNodeGpus(*launch);
  runtime::LocalBackendOptions bo = NodeBackendOptions(dir, launch->job_id);
  if (bo.bwrap.empty() && !spec.container) {
    return Fail(dir, spec.log_path, "bubblewrap (bwrap) is not installed on this node");
  }
  if (bo.podman.empty() && spec.container) {
    return Fail(dir, spec.log_path, "podman is not installed on this node");
  }
  runtime::LocalBackend backend(bo);
  if (Status st = backend.Start(spec); !st.ok()) return Fail(dir, spec.log_path, st.message());
  return Wait(backend, spec.key, signals);
}

}  // namespace

Command AddJobExecCommand(CLI::App& app) {
  // Hidden: run by a cluster node's batch script, not by people.
  CLI::App* cmd = app.add_subcommand("job-exec", "")->group("");
  auto launch = std::make_shared<std::string>();
  cmd->add_option("launch_file", *launch, "the launch file the hub wrote")->required();
  return [launch] { return JobExec(*launch); };
}

}  // namespace spacehub::cli
