// SpaceEngine: the Space runtime's reconciler (issue #5). The desired state of every Space lives in
// the database (space_settings: paused, restart_generation, factory_rebuild; the head of `main`);
// one thread compares it with what runs and takes one step per Space per pass (stage machine in
// space_engine_decide.h): build the commit (runtime/builder.h, on a worker thread per build),
// start it through the RuntimeBackend, probe it until it answers (RUNNING), back off and restart
// after a crash, give up with RUNTIME_ERROR after a crash loop or the startup timeout, stop it
// when paused. State in memory is only a cache of what runs: after a hub restart every Space is
// reconciled again from the database (a completed build of the same commit is reused).
//
// On disk, per Space (by repo uid, stable across renames): <data>/spaces/<uid>/builds/<sha>/,
// logs/build.log, logs/run.log, data/ (the /data directory: plain, or the mount point of the
// tier's volume storage.ext4 — service/space_storage.h). The directory of a deleted Space is
// removed (after its instance stopped), also when the deletion happened while the hub was down.
// Time: every decision reads Hub::clock (sleep after inactivity, crash backoff, rollout drain, the
// startup timeout); only the pacing of the reconcile thread uses real time.
// Thread-safe; owns the reconcile thread and the build threads, joined by Stop()/the destructor.
// The per-Space state (spaces_state_) belongs to the loop thread; what other threads read is the
// published View under mu_.
#pragma once

#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include "core/mutex.h"
#include "runtime/builder.h"
#include "runtime/runtime_backend.h"
#include "service/gpu_allocator.h"
#include "service/hub.h"
#include "service/repo_service.h"
#include "service/space_config.h"
#include "service/space_engine_decide.h"
#include "service/space_runtime_hook.h"
#include "service/space_service.h"
#include "service/space_storage.h"

namespace spacehub::service {

struct SpaceEngineOptions {
  std::filesystem::path data_dir;         // the hub's data directory
  std::string host_domain = "localhost";  // SPACE_HOST = <ns>-<name>.<host_domain>
  runtime::PythonBuildOptions python;
  std::filesystem::path podman;  // Docker Spaces (space_engine_docker.cc); empty: BUILD_ERROR
  std::chrono::milliseconds interval{1000};  // reconcile pass, besides notifications
  // After a rollout swaps to the new version, the old one still finishes the requests it has for
  // this long before it is stopped.
  std::chrono::milliseconds drain{5000};
  int gpus = 0;  // GPUs on this node (placement.h DetectGpus): handed to GPU flavors' instances
  TierSizes storage_tiers = DefaultTierSizes();
  int64_t pids_limit = 1024;             // processes + threads per Space (fork bombs stop there)
  int64_t tmp_bytes = int64_t{1} << 30;  // each Space's /tmp and $HOME (tmpfs)
  int64_t run_log_cap = 0;  // bytes of run log kept before it rotates (and once more); 0: 10 MiB
};

class SpaceEngine final : public SpaceRuntimeHook {
 public:
  SpaceEngine(Hub& hub, runtime::RuntimeBackend& backend, SpaceEngineOptions options);
  ~SpaceEngine() override;

  // How a Space reaches this hub at HF_ENDPOINT=http://127.0.0.1:<port> from inside its own
  // network: the engine makes a listening socket inside each instance
  // (RuntimeBackend::ListenInside) and hands it to `add`, which serves the hub's API on it
  // (http::Server::AddListener) and returns an id for `remove` when the instance stops. Call before
  // Start(); without it no HF_ENDPOINT is set.
  struct HubInside {
    int port = 0;
    std::function<Result<int>(int fd)> add;
    std::function<void(int id)> remove;
  };
  void ServeHubInside(HubInside inside) { inside_ = std::move(inside); }

  void Start();  // starts the reconcile thread
  void Stop();   // stops the thread, waits for builds, stops every instance

  // One full pass on the caller's thread, instead of the reconcile thread (tests: with a fake
  // backend and a FakeClock every step is then deterministic). Not while Start()ed.
  void ReconcileOnce();
  // Blocks until every build in flight has its outcome (the next pass picks it up). Tests only,
  // on the thread that calls ReconcileOnce.
  void AwaitBuilds();

  SpaceEngineStatus Status(int64_t repo_id, const std::string& head_sha,
                           int64_t generation) override;
  void Notify(int64_t repo_id) override;
  std::filesystem::path LogPath(const std::string& repo_uid, bool build) const override;
  SpaceTarget Visit(int64_t repo_id) override;
  SpaceTarget Target(int64_t repo_id) override;
  Result<int> OpenAppSocket(const std::string& instance_key, int port) override;
  runtime::InstanceUsage Usage(int64_t repo_id) override;                // space_engine_metrics.cc
  Result<SpaceJobEnvironment> JobEnvironment(int64_t repo_id) override;  // space_engine_usage.cc

  // The node's GPUs, shared with the job engine so that a job and a Space never get the same one.
  GpuAllocator& gpus() { return gpus_; }

