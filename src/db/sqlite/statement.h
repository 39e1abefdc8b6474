// Thin RAII wrappers over the SQLite C API: a connection and a prepared statement with typed binds
// and column reads. Used only inside db/sqlite. A Connection is not thread-safe; its owner
// serialises.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace spacehub::db::sqlite {

class Statement final {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool prepared() const { return stmt_ != nullptr; }
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view value);
  Statement& BindNull(int index);
  // Steps once: true when a row is available, false when done; errors in status().
  bool Step();
  // Runs to completion (for writes).
  Status Run();
  const Status& status() const { return status_; }

  int64_t Int(int col) const;
  bool IsNull(int col) const;
  std::string Text(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  Status status_;
};

// Maps the last SQLite error on `db` to a Status (constraint violations become kConflict).
Status SqliteError(sqlite3* db, std::string_view context);

}  // namespace spacehub::db::sqlite
