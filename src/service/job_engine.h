// JobEngine: runs the jobs the API stores (issue #16). One thread takes every unfinished job one
// step per pass, in the order they were created:
//   SCHEDULING, not submitted: placed on its flavor beside every Space and job (placement.h
//     WhyJobWaits, in the job store's transaction, so two deciders never take the last unit), or
//     left waiting with the reason as its message; once placed, its launch is built
//     (job_engine_launch.cc) and submitted to the JobBackend;
//   submitted: polled; RUNNING once the backend runs it; COMPLETED or ERROR with the exit code when
//     it ends; stopped (ERROR) when its timeout passes; CANCELED when its owner asked.
// A job's hardware is released in the same write that records its end, and its usage record
// (flavor-seconds) is closed then. Scheduled jobs start a run at each time their cron schedule
// gives (job_engine_schedules.cc).
// State lives in the database; memory holds only what a restart can rebuild (usage record ids,
// hub listeners). After a restart, a submitted job is asked of the backend again: a Slurm job is
// still followed; a local one died with the hub (bwrap --die-with-parent) and is marked ERROR.
// Time: every decision reads Hub::clock; only the pacing of the thread uses real time.
// Thread-safe: the JobRuntimeHook methods may be called from any thread; the loop's state is its
// own (or ReconcileOnce's caller's, in tests).
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "core/mutex.h"
#include "runtime/job_backend.h"
#include "service/gpu_allocator.h"
#include "service/hub.h"
#include "service/job_runtime_hook.h"
#include "service/job_spec.h"
#include "service/space_engine.h"

namespace spacehub::service {

struct JobEngineOptions {
  std::filesystem::path data_dir;        // jobs/<id>/ holds each job's log
  std::filesystem::path podman;          // Docker-image jobs; empty: none can run
  std::chrono::milliseconds busy{100};   // pass interval while jobs run or wait
  std::chrono::milliseconds idle{2000};  // otherwise (schedules are checked then too)
  std::chrono::milliseconds usage_heartbeat{15000};
  int64_t pids_limit = 1024;
  int64_t tmp_bytes = int64_t{1} << 30;
  int64_t log_cap = 0;  // 0: the backend's default
  // Whether jobs get HF_ENDPOINT through a hub listener inside their network (ServeHubInside):
  // only where the backend runs them on this machine; a Slurm node's sandbox has no way back.
  bool hub_inside = true;
  // Whether the hub places jobs on its own nodes (hardware.yaml's capacities and `node:` limits,
  // shared with the Spaces). False where the backend is a cluster with its own scheduler (Slurm):
  // such jobs hold nothing of this machine, the cluster's queue decides when they start, and its
  // reason ("waiting in the Slurm queue (Resources)") is the job's message meanwhile.
  bool hub_places = true;
};

class JobEngine final : public JobRuntimeHook {
 public:
  // `spaces`: jobs that run in a Space's environment find it there (null: such jobs fail with a
  // message); `gpus`: the node's GPUs, shared with the Space engine (null: none).
  JobEngine(Hub hub, runtime::JobBackend& backend, SpaceRuntimeHook* spaces, GpuAllocator* gpus,
            JobEngineOptions options);
  ~JobEngine() override;

  // How a job reaches the hub at HF_ENDPOINT from inside its own network (as for Spaces).
  // Ignored without options.hub_inside: jobs then get no HF_ENDPOINT rather than one that points
  // nowhere.
  void ServeHubInside(SpaceEngine::HubInside inside) {
    if (options_.hub_inside) inside_ = std::move(inside);
  }

  void Start();
  void Stop();  // stops the thread; running jobs are left to the backend (local ones stop with it)
  // One pass on the caller's thread (tests). Not while Start()ed.
  void ReconcileOnce();

  void Notify() override;
  std::filesystem::path LogPath(const std::string& job_id) const override;
  runtime::InstanceUsage Usage(const std::string& job_id) override;
  Status CheckImage(const std::string& image) override;

 private:
  void Loop();
  // One pass: recovery (first pass), schedules, then every unfinished job. True when some job is
  // still unfinished (the next pass comes soon).
  bool Pass();
  void Recover();
  void RunSchedules();  // job_engine_schedules.cc
  void Step(const db::JobRow& job);
  void TryStart(const db::JobRow& job);
  // Builds the launch of a job allowed to start and submits it to the backend.
  void Submit(const db::JobRow& job);
  void Follow(const db::JobRow& job);
  // Records the end (stage, message, exit code), releases its hardware and what the engine holds.
  void Finish(const db::JobRow& job, db::JobStage stage, std::string message,
              std::optional<int> exit_code);
  void MarkRunning(const db::JobRow& job, int64_t started_at);
  void LogLine(const std::string& job_id, const std::string& text) const;
  // job_engine_launch.cc: the launch of a placed job, and what it needs released afterwards.
  Result<runtime::JobLaunch> BuildLaunch(const db::JobRow& job);
  Status ImageOf(const JobSpec& spec, runtime::InstanceSpec& instance);
  void OpenUsage(const db::JobRow& job, int64_t at);
  void ReleaseLocal(const std::string& job_id);

  Hub hub_;  // a copy (its parts are references): serve hands a Hub made for this engine
  runtime::JobBackend& backend_;
  SpaceRuntimeHook* spaces_;
  GpuAllocator* gpus_;
  JobEngineOptions options_;
  SpaceEngine::HubInside inside_;

  Mutex mu_;
  CondVar cv_;
  bool stop_ GUARDED_BY(mu_) = false;
  bool notified_ GUARDED_BY(mu_) = false;

  // The loop thread's own.
  bool recovered_ = false;
  int64_t last_heartbeat_ = 0;
  std::map<std::string, int64_t> usage_;         // job id -> open usage record
  std::map<std::string, int> inside_listeners_;  // job id -> hub listener id
  std::thread thread_;
};

}  // namespace spacehub::service
