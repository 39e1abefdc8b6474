#include "service/space_engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "core/thread_name.h"
#include "repo/checkout.h"
#include "runtime/build_files.h"
#include "runtime/process.h"
#include "service/lfs_links.h"

namespace spacehub::service {
namespace fs = std::filesystem;
namespace {

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += (s.empty() ? "" : "\n") + l;
  return s;
}

// What the Hub gives static Spaces' pages: window.huggingface.variables. The JSON is made safe
// inside a <script> element ("<" escaped, so no value can close it).
std::string StaticHead(db::SpaceEntryStore& db, int64_t repo_id) {
  nlohmann::json vars = nlohmann::json::object();
  auto entries = db.ListSpaceEntries(repo_id, db::SpaceEntryKind::kVariable);
  if (entries.ok()) {
    for (const auto& e : *entries) vars[e.key] = e.value;
  }
  std::string json = nlohmann::json{{"variables", vars}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string safe;
  for (char c : json) safe += c == '<' ? std::string("\\u003c") : std::string(1, c);
  return "<script>window.huggingface = " + safe + ";</script>";
}

}  // namespace

int SpaceEngine::HubInsidePort(int app_port) const {
  return inside_.port != app_port ? inside_.port : inside_.port + 1;
}

SpaceEngine::SpaceEngine(Hub& hub, runtime::RuntimeBackend& backend, SpaceEngineOptions options)
    : hub_(hub),
      clock_(hub.clock),
      backend_(backend),
      options_(std::move(options)),
      repos_(hub),
      spaces_(hub, repos_),
      gpus_(options_.gpus) {}

SpaceEngine::~SpaceEngine() { Stop(); }

void SpaceEngine::Start() {
  MutexLock lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] {
    NameThisThread("space-engine");
    Loop();
  });
}

void SpaceEngine::Stop() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  cv_.NotifyAll();
  if (thread_.joinable()) thread_.join();
  for (auto& [id, sp] : spaces_state_) {
    if (sp->build.result.valid()) sp->build.result.wait();
    if (sp->build.thread.joinable()) sp->build.thread.join();
    StopEverything(*sp);
  }
  spaces_state_.clear();
}

void SpaceEngine::ReconcileOnce() {
  {
    MutexLock lock(mu_);
    notified_.clear();  // a full pass covers them
  }
  Pass(/*full=*/true, {});
}

void SpaceEngine::AwaitBuilds() {
  for (auto& [id, sp] : spaces_state_) {
    if (sp->build.result.valid()) sp->build.result.wait();
  }
}

void SpaceEngine::Notify(int64_t repo_id) {
  {
    MutexLock lock(mu_);
    notified_.insert(repo_id);
  }
  cv_.NotifyAll();
}

fs::path SpaceEngine::SpaceDir(const std::string& uid) const {
  return options_.data_dir / "spaces" / uid;
}

fs::path SpaceEngine::LogPath(const std::string& repo_uid, bool build) const {
  return SpaceDir(repo_uid) / "logs" / (build ? "build.log" : "run.log");
}

SpaceEngineStatus SpaceEngine::Status(int64_t repo_id, const std::string& head_sha,
                                      int64_t generation) {
  MutexLock lock(mu_);
  auto it = views_.find(repo_id);
  if (it == views_.end()) {
    return {SpaceStage::kBuilding, std::nullopt, "Queued: the runtime builds this Space next",
            std::nullopt};
  }
  const View& v = it->second;
  // Until the engine picks a change up, what serves now keeps serving (serving_since stays).
  auto pending = [&v](SpaceStage stage, const char* message) {
    return SpaceEngineStatus{stage, std::nullopt, message, v.status.serving_since_ms};
  };
  if (v.target_sha != head_sha) {
    // A running app still serves: a rollout is coming.
    if (v.status.stage == SpaceStage::kRunning || v.status.stage == SpaceStage::kRunningBuilding) {
      return pending(SpaceStage::kRunningBuilding, "A new commit is about to be built");
    }
    return pending(SpaceStage::kBuilding, "A new commit is about to be built");
  }
  if (v.target_generation != generation && v.status.stage != SpaceStage::kBuilding) {
    return pending(SpaceStage::kAppStarting, "Restarting with the new settings");
  }
  return v.status;
}