 private:
  struct BuildOutcome {
    std::optional<SpaceStage> stage;  // none: built; else kBuildError, kConfigError, kNoAppFile
    std::string error;
    SpaceConfig config;
    std::filesystem::path dir;
  };
  // What the engine knows of one Space, grouped by what it describes so that each step touches
  // only its part. Owned and touched by the loop thread only (build threads fill `build.result`).
  struct Space {
    db::RepoRow row;    // as of the last full pass (fast passes reuse it)
    EngineState state;  // the stage machine's view (space_engine_decide.h)
    // The instances the backend runs for it (space_engine_rollout.cc).
    struct Instances {
      std::string key;      // the current instance ("<repo id>-<n>")
      int64_t seq = 0;      // numbers the instances, so a rollout's two versions differ
      std::string old_key;  // while state.has_old: the version that still serves
      int old_port = 0;
      std::vector<std::pair<std::string, int64_t>> draining;  // swapped out: key, stop at (millis)
      bool holds_gpus = false;  // the current instance was given GPU devices
    } instances;
    // The completed build the current instance runs.
    struct Built {
      SpaceConfig config;
      std::filesystem::path dir;
      std::string static_head;  // static Spaces: the window.huggingface script of this start
    } built;
    // The build in flight, if any.
    struct PendingBuild {
      std::future<BuildOutcome> result;
      std::string sha;
      int64_t generation = -1;
      bool factory = false;
      std::thread thread;  // fulfils `result`, then nudges the loop; joined in FinishBuild
    } build;
    // Sleep after inactivity (space_engine_sleep.cc).
    struct Sleep {
      bool sleeping = false;  // asleep for inactivity (mirrors space_runtime_state)
      bool loaded = false;
      // When what serves now became RUNNING: idle time counts from there, and Status() reports
      // it (serving_since_ms). A rollout keeps the old version's until the new one takes over.
      int64_t running_since = 0;
    } sleep;
    // What Status() reports besides the stage.
    std::string error;    // errorMessage of BUILD_ERROR / RUNTIME_ERROR / CONFIG_ERROR
    std::string message;  // what happens now
  };

  // What Status() reports: published by the loop thread after each step.
  struct View {
    SpaceEngineStatus status;
    std::string target_sha;
    int64_t target_generation = -1;
    std::filesystem::path static_root;  // set while a static Space is RUNNING
    std::string static_head;            // its window.huggingface script
    int port = 0;                       // the app's port while it is RUNNING
    std::string instance_key;           // the instance that serves visitors now
    // The last completed build (jobs run in it): its directory, SDK, and the Space's uid.
    std::filesystem::path built_dir;
    std::string sdk;
    std::string uid;
  };

