#include "db/sqlite/hardware_rows.h"

#include <string>

namespace spacehub::db::sqlite {

SpaceSettingsRow SettingsFrom(const Statement& s) {
  SpaceSettingsRow r;
  r.repo_id = s.Int(0);
  r.hardware_current = s.Text(1);
  r.hardware_requested = s.Text(2);
  if (!s.IsNull(3)) r.sleep_seconds = s.Int(3);
  r.storage = s.Text(4);
  r.paused = s.Int(5) != 0;
  r.restart_generation = s.Int(6);
  r.factory_rebuild = s.Int(7) != 0;
  r.updated_at = s.Int(8);
  r.hardware_requested_at = s.Int(9);
  return r;
}

Result<std::vector<SpaceSettingsRow>> ListSettingsRows(StatementCache& statements) {
  Statement s(statements, std::string("SELECT ") + kSettingsColumns +
                              " FROM space_settings ORDER BY hardware_requested_at, repo_id");
  std::vector<SpaceSettingsRow> out;
  while (s.Step()) out.push_back(SettingsFrom(s));
  SH_TRY(s.status());
  return out;
}

Result<std::vector<JobHold>> ListJobHoldRows(StatementCache& statements) {
  Statement s(statements,
              "SELECT id, flavor FROM jobs WHERE holds_hardware = 1 ORDER BY created_at, id");
  std::vector<JobHold> out;
  while (s.Step()) out.push_back({s.Text(0), s.Text(1)});
  SH_TRY(s.status());
  return out;
}

}  // namespace spacehub::db::sqlite
