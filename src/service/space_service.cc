// SpaceService: permissions, settings (hardware, sleep time, pause, restart, storage) and the
// runtime view. Secrets/variables/events are in space_entries.cc, create/duplicate in
// space_create.cc.
#include "service/space_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "service/hardware_grants.h"
#include "service/placement.h"
#include "service/space_rules.h"

namespace spacehub::service {
namespace {

constexpr const char* kNoEngine =
    "This hub has no Space runtime yet: the settings are saved and take effect when the runtime "
    "starts the Space";

// Sets v.stage (and what goes with it) for a Space with settings `s` and the configuration at
// `sha`; returns why it is in that stage: paused, an invalid configuration, the engine's view,
// or no engine.
std::string SetStage(Hub& hub, const db::RepoRow& row, const db::SpaceSettingsRow& s,
                     const ConfigCheck& config, const std::string& sha, SpaceRuntimeView& v) {
  if (s.paused) {
    v.stage = SpaceStage::kPaused;
    return "Paused by its owner; only a restart brings it back";
  }
  if (config.stage) {
    v.stage = *config.stage;
    v.error_message = config.message;
    return config.message;
  }
  if (!hub.runtime) {
    v.stage = SpaceStage::kStopped;
    return kNoEngine;
  }
  SpaceEngineStatus es = hub.runtime->Status(row.id, sha, s.restart_generation);
  v.stage = es.stage;
  v.error_message = es.error_message;
  v.serving_since_ms = es.serving_since_ms;
  if (v.stage == SpaceStage::kRunning || v.stage == SpaceStage::kAppStarting) {
    v.replicas_current = 1;
  }
  return es.message;
}

}  // namespace

Result<db::RepoRow> SpaceService::RequireManage(const Caller& who, const RepoId& id) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, hub_.db.FindRepo(id));
  if (!auth::CanRead(who, row)) return Status::RepoNotFound();
  if (!auth::CanWrite(who, row.repo.ns)) {
    if (!who) {
      return Status::PermissionDenied("Managing the Space " + id.Full() +
                                      " needs a write token of a member of '" + row.repo.ns + "'");
    }
    return Status::PermissionDenied(
        who->token.role < db::Role::kWrite
            ? "This token has the read role; managing a Space needs a write token"
            : "You need write access to '" + row.repo.ns + "' to manage the Space " + id.Full());
  }
  return row;
}

Result<const Flavor*> SpaceService::FindFlavor(const CatalogData& catalog,
                                               const std::string& name) {
  const Flavor* f = catalog.Find(name);
  if (!f) {
    return Status::InvalidArgument("Unknown hardware flavor '" + name +
                                   "'. This hub offers: " + catalog.Names());
  }
  return f;
}

Status SpaceService::CheckGrant(const Caller& who, const std::string& owner, const Flavor& flavor) {
  return CheckHardwareGrant(hub_, who, owner, flavor);
}

db::SpaceSettingsRow SpaceService::LoadSettings(const db::RepoRow& row,
                                                const CatalogData& catalog) {
  auto found = hub_.db.FindSpaceSettings(row.id);
  if (found.ok() && found->has_value()) return **found;
  if (!found.ok()) {
    spdlog::error("space settings of {} unreadable: {}", row.repo.Full(), found.status().message());
  }
  db::SpaceSettingsRow s = HardwareScheduler::Defaults(row.id, catalog);
  s.updated_at = row.created_at;
  return s;
}

void SpaceService::PlaceWaiting(const std::vector<db::RepoRow>& spaces) {
  auto catalog = hub_.hardware.Get();
  for (const auto& row : spaces) {
    auto found = hub_.db.FindSpaceSettings(row.id);
    if (!found.ok() || !found->has_value()) continue;
    const db::SpaceSettingsRow& s = **found;
    if (s.paused || s.hardware_requested == s.hardware_current) continue;
    // Decided again inside the scheduler's transaction: this read only skips the settled ones.
    auto placed = ChangeSettings(row, *catalog, nullptr);
    if (!placed.ok()) {
      spdlog::error("placing the hardware of {}: {}", row.repo.Full(), placed.status().message());
      continue;
    }
    if (!placed->placed) continue;
    Record(row, std::nullopt, "hardware.placed", {{"flavor", placed->row.hardware_current}});
  }
}

