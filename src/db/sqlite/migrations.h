// Versioned schema migrations for the SQLite store. Each migration runs once, in order, inside a
// transaction, and bumps PRAGMA user_version; a database newer than this binary is refused.
// Called once at open, before the connection is shared.
#pragma once

#include <sqlite3.h>

#include "core/status.h"

namespace spacehub::db::sqlite {

Status Migrate(sqlite3* db);

}  // namespace spacehub::db::sqlite