  // The reconcile thread: a pass per notification or interval (real time paces the thread; every
  // decision inside a pass reads hub_.clock).
  void Loop();
  // One pass: every Space when `full` (and the scheduler first), else only `some`.
  void Pass(bool full, const std::set<int64_t>& some);
  // How long the loop waits before the next pass: short while apps start or builds run.
  std::chrono::milliseconds NextWait() const;
  void Publish(int64_t repo_id, const Space& sp) EXCLUDES(mu_);
  void ReconcileAll();
  // Every Space row (paged through the store); nullopt when the store cannot list them.
  std::optional<std::vector<db::RepoRow>> ListSpaceRows();
  // Stops what Spaces deleted since the last pass left behind; true when one was forgotten.
  bool ForgetDeleted(const std::set<int64_t>& seen) EXCLUDES(mu_);
  // Removes the directories of deleted Spaces (the first pass: also those deleted while down).
  void SweepDeletedDirs(std::set<std::string> live_uids, bool deleted);
  // Reconciles only these Spaces (ones in motion or just notified): fast passes between full ones.
  void ReconcileSome(const std::set<int64_t>& ids);
  // Sleep after inactivity and wake (space_engine_sleep.cc): updates sp.sleep from the visits,
  // commits and restarts seen since the last pass, persisting every change.
  void UpdateSleep(const db::RepoRow& row, const db::SpaceSettingsRow& settings, Space& sp,
                   const EngineDesired& want) EXCLUDES(mu_);
  void SetSleeping(int64_t repo_id, Space& sp, bool sleeping);
  // The sleep time that applies to a Space's requested flavor; nullopt or <= 0: never sleeps.
  std::optional<int64_t> SleepSeconds(const db::SpaceSettingsRow& settings) const;
  // Rollouts (space_engine_rollout.cc).
  void StopCurrent(Space& sp);
  void StopOld(Space& sp, bool drain);  // drain: let it finish its requests first
  void StopEverything(Space& sp);
  void StopDrained(Space& sp);
  void StopKey(const std::string& key);  // stops one instance, frees its GPUs and hub listener
  // Hardware usage records (db/job_store.h UsageStore) per instance: opened when it starts, closed
  // when it stops (space_engine_usage.cc).
  void OpenUsage(const db::RepoRow& row, const std::string& key, const std::string& flavor);
  void CloseUsage(const std::string& key);
  // Marks open usage records as still running (at most every 15 s), so that a hub killed with -9
  // loses at most that much when its next start closes them.
  void HeartbeatUsage();
  // The port the hub listens on inside a Space: its own port, unless the app uses that one.
  int HubInsidePort(int app_port) const;
  void Reconcile(const db::RepoRow& row);
  // What the owner wants of this Space now (settings and the head of main).
  EngineDesired Desired(const db::RepoRow& row, const db::SpaceSettingsRow& settings) const;
  // What the backend reports of the current instance.
  EngineObserved Observe(const Space& sp);
  // Takes one step of the stage machine (space_engine_decide.h); one helper per action.
  void Apply(const db::RepoRow& row, const db::SpaceSettingsRow& settings, Space& sp,
             EngineAction action, const EngineDesired& want);
  void ApplyPause(Space& sp);
  void ApplySleep(Space& sp, const EngineDesired& want);
  void ApplyWake(Space& sp);
  void ApplyNoCommit(Space& sp);
  void ApplyStart(const db::RepoRow& row, const db::SpaceSettingsRow& settings, Space& sp);
  void ApplyMarkRunning(Space& sp);
  void ApplyStartupTimeout(Space& sp);
  void ApplyCrash(Space& sp, bool loop);
  // kBuild: keeps the running version serving when a rollout is possible, then builds.
  void BeginBuild(const db::RepoRow& row, const db::SpaceSettingsRow& settings, Space& sp,
                  const EngineDesired& want);
  void LaunchBuild(const db::RepoRow& row, Space& sp, const std::string& sha, bool factory);
  void FinishBuild(const db::RepoRow& row, Space& sp);
  void ClearFactoryRebuild(const db::RepoRow& row, int64_t generation);
  BuildOutcome Build(const db::RepoRow& row, const std::string& sha, bool factory);
  // Build steps: the build directory handed to the Space's uid, then checkout and SDK build.
  void PrepareBuildDir(const std::filesystem::path& space_dir);
  // Removes every build under `builds` but `keep` (and its marker).
  void RemoveOlderBuilds(const std::filesystem::path& builds, const std::filesystem::path& keep);
  spacehub::Status CheckoutAndBuild(const db::RepoRow& row, const std::string& sha, bool factory,
                                    const SpaceConfig& config, const std::filesystem::path& dir,
                                    const std::filesystem::path& log, runtime::HostIds ids);
  spacehub::Status StartInstance(const db::RepoRow& row, const db::SpaceSettingsRow& settings,
                                 Space& sp);
  // Start steps: the flavor's identity and limits, the environment, the command per SDK, and the
  // hub's listener inside the instance.
  spacehub::Status DescribeInstance(const db::RepoRow& row, const db::SpaceSettingsRow& settings,
                                    Space& sp, runtime::InstanceSpec& spec,
                                    runtime::SpaceIdentity& id);
  spacehub::Status SetEnvironment(const db::RepoRow& row, const runtime::SpaceIdentity& id,
                                  runtime::InstanceSpec& spec,
                                  std::map<std::string, std::string>& secrets);
  spacehub::Status SetCommand(const db::RepoRow& row, const Space& sp,
                              const std::map<std::string, std::string>& secrets,
                              runtime::InstanceSpec& spec);
  void ConnectHubInside(const runtime::InstanceSpec& spec);
  // Docker Spaces (space_engine_docker.cc): the image of a checked-out commit, and the container
  // part of an instance spec.
  spacehub::Status BuildDocker(const db::RepoRow& row, const std::string& sha, bool factory,
                               const std::filesystem::path& dir, const std::filesystem::path& log,
                               runtime::HostIds ids);
  bool DockerImageReady(const db::RepoRow& row, const std::string& sha);
  spacehub::Status DockerInstance(const db::RepoRow& row, const Space& sp,
                                  runtime::InstanceSpec& spec);
  std::filesystem::path SpaceDir(const std::string& uid) const;

  Hub& hub_;
  const Clock& clock_;  // hub_.clock: every time-driven decision (sleep, backoff, drain, startup)
  runtime::RuntimeBackend& backend_;
  SpaceEngineOptions options_;
  RepoService repos_;
  SpaceService spaces_;

  // Shared between the loop thread and the API/proxy threads (Status, Target, Visit, Notify).
  Mutex mu_;
  CondVar cv_;
  bool stop_ GUARDED_BY(mu_) = false;
  std::set<int64_t> notified_ GUARDED_BY(mu_);
  std::map<int64_t, View> views_ GUARDED_BY(mu_);
  std::map<int64_t, int64_t> last_visit_ GUARDED_BY(mu_);  // epoch millis of the last Visit
  std::set<int64_t> wake_ GUARDED_BY(mu_);                 // sleeping Spaces a visit asked to wake

  // The loop thread's own (or the caller of ReconcileOnce, never both).
  std::map<int64_t, std::unique_ptr<Space>> spaces_state_;
  bool swept_ = false;  // the first pass removed dirs of Spaces deleted before
  GpuAllocator gpus_;
  std::map<std::string, int> inside_listeners_;  // instance key -> listener id
  std::map<std::string, int64_t> usage_;         // instance key -> open usage record
  int64_t usage_heartbeat_at_ = 0;               // the last HeartbeatUsage write

  HubInside inside_;  // set before Start()
  std::thread thread_;
};

}  // namespace spacehub::service
