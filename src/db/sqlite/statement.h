// Thin RAII wrappers over the SQLite C API: a connection and a prepared statement with typed binds
// and column reads. Used only inside db/sqlite. A Connection is not thread-safe; its owner
// serialises.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.h"

namespace spacehub::db::sqlite {

// Prepared statements of one connection, kept by SQL text so hot queries are parsed once (parsing
// was a visible share of a repo-info request). Not thread-safe: the connection's owner serialises.
class StatementCache final {
 public:
  explicit StatementCache(sqlite3* db) : db_(db) {}
  ~StatementCache();
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  sqlite3* db() const { return db_; }
  // A ready statement for `sql` (prepared on first use), or nullptr on a prepare error. Statements
  // beyond the cache's capacity are handed out uncached (`*cached` false: the caller finalizes).
  sqlite3_stmt* Acquire(std::string_view sql, bool* cached);

 private:
  static constexpr size_t kCapacity = 256;
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

class Statement final {
 public:
  Statement(sqlite3* db, std::string_view sql);
  // Borrows a cached statement; it is reset (not finalized) when this object goes away.
  Statement(StatementCache& cache, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool prepared() const { return stmt_ != nullptr; }
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view value);
  Statement& BindNull(int index);
  // Binary data (packed records): stored as a BLOB, read back byte for byte with Blob().
  Statement& BindBlob(int index, std::string_view value);
  // Steps once: true when a row is available, false when done; errors in status().
  bool Step();
  // Runs to completion (for writes).
  Status Run();
  const Status& status() const { return status_; }

  int64_t Int(int col) const;
  bool IsNull(int col) const;
  std::string Text(int col) const;
  std::string Blob(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool cached_ = false;
  Status status_;
};

// Maps the last SQLite error on `db` to a Status (constraint violations become kConflict).
Status SqliteError(sqlite3* db, std::string_view context);

}  // namespace spacehub::db::sqlite
