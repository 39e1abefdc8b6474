// The Space engine's loop, step by step (issue #17): a real hub over SQLite in a temporary
// directory, a fake runtime backend that records what the engine starts and stops and lets the
// test say when an instance answers or exits, and a FakeClock. Every pass runs on the test's
// thread (ReconcileOnce), so each time-driven rule — sleep after inactivity, wake on visit, crash
// backoff, the rollout drain — is asserted to the millisecond without waiting: "not before" is
// checked one millisecond before the deadline, never by sleeping.
//
// Builds are real (checkout of the commit, build marker); the Python step runs /usr/bin/true as
// the interpreter, since no instance is ever run by the fake backend.
#include "service/space_engine.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "core/mutex.h"
#include "service/hub_instance.h"
#include "service/refs_updated.h"
#include "service/test_util.h"

namespace spacehub::service {
namespace {

constexpr int64_t kDrainMs = 5000;

// Records Start/Stop; an instance runs until the test says it exited, and answers once the test
// says so. Thread-safe (build threads ask for SpaceIds).
class FakeBackend final : public runtime::RuntimeBackend {
 public:
  Status Start(const runtime::InstanceSpec& spec) override {
    MutexLock lock(mu_);
    starts_.push_back(spec);
    instances_[spec.key] = Instance{};
    return Status::Ok();
  }
  void Stop(const std::string& key) override {
    MutexLock lock(mu_);
    if (instances_.erase(key) > 0) stops_.push_back(key);
  }
  runtime::InstanceStatus Get(const std::string& key) override {
    MutexLock lock(mu_);
    runtime::InstanceStatus st;
    auto it = instances_.find(key);
    if (it == instances_.end()) return st;
    st.exists = true;
    st.alive = !it->second.exit_code;
    st.exit_code = it->second.exit_code;
    if (st.exit_code) st.last_lines = {"Traceback: boom"};
    return st;
  }
  bool Probe(const std::string& key) override {
    MutexLock lock(mu_);
    auto it = instances_.find(key);
    return it != instances_.end() && it->second.answers && !it->second.exit_code;
  }
  Result<int> Connect(const std::string&, int) override { return Status::Unavailable("fake"); }
  Result<int> ListenInside(const std::string&, int) override { return Status::Unavailable("fake"); }

  // The test's side.
  void Answer(const std::string& key) {
    MutexLock lock(mu_);
    instances_.at(key).answers = true;
  }
  void Exit(const std::string& key, int code) {
    MutexLock lock(mu_);
    instances_.at(key).exit_code = code;
  }
  size_t Starts() {
    MutexLock lock(mu_);
    return starts_.size();
  }
  runtime::InstanceSpec LastStart() {
    MutexLock lock(mu_);
    return starts_.empty() ? runtime::InstanceSpec{} : starts_.back();
  }
  std::vector<std::string> Stops() {
    MutexLock lock(mu_);
    return stops_;
  }
  bool Runs(const std::string& key) {
    MutexLock lock(mu_);
    return instances_.count(key) > 0;
  }

 private:
  struct Instance {
    bool answers = false;
    std::optional<int> exit_code;
  };
  Mutex mu_;
  std::vector<runtime::InstanceSpec> starts_ GUARDED_BY(mu_);
  std::vector<std::string> stops_ GUARDED_BY(mu_);
  std::map<std::string, Instance> instances_ GUARDED_BY(mu_);
};

class SpaceEngineTest : public HubTest {
 protected:
  void SetUp() override {
    OpenHub();
    alice_ = User("alice", /*all_flavors=*/true);
    SpaceEngineOptions options;
    options.data_dir = dir_;
    options.python.python = "/usr/bin/true";
    options.drain = std::chrono::milliseconds(kDrainMs);
    engine_ = std::make_unique<SpaceEngine>(hub(), backend_, options);
    // As `serve` wires it: the engine works on the plain hub, the services see it attached.
    served_ = std::make_unique<Hub>(hub().WithRuntime(engine_.get()));
    repos_ = std::make_unique<RepoService>(*served_);
    spaces_ = std::make_unique<SpaceService>(*served_, *repos_);
  }

  void TearDown() override {
    spaces_.reset();
    repos_.reset();
    served_.reset();
    engine_.reset();
    instance_.reset();
  }

