#include "service/job_engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

#include "core/thread_name.h"
#include "runtime/podman/podman.h"
#include "runtime/process.h"
#include "service/placement.h"

namespace spacehub::service {
namespace {

std::string ExitMessage(int code) {
  if (code > 128 && code < 160) {
    return "The command was killed by signal " + std::to_string(code - 128) + " (exit code " +
           std::to_string(code) + ")";
  }
  return "The command exited with code " + std::to_string(code);
}

// Every unfinished job, however many: a listing cut at the newest N (JobQuery's default) would
// leave out the oldest ones, the running jobs that hold hardware, so their ends would never be seen
// and the jobs queued behind them would wait forever.
db::JobQuery Unfinished() {
  db::JobQuery q;
  q.stages = {db::JobStage::kScheduling, db::JobStage::kRunning};
  q.limit = static_cast<size_t>(std::numeric_limits<int64_t>::max());
  return q;
}

}  // namespace

JobEngine::JobEngine(Hub hub, runtime::JobBackend& backend, SpaceRuntimeHook* spaces,
                     GpuAllocator* gpus, JobEngineOptions options)
    : hub_(std::move(hub)),
      backend_(backend),
      spaces_(spaces),
      gpus_(gpus),
      options_(std::move(options)) {}

JobEngine::~JobEngine() { Stop(); }

void JobEngine::Start() {
  thread_ = std::thread([this] {
    NameThisThread("job-engine");
    Loop();
  });
}

void JobEngine::Stop() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  cv_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

void JobEngine::Notify() {
  {
    MutexLock lock(mu_);
    notified_ = true;
  }
  cv_.NotifyAll();
}

std::filesystem::path JobEngine::LogPath(const std::string& job_id) const {
  return options_.data_dir / "jobs" / job_id / "job.log";
}

runtime::InstanceUsage JobEngine::Usage(const std::string& job_id) {
  auto row = hub_.db.jobs().FindJob(job_id);
  if (!row.ok() || row->backend_ref.empty() || db::IsFinal(row->stage)) return {};
  return backend_.Usage(row->backend_ref);
}

Status JobEngine::CheckImage(const std::string& image) {
  if (options_.podman.empty()) {
    return Status::InvalidArgument(
        "This hub cannot run Docker images (podman is not installed); "
        "run the job in a Space's environment instead");
  }
  if (!runtime::ImageExists(options_.podman, runtime::PodmanStore{}, image)) {
    return Status::InvalidArgument("Docker image '" + image.substr(0, 200) +
                                   "' is not available on this hub: images are not pulled from "
                                   "registries; ask the operator to make it available locally");
  }
  return Status::Ok();
}

void JobEngine::Loop() {
  spdlog::info("jobs: engine started ({} backend)", backend_.Name());
  for (;;) {
    bool busy = Pass();
    MutexLock lock(mu_);
    if (stop_) break;
    cv_.WaitFor(mu_, busy ? options_.busy : options_.idle,
                [this]() REQUIRES(mu_) { return stop_ || notified_; });
    notified_ = false;
    if (stop_) break;
  }
}

void JobEngine::ReconcileOnce() { (void)Pass(); }

bool JobEngine::Pass() {
  if (!recovered_) Recover();
  RunSchedules();
  auto jobs = hub_.db.jobs().ListJobs(Unfinished());
  if (!jobs.ok()) {
    spdlog::warn("jobs: cannot list jobs: {}", jobs.status().message());
    return true;
  }
  std::reverse(jobs->begin(), jobs->end());  // oldest first: placement in creation order
  for (const auto& job : *jobs) Step(job);
  const int64_t now = hub_.clock.NowMillis();
  if (now - last_heartbeat_ >= options_.usage_heartbeat.count()) {
    last_heartbeat_ = now;
    (void)hub_.db.usage().TouchOpenUsage(now);
  }
  return !jobs->empty();
}

void JobEngine::Recover() {
  recovered_ = true;
  auto jobs = hub_.db.jobs().ListJobs(Unfinished());
  if (!jobs.ok()) return;
  int lost = 0;
  for (const auto& job : *jobs) {
    if (job.backend_ref.empty()) continue;
    if (job.backend != backend_.Name()) {
      Finish(job, db::JobStage::kError,
             "The hub now runs jobs with its " + backend_.Name() + " backend; this job was on " +
                 job.backend + " and is no longer followed",
             std::nullopt);
      ++lost;
      continue;
    }
    runtime::JobRunStatus st = backend_.Poll(job.backend_ref);
    if (st.state == runtime::JobRunState::kLost) {
      Finish(job, db::JobStage::kError,
             "The hub stopped while the job ran, and the job's process ended with it",
             std::nullopt);
      ++lost;
    } else if (job.stage == db::JobStage::kRunning) {
      OpenUsage(job, hub_.clock.NowMillis());  // its record was closed at the last heartbeat
    }
  }
  if (lost > 0) spdlog::info("jobs: {} job(s) ended while the hub was down", lost);
}

void JobEngine::Step(const db::JobRow& job) {
  if (job.backend_ref.empty()) {
    if (job.cancel_requested) {
      Finish(job, db::JobStage::kCanceled, "Canceled before it started", std::nullopt);
      return;
    }
    TryStart(job);
    return;
  }
  Follow(job);
}

void JobEngine::TryStart(const db::JobRow& job) {
  auto catalog = hub_.hardware.Get();
  const Flavor* flavor = catalog->Find(job.flavor);
  if (!flavor) {
    Finish(job, db::JobStage::kError,
           "The flavor '" + job.flavor + "' is no longer offered by this hub", std::nullopt);
    return;
  }
  if (!options_.hub_places) {
    Submit(job);
    return;
  }
  const int64_t gpus = hub_.options.detected_gpus;
  bool placed = false;
  auto changed =
      hub_.db.jobs().UpdateJob(job.id, [&](db::JobRow& r, db::SpaceSettingsTxn& txn) -> Status {
        if (r.stage != db::JobStage::kScheduling || !r.backend_ref.empty() || r.holds_hardware) {
          placed = r.holds_hardware && r.backend_ref.empty();
          return Status::Ok();
        }
        SH_ASSIGN_OR_RETURN(auto rows, txn.ListAll());
        SH_ASSIGN_OR_RETURN(auto holds, txn.ListJobHolds());
        if (auto why = WhyJobWaits(*flavor, rows, holds, *catalog, gpus)) {
          r.message = *why;
          return Status::Ok();
        }
        r.holds_hardware = true;
        r.message = "Starting";
        placed = true;
        return Status::Ok();
      });
  if (!changed.ok() || !placed) return;
  Submit(*changed);
}

void JobEngine::Submit(const db::JobRow& job) {
  Result<runtime::JobLaunch> launch = BuildLaunch(job);
  Result<std::string> ref = launch.ok() ? backend_.Submit(*launch) : launch.status();
  if (!ref.ok()) {
    ReleaseLocal(job.id);
    Finish(job, db::JobStage::kError, "The job could not start: " + ref.status().message(),
           std::nullopt);
    return;
  }
  if (inside_.add) {
    Result<int> fd = backend_.ListenInside(*ref, inside_.port);
    Result<int> listener = fd.ok() ? inside_.add(*fd) : fd.status();
    if (listener.ok()) inside_listeners_[job.id] = *listener;
  }
  runtime::JobRunStatus st = backend_.Poll(*ref);
  const std::string name = backend_.Name();
  const std::string backend_ref = *ref;
  auto saved = hub_.db.jobs().UpdateJob(job.id, [&](db::JobRow& r, db::SpaceSettingsTxn&) {
    r.backend = name;
    r.backend_ref = backend_ref;
    if (st.state != runtime::JobRunState::kPending) {
      r.message = "Running";
    } else {
      r.message = st.reason.empty() ? "Queued on the " + name + " backend" : st.reason;
    }
    return Status::Ok();
  });
  if (!saved.ok()) {
    // Nothing records the run: stop it rather than leave a process nobody follows.
    backend_.Cancel(backend_ref);
    backend_.Forget(backend_ref);
    ReleaseLocal(job.id);
    return;
  }
  if (st.state != runtime::JobRunState::kPending) {
    MarkRunning(*saved, st.started_at > 0 ? st.started_at : hub_.clock.NowMillis());
  }
}

void JobEngine::MarkRunning(const db::JobRow& job, int64_t started_at) {
  auto r = hub_.db.jobs().UpdateJob(job.id, [&](db::JobRow& row, db::SpaceSettingsTxn&) {
    if (row.stage != db::JobStage::kScheduling) return Status::Ok();
    row.stage = db::JobStage::kRunning;
    row.started_at = started_at;
    row.message = "Running";
    return Status::Ok();
  });
  if (r.ok()) OpenUsage(*r, started_at);
}

void JobEngine::Follow(const db::JobRow& job) {
  if (job.cancel_requested) {
    backend_.Cancel(job.backend_ref);
    LogLine(job.id, "spacehub: the job was canceled");
    Finish(job, db::JobStage::kCanceled, "Canceled by " + job.owner_name, std::nullopt);
    return;
  }
  runtime::JobRunStatus st = backend_.Poll(job.backend_ref);
  const int64_t now = hub_.clock.NowMillis();
  switch (st.state) {
    case runtime::JobRunState::kPending:
      // The cluster's reason to wait, as it changes (Priority, Resources, ...).
      if (!st.reason.empty() && st.reason != job.message) {
        (void)hub_.db.jobs().UpdateJob(job.id, [&](db::JobRow& r, db::SpaceSettingsTxn&) {
          if (r.stage == db::JobStage::kScheduling) r.message = st.reason;
          return Status::Ok();
        });
      }
      return;
    case runtime::JobRunState::kRunning: {
      if (job.stage == db::JobStage::kScheduling) {
        MarkRunning(job, st.started_at > 0 ? st.started_at : now);
        return;
      }
      if (job.timeout_seconds > 0 && job.started_at > 0 &&
          now - job.started_at >= job.timeout_seconds * 1000) {
        backend_.Cancel(job.backend_ref);
        std::string why =
            "The job ran past its timeout of " + std::to_string(job.timeout_seconds) + " s";
        LogLine(job.id, "spacehub: " + why + "; it was stopped");
        Finish(job, db::JobStage::kError, why, std::nullopt);
      }
      return;
    }
    case runtime::JobRunState::kExited: {
      int code = st.exit_code.value_or(1);
      if (code == 0) {
        Finish(job, db::JobStage::kCompleted, "The command exited with code 0", 0);
      } else {
        Finish(job, db::JobStage::kError, ExitMessage(code), code);
      }
      return;
    }
    case runtime::JobRunState::kStopped:
      Finish(job, db::JobStage::kError,
             st.reason.empty() ? "The job was stopped by its backend" : st.reason, st.exit_code);
      return;
    case runtime::JobRunState::kLost:
      Finish(job, db::JobStage::kError, "The job's backend no longer knows it", std::nullopt);
      return;
  }
}

void JobEngine::Finish(const db::JobRow& job, db::JobStage stage, std::string message,
                       std::optional<int> exit_code) {
  const int64_t now = hub_.clock.NowMillis();
  auto r = hub_.db.jobs().UpdateJob(job.id, [&](db::JobRow& row, db::SpaceSettingsTxn&) {
    if (db::IsFinal(row.stage)) return Status::Ok();
    row.stage = stage;
    row.message = message;
    row.exit_code = exit_code;
    row.finished_at = now;
    row.holds_hardware = false;
    return Status::Ok();
  });
  if (!r.ok()) {
    spdlog::warn("jobs: cannot record the end of job {}: {}", job.id, r.status().message());
    return;  // the next pass tries again
  }
  if (!job.backend_ref.empty()) backend_.Forget(job.backend_ref);
  ReleaseLocal(job.id);
  if (auto it = usage_.find(job.id); it != usage_.end()) {
    (void)hub_.db.usage().CloseUsage(it->second, now);
    usage_.erase(it);
  }
  spdlog::info("jobs: {} ended {}: {}", job.id, db::JobStageName(stage), message);
}

void JobEngine::ReleaseLocal(const std::string& job_id) {
  if (auto it = inside_listeners_.find(job_id); it != inside_listeners_.end()) {
    if (inside_.remove) inside_.remove(it->second);
    inside_listeners_.erase(it);
  }
  if (gpus_) gpus_->Release("job-" + job_id);
}

void JobEngine::OpenUsage(const db::JobRow& job, int64_t at) {
  if (usage_.count(job.id) != 0) return;
  db::UsageRecord rec;
  rec.owner_id = job.owner_id;
  rec.kind = "job";
  rec.subject = job.id;
  rec.flavor = job.flavor;
  rec.started_at = at;
  auto id = hub_.db.usage().OpenUsage(rec);
  if (id.ok()) usage_[job.id] = *id;
}

void JobEngine::LogLine(const std::string& job_id, const std::string& text) const {
  runtime::AppendLine(LogPath(job_id), std::to_string(hub_.clock.NowMillis()) + " " + text);
}

}  // namespace spacehub::service