Result<SettingsOutcome> SpaceService::ChangeSettings(const db::RepoRow& row,
                                                     const CatalogData& catalog,
                                                     const SettingsEdit& edit) {
  SH_ASSIGN_OR_RETURN(SettingsOutcome out, hub_.scheduler.Change(row.id, catalog, edit));
  if (out.changed && hub_.runtime) hub_.runtime->Notify(row.id);
  return out;
}

void SpaceService::Record(const db::RepoRow& row, const Caller& who, const std::string& action,
                          const nlohmann::json& details) {
  db::SpaceEvent e;
  e.repo_id = row.id;
  e.at = hub_.clock.NowMillis();
  e.actor = who ? who->user.name : "system";
  e.action = action;
  e.details = details.dump();
  auto st = hub_.db.AddSpaceEvent(e);
  if (!st.ok()) {
    spdlog::error("space event {} of {} not recorded: {}", action, row.repo.Full(),
                  st.status().message());
  }
}

Result<SpaceRuntimeView> SpaceService::Runtime(const Caller& who, const RepoId& id) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireReadable(hub_, who, id));
  return RuntimeOf(row);
}

Result<SpaceRuntimeView> SpaceService::RuntimeOf(const db::RepoRow& row) {
  auto catalog = hub_.hardware.Get();
  db::SpaceSettingsRow s = LoadSettings(row, *catalog);
  std::optional<std::string> waiting;
  if (!s.paused && s.hardware_requested != s.hardware_current) {
    // Room may have freed since the request: the scheduler places it now if it fits.
    SH_ASSIGN_OR_RETURN(SettingsOutcome placed, ChangeSettings(row, *catalog, nullptr));
    if (placed.placed) {
      Record(row, std::nullopt, "hardware.placed", {{"flavor", placed.row.hardware_current}});
    }
    s = placed.row;
    waiting = placed.waiting;
  }

  SpaceRuntimeView v;
  v.restart_generation = s.restart_generation;
  v.hardware_requested = s.hardware_requested;
  if (!s.paused && !s.hardware_current.empty()) v.hardware_current = s.hardware_current;
  const Flavor* flavor = catalog->Find(s.hardware_requested);
  v.gc_timeout = flavor ? EffectiveSleepTime(*flavor, s.sleep_seconds) : s.sleep_seconds;
  if (!s.storage.empty()) v.storage = s.storage;
  v.sdk = row.sdk;

  ConfigCheck config;
  auto sha = hub_.repos.ResolveRevision(row.repo, "main");
  if (!sha.ok()) {
    config.stage = SpaceStage::kNoAppFile;
    config.message = "The Space has no commit on its main branch yet";
  } else {
    SH_ASSIGN_OR_RETURN(config, ConfigAt(row, *sha));
    if (!config.config.sdk.empty()) v.sdk = config.config.sdk;
    v.sdk_version = config.config.sdk_version;
  }

  std::string reason = SetStage(hub_, row, s, config, sha.ok() ? *sha : "", v);
  if (waiting) reason = *waiting + ". " + reason;
  v.message = reason;
  return v;
}

Result<ConfigCheck> SpaceService::ConfigAt(const db::RepoRow& row, const std::string& sha) {
  constexpr size_t kMaxCached = 4096;
  const std::string key = sha + "\n" + row.sdk;
  {
    MutexLock lock(config_mu_);
    if (auto it = configs_.find(key); it != configs_.end()) return it->second;
  }
  SH_ASSIGN_OR_RETURN(ConfigCheck config, CheckSpaceConfigAt(hub_.repos, row.repo, sha, row.sdk));
  MutexLock lock(config_mu_);
  if (configs_.size() >= kMaxCached) configs_.clear();
  configs_.emplace(key, config);
  return config;
}