SpaceTarget SpaceEngine::Target(int64_t repo_id) {
  MutexLock lock(mu_);
  SpaceTarget t;
  auto it = views_.find(repo_id);
  if (it == views_.end()) {
    t.stage = SpaceStage::kBuilding;
    t.waking = true;
    return t;
  }
  const View& v = it->second;
  t.stage = v.status.stage;
  if (t.stage == SpaceStage::kRunning || t.stage == SpaceStage::kRunningBuilding) {
    if (!v.static_root.empty()) {
      t.kind = SpaceTarget::Kind::kStatic;
      t.static_root = v.static_root;
      t.static_head = v.static_head;
    } else {
      t.kind = SpaceTarget::Kind::kApp;
      t.instance_key = v.instance_key;
      t.port = v.port;
    }
  }
  t.waking = t.stage == SpaceStage::kBuilding || t.stage == SpaceStage::kAppStarting ||
             (t.stage == SpaceStage::kSleeping && wake_.count(repo_id) > 0);
  return t;
}

Result<int> SpaceEngine::OpenAppSocket(const std::string& instance_key, int port) {
  return backend_.Connect(instance_key, port);
}

void SpaceEngine::Publish(int64_t repo_id, const Space& sp) {
  View v;
  // Before the first step a Space is reported as queued for its build.
  v.status.stage = sp.state.stage.value_or(SpaceStage::kBuilding);
  if (sp.state.has_old &&
      (v.status.stage == SpaceStage::kBuilding || v.status.stage == SpaceStage::kAppStarting)) {
    v.status.stage = SpaceStage::kRunningBuilding;
  }
  if (!sp.error.empty()) v.status.error_message = sp.error;
  v.status.message = sp.message;
  if (v.status.stage == SpaceStage::kRunning || v.status.stage == SpaceStage::kRunningBuilding) {
    v.status.serving_since_ms = sp.sleep.running_since;  // the old version's, during a rollout
  }
  v.target_sha = sp.state.target_sha;
  v.target_generation = sp.state.target_generation;
  if (sp.state.stage == SpaceStage::kRunning && !sp.state.runs_process) {
    v.static_root = sp.built.dir;
    v.static_head = sp.built.static_head;
  }
  v.port = sp.state.has_old ? sp.instances.old_port : static_cast<int>(sp.built.config.app_port);
  v.instance_key = sp.state.has_old ? sp.instances.old_key : sp.instances.key;
  v.built_dir = sp.built.dir;
  v.sdk = sp.built.config.sdk;
  v.uid = sp.row.uid;
  MutexLock lock(mu_);
  if (v.status.stage != SpaceStage::kSleeping) wake_.erase(repo_id);
  views_[repo_id] = std::move(v);
}

void SpaceEngine::Loop() {
  spdlog::info("space runtime: reconciler started");
  auto next_full = std::chrono::steady_clock::now();
  for (;;) {
    std::set<int64_t> some;
    {
      MutexLock lock(mu_);
      if (stop_) break;
      some.swap(notified_);
    }
    bool full = std::chrono::steady_clock::now() >= next_full;
    // A Space the engine has not seen yet needs its row: only a full pass lists them.
    for (int64_t id : some) full = full || !spaces_state_.count(id);
    try {
      Pass(full, some);
      if (full) next_full = std::chrono::steady_clock::now() + options_.interval;
    } catch (const std::exception& e) {
      spdlog::error("space runtime: reconcile pass failed: {}", e.what());
    }
    const std::chrono::milliseconds wait = NextWait();
    MutexLock lock(mu_);
    cv_.WaitFor(mu_, wait, [&]() REQUIRES(mu_) { return stop_ || !notified_.empty(); });
    if (stop_) break;
  }
}

void SpaceEngine::Pass(bool full, const std::set<int64_t>& some) {
  if (full) {
    ReconcileAll();
    HeartbeatUsage();
    return;
  }
  std::set<int64_t> ids = some;
  for (const auto& [id, sp] : spaces_state_) {
    if (sp->state.stage == SpaceStage::kAppStarting) ids.insert(id);
  }
  ReconcileSome(ids);
}

