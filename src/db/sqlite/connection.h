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

// A write transaction on one connection: BEGIN IMMEDIATE takes SQLite's write lock now (so no other
// connection or process changes what this one reads before it writes), and every way out but
// Commit() rolls back, an exception included: an open transaction left behind would hold the
// write lock for good. The connection's owner serialises, as for every call on it.
class WriteTxn final {
 public:
  explicit WriteTxn(sqlite3* db) : db_(db) { status_ = ExecSql(db_, "BEGIN IMMEDIATE"); }
  ~WriteTxn() {
    if (status_.ok() && !committed_) (void)ExecSql(db_, "ROLLBACK");
  }
  WriteTxn(const WriteTxn&) = delete;
  WriteTxn& operator=(const WriteTxn&) = delete;
  // Whether BEGIN succeeded.
  const Status& status() const { return status_; }
  Status Commit() {
    Status st = ExecSql(db_, "COMMIT");
    if (st.ok()) committed_ = true;
    return st;
  }

 private:
  sqlite3* db_;
  Status status_;
  bool committed_ = false;
};

}  // namespace spacehub::db::sqlite