  db::RepoRow CreateSpace(const std::string& name) {
    CreateRepoInput in;
    in.type = RepoType::kSpace;
    in.ns = "alice";
    in.name = name;
    in.sdk = "gradio";
    auto row = spaces_->Create(alice_, in, SpaceParams{}, "http://127.0.0.1");
    EXPECT_TRUE(row.ok()) << row.status().message();
    return row.ok() ? *row : db::RepoRow{};
  }

  // A commit on main, as a push makes it (the engine reads the head of main).
  void Commit(const db::RepoRow& row, const std::string& app) {
    repo::CommitRequest c;
    c.ref = "refs/heads/main";
    c.summary = "app";
    c.author_name = "alice";
    c.author_email = "alice@users.noreply.spacehub";
    c.ops.push_back(repo::AddFile{"app.py", app});
    auto done = hub().repos.Commit(row.repo, c);
    ASSERT_TRUE(done.ok()) << done.status().message();
    OnRefsUpdated(*served_, row, {"refs/heads/main"});
  }

  // The passes a build takes: it starts, ends on its thread, and the next pass starts the app.
  void PassThroughBuild() {
    engine_->ReconcileOnce();
    engine_->AwaitBuilds();
    engine_->ReconcileOnce();
  }

  SpaceStage Stage(const db::RepoRow& row) { return engine_->Target(row.id).stage; }

  // A Space whose app was built, started and answers.
  db::RepoRow RunningSpace(const std::string& name) {
    db::RepoRow row = CreateSpace(name);
    Commit(row, "print('v1')\n");
    PassThroughBuild();
    EXPECT_EQ(Stage(row), SpaceStage::kAppStarting) << engine_->Status(row.id, "", 0).message;
    backend_.Answer(backend_.LastStart().key);
    engine_->ReconcileOnce();
    EXPECT_EQ(Stage(row), SpaceStage::kRunning);
    return row;
  }