std::chrono::milliseconds SpaceEngine::NextWait() const {
  // Apps being started (as of this pass) are probed often, so a wake answers soon after the app
  // does; builds nudge the loop when they end; everything else waits for the next full pass.
  bool starting = false;
  bool building = false;
  for (const auto& [id, sp] : spaces_state_) {
    starting = starting || sp->state.stage == SpaceStage::kAppStarting;
    building = building || sp->state.building;
  }
  return starting   ? std::chrono::milliseconds(10)
         : building ? std::chrono::milliseconds(200)
                    : options_.interval;
}

void SpaceEngine::ReconcileSome(const std::set<int64_t>& ids) {
  for (int64_t id : ids) {
    auto it = spaces_state_.find(id);
    if (it == spaces_state_.end()) continue;
    // The cached row may be stale after a rename or delete: only a row that still resolves to the
    // same repo is used; the next full pass handles the rest.
    auto row = hub_.db.FindRepo(it->second->row.repo);
    if (!row.ok() || row->id != id) continue;
    Reconcile(*row);
  }
}

std::optional<std::vector<db::RepoRow>> SpaceEngine::ListSpaceRows() {
  std::vector<db::RepoRow> all;
  db::RepoQuery q;
  q.type = RepoType::kSpace;
  q.all_private = true;
  q.limit = 500;
  for (;;) {
    auto rows = hub_.db.ListRepos(q);
    if (!rows.ok()) {
      spdlog::error("space runtime: cannot list Spaces: {}", rows.status().message());
      return std::nullopt;
    }
    all.insert(all.end(), rows->begin(), rows->end());
    if (rows->size() < q.limit) return all;
    q.offset += q.limit;
  }
}

void SpaceEngine::ReconcileAll() {
  std::optional<std::vector<db::RepoRow>> all = ListSpaceRows();
  if (!all) return;
  std::set<int64_t> seen;
  std::set<std::string> live_uids;
  for (const auto& row : *all) {
    seen.insert(row.id);
    live_uids.insert(row.uid);
  }
  // The scheduler first (hardware freed since the last pass goes to waiting requests), then every
  // Space steps toward what it should be.
  spaces_.PlaceWaiting(*all);
  for (const auto& row : *all) Reconcile(row);
  const bool deleted = ForgetDeleted(seen);
  SweepDeletedDirs(std::move(live_uids), deleted);
}

bool SpaceEngine::ForgetDeleted(const std::set<int64_t>& seen) {
  bool deleted = false;
  for (auto it = spaces_state_.begin(); it != spaces_state_.end();) {
    Space& sp = *it->second;
    if (seen.count(it->first)) {
      ++it;
      continue;
    }
    if (sp.build.result.valid()) {
      if (sp.build.result.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        ++it;  // wait for its build to end first
        continue;
      }
      (void)sp.build.result.get();
      if (sp.build.thread.joinable()) sp.build.thread.join();
    }
    StopEverything(sp);
    {
      MutexLock lock(mu_);
      views_.erase(it->first);
    }
    it = spaces_state_.erase(it);
    deleted = true;
  }
  return deleted;
}

void SpaceEngine::SweepDeletedDirs(std::set<std::string> live_uids, bool deleted) {
  // Their directories (and /data volumes) go once they stopped; the first pass also removes those
  // of Spaces deleted while the hub was down.
  if (!deleted && swept_) return;
  auto again = ListSpaceUids(hub_.db);
  if (!again.ok()) return;
  live_uids.insert(again->begin(), again->end());
  swept_ = true;
  int n = RemoveDeletedSpaceDirs(options_.data_dir / "spaces", live_uids);
  if (n > 0) spdlog::info("space runtime: removed the files of {} deleted Space(s)", n);
}

EngineDesired SpaceEngine::Desired(const db::RepoRow& row,
                                   const db::SpaceSettingsRow& settings) const {
  EngineDesired want;
  want.paused = settings.paused;
  want.generation = settings.restart_generation;
  auto sha = hub_.repos.ResolveRevision(row.repo, "main");
  if (sha.ok()) want.head_sha = *sha;
  return want;
}

