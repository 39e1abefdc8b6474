#include "db/sqlite/connection.h"

#include "db/sqlite/statement.h"

namespace spacehub::db::sqlite {

Result<sqlite3*> OpenConnection(const std::filesystem::path& path) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Status st = SqliteError(db, "open " + path.string());
    sqlite3_close_v2(db);
    return st;
  }
  sqlite3_busy_timeout(db, 5000);
  for (const char* pragma :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
    if (Status st = ExecSql(db, pragma); !st.ok()) {
      sqlite3_close_v2(db);
      return st;
    }
  }
  return db;
}

Status ExecSql(sqlite3* db, const char* sql) {
  Statement s(db, sql);
  return s.Run();
}

}  // namespace spacehub::db::sqlite