  FakeBackend backend_;
  Caller alice_;
  std::unique_ptr<Hub> served_;
  std::unique_ptr<RepoService> repos_;
  std::unique_ptr<SpaceService> spaces_;
  std::unique_ptr<SpaceEngine> engine_;
};

TEST_F(SpaceEngineTest, BuildsStartsAndRunsOnceTheAppAnswers) {
  db::RepoRow row = CreateSpace("demo");
  Commit(row, "print('hi')\n");
  engine_->ReconcileOnce();
  EXPECT_EQ(Stage(row), SpaceStage::kBuilding);
  engine_->AwaitBuilds();
  engine_->ReconcileOnce();
  ASSERT_EQ(backend_.Starts(), 1u);
  runtime::InstanceSpec spec = backend_.LastStart();
  EXPECT_EQ(spec.argv.back(), "app.py");
  EXPECT_EQ(spec.limits.cpu_millis, 2000);  // cpu-basic
  // Started but silent: it stays APP_STARTING however often the engine looks.
  engine_->ReconcileOnce();
  EXPECT_EQ(Stage(row), SpaceStage::kAppStarting);
  backend_.Answer(spec.key);
  engine_->ReconcileOnce();
  SpaceTarget t = engine_->Target(row.id);
  EXPECT_EQ(t.stage, SpaceStage::kRunning);
  EXPECT_EQ(t.kind, SpaceTarget::Kind::kApp);
  EXPECT_EQ(t.instance_key, spec.key);
  auto view = spaces_->RuntimeOf(row);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->stage, SpaceStage::kRunning);
  EXPECT_EQ(view->replicas_current, 1);
}

TEST_F(SpaceEngineTest, SleepsExactlyAfterItsSleepTimeWithoutVisitors) {
  db::RepoRow row = RunningSpace("sleepy");
  const std::string key = backend_.LastStart().key;
  clock_.AdvanceSeconds(48 * 3600 - 1);  // free hardware: 48 h
  clock_.AdvanceMillis(999);
  engine_->ReconcileOnce();
  EXPECT_EQ(Stage(row), SpaceStage::kRunning);
  EXPECT_TRUE(backend_.Runs(key));
  clock_.AdvanceMillis(1);
  engine_->ReconcileOnce();
  EXPECT_EQ(Stage(row), SpaceStage::kSleeping);
  EXPECT_FALSE(backend_.Runs(key));
  auto asleep = hub().db.IsSpaceSleeping(row.id);
  ASSERT_TRUE(asleep.ok());
  EXPECT_TRUE(*asleep);  // kept across a hub restart
}

TEST_F(SpaceEngineTest, AVisitPostponesSleepAndWakesASleepingSpace) {
  db::RepoRow row = RunningSpace("visited");
  clock_.AdvanceSeconds(24 * 3600);
  engine_->Visit(row.id);  // the idle time counts from here
  clock_.AdvanceSeconds(48 * 3600 - 1);
  engine_->ReconcileOnce();
  EXPECT_EQ(Stage(row), SpaceStage::kRunning);
  clock_.AdvanceSeconds(1);
  engine_->ReconcileOnce();
  ASSERT_EQ(Stage(row), SpaceStage::kSleeping);
  const size_t starts = backend_.Starts();

  SpaceTarget t = engine_->Visit(row.id);
  EXPECT_TRUE(t.waking);
  engine_->ReconcileOnce();  // woken with its build at hand: started without a rebuild
  EXPECT_EQ(backend_.Starts(), starts + 1);
  EXPECT_EQ(Stage(row), SpaceStage::kAppStarting);
  backend_.Answer(backend_.LastStart().key);
  engine_->ReconcileOnce();
  EXPECT_EQ(Stage(row), SpaceStage::kRunning);
  auto asleep = hub().db.IsSpaceSleeping(row.id);
  ASSERT_TRUE(asleep.ok());
  EXPECT_FALSE(*asleep);
}

TEST_F(SpaceEngineTest, ACrashedAppIsRestartedWithBackoffThenGivesUp) {
  db::RepoRow row = RunningSpace("crashy");
  for (int crash = 1; crash <= kMaxCrashes; ++crash) {
    const size_t starts = backend_.Starts();
    backend_.Exit(backend_.LastStart().key, 1);
    engine_->ReconcileOnce();
    EXPECT_EQ(Stage(row), SpaceStage::kAppStarting) << crash;
    const int64_t backoff = CrashBackoffMs(crash);  // 1 s, 2 s, 4 s
    clock_.AdvanceMillis(backoff - 1);
    engine_->ReconcileOnce();
    EXPECT_EQ(backend_.Starts(), starts) << "restarted before its backoff, crash " << crash;
    clock_.AdvanceMillis(1);
    engine_->ReconcileOnce();
    EXPECT_EQ(backend_.Starts(), starts + 1) << crash;
  }
  backend_.Exit(backend_.LastStart().key, 3);
  engine_->ReconcileOnce();
  EXPECT_EQ(Stage(row), SpaceStage::kRuntimeError);
  auto view = spaces_->RuntimeOf(row);
  ASSERT_TRUE(view.ok());
  ASSERT_TRUE(view->error_message);
  EXPECT_NE(view->error_message->find("last exit code 3"), std::string::npos);
  EXPECT_NE(view->error_message->find("Traceback: boom"), std::string::npos);
}

TEST_F(SpaceEngineTest, ARolloutServesTheOldVersionThenDrainsIt) {
  db::RepoRow row = RunningSpace("rolling");
  const std::string old_key = backend_.LastStart().key;
  Commit(row, "print('v2')\n");
  engine_->ReconcileOnce();
  SpaceTarget t = engine_->Target(row.id);
  EXPECT_EQ(t.stage, SpaceStage::kRunningBuilding);
  EXPECT_EQ(t.instance_key, old_key);  // visitors still reach v1
  engine_->AwaitBuilds();
  engine_->ReconcileOnce();
  const std::string new_key = backend_.LastStart().key;
  ASSERT_NE(new_key, old_key);
  EXPECT_EQ(engine_->Target(row.id).instance_key, old_key);
  backend_.Answer(new_key);
  engine_->ReconcileOnce();
  t = engine_->Target(row.id);
  EXPECT_EQ(t.stage, SpaceStage::kRunning);
  EXPECT_EQ(t.instance_key, new_key);   // the swap
  EXPECT_TRUE(backend_.Runs(old_key));  // finishing its requests
  clock_.AdvanceMillis(kDrainMs - 1);
  engine_->ReconcileOnce();
  EXPECT_TRUE(backend_.Runs(old_key));
  clock_.AdvanceMillis(1);
  engine_->ReconcileOnce();
  EXPECT_FALSE(backend_.Runs(old_key));
  EXPECT_TRUE(backend_.Runs(new_key));
}

// A restart can complete between two polls of a page's events stream, which then reads RUNNING
// before and after; serving_since is what tells the page that another version serves now.
TEST_F(SpaceEngineTest, ServingSinceNamesTheVersionThatServesAcrossARestart) {
  db::RepoRow row = RunningSpace("restarted");
  auto serving = [&] {
    auto view = spaces_->RuntimeOf(row);
    EXPECT_TRUE(view.ok());
    return view.ok() ? view->serving_since_ms : std::nullopt;
  };
  const std::optional<int64_t> first = serving();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, clock_.NowMillis());
  clock_.AdvanceMillis(10);
  ASSERT_TRUE(spaces_->Restart(alice_, row.repo, /*factory=*/false).ok());
  EXPECT_EQ(serving(), first);  // not picked up yet: the running version still serves
  PassThroughBuild();
  EXPECT_EQ(serving(), first);  // the new one starts beside it
  backend_.Answer(backend_.LastStart().key);
  engine_->ReconcileOnce();
  ASSERT_EQ(Stage(row), SpaceStage::kRunning);
  EXPECT_EQ(serving(), clock_.NowMillis());
  EXPECT_NE(serving(), first);