EngineObserved SpaceEngine::Observe(const Space& sp) {
  EngineObserved seen;
  if (!sp.state.has_instance) return seen;
  runtime::InstanceStatus st = backend_.Get(sp.instances.key);
  seen.exited = !st.exists || !st.alive;
  if (!seen.exited && sp.state.stage == SpaceStage::kAppStarting) {
    seen.healthy = backend_.Probe(sp.instances.key);
  }
  return seen;
}

void SpaceEngine::Reconcile(const db::RepoRow& row) {
  auto& slot = spaces_state_[row.id];
  if (!slot) slot = std::make_unique<Space>();
  Space& sp = *slot;
  sp.row = row;

  db::SpaceSettingsRow settings;
  auto found = hub_.db.FindSpaceSettings(row.id);
  if (found.ok() && found->has_value()) settings = **found;
  EngineDesired want = Desired(row, settings);

  if (sp.build.result.valid() &&
      sp.build.result.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
    FinishBuild(row, sp);
  }
  StopDrained(sp);
  UpdateSleep(row, settings, sp, want);
  want.sleeping = sp.sleep.sleeping;
  // A few steps at once when they follow each other immediately (build → start…).
  for (int step = 0; step < 4; ++step) {
    EngineAction action = DecideNext(want, sp.state, Observe(sp), clock_.NowMillis());
    if (action == EngineAction::kNothing) break;
    spdlog::debug("space runtime: {} → {}", row.repo.Full(), EngineActionName(action));
    Apply(row, settings, sp, action, want);
    if (sp.build.result.valid()) break;
  }
  Publish(row.id, sp);
}

void SpaceEngine::Apply(const db::RepoRow& row, const db::SpaceSettingsRow& settings, Space& sp,
                        EngineAction action, const EngineDesired& want) {
  switch (action) {
    case EngineAction::kNothing:
      return;
    case EngineAction::kStop:
      return ApplyPause(sp);
    case EngineAction::kSleep:
      return ApplySleep(sp, want);
    case EngineAction::kWake:
      return ApplyWake(sp);
    case EngineAction::kNoCommit:
      return ApplyNoCommit(sp);
    case EngineAction::kBuild:
      return BeginBuild(row, settings, sp, want);
    case EngineAction::kStart:
      return ApplyStart(row, settings, sp);
    case EngineAction::kMarkRunning:
      return ApplyMarkRunning(sp);
    case EngineAction::kStartupTimeout:
      return ApplyStartupTimeout(sp);
    case EngineAction::kCrashed:
    case EngineAction::kCrashLoop:
      return ApplyCrash(sp, action == EngineAction::kCrashLoop);
  }
}

void SpaceEngine::ApplyPause(Space& sp) {
  StopEverything(sp);
  sp.state.stage = SpaceStage::kPaused;
  sp.error.clear();
  sp.message = "Paused by its owner; only a restart brings it back";
  sp.state.target_sha.clear();  // a restart rebuilds (or reuses) and starts again
}

void SpaceEngine::ApplySleep(Space& sp, const EngineDesired& want) {
  StopEverything(sp);
  sp.state.stage = SpaceStage::kSleeping;
  // What it sleeps at: a later commit or restart differs from this and wakes it.
  sp.state.target_sha = *want.head_sha;
  sp.state.target_generation = want.generation;
  sp.error.clear();
  sp.message = "Asleep after its sleep time without visitors; the next visit wakes it";
}

void SpaceEngine::ApplyWake(Space& sp) {
  sp.state.stage = SpaceStage::kAppStarting;
  sp.state.next_start_at = 0;
  sp.state.crashes = 0;
  sp.message = "Waking: starting the app";
}

void SpaceEngine::ApplyNoCommit(Space& sp) {
  StopEverything(sp);
  sp.state.stage = SpaceStage::kNoAppFile;
  sp.state.target_sha.clear();
  sp.message = "The Space has no commit on its main branch yet";
}

