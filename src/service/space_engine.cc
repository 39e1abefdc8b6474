#include "service/space_engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "core/time_util.h"
#include "runtime/build_files.h"
#include "runtime/process.h"
#include "runtime/streamlit_secrets.h"
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
std::string StaticHead(db::MetadataStore& db, int64_t repo_id) {
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
      backend_(backend),
      options_(std::move(options)),
      repos_(hub),
      spaces_(hub, repos_),
      gpus_(options_.gpus) {}

SpaceEngine::~SpaceEngine() { Stop(); }

void SpaceEngine::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread(&SpaceEngine::Loop, this);
}

void SpaceEngine::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto& [id, sp] : spaces_state_) {
    if (sp->build.valid()) sp->build.wait();
    if (sp->build_thread.joinable()) sp->build_thread.join();
    StopEverything(*sp);
  }
  spaces_state_.clear();
}

void SpaceEngine::Notify(int64_t repo_id) {
  {
    std::lock_guard lock(mu_);
    notified_.insert(repo_id);
  }
  cv_.notify_all();
}

fs::path SpaceEngine::SpaceDir(const std::string& uid) const {
  return options_.data_dir / "spaces" / uid;
}

fs::path SpaceEngine::LogPath(const std::string& repo_uid, bool build) const {
  return SpaceDir(repo_uid) / "logs" / (build ? "build.log" : "run.log");
}

SpaceEngineStatus SpaceEngine::Status(int64_t repo_id, const std::string& head_sha,
                                      int64_t generation) {
  std::lock_guard lock(mu_);
  auto it = views_.find(repo_id);
  if (it == views_.end()) {
    return {"BUILDING", std::nullopt, "Queued: the runtime builds this Space next"};
  }
  const View& v = it->second;
  if (v.target_sha != head_sha) {
    // Until the engine picks the commit up, a running app still serves: a rollout is coming.
    if (v.status.stage == "RUNNING" || v.status.stage == "RUNNING_BUILDING") {
      return {"RUNNING_BUILDING", std::nullopt, "A new commit is about to be built"};
    }
    return {"BUILDING", std::nullopt, "A new commit is about to be built"};
  }
  if (v.target_generation != generation && v.status.stage != "BUILDING") {
    return {"APP_STARTING", std::nullopt, "Restarting with the new settings"};
  }
  return v.status;
}