Result<SpaceRuntimeView> SpaceService::RequestHardware(
    const Caller& who, const RepoId& id, const std::string& flavor_name,
    std::optional<std::optional<int64_t>> sleep_seconds) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireManage(who, id));
  auto catalog = hub_.hardware.Get();
  SH_ASSIGN_OR_RETURN(const Flavor* flavor, FindFlavor(*catalog, flavor_name));
  SH_TRY(CheckGrant(who, row.repo.ns, *flavor));
  const int64_t min_sleep = hub_.options.space_min_sleep_seconds;
  SH_ASSIGN_OR_RETURN(SettingsOutcome out,
                      ChangeSettings(row, *catalog, [&](db::SpaceSettingsRow& s) -> Result<bool> {
                        if (sleep_seconds) {
                          SH_ASSIGN_OR_RETURN(
                              s.sleep_seconds,
                              ValidateSleepTime(*sleep_seconds, *flavor, min_sleep));
                        } else if (flavor->free) {
                          s.sleep_seconds.reset();  // free hardware has the fixed sleep time
                        }
                        if (s.hardware_requested != flavor->name)
                          s.hardware_requested_at = hub_.clock.NowMillis();
                        s.hardware_requested = flavor->name;
                        return true;
                      }));
  const db::SpaceSettingsRow& s = out.row;
  nlohmann::json details = {{"flavor", flavor->name}, {"placed", !out.waiting.has_value()}};
  if (sleep_seconds) details["sleepTimeSeconds"] = s.sleep_seconds ? *s.sleep_seconds : -1;
  Record(row, who, "hardware.request", details);
  return RuntimeOf(row);
}

Result<SpaceRuntimeView> SpaceService::SetSleepTime(const Caller& who, const RepoId& id,
                                                    std::optional<int64_t> seconds) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireManage(who, id));
  auto catalog = hub_.hardware.Get();
  const int64_t min_sleep = hub_.options.space_min_sleep_seconds;
  SH_ASSIGN_OR_RETURN(
      SettingsOutcome out,
      ChangeSettings(row, *catalog, [&](db::SpaceSettingsRow& s) -> Result<bool> {
        // The rule follows the hardware the Space asks for now (the client checks the same):
        // checked in the transaction, so a concurrent hardware request cannot slip past it.
        SH_ASSIGN_OR_RETURN(const Flavor* flavor, FindFlavor(*catalog, s.hardware_requested));
        SH_ASSIGN_OR_RETURN(s.sleep_seconds, ValidateSleepTime(seconds, *flavor, min_sleep));
        return true;
      }));
  const auto& stored = out.row.sleep_seconds;
  Record(row, who, "sleeptime.set", {{"seconds", stored ? *stored : -1}});
  return RuntimeOf(row);
}

Result<SpaceRuntimeView> SpaceService::Pause(const Caller& who, const RepoId& id) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireManage(who, id));
  SH_TRY(ChangeSettings(row, *hub_.hardware.Get(), [](db::SpaceSettingsRow& s) -> Result<bool> {
           s.paused = true;
           return false;
         }).status());
  Record(row, who, "pause", nlohmann::json::object());
  return RuntimeOf(row);
}

Result<SpaceRuntimeView> SpaceService::Restart(const Caller& who, const RepoId& id, bool factory) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireManage(who, id));
  SH_TRY(ChangeSettings(row, *hub_.hardware.Get(), [&](db::SpaceSettingsRow& s) -> Result<bool> {
           s.paused = false;
           s.factory_rebuild = s.factory_rebuild || factory;
           return true;
         }).status());
  Record(row, who, "restart", {{"factory", factory}});
  return RuntimeOf(row);
}

Result<SpaceRuntimeView> SpaceService::RequestStorage(const Caller& who, const RepoId& id,
                                                      const std::string& tier) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireManage(who, id));
  SH_TRY(ChangeSettings(row, *hub_.hardware.Get(), [&](db::SpaceSettingsRow& s) -> Result<bool> {
           SH_TRY(CheckStorageChange(s.storage, tier));
           bool changed = s.storage != tier;
           s.storage = tier;
           return changed;
         }).status());
  Record(row, who, "storage.request", {{"tier", tier}});
  return RuntimeOf(row);
}

Result<SpaceRuntimeView> SpaceService::DeleteStorage(const Caller& who, const RepoId& id) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireManage(who, id));
  std::string had;
  SH_TRY(ChangeSettings(row, *hub_.hardware.Get(), [&](db::SpaceSettingsRow& s) -> Result<bool> {
           had = s.storage;
           s.storage.clear();
           return !had.empty();
         }).status());
  Record(row, who, "storage.delete",
         {{"tier", had.empty() ? nlohmann::json() : nlohmann::json(had)}});
  return RuntimeOf(row);
}

}  // namespace spacehub::service