  ASSERT_TRUE(spaces_->Pause(alice_, row.repo).ok());
  engine_->ReconcileOnce();
  EXPECT_EQ(serving(), std::nullopt);  // nothing serves a paused Space
}

TEST_F(SpaceEngineTest, PauseStopsItAndOnlyARestartBringsItBack) {
  db::RepoRow row = RunningSpace("paused");
  const std::string key = backend_.LastStart().key;
  ASSERT_TRUE(spaces_->Pause(alice_, row.repo).ok());
  engine_->ReconcileOnce();
  EXPECT_EQ(Stage(row), SpaceStage::kPaused);
  EXPECT_FALSE(backend_.Runs(key));
  // A visitor does not wake a paused Space, however long it waits.
  const size_t starts = backend_.Starts();
  EXPECT_FALSE(engine_->Visit(row.id).waking);
  clock_.AdvanceSeconds(3600);
  engine_->ReconcileOnce();
  EXPECT_EQ(Stage(row), SpaceStage::kPaused);
  EXPECT_EQ(backend_.Starts(), starts);

  ASSERT_TRUE(spaces_->Restart(alice_, row.repo, /*factory=*/false).ok());
  PassThroughBuild();  // reuses the completed build
  EXPECT_EQ(backend_.Starts(), starts + 1);
  backend_.Answer(backend_.LastStart().key);
  engine_->ReconcileOnce();
  EXPECT_EQ(Stage(row), SpaceStage::kRunning);
}

TEST_F(SpaceEngineTest, AHardwareChangeRestartsItOnTheNewFlavor) {
  db::RepoRow row = RunningSpace("upgraded");
  ASSERT_TRUE(spaces_->RequestHardware(alice_, row.repo, "cpu-upgrade", std::nullopt).ok());
  PassThroughBuild();
  runtime::InstanceSpec spec = backend_.LastStart();
  EXPECT_EQ(spec.limits.cpu_millis, 8000);
  EXPECT_EQ(spec.limits.memory_bytes, int64_t{32} << 30);
}

TEST_F(SpaceEngineTest, AFullFlavorWaitsWithAMessageUntilItFrees) {
  db::RepoRow a = RunningSpace("first");
  db::RepoRow b = RunningSpace("second");
  ASSERT_TRUE(spaces_->RequestHardware(alice_, a.repo, "t4-small", std::nullopt).ok());
  auto waiting = spaces_->RequestHardware(alice_, b.repo, "t4-small", std::nullopt);
  ASSERT_TRUE(waiting.ok());
  ASSERT_TRUE(waiting->message);
  EXPECT_NE(waiting->message->find("Waiting for hardware"), std::string::npos) << *waiting->message;
  EXPECT_NE(waiting->hardware_current, std::optional<std::string>("t4-small"));
  const std::string b_key = engine_->Target(b.id).instance_key;
  engine_->ReconcileOnce();
  EXPECT_TRUE(backend_.Runs(b_key));  // it keeps running on what it has

  // The first one pauses: the unit frees and the next full pass places the waiting request.
  ASSERT_TRUE(spaces_->Pause(alice_, a.repo).ok());
  engine_->ReconcileOnce();
  auto settings = hub().db.FindSpaceSettings(b.id);
  ASSERT_TRUE(settings.ok() && settings->has_value());
  EXPECT_EQ((*settings)->hardware_current, "t4-small");
  engine_->AwaitBuilds();
  engine_->ReconcileOnce();
  EXPECT_EQ(backend_.LastStart().limits.cpu_millis, 4000);
}

}  // namespace
}  // namespace spacehub::service
