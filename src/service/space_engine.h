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
// Thread-safe; owns the reconcile thread and the build threads, joined by Stop()/the destructor.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

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

  SpaceEngineStatus Status(int64_t repo_id, const std::string& head_sha,
                           int64_t generation) override;
  void Notify(int64_t repo_id) override;
  std::filesystem::path LogPath(const std::string& repo_uid, bool build) const override;
  SpaceTarget Visit(int64_t repo_id) override;
  SpaceTarget Target(int64_t repo_id) override;
  Result<int> OpenAppSocket(const std::string& instance_key, int port) override;
  runtime::InstanceUsage Usage(int64_t repo_id) override;  // space_engine_metrics.cc

 private:
  struct BuildOutcome {
    std::string stage;  // "" ok; BUILD_ERROR, CONFIG_ERROR, NO_APP_FILE
    std::string error;
    SpaceConfig config;
    std::filesystem::path dir;
  };
  struct Space {
    EngineState state;
    std::string key;      // the backend key of the current instance ("<repo id>-<n>")
    int64_t seq = 0;      // numbers the instances, so a rollout's two versions differ
    std::string old_key;  // while state.has_old: the version that still serves
    int old_port = 0;
    std::vector<std::pair<std::string, int64_t>> draining;  // swapped out: key, stop at (millis)
    std::string error;    // errorMessage of BUILD_ERROR / RUNTIME_ERROR / CONFIG_ERROR
    std::string message;  // what happens now
    SpaceConfig config;   // of the current build
    std::filesystem::path build_dir;
    std::future<BuildOutcome> build;
    std::string build_sha;
    int64_t build_generation = -1;
    bool build_factory = false;
    std::thread build_thread;  // fulfils `build`, then nudges the loop; joined in FinishBuild
    db::RepoRow row;           // as of the last full pass (fast passes reuse it)
    bool sleeping = false;     // asleep for inactivity (mirrors space_runtime_state)
    bool sleeping_loaded = false;
    int64_t running_since = 0;  // when it last became RUNNING (idle time counts from there)
    bool holds_gpus = false;    // its current instance was given GPU devices
    std::string static_head;    // static Spaces: the window.huggingface script of this start
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
  };

  void Loop();
  void Publish(int64_t repo_id, const Space& sp);
  void ReconcileAll();
  // Reconciles only these Spaces (ones in motion or just notified): fast passes between full ones.
  void ReconcileSome(const std::set<int64_t>& ids);
  // Sleep after inactivity and wake (space_engine_sleep.cc): updates sp.sleeping from the visits,
  // commits and restarts seen since the last pass, persisting every change.
  void UpdateSleep(const db::RepoRow& row, const db::SpaceSettingsRow& settings, Space& sp,
                   const EngineDesired& want);
  void SetSleeping(int64_t repo_id, Space& sp, bool sleeping);
  // Rollouts (space_engine_rollout.cc).
  void StopCurrent(Space& sp);
  void StopOld(Space& sp, bool drain);  // drain: let it finish its requests first
  void StopEverything(Space& sp);
  void StopDrained(Space& sp);
  void StopKey(const std::string& key);  // stops one instance, frees its GPUs and hub listener
  // The port the hub listens on inside a Space: its own port, unless the app uses that one.
  int HubInsidePort(int app_port) const;
  void Reconcile(const db::RepoRow& row);
  void Apply(const db::RepoRow& row, const db::SpaceSettingsRow& settings, Space& sp,
             EngineAction action, const EngineDesired& want);
  void FinishBuild(const db::RepoRow& row, Space& sp);
  BuildOutcome Build(const db::RepoRow& row, const std::string& sha, bool factory);
  spacehub::Status StartInstance(const db::RepoRow& row, const db::SpaceSettingsRow& settings,
                                 Space& sp);
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
  runtime::RuntimeBackend& backend_;
  SpaceEngineOptions options_;
  RepoService repos_;
  SpaceService spaces_;

  std::mutex mu_;  // guards stop_, notified_, views_
  std::condition_variable cv_;
  bool stop_ = false;
  std::set<int64_t> notified_;
  std::map<int64_t, View> views_;
  std::map<int64_t, int64_t> last_visit_;  // epoch millis of the last Visit per Space
  std::set<int64_t> wake_;                 // sleeping Spaces a visit asked to wake
  std::map<int64_t, std::unique_ptr<Space>> spaces_state_;  // loop thread only
  bool swept_ = false;  // loop thread only: the first pass removed dirs of Spaces deleted before
  GpuAllocator gpus_;   // loop thread only
  HubInside inside_;    // set before Start()
  std::map<std::string, int> inside_listeners_;  // instance key -> listener id; loop thread only
  std::thread thread_;
};

}  // namespace spacehub::service
