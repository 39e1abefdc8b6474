// HardwareScheduler: the one owner of hardware placement and of every change to a Space's settings
// row. Both the API's SpaceService and the engine's (and admin commands) reach it through
// Hub::scheduler, and every change is one store transaction
// (SpaceSettingsStore::UpdateSpaceSettings): the row is read, edited, placed if its request fits
// beside what every other Space holds, and written before any other change can read it. So two
// deciders never both take the last unit of a flavor, and concurrent changes of different settings
// (sleep time, hardware, pause, a restart bumping the generation) all land. The transaction is the
// lock: it also holds across processes.
//
// Only this class writes hardware_current. The rule itself is placement.h (pure).
// Thread-safe: any thread may call it; it keeps no state of its own.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/clock.h"
#include "db/metadata_store.h"
#include "service/hardware_catalog.h"

namespace spacehub::service {

struct SettingsOutcome {
  db::SpaceSettingsRow row;            // as stored after the change
  bool changed = false;                // something was written
  bool placed = false;                 // this change gave the Space its requested flavor
  std::optional<std::string> waiting;  // why the requested flavor is not held (nullopt: it is)
};

// Edits a Space's settings inside the transaction; returns whether the app must restart for it.
// An error aborts the change. Must not call the store (it runs under the store's lock).
using SettingsEdit = std::function<Result<bool>(db::SpaceSettingsRow& row)>;

class HardwareScheduler final {
 public:
  // `clock` stamps the rows it changes (updated_at).
  HardwareScheduler(db::SpaceSettingsStore& db, int64_t detected_gpus,
                    const Clock& clock = Clock::System())
      : db_(db), detected_gpus_(detected_gpus), clock_(clock) {}

  // Applies `edit` to the Space's settings (the catalog's defaults when it has no row yet), then
  // places its hardware request if it fits now. restart_generation is bumped once when the edit
  // asks for a restart or the Space is placed on new hardware. A Space coming back from a pause
  // keeps its hardware only if it still fits beside what others took meanwhile; otherwise it holds
  // none and its request waits. A paused Space is never placed (it holds nothing).
  Result<SettingsOutcome> Change(int64_t repo_id, const CatalogData& catalog,
                                 const SettingsEdit& edit);
  // Only the placement (the scheduler's pass, a look at the runtime): writes nothing unless the
  // request is placed.
  Result<SettingsOutcome> Place(int64_t repo_id, const CatalogData& catalog);

  // The settings of a Space without a row: the default flavor, nothing else.
  static db::SpaceSettingsRow Defaults(int64_t repo_id, const CatalogData& catalog);

 private:
  db::SpaceSettingsStore& db_;
  int64_t detected_gpus_;
  const Clock& clock_;
};

}  // namespace spacehub::service