SpaceTarget SpaceEngine::Target(int64_t repo_id) {
  std::lock_guard lock(mu_);
  SpaceTarget t;
  auto it = views_.find(repo_id);
  if (it == views_.end()) {
    t.stage = "BUILDING";
    t.waking = true;
    return t;
  }
  const View& v = it->second;
  t.stage = v.status.stage;
  if (t.stage == "RUNNING" || t.stage == "RUNNING_BUILDING") {
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
  t.waking = t.stage == "BUILDING" || t.stage == "APP_STARTING" ||
             (t.stage == "SLEEPING" && wake_.count(repo_id) > 0);
  return t;
}

Result<int> SpaceEngine::OpenAppSocket(const std::string& instance_key, int port) {
  return backend_.Connect(instance_key, port);
}

void SpaceEngine::Publish(int64_t repo_id, const Space& sp) {
  View v;
  v.status.stage = sp.state.stage;
  if (sp.state.has_old && (v.status.stage == "BUILDING" || v.status.stage == "APP_STARTING")) {
    v.status.stage = "RUNNING_BUILDING";
  }
  if (!sp.error.empty()) v.status.error_message = sp.error;
  v.status.message = sp.message;
  v.target_sha = sp.state.target_sha;
  v.target_generation = sp.state.target_generation;
  if (sp.state.stage == "RUNNING" && !sp.state.runs_process) {
    v.static_root = sp.build_dir;
    v.static_head = sp.static_head;
  }
  v.port = sp.state.has_old ? sp.old_port : static_cast<int>(sp.config.app_port);
  v.instance_key = sp.state.has_old ? sp.old_key : sp.key;
  std::lock_guard lock(mu_);
  if (v.status.stage != "SLEEPING") wake_.erase(repo_id);
  views_[repo_id] = std::move(v);
}

void SpaceEngine::Loop() {
  spdlog::info("space runtime: reconciler started");
  auto next_full = std::chrono::steady_clock::now();
  for (;;) {
    std::set<int64_t> some;
    bool full = std::chrono::steady_clock::now() >= next_full;
    {
      std::unique_lock lock(mu_);
      if (stop_) break;
      some.swap(notified_);
    }
    // A Space the engine has not seen yet needs its row: only a full pass lists them.
    for (int64_t id : some) {
      if (!spaces_state_.count(id)) full = true;
    }
    for (const auto& [id, sp] : spaces_state_) {
      if (sp->state.stage == "APP_STARTING") some.insert(id);
    }
    try {
      if (full) {
        ReconcileAll();
        next_full = std::chrono::steady_clock::now() + options_.interval;
      } else {
        ReconcileSome(some);
      }
    } catch (const std::exception& e) {
      spdlog::error("space runtime: reconcile pass failed: {}", e.what());
    }
    // Apps being started (as of this pass) are probed often, so a wake answers soon after the app
    // does; builds nudge the loop when they end; everything else waits for the next full pass.
    bool starting = false;
    bool building = false;
    for (const auto& [id, sp] : spaces_state_) {
      starting = starting || sp->state.stage == "APP_STARTING";
      building = building || sp->state.building;
    }
    auto wait = starting   ? std::chrono::milliseconds(10)
                : building ? std::chrono::milliseconds(200)
                           : options_.interval;
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, wait, [&] { return stop_ || !notified_.empty(); });
    if (stop_) break;
  }
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

void SpaceEngine::ReconcileAll() {
  std::set<int64_t> seen;
  std::vector<db::RepoRow> all;
  std::set<std::string> live_uids;
  db::RepoQuery q;
  q.type = RepoType::kSpace;
  q.all_private = true;
  q.limit = 500;
  for (;;) {
    auto rows = hub_.db.ListRepos(q);
    if (!rows.ok()) {
      spdlog::error("space runtime: cannot list Spaces: {}", rows.status().message());
      return;
    }
    for (const auto& row : *rows) {
      seen.insert(row.id);
      all.push_back(row);
      live_uids.insert(row.uid);
    }
    if (rows->size() < q.limit) break;
    q.offset += q.limit;
  }
  // The scheduler first (hardware freed since the last pass goes to waiting requests), then every
  // Space steps toward what it should be.
  spaces_.PlaceWaiting(all);
  for (const auto& row : all) Reconcile(row);
  // Spaces deleted since the last pass: stop whatever they left behind.
  bool deleted = false;
  for (auto it = spaces_state_.begin(); it != spaces_state_.end();) {
    if (seen.count(it->first)) {
      ++it;
      continue;
    }
    if (it->second->build.valid()) {
      if (it->second->build.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        ++it;  // wait for its build to end first
        continue;
      }
      (void)it->second->build.get();
      if (it->second->build_thread.joinable()) it->second->build_thread.join();
    }
    StopEverything(*it->second);
    {
      std::lock_guard lock(mu_);
      views_.erase(it->first);
    }
    it = spaces_state_.erase(it);
    deleted = true;
  }
  // Their directories (and /data volumes) go once they stopped; the first pass also removes those
  // of Spaces deleted while the hub was down.
  if (deleted || !swept_) {
    if (auto again = ListSpaceUids(hub_.db); again.ok()) {
      live_uids.insert(again->begin(), again->end());
      swept_ = true;
      int n = RemoveDeletedSpaceDirs(options_.data_dir / "spaces", live_uids);
      if (n > 0) spdlog::info("space runtime: removed the files of {} deleted Space(s)", n);
    }
  }
}

void SpaceEngine::Reconcile(const db::RepoRow& row) {
  auto& slot = spaces_state_[row.id];
  if (!slot) slot = std::make_unique<Space>();
  Space& sp = *slot;
  sp.row = row;

  db::SpaceSettingsRow settings;
  auto found = hub_.db.FindSpaceSettings(row.id);
  if (found.ok() && found->has_value()) settings = **found;
  EngineDesired want;
  want.paused = settings.paused;
  want.generation = settings.restart_generation;
  auto sha = hub_.repos.ResolveRevision(row.repo, "main");
  if (sha.ok()) want.head_sha = *sha;

  if (sp.build.valid() && sp.build.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
    FinishBuild(row, sp);
  }
  StopDrained(sp);
  UpdateSleep(row, settings, sp, want);
  want.sleeping = sp.sleeping;
  // A few steps at once when they follow each other immediately (build → start…).
  for (int step = 0; step < 4; ++step) {
    EngineObserved seen;
    const std::string& key = sp.key;
    if (sp.state.has_instance) {
      runtime::InstanceStatus st = backend_.Get(key);
      seen.exited = !st.exists || !st.alive;
      if (!seen.exited && sp.state.stage == "APP_STARTING") seen.healthy = backend_.Probe(key);
    }
    EngineAction action = DecideNext(want, sp.state, seen, NowMillis());
    if (action == EngineAction::kNothing) break;
    spdlog::debug("space runtime: {} → {}", row.repo.Full(), EngineActionName(action));
    Apply(row, settings, sp, action, want);
    if (sp.build.valid()) break;
  }
  Publish(row.id, sp);
}

void SpaceEngine::Apply(const db::RepoRow& row, const db::SpaceSettingsRow& settings, Space& sp,
                        EngineAction action, const EngineDesired& want) {
  const std::string& key = sp.key;
  EngineState& s = sp.state;
  auto stop_instance = [&] { StopEverything(sp); };
  switch (action) {
    case EngineAction::kNothing:
      return;
    case EngineAction::kStop:
      stop_instance();
      s.stage = "PAUSED";
      sp.error.clear();
      sp.message = "Paused by its owner; only a restart brings it back";
      s.target_sha.clear();  // a restart rebuilds (or reuses) and starts again
      return;
    case EngineAction::kSleep:
      stop_instance();
      s.stage = "SLEEPING";
      // What it sleeps at: a later commit or restart differs from this and wakes it.
      s.target_sha = *want.head_sha;
      s.target_generation = want.generation;
      sp.error.clear();
      sp.message = "Asleep after its sleep time without visitors; the next visit wakes it";
      return;
    case EngineAction::kWake:
      s.stage = "APP_STARTING";
      s.next_start_at = 0;
      s.crashes = 0;
      sp.message = "Waking: starting the app";
      return;
    case EngineAction::kNoCommit:
      stop_instance();
      s.stage = "NO_APP_FILE";
      s.target_sha.clear();
      sp.message = "The Space has no commit on its main branch yet";
      return;
    case EngineAction::kBuild: {
      if (s.has_old) {
        StopCurrent(sp);  // a newer commit during a rollout: the old version keeps serving
      } else if (s.stage == "RUNNING" && s.runs_process && s.has_instance &&
                 settings.storage.empty() && !sp.holds_gpus) {
        // A rollout: the running version serves until the new one answers (RUNNING_BUILDING).
        // Not with persistent storage (its filesystem is mounted for one instance at a time) nor
        // GPUs (the node would need twice as many for the swap).
        sp.old_key = sp.key;
        sp.old_port = static_cast<int>(sp.config.app_port);
        s.has_old = true;
        s.has_instance = false;
      } else {
        stop_instance();
      }
      s.building = true;
      s.has_build = false;
      s.stage = "BUILDING";
      s.target_sha = *want.head_sha;
      s.target_generation = want.generation;
      s.crashes = 0;
      sp.error.clear();
      sp.message = "Building commit " + s.target_sha.substr(0, 12);
      sp.build_sha = *want.head_sha;
      sp.build_generation = want.generation;
      sp.build_factory = settings.factory_rebuild;
      db::RepoRow r = row;
      std::string sha = *want.head_sha;
      bool factory = settings.factory_rebuild;
      std::promise<BuildOutcome> done;
      sp.build = done.get_future();
      if (sp.build_thread.joinable()) sp.build_thread.join();
      sp.build_thread = std::thread([this, r, sha, factory, done = std::move(done)]() mutable {
        done.set_value(Build(r, sha, factory));
        Notify(r.id);  // after the value is set, so the loop finds the build ready
      });
      return;
    }
    case EngineAction::kStart: {
      spacehub::Status st = StartInstance(row, settings, sp);
      if (!st.ok()) {
        gpus_.Release(sp.key);
        s.stage = "RUNTIME_ERROR";
        sp.error = "The app could not be started: " + st.message();
        sp.message = sp.error;
        return;
      }
      s.has_instance = true;
      s.started_at = NowMillis();
      sp.message =
          "Started; waiting for the app to answer on port " + std::to_string(sp.config.app_port);
      return;
    }
    case EngineAction::kMarkRunning:
      s.stage = "RUNNING";
      s.crashes = 0;
      sp.running_since = NowMillis();
      StopOld(sp, /*drain=*/true);  // the swap: visitors go to this version from now on
      sp.message = "The app answers on port " + std::to_string(sp.config.app_port);
      return;
    case EngineAction::kStartupTimeout: {
      auto lines = backend_.Get(key).last_lines;
      stop_instance();
      s.stage = "RUNTIME_ERROR";
      sp.error = "The app did not answer on port " + std::to_string(sp.config.app_port) +
                 " within its startup_duration_timeout (" +
                 std::to_string(s.startup_timeout_ms / 1000) + " s)";
      if (!lines.empty()) {
        if (lines.size() > 10) lines.erase(lines.begin(), lines.end() - 10);
        sp.error += ". Last output:\n" + JoinLines(lines);
      }
      sp.message = sp.error;
      return;
    }
    case EngineAction::kCrashed:
    case EngineAction::kCrashLoop: {
      runtime::InstanceStatus st = backend_.Get(key);
      StopCurrent(sp);  // during a rollout the old version keeps serving while this one retries
      if (action == EngineAction::kCrashLoop) StopOld(sp, /*drain=*/false);
      ++s.crashes;
      std::string code = st.exit_code ? std::to_string(*st.exit_code) : "?";
      auto lines = st.last_lines;
      if (lines.size() > 10) lines.erase(lines.begin(), lines.end() - 10);
      if (action == EngineAction::kCrashLoop) {
        s.stage = "RUNTIME_ERROR";
        sp.error = "The app exited " + std::to_string(s.crashes) +
                   " times in a row (last exit code " + code + ")";
        if (!lines.empty()) sp.error += ". Last output:\n" + JoinLines(lines);
        sp.message = sp.error;
      } else {
        s.stage = "APP_STARTING";
        int64_t wait = CrashBackoffMs(s.crashes);
        s.next_start_at = NowMillis() + wait;
        sp.message = "The app exited with code " + code + "; restarting in " +
                     std::to_string(wait / 1000) + " s";
      }
      return;
    }
  }
}

void SpaceEngine::FinishBuild(const db::RepoRow& row, Space& sp) {
  BuildOutcome out = sp.build.get();
  if (sp.build_thread.joinable()) sp.build_thread.join();  // it only has Notify left to do
  EngineState& s = sp.state;
  s.building = false;
  if (sp.build_sha != s.target_sha || sp.build_generation != s.target_generation) return;
  sp.config = out.config;
  sp.build_dir = out.dir;
  s.startup_timeout_ms = out.config.startup_duration_timeout_seconds * 1000;
  if (!out.stage.empty()) {
    StopOld(sp, /*drain=*/false);  // the new version cannot run: say so rather than serve the old
    s.stage = out.stage;
    sp.error = out.error;
    sp.message = out.error;
    return;
  }
  if (sp.build_factory) {
    // The factory rebuild is done: clear the flag unless the owner changed settings meanwhile
    // (checked and cleared in one transaction, so no change made meanwhile is overwritten).
    (void)hub_.db.UpdateSpaceSettings(
        row.id, db::SpaceSettingsRow{},
        [&](db::SpaceSettingsRow& cur, db::SpaceSettingsTxn&) -> spacehub::Status {
          if (cur.restart_generation == sp.build_generation) cur.factory_rebuild = false;
          return spacehub::Status::Ok();
        });
  }
  s.runs_process = out.config.sdk != "static";
  if (!s.runs_process) {
    // A static Space has nothing to run: its files are ready to be served (see 0004-runtime.md).
    s.stage = "RUNNING";
    sp.message = "Static Space: its files are served as they are";
    sp.static_head = StaticHead(hub_.db, row.id);
    StopOld(sp, /*drain=*/true);
    return;
  }
  s.stage = "APP_STARTING";
  s.next_start_at = 0;
  s.has_build = true;
  sp.message = "Built; starting the app";
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
  auto fail = [&](std::string stage, std::string why) {
    runtime::AppendLine(log, "spacehub: " + why);
    out.stage = std::move(stage);
    out.error = std::move(why);
    return out;
  };
  // The configuration at this commit.
  auto checked = CheckSpaceConfigAt(hub_.repos, row.repo, sha, row.sdk);
  if (!checked.ok()) {
    return fail("BUILD_ERROR", "Cannot read the commit: " + checked.status().message());
  }
  ConfigCheck check = std::move(*checked);
  out.config = check.config;
  if (!check.stage.empty()) return fail(check.stage, check.message);
  const bool docker = check.config.sdk == "docker";
  if (docker && options_.podman.empty()) {
    return fail(
        "BUILD_ERROR",
        "Docker Spaces need a container engine (podman), and none is installed on this hub");
  }

  // The build runs the owner's code as the Space's own host uid (issue #12): the build directory
  // becomes that uid's, and the directories above it only traversable (no listing).
  auto ids = backend_.SpaceIds(row.uid);
  if (!ids.ok()) return fail("BUILD_ERROR", "No host ids for the build: " + ids.status().message());
  for (const fs::path& d : {space_dir.parent_path(), space_dir}) {
    fs::permissions(d, fs::perms::others_exec, fs::perm_options::add, ec);
  }
  fs::permissions(space_dir / "builds",
                  fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec,
                  fs::perm_options::replace, ec);

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
  if (auto st = runtime::RemoveTree(dir); !st.ok()) return fail("BUILD_ERROR", st.message());
  // An LFS pointer in the commit is checked out only if its object is linked to this Space (a
  // pointer to another repo's private object must not become readable through the app).
  if (spacehub::Status linked = CheckCheckoutLfsLinks(hub_, row, sha); !linked.ok()) {
    return fail("BUILD_ERROR", "Checkout failed: " + linked.message());
  }
  auto checkout = runtime::CheckoutCommit(hub_.repos, hub_.lfs, row.repo, sha, dir);
  if (!checkout.ok()) return fail("BUILD_ERROR", "Checkout failed: " + checkout.status().message());
  runtime::AppendLine(log, "spacehub: checked out " + std::to_string(checkout->size()) + " files");
  if (check.config.sdk == "gradio" || check.config.sdk == "streamlit") {
    spacehub::Status st = runtime::BuildPython(dir, log, options_.python, *ids);
    if (!st.ok()) return fail("BUILD_ERROR", st.message());
  }
  if (docker) {
    spacehub::Status st = BuildDocker(row, sha, factory, dir, log, *ids);
    if (!st.ok()) return fail("BUILD_ERROR", st.message());
  }
  if (auto st = runtime::WriteBuildMarker(dir, stamp); !st.ok()) {
    return fail("BUILD_ERROR", st.message());
  }
  runtime::AppendLine(log, "spacehub: build complete");
  // Older builds of this Space are no longer needed (removed without following any link their
  // build may have left).
  const std::string keep_marker = runtime::BuildMarkerPath(dir).filename().string();
  for (const auto& e : fs::directory_iterator(space_dir / "builds", ec)) {
    const std::string name = e.path().filename().string();
    if (name != sha && name != keep_marker) (void)runtime::RemoveTree(e.path());
  }
  return out;
}

spacehub::Status SpaceEngine::StartInstance(const db::RepoRow& row,
                                            const db::SpaceSettingsRow& settings, Space& sp) {
  runtime::SpaceIdentity id;
  id.ns = row.repo.ns;
  id.name = row.repo.name;
  id.title = sp.config.title;
  id.host_domain = options_.host_domain;
  id.port = static_cast<int>(sp.config.app_port);
  auto catalog = hub_.hardware.Get();
  std::string flavor_name =
      settings.hardware_current.empty() ? catalog->default_flavor : settings.hardware_current;
  runtime::Limits limits = LimitsForFlavor(catalog->Find(flavor_name), options_.pids_limit);
  int gpu_count = 0;
  if (const Flavor* f = catalog->Find(flavor_name)) {
    id.cpu_cores = f->vcpu;
    id.memory_gb = f->memory_gb;
    if (f->gpu_count > 0) {
      id.accelerator = f->gpu_model;
      for (char& c : id.accelerator)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      gpu_count = f->gpu_count;
    }
  }
  std::map<std::string, std::string> variables;
  SH_ASSIGN_OR_RETURN(auto vars, hub_.db.ListSpaceEntries(row.id, db::SpaceEntryKind::kVariable));
  for (auto& v : vars) variables[v.key] = v.value;
  SH_ASSIGN_OR_RETURN(auto secrets, spaces_.SecretEnvironment(row));

  runtime::InstanceSpec spec;
  sp.key = std::to_string(row.id) + "-" + std::to_string(++sp.seq);
  spec.key = sp.key;
  // The GPUs of its flavor, when this node has GPUs at all (a GPU flavor the scheduler placed on
  // a node without any, by the administrator's capacity, runs without a device).
  sp.holds_gpus = false;
  if (gpu_count > 0 && gpus_.total() > 0) {
    SH_ASSIGN_OR_RETURN(std::vector<int> gpus, gpus_.Acquire(spec.key, gpu_count));
    spec.devices = GpuDeviceNodes(gpus);
    sp.holds_gpus = true;
  }
  spec.app_dir = sp.build_dir;
  SH_ASSIGN_OR_RETURN(SpaceData data, PrepareSpaceData(SpaceDir(row.uid), settings.storage,
                                                       options_.storage_tiers));
  // As on the Hub, /data exists only with persistent storage: without a tier, nothing the app
  // writes outlives it, and what it writes (/tmp, $HOME) is bounded by its memory.
  if (data.volume) spec.data_dir = data.dir;
  spec.volume = data.volume;
  SH_ASSIGN_OR_RETURN(spec.ids, backend_.SpaceIds(row.uid));
  spec.tmp_bytes = options_.tmp_bytes;
  spec.log_cap = options_.run_log_cap;
  spec.limits = limits;
  spec.log_path = LogPath(row.uid, /*build=*/false);
  std::error_code ec;
  fs::create_directories(spec.log_path.parent_path(), ec);
  spec.port = id.port;
  spec.env = runtime::BuildSpaceEnv(id, variables, secrets);
  if (inside_.add) {
    spec.env.emplace_back("HF_ENDPOINT",
                          "http://127.0.0.1:" + std::to_string(HubInsidePort(id.port)));
  }
  std::vector<std::string> values;
  for (auto& [k, v] : secrets) values.push_back(v);
  spec.redactor = runtime::Redactor(std::move(values));
  const std::string python = "/app/.venv/bin/python";
  if (sp.config.sdk == "docker") {
    SH_TRY(DockerInstance(row, sp, spec));
  } else if (sp.config.sdk == "streamlit") {
    spec.files.emplace_back(runtime::kStreamlitSecretsPath, runtime::StreamlitSecretsToml(secrets));
    spec.argv = {python,
                 "-m",
                 "streamlit",
                 "run",
                 sp.config.app_file,
                 "--server.port",
                 std::to_string(id.port),
                 "--server.address",
                 "0.0.0.0"};
  } else {
    spec.argv = {python, sp.config.app_file};
  }
  runtime::AppendLine(spec.log_path, std::to_string(NowMillis()) + " spacehub: starting " +
                                         row.repo.Full() + " (" + sp.config.sdk + ", commit " +
                                         sp.state.target_sha.substr(0, 12) + ")");
  SH_TRY(backend_.Start(spec));
  if (inside_.add) {
    // The hub inside the Space's own network; a Space that cannot have it still runs.
    Result<int> fd = backend_.ListenInside(spec.key, HubInsidePort(id.port));
    Result<int> listener = fd.ok() ? inside_.add(*fd) : fd.status();
    if (listener.ok()) {
      inside_listeners_[spec.key] = *listener;
    } else {
      runtime::AppendLine(spec.log_path, std::to_string(NowMillis()) +
                                             " spacehub: HF_ENDPOINT is not reachable inside: " +
                                             listener.status().message());
    }
  }
  return spacehub::Status::Ok();
}

}  // namespace spacehub::service