void SpaceEngine::ApplyStart(const db::RepoRow& row, const db::SpaceSettingsRow& settings,
                             Space& sp) {
  spacehub::Status st = StartInstance(row, settings, sp);
  if (!st.ok()) {
    gpus_.Release(sp.instances.key);
    sp.state.stage = SpaceStage::kRuntimeError;
    sp.error = "The app could not be started: " + st.message();
    sp.message = sp.error;
    return;
  }
  sp.state.has_instance = true;
  sp.state.started_at = clock_.NowMillis();
  sp.message =
      "Started; waiting for the app to answer on port " + std::to_string(sp.built.config.app_port);
}

void SpaceEngine::ApplyMarkRunning(Space& sp) {
  sp.state.stage = SpaceStage::kRunning;
  sp.state.crashes = 0;
  sp.sleep.running_since = clock_.NowMillis();
  StopOld(sp, /*drain=*/true);  // the swap: visitors go to this version from now on
  sp.message = "The app answers on port " + std::to_string(sp.built.config.app_port);
}

void SpaceEngine::ApplyStartupTimeout(Space& sp) {
  auto lines = backend_.Get(sp.instances.key).last_lines;
  StopEverything(sp);
  sp.state.stage = SpaceStage::kRuntimeError;
  sp.error = "The app did not answer on port " + std::to_string(sp.built.config.app_port) +
             " within its startup_duration_timeout (" +
             std::to_string(sp.state.startup_timeout_ms / 1000) + " s)";
  if (!lines.empty()) {
    if (lines.size() > 10) lines.erase(lines.begin(), lines.end() - 10);
    sp.error += ". Last output:\n" + JoinLines(lines);
  }
  sp.message = sp.error;
}

void SpaceEngine::ApplyCrash(Space& sp, bool loop) {
  EngineState& s = sp.state;
  runtime::InstanceStatus st = backend_.Get(sp.instances.key);
  StopCurrent(sp);  // during a rollout the old version keeps serving while this one retries
  if (loop) StopOld(sp, /*drain=*/false);
  ++s.crashes;
  std::string code = st.exit_code ? std::to_string(*st.exit_code) : "?";
  if (loop) {
    auto lines = st.last_lines;
    if (lines.size() > 10) lines.erase(lines.begin(), lines.end() - 10);
    s.stage = SpaceStage::kRuntimeError;
    sp.error = "The app exited " + std::to_string(s.crashes) + " times in a row (last exit code " +
               code + ")";
    if (!lines.empty()) sp.error += ". Last output:\n" + JoinLines(lines);
    sp.message = sp.error;
    return;
  }
  s.stage = SpaceStage::kAppStarting;
  int64_t wait = CrashBackoffMs(s.crashes);
  s.next_start_at = clock_.NowMillis() + wait;
  sp.message =
      "The app exited with code " + code + "; restarting in " + std::to_string(wait / 1000) + " s";
}

void SpaceEngine::BeginBuild(const db::RepoRow& row, const db::SpaceSettingsRow& settings,
                             Space& sp, const EngineDesired& want) {
  EngineState& s = sp.state;
  if (s.has_old) {
    StopCurrent(sp);  // a newer commit during a rollout: the old version keeps serving
  } else if (s.stage == SpaceStage::kRunning && s.runs_process && s.has_instance &&
             settings.storage.empty() && !sp.instances.holds_gpus) {
    // A rollout: the running version serves until the new one answers (RUNNING_BUILDING).
    // Not with persistent storage (its filesystem is mounted for one instance at a time) nor
    // GPUs (the node would need twice as many for the swap).
    sp.instances.old_key = sp.instances.key;
    sp.instances.old_port = static_cast<int>(sp.built.config.app_port);
    s.has_old = true;
    s.has_instance = false;
  } else {
    StopEverything(sp);
  }
  s.building = true;
  s.has_build = false;
  s.stage = SpaceStage::kBuilding;
  s.target_sha = *want.head_sha;
  s.target_generation = want.generation;
  s.crashes = 0;
  sp.error.clear();
  sp.message = "Building commit " + s.target_sha.substr(0, 12);
  sp.build.generation = want.generation;
  LaunchBuild(row, sp, *want.head_sha, settings.factory_rebuild);
}

