// SpaceService: permissions, settings (hardware, sleep time, pause, restart, storage) and the
// runtime view. Secrets/variables/events are in space_entries.cc, create/duplicate in
// space_create.cc.
#include "service/space_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/time_util.h"
#include "service/placement.h"
#include "service/space_rules.h"

namespace spacehub::service {
namespace {

constexpr const char* kNoEngine =
    "This hub has no Space runtime yet: the settings are saved and take effect when the runtime "
    "starts the Space";

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
  if (flavor.free || (who && who->user.is_admin)) return Status::Ok();
  SH_ASSIGN_OR_RETURN(db::Account account, hub_.db.FindAccount(owner));
  SH_ASSIGN_OR_RETURN(std::vector<db::HardwareGrant> grants,
                      hub_.db.ListHardwareGrants(account.id));
  for (const auto& g : grants) {
    if (g.flavor == flavor.name || g.flavor == "*") return Status::Ok();
  }
  return Status::PermissionDenied(
      "'" + owner + "' may not use the hardware '" + flavor.name +
      "': upgraded hardware needs a grant from this hub's administrator (the hub's equivalent of "
      "a payment method or a community grant). Ask an administrator to run: spacehub admin "
      "hardware grant " +
      owner + " " + flavor.name);
}

db::SpaceSettingsRow SpaceService::LoadSettings(const db::RepoRow& row,
                                                const CatalogData& catalog) {
  auto found = hub_.db.FindSpaceSettings(row.id);
  if (found.ok() && found->has_value()) return **found;
  if (!found.ok()) {
    spdlog::error("space settings of {} unreadable: {}", row.repo.Full(), found.status().message());
  }
  db::SpaceSettingsRow s;
  s.repo_id = row.id;
  s.hardware_current = catalog.default_flavor;
  s.hardware_requested = catalog.default_flavor;
  s.updated_at = row.created_at;
  return s;
}

std::optional<std::string> SpaceService::TryPlace(db::SpaceSettingsRow& s,
                                                  const CatalogData& catalog) {
  if (s.hardware_requested == s.hardware_current) return std::nullopt;
  const Flavor* f = catalog.Find(s.hardware_requested);
  if (!f) {
    return "The requested hardware '" + s.hardware_requested +
           "' is no longer offered by this hub; request another flavor";
  }
  std::lock_guard lock(placement_mu_);
  auto rows = hub_.db.ListSpaceSettings();
  if (!rows.ok()) return "Waiting for hardware: " + rows.status().message();
  // Requests made before this one are placed first (request order); then this one, if it fits.
  std::vector<Holding> held;
  std::vector<Request> waiting;
  for (const auto& r : *rows) {
    if (r.repo_id == s.repo_id || r.paused) continue;
    if (!r.hardware_current.empty()) held.push_back({r.repo_id, r.hardware_current});
    bool earlier = r.hardware_requested_at < s.hardware_requested_at ||
                   (r.hardware_requested_at == s.hardware_requested_at && r.repo_id < s.repo_id);
    if (r.hardware_requested != r.hardware_current && earlier) {
      waiting.push_back({r.repo_id, r.hardware_requested, r.hardware_current});
    }
  }
  if (!s.hardware_current.empty()) held.push_back({s.repo_id, s.hardware_current});
  std::vector<int64_t> before = PlaceInOrder(waiting, catalog, held, hub_.options.detected_gpus);
  std::vector<Holding> after;
  for (const auto& h : held) {
    if (h.repo_id == s.repo_id) continue;
    bool moved = std::find(before.begin(), before.end(), h.repo_id) != before.end();
    if (!moved) after.push_back(h);
  }
  for (const auto& w : waiting) {
    if (std::find(before.begin(), before.end(), w.repo_id) != before.end()) {
      after.push_back({w.repo_id, w.flavor});
    }
  }
  if (auto why = WhyNotPlaced(*f, catalog, after, hub_.options.detected_gpus)) {
    std::string keeps = s.hardware_current.empty() ? "no hardware" : s.hardware_current;
    return "Waiting for hardware: " + *why + "; the Space keeps " + keeps + " until one frees";
  }
  s.hardware_current = s.hardware_requested;
  return std::nullopt;
}

void SpaceService::PlaceWaiting(const std::vector<db::RepoRow>& spaces) {
  auto catalog = hub_.hardware.Get();
  for (const auto& row : spaces) {
    db::SpaceSettingsRow s;
    {
      auto found = hub_.db.FindSpaceSettings(row.id);
      if (!found.ok() || !found->has_value()) continue;
      s = **found;
    }
    if (s.paused || s.hardware_requested == s.hardware_current) continue;
    if (TryPlace(s, *catalog)) continue;
    if (Save(s, /*wants_restart=*/true).ok()) {
      Record(row, std::nullopt, "hardware.placed", {{"flavor", s.hardware_current}});
    }
  }
}

Status SpaceService::Save(db::SpaceSettingsRow s, bool wants_restart) {
  if (wants_restart) ++s.restart_generation;
  s.updated_at = NowMillis();
  SH_TRY(hub_.db.PutSpaceSettings(s));
  if (hub_.runtime) hub_.runtime->Notify(s.repo_id);
  return Status::Ok();
}

void SpaceService::Record(const db::RepoRow& row, const Caller& who, const std::string& action,
                          nlohmann::json details) {
  db::SpaceEvent e;
  e.repo_id = row.id;
  e.at = NowMillis();
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
  std::string before = s.hardware_current;
  std::optional<std::string> waiting = TryPlace(s, *catalog);
  if (s.hardware_current != before) {
    // Room freed since the request: the scheduler's placement happens on the next look.
    SH_TRY(Save(s, /*wants_restart=*/true));
    Record(row, std::nullopt, "hardware.placed", {{"flavor", s.hardware_current}});
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
    config.stage = "NO_APP_FILE";
    config.message = "The Space has no commit on its main branch yet";
  } else {
    SH_ASSIGN_OR_RETURN(config, CheckSpaceConfigAt(hub_.repos, row.repo, *sha, row.sdk));
    if (!config.config.sdk.empty()) v.sdk = config.config.sdk;
    v.sdk_version = config.config.sdk_version;
  }

  std::string reason;
  if (s.paused) {
    v.stage = "PAUSED";
    reason = "Paused by its owner; only a restart brings it back";
  } else if (!config.stage.empty()) {
    v.stage = config.stage;
    v.error_message = config.message;
    reason = config.message;
  } else if (hub_.runtime) {
    SpaceEngineStatus es = hub_.runtime->Status(row.id, *sha, s.restart_generation);
    v.stage = es.stage;
    v.error_message = es.error_message;
    reason = es.message;
    if (v.stage == "RUNNING" || v.stage == "APP_STARTING") v.replicas_current = 1;
  } else {
    v.stage = "STOPPED";
    reason = kNoEngine;
  }
  if (waiting) reason = *waiting + ". " + reason;
  v.message = reason;
  return v;
}

Result<SpaceRuntimeView> SpaceService::RequestHardware(
    const Caller& who, const RepoId& id, const std::string& flavor_name,
    std::optional<std::optional<int64_t>> sleep_seconds) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireManage(who, id));
  auto catalog = hub_.hardware.Get();
  SH_ASSIGN_OR_RETURN(const Flavor* flavor, FindFlavor(*catalog, flavor_name));
  SH_TRY(CheckGrant(who, row.repo.ns, *flavor));
  db::SpaceSettingsRow s = LoadSettings(row, *catalog);
  if (sleep_seconds) {
    SH_ASSIGN_OR_RETURN(s.sleep_seconds, ValidateSleepTime(*sleep_seconds, *flavor,
                                                           hub_.options.space_min_sleep_seconds));
  } else if (flavor->free) {
    s.sleep_seconds.reset();  // free hardware has the fixed sleep time
  }
  if (s.hardware_requested != flavor->name) s.hardware_requested_at = NowMillis();
  s.hardware_requested = flavor->name;
  std::optional<std::string> waiting = TryPlace(s, *catalog);
  SH_TRY(Save(s, /*wants_restart=*/true));
  nlohmann::json details = {{"flavor", flavor->name}, {"placed", !waiting.has_value()}};
  if (sleep_seconds) details["sleepTimeSeconds"] = s.sleep_seconds ? *s.sleep_seconds : -1;
  Record(row, who, "hardware.request", std::move(details));
  return RuntimeOf(row);
}

