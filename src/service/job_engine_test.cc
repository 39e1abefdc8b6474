// The job engine's passes, step by step (issue #16): a real hub over SQLite in a temporary
// directory, jobs written by the real JobService, a fake JobBackend that records what the engine
// submits, cancels and forgets and lets the test say when a job exits, a fake Space engine that
// lends a Space's environment, and a FakeClock. Every pass runs on the test's thread
// (ReconcileOnce), so timeouts and schedules are asserted to the millisecond without waiting.
#include "service/job_engine.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/mutex.h"
#include "service/job_service.h"
#include "service/test_util.h"

namespace spacehub::service {
namespace {

// Runs nothing: a submitted job runs (or stays pending) until the test says it exited. Thread-safe.
class FakeJobBackend final : public runtime::JobBackend {
 public:
  std::string Name() const override { return "fake"; }
  Result<std::string> Submit(const runtime::JobLaunch& launch) override {
    MutexLock lock(mu_);
    if (refuse_) return Status::Unavailable("the cluster said no");
    submits_.push_back(launch);
    std::string ref = "ref-" + std::to_string(submits_.size());
    runtime::JobRunStatus st;
    st.state = pending_ ? runtime::JobRunState::kPending : runtime::JobRunState::kRunning;
    runs_[ref] = st;
    return ref;
  }
  runtime::JobRunStatus Poll(const std::string& ref) override {
    MutexLock lock(mu_);
    auto it = runs_.find(ref);
    return it == runs_.end() ? runtime::JobRunStatus{} : it->second;  // kLost
  }
  void Cancel(const std::string& ref) override {
    MutexLock lock(mu_);
    cancels_.push_back(ref);
    if (auto it = runs_.find(ref); it != runs_.end()) {
      it->second.state = runtime::JobRunState::kStopped;
      it->second.exit_code = 143;
    }
  }
  void Forget(const std::string& ref) override {
    MutexLock lock(mu_);
    forgets_.push_back(ref);
    runs_.erase(ref);
  }
  Result<int> ListenInside(const std::string& ref, int port) override {
    MutexLock lock(mu_);
    if (runs_.count(ref) == 0) return Status::NotFound(ref);
    return 1000 + port;  // a stand-in for the listening socket's fd
  }

  // The test's side.
  void Refuse(bool refuse) {
    MutexLock lock(mu_);
    refuse_ = refuse;
  }
  void QueueNewJobs(bool pending) {
    MutexLock lock(mu_);
    pending_ = pending;
  }
  void Set(const std::string& ref, runtime::JobRunState state, std::optional<int> exit_code = {},
           int64_t started_at = 0) {
    MutexLock lock(mu_);
    auto& st = runs_.at(ref);
    st.state = state;
    st.exit_code = exit_code;
    if (started_at) st.started_at = started_at;
  }
  void SetReason(const std::string& ref, const std::string& reason) {
    MutexLock lock(mu_);
    runs_.at(ref).reason = reason;
  }
  std::vector<runtime::JobLaunch> Submits() {
    MutexLock lock(mu_);
    return submits_;
  }
  std::vector<std::string> Cancels() {
    MutexLock lock(mu_);
    return cancels_;
  }
  std::vector<std::string> Forgets() {
    MutexLock lock(mu_);
    return forgets_;
  }

 private:
  Mutex mu_;
  bool refuse_ GUARDED_BY(mu_) = false;
  bool pending_ GUARDED_BY(mu_) = false;
  std::vector<runtime::JobLaunch> submits_ GUARDED_BY(mu_);
  std::vector<std::string> cancels_ GUARDED_BY(mu_);
  std::vector<std::string> forgets_ GUARDED_BY(mu_);
  std::map<std::string, runtime::JobRunStatus> runs_ GUARDED_BY(mu_);
};

// Lends every Space the same built environment; nothing else of a Space engine is asked.
class FakeSpaces final : public SpaceRuntimeHook {
 public:
  explicit FakeSpaces(std::filesystem::path app_dir) : app_dir_(std::move(app_dir)) {}
  SpaceEngineStatus Status(int64_t, const std::string&, int64_t) override { return {}; }
  void Notify(int64_t) override {}
  std::filesystem::path LogPath(const std::string&, bool) const override { return {}; }
  SpaceTarget Visit(int64_t) override { return {}; }
  SpaceTarget Target(int64_t) override { return {}; }
  Result<int> OpenAppSocket(const std::string&, int) override {
    return Status::Unavailable("fake");
  }
  Result<SpaceJobEnvironment> JobEnvironment(int64_t) override {
    SpaceJobEnvironment env;
    env.sdk = "gradio";
    env.app_dir = app_dir_;
    return env;
  }