void SpaceEngine::LaunchBuild(const db::RepoRow& row, Space& sp, const std::string& sha,
                              bool factory) {
  sp.build.sha = sha;
  sp.build.factory = factory;
  std::promise<BuildOutcome> done;
  sp.build.result = done.get_future();
  if (sp.build.thread.joinable()) sp.build.thread.join();
  sp.build.thread = std::thread([this, r = row, sha, factory, done = std::move(done)]() mutable {
    NameThisThread("space-build");
    done.set_value(Build(r, sha, factory));
    Notify(r.id);  // after the value is set, so the loop finds the build ready
  });
}

void SpaceEngine::FinishBuild(const db::RepoRow& row, Space& sp) {
  BuildOutcome out = sp.build.result.get();
  if (sp.build.thread.joinable()) sp.build.thread.join();  // it only has Notify left to do
  EngineState& s = sp.state;
  s.building = false;
  if (sp.build.sha != s.target_sha || sp.build.generation != s.target_generation) return;
  sp.built.config = out.config;
  sp.built.dir = out.dir;
  s.startup_timeout_ms = out.config.startup_duration_timeout_seconds * 1000;
  if (out.stage) {
    StopOld(sp, /*drain=*/false);  // the new version cannot run: say so rather than serve the old
    s.stage = out.stage;
    sp.error = out.error;
    sp.message = out.error;
    return;
  }
  if (sp.build.factory) ClearFactoryRebuild(row, sp.build.generation);
  s.runs_process = out.config.sdk != "static";
  if (!s.runs_process) {
    // A static Space has nothing to run: its files are ready to be served (see 0004-runtime.md).
    s.stage = SpaceStage::kRunning;
    sp.sleep.running_since = clock_.NowMillis();
    sp.message = "Static Space: its files are served as they are";
    sp.built.static_head = StaticHead(hub_.db, row.id);
    StopOld(sp, /*drain=*/true);
    return;
  }
  s.stage = SpaceStage::kAppStarting;
  s.next_start_at = 0;
  s.has_build = true;
  sp.message = "Built; starting the app";
}

void SpaceEngine::ClearFactoryRebuild(const db::RepoRow& row, int64_t generation) {
  // The factory rebuild is done: clear the flag unless the owner changed settings meanwhile
  // (checked and cleared in one transaction, so no change made meanwhile is overwritten).
  (void)hub_.db.UpdateSpaceSettings(
      row.id, db::SpaceSettingsRow{},
      [&](db::SpaceSettingsRow& cur, db::SpaceSettingsTxn&) -> spacehub::Status {
        if (cur.restart_generation == generation) cur.factory_rebuild = false;
        return spacehub::Status::Ok();
      });
}

