// SpaceService: the Space management use cases of the "Manage your Space" guide — create with Space
// settings, duplicate, secrets, variables, hardware, sleep time, pause, restart, storage, the
// runtime view and the event log — with the Hub's semantics (spec/spaces.md, hub-api.md §4).
//
// Settings are the Space's *desired state*; the runtime engine (issue #5) drives the Space toward
// it. Every change that needs the app restarted bumps `restart_generation`. Until the engine
// exists, the runtime view reports honest stages (see docs/design/0002-space-settings.md).
//
// Permissions: reading the runtime needs read access; everything else needs write access on the
// Space's owner. Callers who cannot see a private Space get 404, others 403.
// Secret values are sealed with the hub's SecretBox and never leave this class except through
// SecretEnvironment (for the engine); they are never logged, rendered or put into events.
// Thread-safe, and any number of instances may run at once (the API's, the engine's, an admin
// command's): every settings change is one transaction of Hub::scheduler on the fields it changes,
// so none is lost to another and placement has a single owner.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/mutex.h"
#include "service/access.h"
#include "service/hardware_scheduler.h"
#include "service/log_follower.h"
#include "service/repo_service.h"
#include "service/space_config.h"

namespace spacehub::service {

// A Space's build or run log opened for streaming: its stored tail, then what the engine appends.
struct SpaceLogStream {
  int64_t repo_id = 0;
  std::vector<SpaceLogLine> backlog;
  std::unique_ptr<LogFollower> follower;  // positioned after the backlog
};

struct SpaceEntryInput {
  std::string key;
  std::string value;
  std::optional<std::string> description;
};

// Space settings that may come with create and duplicate.
struct SpaceParams {
  std::optional<std::string> hardware;
  std::optional<std::string> storage;
  std::optional<int64_t> sleep_seconds;  // set when the request had one
  std::vector<SpaceEntryInput> secrets;
  std::vector<SpaceEntryInput> variables;
};

struct DuplicateInput {
  RepoId to;                       // ns may be empty: the caller's namespace
  std::optional<bool> is_private;  // default: the source's visibility
  SpaceParams params;
};

struct SpaceRuntimeView {
  SpaceStage stage = SpaceStage::kStopped;
  std::optional<std::string> hardware_current;
  std::string hardware_requested;
  std::optional<int64_t> gc_timeout;
  std::optional<std::string> storage;
  std::optional<std::string> error_message;  // CONFIG_ERROR / NO_APP_FILE reason
  std::optional<std::string> message;        // why the Space is in this stage / waits for hardware
  std::string sdk;
  std::optional<std::string> sdk_version;
  int64_t replicas_requested = 1;
  int64_t replicas_current = 0;
  bool dev_mode = false;
  int64_t restart_generation = 0;
  // When the version that serves visitors now started serving (the engine's); changes with every
  // restart, so the web UI's app frame can follow one it did not see happen.
  std::optional<int64_t> serving_since_ms;
};

class SpaceService final {
 public:
  SpaceService(Hub& hub, RepoService& repos) : hub_(hub), repos_(repos) {}

  // Creates a Space with its settings; a refused setting leaves nothing behind.
  Result<db::RepoRow> Create(const Caller& who, CreateRepoInput input, const SpaceParams& params,
                             const std::string& base_url);
  // Copies the files at the source's head and its variables (never its secrets).
  Result<db::RepoRow> Duplicate(const Caller& who, const RepoId& from, DuplicateInput input,
                                const std::string& base_url);

  Result<SpaceRuntimeView> Runtime(const Caller& who, const RepoId& id);
  // For repo info: the caller was already allowed to read `row`.
  Result<SpaceRuntimeView> RuntimeOf(const db::RepoRow& row);

  Result<SpaceRuntimeView> RequestHardware(const Caller& who, const RepoId& id,
                                           const std::string& flavor,
                                           std::optional<std::optional<int64_t>> sleep_seconds);
  Result<SpaceRuntimeView> SetSleepTime(const Caller& who, const RepoId& id,
                                        std::optional<int64_t> seconds);
  Result<SpaceRuntimeView> Pause(const Caller& who, const RepoId& id);
  Result<SpaceRuntimeView> Restart(const Caller& who, const RepoId& id, bool factory);
  Result<SpaceRuntimeView> RequestStorage(const Caller& who, const RepoId& id,
                                          const std::string& tier);
  Result<SpaceRuntimeView> DeleteStorage(const Caller& who, const RepoId& id);