Result<SpaceRuntimeView> SpaceService::SetSleepTime(const Caller& who, const RepoId& id,
                                                    std::optional<int64_t> seconds) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireManage(who, id));
  auto catalog = hub_.hardware.Get();
  db::SpaceSettingsRow s = LoadSettings(row, *catalog);
  // The rule follows the hardware the Space asked for (the client checks the same).
  SH_ASSIGN_OR_RETURN(const Flavor* flavor, FindFlavor(*catalog, s.hardware_requested));
  SH_ASSIGN_OR_RETURN(s.sleep_seconds,
                      ValidateSleepTime(seconds, *flavor, hub_.options.space_min_sleep_seconds));
  SH_TRY(Save(s, /*wants_restart=*/true));
  Record(row, who, "sleeptime.set", {{"seconds", s.sleep_seconds ? *s.sleep_seconds : -1}});
  return RuntimeOf(row);
}

Result<SpaceRuntimeView> SpaceService::Pause(const Caller& who, const RepoId& id) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireManage(who, id));
  db::SpaceSettingsRow s = LoadSettings(row, *hub_.hardware.Get());
  s.paused = true;
  SH_TRY(Save(s, /*wants_restart=*/false));
  Record(row, who, "pause", nlohmann::json::object());
  return RuntimeOf(row);
}

Result<SpaceRuntimeView> SpaceService::Restart(const Caller& who, const RepoId& id, bool factory) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireManage(who, id));
  db::SpaceSettingsRow s = LoadSettings(row, *hub_.hardware.Get());
  s.paused = false;
  s.factory_rebuild = s.factory_rebuild || factory;
  SH_TRY(Save(s, /*wants_restart=*/true));
  Record(row, who, "restart", {{"factory", factory}});
  return RuntimeOf(row);
}

Result<SpaceRuntimeView> SpaceService::RequestStorage(const Caller& who, const RepoId& id,
                                                      const std::string& tier) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireManage(who, id));
  db::SpaceSettingsRow s = LoadSettings(row, *hub_.hardware.Get());
  SH_TRY(CheckStorageChange(s.storage, tier));
  bool changed = s.storage != tier;
  s.storage = tier;
  SH_TRY(Save(s, /*wants_restart=*/changed));
  Record(row, who, "storage.request", {{"tier", tier}});
  return RuntimeOf(row);
}

Result<SpaceRuntimeView> SpaceService::DeleteStorage(const Caller& who, const RepoId& id) {
  SH_ASSIGN_OR_RETURN(db::RepoRow row, RequireManage(who, id));
  db::SpaceSettingsRow s = LoadSettings(row, *hub_.hardware.Get());
  std::string had = s.storage;
  s.storage.clear();
  SH_TRY(Save(s, /*wants_restart=*/!had.empty()));
  Record(row, who, "storage.delete",
         {{"tier", had.empty() ? nlohmann::json() : nlohmann::json(had)}});
  return RuntimeOf(row);
}

}  // namespace spacehub::service