SpaceEngine::BuildOutcome SpaceEngine::Build(const db::RepoRow& row, const std::string& sha,
                                             bool factory) {
  BuildOutcome out;
  fs::path space_dir = SpaceDir(row.uid);
  fs::path log = LogPath(row.uid, /*build=*/true);
  std::error_code ec;
  fs::create_directories(log.parent_path(), ec);
  fs::create_directories(space_dir / "builds", ec);
  fs::remove(log, ec);
  runtime::AppendLine(log, "spacehub: building " + row.repo.Full() + " at commit " + sha +
                               (factory ? " (factory rebuild, no cache)" : ""));
  auto fail = [&](SpaceStage stage, std::string why) {
    runtime::AppendLine(log, "spacehub: " + why);
    out.stage = stage;
    out.error = std::move(why);
    return out;
  };
  // The configuration at this commit.
  auto checked = CheckSpaceConfigAt(hub_.repos, row.repo, sha, row.sdk);
  if (!checked.ok()) {
    return fail(SpaceStage::kBuildError, "Cannot read the commit: " + checked.status().message());
  }
  ConfigCheck check = std::move(*checked);
  out.config = check.config;
  if (check.stage) return fail(*check.stage, check.message);
  const bool docker = check.config.sdk == "docker";
  if (docker && options_.podman.empty()) {
    return fail(
        SpaceStage::kBuildError,
        "Docker Spaces need a container engine (podman), and none is installed on this hub");
  }
  auto ids = backend_.SpaceIds(row.uid);
  if (!ids.ok()) {
    return fail(SpaceStage::kBuildError, "No host ids for the build: " + ids.status().message());
  }
  PrepareBuildDir(space_dir);
  fs::path dir = space_dir / "builds" / sha;
  out.dir = dir;
  // Whether the build completed lives beside it (builds/<sha>.ok), where the Space cannot write:
  // nothing the hub reads or writes for it is inside a directory the owner's code had.
  const std::string stamp = sha + " " + check.config.sdk;
  if (factory) (void)runtime::RemoveTree(dir);
  if (runtime::BuildComplete(dir, stamp) && (!docker || DockerImageReady(row, sha))) {
    runtime::AppendLine(log, "spacehub: reusing the completed build of this commit");
    return out;
  }
  (void)runtime::RemoveTree(runtime::BuildMarkerPath(dir));
  if (auto st = runtime::RemoveTree(dir); !st.ok()) {
    return fail(SpaceStage::kBuildError, st.message());
  }
  if (auto st = CheckoutAndBuild(row, sha, factory, check.config, dir, log, *ids); !st.ok()) {
    return fail(SpaceStage::kBuildError, st.message());
  }
  if (auto st = runtime::WriteBuildMarker(dir, stamp); !st.ok()) {
    return fail(SpaceStage::kBuildError, st.message());
  }
  runtime::AppendLine(log, "spacehub: build complete");
  RemoveOlderBuilds(space_dir / "builds", dir);
  return out;
}

void SpaceEngine::RemoveOlderBuilds(const fs::path& builds, const fs::path& keep) {
  // Older builds of this Space are no longer needed (removed without following any link their
  // build may have left).
  const std::string keep_marker = runtime::BuildMarkerPath(keep).filename().string();
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(builds, ec)) {
    const std::string name = e.path().filename().string();
    if (name != keep.filename().string() && name != keep_marker) {
      (void)runtime::RemoveTree(e.path());
    }
  }
}

void SpaceEngine::PrepareBuildDir(const fs::path& space_dir) {
  // The build runs the owner's code as the Space's own host uid (issue #12): the build directory
  // becomes that uid's, and the directories above it only traversable (no listing).
  std::error_code ec;
  for (const fs::path& d : {space_dir.parent_path(), space_dir}) {
    fs::permissions(d, fs::perms::others_exec, fs::perm_options::add, ec);
  }
  fs::permissions(space_dir / "builds",
                  fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec,
                  fs::perm_options::replace, ec);
}

spacehub::Status SpaceEngine::CheckoutAndBuild(const db::RepoRow& row, const std::string& sha,
                                               bool factory, const SpaceConfig& config,
                                               const fs::path& dir, const fs::path& log,
                                               runtime::HostIds ids) {
  // An LFS pointer in the commit is checked out only if its object is linked to this Space (a
  // pointer to another repo's private object must not become readable through the app).
  if (spacehub::Status linked = CheckCheckoutLfsLinks(hub_, row, sha); !linked.ok()) {
    return spacehub::Status::Internal("Checkout failed: " + linked.message());
  }
  if (spacehub::Status xet = MaterializeXetObjects(hub_, row, sha); !xet.ok()) {
    return spacehub::Status::Internal("Checkout failed: " + xet.message());
  }
  auto checkout = repo::CheckoutCommit(hub_.repos, hub_.lfs, row.repo, sha, dir);
  if (!checkout.ok()) {
    return spacehub::Status::Internal("Checkout failed: " + checkout.status().message());
  }
  runtime::AppendLine(log, "spacehub: checked out " + std::to_string(checkout->size()) + " files");
  if (config.sdk == "gradio" || config.sdk == "streamlit") {
    SH_TRY(runtime::BuildPython(dir, log, options_.python, ids));
  }
  if (config.sdk == "docker") SH_TRY(BuildDocker(row, sha, factory, dir, log, ids));
  return spacehub::Status::Ok();
}

}  // namespace spacehub::service