 private:
  std::filesystem::path app_dir_;
};

class JobEngineTest : public HubTest {
 protected:
  void SetUp() override {
    OpenHub();
    alice_ = User("alice", /*all_flavors=*/true);
    db::RepoRow env;
    env.repo = {RepoType::kSpace, "alice", "env"};
    env.created_at = env.updated_at = 1;
    env.sdk = "gradio";
    auto space = hub().db.CreateRepo(env);
    ASSERT_TRUE(space.ok()) << space.status().message();
    space_id_ = space->id;
    spaces_ = std::make_unique<FakeSpaces>(dir_ / "app");
    engine_ = NewEngine(backend_);
    service_ = std::make_unique<JobService>(hub(), engine_.get());
  }

  void TearDown() override {
    service_.reset();
    engine_.reset();
    instance_.reset();
  }

  std::unique_ptr<JobEngine> NewEngine(runtime::JobBackend& backend, GpuAllocator* gpus = nullptr,
                                       bool hub_places = true) {
    JobEngineOptions options;
    options.data_dir = dir_;
    options.hub_places = hub_places;
    return std::make_unique<JobEngine>(hub(), backend, spaces_.get(), gpus, options);
  }

  static JobSpec Spec(const std::string& flavor = "cpu-basic", int64_t timeout = 60) {
    JobSpec spec;
    spec.space_id = "alice/env";
    spec.command = {"python", "run.py"};
    spec.arguments = {"--n", "3"};
    spec.environment = {{"MODE", "fast"}};
    spec.secrets = {{"TOKEN", "s3cret-value"}};
    spec.flavor = flavor;
    spec.timeout_seconds = timeout;
    return spec;
  }

  // A job run by alice, one millisecond after the last (the engine places in creation order).
  std::string Run(const JobSpec& spec = Spec()) {
    clock_.AdvanceMillis(1);
    auto row = service_->Run(alice_, "alice", spec);
    EXPECT_TRUE(row.ok()) << row.status().message();
    return row.ok() ? row->id : "";
  }

  db::JobRow Job(const std::string& id) {
    auto row = hub().db.jobs().FindJob(id);
    EXPECT_TRUE(row.ok()) << row.status().message();
    return row.ok() ? *row : db::JobRow{};
  }

  std::vector<db::UsageRecord> Usage() {
    auto rows = hub().db.usage().ListUsage({});
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? *rows : std::vector<db::UsageRecord>{};
  }

