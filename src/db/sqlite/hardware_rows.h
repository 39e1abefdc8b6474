// The rows placement reads, shared by the settings store (sqlite_store.cc) and the job store
// (job_store.cc), which open their own connections to one database: Space settings rows and the
// hardware jobs hold. Called with the connection's owner serialising (statement.h); a transaction
// open on it makes the reads consistent with its writes.
#pragma once

#include <vector>

#include "db/metadata_store.h"
#include "db/sqlite/statement.h"

namespace spacehub::db::sqlite {

inline constexpr const char* kSettingsColumns =
    "repo_id, hardware_current, hardware_requested, sleep_seconds, storage, paused, "
    "restart_generation, factory_rebuild, updated_at, hardware_requested_at";

SpaceSettingsRow SettingsFrom(const Statement& s);  // a row selected with kSettingsColumns

// Every Space's settings in request order (hardware_requested_at, repo_id).
Result<std::vector<SpaceSettingsRow>> ListSettingsRows(StatementCache& statements);
// Every job that holds hardware now, in the order they were created.
Result<std::vector<JobHold>> ListJobHoldRows(StatementCache& statements);

}  // namespace spacehub::db::sqlite
