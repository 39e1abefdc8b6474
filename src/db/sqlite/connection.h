// Opening a connection to the hub's SQLite database, the same way for every store that keeps one
// (sqlite_store.cc, job_store.cc, usage_store.cc): WAL, synchronous=FULL (an acknowledged write
// survives a crash), foreign keys, and a busy timeout so that writers on different connections
// wait for each other's transactions instead of failing. Thread-safe (each call its own handle).
#pragma once

#include <sqlite3.h>

#include <filesystem>

#include "core/result.h"

namespace spacehub::db::sqlite {

// The caller owns the handle (sqlite3_close_v2).
Result<sqlite3*> OpenConnection(const std::filesystem::path& path);

// Runs `sql` (no result rows) on `db`.
Status ExecSql(sqlite3* db, const char* sql);

}  // namespace spacehub::db::sqlite
