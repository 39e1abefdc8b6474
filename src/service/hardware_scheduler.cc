#include "service/hardware_scheduler.h"

#include "service/placement.h"

namespace spacehub::service {

db::SpaceSettingsRow HardwareScheduler::Defaults(int64_t repo_id, const CatalogData& catalog) {
  db::SpaceSettingsRow s;
  s.repo_id = repo_id;
  s.hardware_current = catalog.default_flavor;
  s.hardware_requested = catalog.default_flavor;
  return s;
}

Result<SettingsOutcome> HardwareScheduler::Change(int64_t repo_id, const CatalogData& catalog,
                                                  const SettingsEdit& edit) {
  SettingsOutcome out;
  auto change = [&](db::SpaceSettingsRow& row, db::SpaceSettingsTxn& txn) -> Status {
    const db::SpaceSettingsRow before = row;
    bool restart = false;
    if (edit) {
      SH_ASSIGN_OR_RETURN(restart, edit(row));
    }
    if (!row.paused) {
      std::optional<std::vector<db::SpaceSettingsRow>> rows;
      std::vector<db::JobHold> jobs;  // read with the rows: jobs share the nodes
      auto all = [&]() -> Result<const std::vector<db::SpaceSettingsRow>*> {
        if (!rows) {
          SH_ASSIGN_OR_RETURN(rows, txn.ListAll());
          SH_ASSIGN_OR_RETURN(jobs, txn.ListJobHolds());
        }
        return &*rows;
      };
      // Back from a pause: what it held was not counted while it was paused, and may be taken.
      if (before.paused && !row.hardware_current.empty()) {
        if (const Flavor* f = catalog.Find(row.hardware_current)) {
          SH_ASSIGN_OR_RETURN(auto* r, all());
          std::vector<Holding> held = HeldByOthers(*r, repo_id);
          for (auto& j : JobHoldings(jobs)) held.push_back(std::move(j));
          if (WhyNotPlaced(*f, catalog, held, detected_gpus_)) {
            row.hardware_current.clear();
          }
        }
      }
      if (row.hardware_requested != row.hardware_current) {
        SH_ASSIGN_OR_RETURN(auto* r, all());
        out.waiting = WhyRequestWaits(row, *r, catalog, detected_gpus_, jobs);
        if (!out.waiting) {
          row.hardware_current = row.hardware_requested;
          out.placed = true;
          restart = true;  // the app moves to its new hardware
        }
      }
    } else if (row.hardware_requested != row.hardware_current) {
      out.waiting = "Waiting for hardware: the Space is paused; its request for '" +
                    row.hardware_requested + "' is placed when it restarts";
    }
    if (restart) ++row.restart_generation;
    if (!(row == before)) row.updated_at = clock_.NowMillis();
    out.changed = !(row == before);
    return Status::Ok();
  };
  SH_ASSIGN_OR_RETURN(out.row,
                      db_.UpdateSpaceSettings(repo_id, Defaults(repo_id, catalog), change));
  return out;
}

Result<SettingsOutcome> HardwareScheduler::Place(int64_t repo_id, const CatalogData& catalog) {
  return Change(repo_id, catalog, nullptr);
}

}  // namespace spacehub::service