  FakeJobBackend backend_;
  Caller alice_;
  int64_t space_id_ = 0;
  std::unique_ptr<FakeSpaces> spaces_;
  std::unique_ptr<JobEngine> engine_;
  std::unique_ptr<JobService> service_;
};

TEST_F(JobEngineTest, PlacesSubmitsAndRunsAJob) {
  const std::string id = Run();
  EXPECT_EQ(Job(id).stage, db::JobStage::kScheduling);
  const int64_t start = clock_.NowMillis();
  engine_->ReconcileOnce();

  db::JobRow job = Job(id);
  EXPECT_EQ(job.stage, db::JobStage::kRunning);
  EXPECT_EQ(job.message, "Running");
  EXPECT_TRUE(job.holds_hardware);
  EXPECT_EQ(job.backend, "fake");
  EXPECT_EQ(job.backend_ref, "ref-1");
  EXPECT_EQ(job.started_at, start);

  ASSERT_EQ(backend_.Submits().size(), 1u);
  const runtime::JobLaunch launch = backend_.Submits()[0];
  EXPECT_EQ(launch.job_id, id);
  EXPECT_EQ(launch.instance.key, "job-" + id);
  EXPECT_EQ(launch.instance.argv, (std::vector<std::string>{"python", "run.py", "--n", "3"}));
  EXPECT_EQ(launch.instance.app_dir, dir_ / "app");
  EXPECT_EQ(launch.instance.log_path, engine_->LogPath(id));
  EXPECT_EQ(launch.resources.flavor, "cpu-basic");
  EXPECT_EQ(launch.resources.cpus, 2);
  EXPECT_EQ(launch.timeout_seconds, 60 + 60);  // the backend's own limit comes after the engine's
  std::map<std::string, std::string> env(launch.instance.env.begin(), launch.instance.env.end());
  EXPECT_EQ(env["JOB_ID"], id);
  EXPECT_EQ(env["MODE"], "fast");
  EXPECT_EQ(env["TOKEN"], "s3cret-value");  // opened for the run, and only there
  EXPECT_EQ(env["ACCELERATOR"], "none");
  EXPECT_EQ(launch.redact, (std::vector<std::string>{"s3cret-value"}));
  EXPECT_EQ(job.spec.find("s3cret-value"), std::string::npos);

  // Usage is counted from the start.
  auto usage = Usage();
  ASSERT_EQ(usage.size(), 1u);
  EXPECT_EQ(usage[0].kind, "job");
  EXPECT_EQ(usage[0].subject, id);
  EXPECT_EQ(usage[0].flavor, "cpu-basic");
  EXPECT_EQ(usage[0].started_at, start);
  EXPECT_EQ(usage[0].stopped_at, 0);

  // Further passes while it runs change nothing.
  engine_->ReconcileOnce();
  EXPECT_EQ(Job(id), job);
  EXPECT_EQ(backend_.Submits().size(), 1u);
}

TEST_F(JobEngineTest, ExitCodeZeroCompletesAndReleasesEverything) {
  const std::string id = Run();
  engine_->ReconcileOnce();
  const int64_t start = clock_.NowMillis();
  clock_.AdvanceSeconds(10);
  backend_.Set("ref-1", runtime::JobRunState::kExited, 0);
  engine_->ReconcileOnce();

  db::JobRow job = Job(id);
  EXPECT_EQ(job.stage, db::JobStage::kCompleted);
  EXPECT_EQ(job.exit_code, 0);
  EXPECT_FALSE(job.holds_hardware);
  EXPECT_EQ(job.finished_at, start + 10'000);
  EXPECT_EQ(backend_.Forgets(), (std::vector<std::string>{"ref-1"}));
  EXPECT_TRUE(backend_.Cancels().empty());
  auto usage = Usage();
  ASSERT_EQ(usage.size(), 1u);
  EXPECT_EQ(usage[0].started_at, start);
  EXPECT_EQ(usage[0].stopped_at, start + 10'000);

  // An ended job is not looked at again.
  engine_->ReconcileOnce();
  EXPECT_EQ(Job(id), job);
  EXPECT_EQ(backend_.Forgets().size(), 1u);
}

TEST_F(JobEngineTest, ANonZeroExitIsAnErrorWithItsCode) {
  const std::string a = Run();
  const std::string b = Run();
  engine_->ReconcileOnce();
  backend_.Set("ref-1", runtime::JobRunState::kExited, 3);
  backend_.Set("ref-2", runtime::JobRunState::kExited, 137);
  engine_->ReconcileOnce();
  db::JobRow job = Job(a);
  EXPECT_EQ(job.stage, db::JobStage::kError);
  EXPECT_EQ(job.exit_code, 3);
  EXPECT_EQ(job.message, "The command exited with code 3");
  EXPECT_FALSE(job.holds_hardware);
  db::JobRow killed = Job(b);
  EXPECT_EQ(killed.exit_code, 137);
  EXPECT_NE(killed.message.find("signal 9"), std::string::npos) << killed.message;
}

TEST_F(JobEngineTest, CancelStopsARunningJob) {
  const std::string id = Run();
  engine_->ReconcileOnce();
  ASSERT_TRUE(service_->Cancel(alice_, "alice", id).ok());
  EXPECT_TRUE(Job(id).cancel_requested);
  EXPECT_EQ(Job(id).stage, db::JobStage::kRunning);  // the engine does it
  engine_->ReconcileOnce();
  db::JobRow job = Job(id);
  EXPECT_EQ(job.stage, db::JobStage::kCanceled);
  EXPECT_EQ(job.exit_code, std::nullopt);
  EXPECT_FALSE(job.holds_hardware);
  EXPECT_EQ(backend_.Cancels(), (std::vector<std::string>{"ref-1"}));
  EXPECT_EQ(backend_.Forgets(), (std::vector<std::string>{"ref-1"}));
  EXPECT_NE(Usage()[0].stopped_at, 0);
}

TEST_F(JobEngineTest, ACanceledWaitingJobNeverStarts) {
  const std::string first = Run(Spec("t4-small"));
  const std::string second = Run(Spec("t4-small"));
  engine_->ReconcileOnce();
  ASSERT_EQ(Job(second).stage, db::JobStage::kScheduling);
  ASSERT_TRUE(service_->Cancel(alice_, "alice", second).ok());
  engine_->ReconcileOnce();
  EXPECT_EQ(Job(second).stage, db::JobStage::kCanceled);
  EXPECT_EQ(backend_.Submits().size(), 1u);
  EXPECT_TRUE(backend_.Cancels().empty());
  backend_.Set("ref-1", runtime::JobRunState::kExited, 0);
  engine_->ReconcileOnce();
  EXPECT_EQ(Job(first).stage, db::JobStage::kCompleted);
  EXPECT_EQ(backend_.Submits().size(), 1u);
}

TEST_F(JobEngineTest, ATimeoutStopsTheJobExactlyWhenItPasses) {
  const std::string id = Run(Spec("cpu-basic", 60));
  engine_->ReconcileOnce();
  clock_.AdvanceMillis(60'000 - 1);
  engine_->ReconcileOnce();
  EXPECT_EQ(Job(id).stage, db::JobStage::kRunning);
  EXPECT_TRUE(backend_.Cancels().empty());
  clock_.AdvanceMillis(1);
  engine_->ReconcileOnce();
  db::JobRow job = Job(id);
  EXPECT_EQ(job.stage, db::JobStage::kError);
  EXPECT_NE(job.message.find("timeout of 60 s"), std::string::npos) << job.message;
  EXPECT_FALSE(job.holds_hardware);
  EXPECT_EQ(backend_.Cancels(), (std::vector<std::string>{"ref-1"}));
  EXPECT_NE(testing::ReadFile(engine_->LogPath(id)).find("timeout"), std::string::npos);
}

TEST_F(JobEngineTest, AJobOnAFullFlavorWaitsAndStartsWhenTheFirstEnds) {
  const std::string first = Run(Spec("t4-small"));  // capacity 1
  const std::string second = Run(Spec("t4-small"));
  engine_->ReconcileOnce();
  EXPECT_EQ(Job(first).stage, db::JobStage::kRunning);
  db::JobRow waiting = Job(second);
  EXPECT_EQ(waiting.stage, db::JobStage::kScheduling);
  EXPECT_FALSE(waiting.holds_hardware);
  EXPECT_EQ(waiting.message.rfind("Waiting for hardware", 0), 0u) << waiting.message;
  EXPECT_EQ(backend_.Submits().size(), 1u);

  engine_->ReconcileOnce();  // still full
  EXPECT_EQ(Job(second).stage, db::JobStage::kScheduling);

  backend_.Set("ref-1", runtime::JobRunState::kExited, 0);
  engine_->ReconcileOnce();
  EXPECT_EQ(Job(first).stage, db::JobStage::kCompleted);
  db::JobRow started = Job(second);
  EXPECT_EQ(started.stage, db::JobStage::kRunning);
  EXPECT_TRUE(started.holds_hardware);
  EXPECT_EQ(backend_.Submits().size(), 2u);
}

TEST_F(JobEngineTest, AJobWaitsForTheHardwareASpaceHolds) {
  db::SpaceSettingsRow defaults;
  defaults.hardware_current = defaults.hardware_requested = "cpu-basic";
  auto set = [&](const std::string& flavor) {
    ASSERT_TRUE(hub()
                    .db
                    .UpdateSpaceSettings(space_id_, defaults,
                                         [&](db::SpaceSettingsRow& r, db::SpaceSettingsTxn&) {
                                           r.hardware_current = r.hardware_requested = flavor;
                                           return Status::Ok();
                                         })
                    .ok());
  };
  set("t4-small");
  const std::string id = Run(Spec("t4-small"));
  engine_->ReconcileOnce();
  EXPECT_EQ(Job(id).stage, db::JobStage::kScheduling);
  EXPECT_NE(Job(id).message.find("1 of 1 in use"), std::string::npos) << Job(id).message;
  set("cpu-basic");
  engine_->ReconcileOnce();
  EXPECT_EQ(Job(id).stage, db::JobStage::kRunning);
}

TEST_F(JobEngineTest, APendingJobRunsOnceTheBackendStartsIt) {
  backend_.QueueNewJobs(true);
  const std::string id = Run();
  engine_->ReconcileOnce();
  db::JobRow queued = Job(id);
  EXPECT_EQ(queued.stage, db::JobStage::kScheduling);
  EXPECT_TRUE(queued.holds_hardware);
  EXPECT_EQ(queued.backend_ref, "ref-1");
  EXPECT_EQ(queued.message, "Queued on the fake backend");
  EXPECT_TRUE(Usage().empty());

  clock_.AdvanceSeconds(5);
  const int64_t started = clock_.NowMillis() - 1000;
  backend_.Set("ref-1", runtime::JobRunState::kRunning, std::nullopt, started);
  engine_->ReconcileOnce();
  db::JobRow job = Job(id);
  EXPECT_EQ(job.stage, db::JobStage::kRunning);
  EXPECT_EQ(job.started_at, started);  // as the backend saw it
  ASSERT_EQ(Usage().size(), 1u);
  EXPECT_EQ(Usage()[0].started_at, started);
  EXPECT_EQ(backend_.Submits().size(), 1u);
}

TEST_F(JobEngineTest, OnAClusterTheQueueDecidesAndTheHubHoldsNothing) {
  engine_ = NewEngine(backend_, nullptr, /*hub_places=*/false);
  service_ = std::make_unique<JobService>(hub(), engine_.get());
  backend_.QueueNewJobs(true);
  // Two jobs on a flavor of capacity 1: both go to the cluster, neither holds the hub's unit.
  const std::string first = Run(Spec("t4-small"));
  const std::string second = Run(Spec("t4-small"));
  engine_->ReconcileOnce();
  EXPECT_EQ(backend_.Submits().size(), 2u);
  for (const auto& id : {first, second}) {
    db::JobRow job = Job(id);
    EXPECT_EQ(job.stage, db::JobStage::kScheduling);
    EXPECT_FALSE(job.holds_hardware);
    EXPECT_EQ(job.message, "Queued on the fake backend");
  }
  // The cluster's reason becomes the message as it changes; then it runs and ends as usual.
  backend_.Set("ref-2", runtime::JobRunState::kPending);
  backend_.SetReason("ref-2", "waiting in the Slurm queue (Resources)");
  engine_->ReconcileOnce();
  EXPECT_EQ(Job(second).message, "waiting in the Slurm queue (Resources)");
  backend_.Set("ref-2", runtime::JobRunState::kRunning, std::nullopt, clock_.NowMillis());
  engine_->ReconcileOnce();
  EXPECT_EQ(Job(second).stage, db::JobStage::kRunning);
  EXPECT_FALSE(Job(second).holds_hardware);
  backend_.Set("ref-2", runtime::JobRunState::kExited, 0);
  engine_->ReconcileOnce();
  EXPECT_EQ(Job(second).stage, db::JobStage::kCompleted);
}

TEST_F(JobEngineTest, ASubmitThatFailsEndsTheJobAndFreesItsHardware) {
  backend_.Refuse(true);
  const std::string id = Run(Spec("t4-small"));
  engine_->ReconcileOnce();
  db::JobRow job = Job(id);
  EXPECT_EQ(job.stage, db::JobStage::kError);
  EXPECT_NE(job.message.find("the cluster said no"), std::string::npos) << job.message;
  EXPECT_FALSE(job.holds_hardware);
  EXPECT_TRUE(job.backend_ref.empty());
  EXPECT_TRUE(Usage().empty());
  // The flavor's one unit is free again.
  backend_.Refuse(false);
  const std::string next = Run(Spec("t4-small"));
  engine_->ReconcileOnce();
  EXPECT_EQ(Job(next).stage, db::JobStage::kRunning);
}

TEST_F(JobEngineTest, AJobWhoseSpaceIsGoneFailsWithAMessage) {
  ASSERT_TRUE(hub().db.DeleteRepo(space_id_).ok());
  // Written as a schedule's run would be: the Space was checked when the schedule was made.
  db::ScheduledJobRow s;
  s.id = NewJobId();
  s.owner_id = alice_->user.id;
  s.spec = SpecJson(Spec()).dump();
  auto run = JobService::NewRunOfSchedule(hub(), s);
  ASSERT_TRUE(run.ok()) << run.status().message();
  engine_->ReconcileOnce();
  db::JobRow job = Job(run->id);
  EXPECT_EQ(job.stage, db::JobStage::kError);
  EXPECT_NE(job.message.find("no longer exists"), std::string::npos) << job.message;
  EXPECT_FALSE(job.holds_hardware);
}

TEST_F(JobEngineTest, AfterARestartALostJobIsAnError) {
  const std::string id = Run();
  engine_->ReconcileOnce();
  ASSERT_EQ(Job(id).stage, db::JobStage::kRunning);

  // The hub restarts: a new engine over the same database, whose backend never heard of ref-1.
  service_.reset();
  engine_.reset();
  FakeJobBackend after;
  engine_ = NewEngine(after);
  engine_->ReconcileOnce();
  db::JobRow job = Job(id);
  EXPECT_EQ(job.stage, db::JobStage::kError);
  EXPECT_NE(job.message.find("hub stopped"), std::string::npos) << job.message;
  EXPECT_FALSE(job.holds_hardware);
  EXPECT_TRUE(after.Submits().empty());
}

TEST_F(JobEngineTest, AfterARestartAJobTheBackendStillRunsIsFollowed) {
  const std::string id = Run();
  engine_->ReconcileOnce();
  ASSERT_TRUE(hub().db.usage().CloseAbandonedUsage().ok());  // as `serve` does at start
  service_.reset();
  engine_ = NewEngine(backend_);
  clock_.AdvanceSeconds(5);
  engine_->ReconcileOnce();
  EXPECT_EQ(Job(id).stage, db::JobStage::kRunning);
  auto usage = Usage();
  ASSERT_EQ(usage.size(), 2u);  // the old life's record closed, a new one from the restart
  EXPECT_EQ(usage[1].stopped_at, 0);
  backend_.Set("ref-1", runtime::JobRunState::kExited, 0);
  engine_->ReconcileOnce();
  EXPECT_EQ(Job(id).stage, db::JobStage::kCompleted);
  EXPECT_NE(Usage()[1].stopped_at, 0);
}

TEST_F(JobEngineTest, ADueScheduleStartsARunAndMovesOn) {
  ScheduledJobInput in;
  in.spec = Spec();
  in.schedule = "@hourly";
  auto created = service_->CreateScheduled(alice_, "alice", in);
  ASSERT_TRUE(created.ok()) << created.status().message();
  const int64_t first_run = created->next_run_at;
  ASSERT_GT(first_run, clock_.NowMillis());

  clock_.SetMillis(first_run - 1);
  engine_->ReconcileOnce();
  EXPECT_TRUE(hub().db.jobs().ListJobs({})->empty());

  clock_.SetMillis(first_run);
  engine_->ReconcileOnce();
  auto runs = hub().db.jobs().ListJobs({});
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  const db::JobRow& run = (*runs)[0];
  EXPECT_EQ(run.scheduled_job_id, created->id);
  EXPECT_EQ(run.stage, db::JobStage::kRunning);  // started in the same pass
  auto after = hub().db.jobs().FindScheduledJob(created->id);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->next_run_at, first_run + 3600 * 1000);
  EXPECT_EQ(after->last_job_id, run.id);
  EXPECT_EQ(after->last_job_at, first_run);
  // The schedule's secrets reach its runs.
  const auto submits = backend_.Submits();
  ASSERT_EQ(submits.size(), 1u);
  const runtime::EnvList& list = submits[0].instance.env;
  std::map<std::string, std::string> env(list.begin(), list.end());
  EXPECT_EQ(env["TOKEN"], "s3cret-value");
}

TEST_F(JobEngineTest, AScheduleLongOverdueStartsOneRun) {
  db::ScheduledJobRow s;
  s.id = NewJobId();
  s.owner_id = alice_->user.id;
  s.spec = SpecJson(Spec()).dump();
  s.schedule = "@hourly";
  s.created_at = clock_.NowMillis();
  s.next_run_at = clock_.NowMillis() - 10 * 3600 * 1000;  // the hub was down for ten hours
  ASSERT_TRUE(hub().db.jobs().CreateScheduledJob(s).ok());
  engine_->ReconcileOnce();
  EXPECT_EQ(hub().db.jobs().ListJobs({})->size(), 1u);
  const int64_t next = hub().db.jobs().FindScheduledJob(s.id)->next_run_at;
  EXPECT_GT(next, clock_.NowMillis());
  EXPECT_LE(next, clock_.NowMillis() + 3600 * 1000);
  engine_->ReconcileOnce();
  EXPECT_EQ(hub().db.jobs().ListJobs({})->size(), 1u);
}

TEST_F(JobEngineTest, ASuspendedScheduleStartsNothing) {
  db::ScheduledJobRow s;
  s.id = NewJobId();
  s.owner_id = alice_->user.id;
  s.spec = SpecJson(Spec()).dump();
  s.schedule = "@hourly";
  s.suspend = true;
  s.next_run_at = clock_.NowMillis() - 1000;
  ASSERT_TRUE(hub().db.jobs().CreateScheduledJob(s).ok());
  engine_->ReconcileOnce();
  EXPECT_TRUE(hub().db.jobs().ListJobs({})->empty());
  EXPECT_EQ(hub().db.jobs().FindScheduledJob(s.id)->next_run_at, s.next_run_at);
}

TEST_F(JobEngineTest, WithoutConcurrencyATimeIsSkippedWhileTheLastRunRuns) {
  db::ScheduledJobRow s;
  s.id = NewJobId();
  s.owner_id = alice_->user.id;
  s.spec = SpecJson(Spec("cpu-basic", 3 * 3600)).dump();
  s.schedule = "@hourly";
  s.next_run_at = clock_.NowMillis();
  ASSERT_TRUE(hub().db.jobs().CreateScheduledJob(s).ok());
  engine_->ReconcileOnce();
  ASSERT_EQ(hub().db.jobs().ListJobs({})->size(), 1u);
  clock_.AdvanceSeconds(3600);
  engine_->ReconcileOnce();
  EXPECT_EQ(hub().db.jobs().ListJobs({})->size(), 1u);  // the first still runs
  EXPECT_GT(hub().db.jobs().FindScheduledJob(s.id)->next_run_at, clock_.NowMillis());

  // With concurrency, the next time starts another run beside it.
  ASSERT_TRUE(hub()
                  .db.jobs()
                  .UpdateScheduledJob(s.id,
                                      [](db::ScheduledJobRow& r) {
                                        r.concurrency = true;
                                        return Status::Ok();
                                      })
                  .ok());
  clock_.AdvanceSeconds(3600);
  engine_->ReconcileOnce();
  EXPECT_EQ(hub().db.jobs().ListJobs({})->size(), 2u);
}

}  // namespace
}  // namespace spacehub::service

namespace spacehub::service {
namespace {

TEST_F(JobEngineTest, TheOldestJobIsFollowedHoweverManyWaitBehindIt) {
  const std::string first = Run(Spec("t4-small"));
  engine_->ReconcileOnce();
  ASSERT_EQ(Job(first).stage, db::JobStage::kRunning);
  // More jobs wait for the flavor than one listing of the store gives by default.
  db::JobRow waiting = Job(first);
  waiting.stage = db::JobStage::kScheduling;
  waiting.backend_ref.clear();
  waiting.holds_hardware = false;
  waiting.started_at = 0;
  waiting.sealed_secrets.clear();  // sealed for the first job's id only
  for (int i = 0; i < 1000; ++i) {
    waiting.id = NewJobId();
    waiting.created_at = clock_.NowMillis() + 1 + i;
    ASSERT_TRUE(hub().db.jobs().CreateJob(waiting).ok());
  }
  clock_.AdvanceSeconds(1);
  backend_.Set("ref-1", runtime::JobRunState::kExited, 0);
  engine_->ReconcileOnce();
  EXPECT_EQ(Job(first).stage, db::JobStage::kCompleted);
  EXPECT_EQ(backend_.Submits().size(), 2u);  // the next in line took the unit
}

}  // namespace
}  // namespace spacehub::service

namespace spacehub::service {
namespace {

TEST_F(JobEngineTest, AGpuJobGetsItsOwnGpuAndGivesItBack) {
  GpuAllocator gpus(1);
  engine_ = NewEngine(backend_, &gpus);
  service_ = std::make_unique<JobService>(hub(), engine_.get());
  const std::string first = Run(Spec("t4-small"));
  engine_->ReconcileOnce();
  ASSERT_EQ(Job(first).stage, db::JobStage::kRunning);
  const auto submits = backend_.Submits();
  ASSERT_EQ(submits.size(), 1u);
  EXPECT_EQ(submits[0].instance.devices, GpuDeviceNodes({0}));
  const runtime::EnvList& list = submits[0].instance.env;
  std::map<std::string, std::string> env(list.begin(), list.end());
  EXPECT_EQ(env["ACCELERATOR"], "t4");
  // While it holds the node's one GPU, nothing else gets it.
  EXPECT_FALSE(gpus.Acquire("space-x", 1).ok());

  backend_.Set("ref-1", runtime::JobRunState::kExited, 0);
  const std::string second = Run(Spec("t4-small"));
  engine_->ReconcileOnce();
  EXPECT_EQ(Job(first).stage, db::JobStage::kCompleted);
  EXPECT_EQ(Job(second).stage, db::JobStage::kRunning) << Job(second).message;
  ASSERT_EQ(backend_.Submits().size(), 2u);
  EXPECT_EQ(backend_.Submits()[1].instance.devices, GpuDeviceNodes({0}));
  backend_.Set("ref-2", runtime::JobRunState::kExited, 1);
  engine_->ReconcileOnce();
  EXPECT_TRUE(gpus.Acquire("space-x", 1).ok());
}

TEST_F(JobEngineTest, AJobReachesTheHubInsideItsNetworkUntilItEnds) {
  std::vector<int> added, removed;
  engine_->ServeHubInside({8080,
                           [&](int fd) -> Result<int> {
                             added.push_back(fd);
                             return static_cast<int>(added.size());
                           },
                           [&](int id) { removed.push_back(id); }});
  const std::string id = Run();
  engine_->ReconcileOnce();
  const auto submits = backend_.Submits();
  ASSERT_EQ(submits.size(), 1u);
  const runtime::EnvList& list = submits[0].instance.env;
  std::map<std::string, std::string> env(list.begin(), list.end());
  EXPECT_EQ(env["HF_ENDPOINT"], "http://127.0.0.1:8080");
  EXPECT_EQ(added, (std::vector<int>{1000 + 8080}));
  EXPECT_TRUE(removed.empty());
  ASSERT_TRUE(service_->Cancel(alice_, "alice", id).ok());
  engine_->ReconcileOnce();
  EXPECT_EQ(removed, (std::vector<int>{1}));
}

TEST_F(JobEngineTest, AJobPlacedButNotSubmittedWhenTheHubStoppedIsSubmittedAfter) {
  const std::string id = Run(Spec("t4-small"));
  // The hub stopped between placing the job and handing it to the backend.
  ASSERT_TRUE(hub()
                  .db.jobs()
                  .UpdateJob(id,
                             [](db::JobRow& r, db::SpaceSettingsTxn&) {
                               r.holds_hardware = true;
                               r.message = "Starting";
                               return Status::Ok();
                             })
                  .ok());
  const std::string other = Run(Spec("t4-small"));
  engine_->ReconcileOnce();
  EXPECT_EQ(Job(id).stage, db::JobStage::kRunning);
  EXPECT_EQ(Job(other).stage, db::JobStage::kScheduling);  // the one unit stays the first's
  EXPECT_EQ(backend_.Submits().size(), 1u);
}

}  // namespace
}  // namespace spacehub::service