  // Secrets: entries come back with empty values.
  Result<std::vector<db::SpaceEntry>> Secrets(const Caller& who, const RepoId& id);
  Status AddSecret(const Caller& who, const RepoId& id, const SpaceEntryInput& in);
  Status DeleteSecret(const Caller& who, const RepoId& id, const std::string& key);
  // Variables: each call returns the full, updated list.
  Result<std::vector<db::SpaceEntry>> Variables(const Caller& who, const RepoId& id);
  Result<std::vector<db::SpaceEntry>> AddVariable(const Caller& who, const RepoId& id,
                                                  const SpaceEntryInput& in);
  Result<std::vector<db::SpaceEntry>> DeleteVariable(const Caller& who, const RepoId& id,
                                                     const std::string& key);

  Result<std::vector<db::SpaceEvent>> Events(const Caller& who, const RepoId& id, size_t limit);
  // The build or run log: its last `tail` stored lines and a follower for what comes next (empty
  // when the hub runs no Space runtime), with every current secret value redacted once more.
  // Needs write access, as the Hub's logs do. In space_logs.cc.
  Result<SpaceLogStream> Logs(const Caller& who, const RepoId& id, bool build, size_t tail);
  // Whether more may be appended to this log now: the build log while a build runs, the run log
  // while the app is starting or running; never once the Space (`id`, row `repo_id`) is deleted.
  bool LogIsLive(const RepoId& id, int64_t repo_id, bool build) const;
  // What the Space's running instance uses now (write access, like the logs). In
  // space_metrics.cc; exists=false when nothing runs (or the hub has no runtime).
  Result<std::function<runtime::InstanceUsage()>> Metrics(const Caller& who, const RepoId& id);

  // The decrypted secrets of a Space, for the runtime engine only.
  Result<std::map<std::string, std::string>> SecretEnvironment(const db::RepoRow& row);
  // Re-seals every secret not under the active key (after a rotation); returns how many.
  Result<int64_t> ResealSecrets();

 private:
  Result<db::RepoRow> RequireManage(const Caller& who, const RepoId& id);
  // The stored settings (defaults without a row), for reading only: a change goes through
  // ChangeSettings, never load-modify-save.
  db::SpaceSettingsRow LoadSettings(const db::RepoRow& row, const CatalogData& catalog);
  // Validates `params` for a Space owned by `owner` before anything is created.
  Status CheckParams(const Caller& who, const std::string& owner, const SpaceParams& params,
                     const CatalogData& catalog);
  Status ApplyParams(const Caller& who, const db::RepoRow& row, const SpaceParams& params,
                     const CatalogData& catalog, const std::string& action);
  Status CheckGrant(const Caller& who, const std::string& owner, const Flavor& flavor);
  Result<const Flavor*> FindFlavor(const CatalogData& catalog, const std::string& name);
  // One change of the Space's settings: a transaction of the hub's scheduler (hardware_scheduler.h)
  // that also places a waiting hardware request; then the engine is nudged.
  Result<SettingsOutcome> ChangeSettings(const db::RepoRow& row, const CatalogData& catalog,
                                         const SettingsEdit& edit);

 public:
  // The scheduler's pass (called by the engine): places every waiting hardware request of these
  // Spaces that fits now, in request order, and restarts each placed Space on its new hardware.
  void PlaceWaiting(const std::vector<db::RepoRow>& spaces);

 private:
  // A secret or variable changed: the app restarts with it (restart_generation, in one
  // transaction).
  Status RestartForEntries(const db::RepoRow& row);
  Status PutSecret(const db::RepoRow& row, const SpaceEntryInput& in);
  Status PutVariable(const db::RepoRow& row, const SpaceEntryInput& in);
  void Record(const db::RepoRow& row, const Caller& who, const std::string& action,
              const nlohmann::json& details);

  // The config check of a commit (README front matter, app file) by commit and SDK: a commit never
  // changes, and the check reads the tree and parses YAML, which lists of Spaces would otherwise
  // repeat for every row on every view. Bounded; cleared when full.
  Result<ConfigCheck> ConfigAt(const db::RepoRow& row, const std::string& sha);

  Hub& hub_;
  RepoService& repos_;
  Mutex config_mu_;
  std::unordered_map<std::string, ConfigCheck> configs_ GUARDED_BY(config_mu_);
};

}  // namespace spacehub::service
