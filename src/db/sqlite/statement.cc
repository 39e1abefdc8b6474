#include "db/sqlite/statement.h"

namespace spacehub::db::sqlite {

Status SqliteError(sqlite3* db, std::string_view context) {
  int code = sqlite3_extended_errcode(db);
  std::string msg = std::string(context) + ": " + sqlite3_errmsg(db);
  if ((code & 0xff) == SQLITE_CONSTRAINT) return Status::Conflict(msg);
  if ((code & 0xff) == SQLITE_BUSY) return Status::Unavailable(msg);
  return Status::Internal(msg);
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
      SQLITE_OK) {
    status_ = SqliteError(db, "prepare");
    stmt_ = nullptr;
  }
}

StatementCache::~StatementCache() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
}

sqlite3_stmt* StatementCache::Acquire(std::string_view sql, bool* cached) {
  auto it = statements_.find(std::string(sql));
  if (it != statements_.end()) {
    *cached = true;
    return it->second;
  }
  sqlite3_stmt* stmt = nullptr;
  bool keep = statements_.size() < kCapacity;
  unsigned flags = keep ? SQLITE_PREPARE_PERSISTENT : 0;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), flags, &stmt, nullptr) !=
      SQLITE_OK) {
    sqlite3_finalize(stmt);
    return nullptr;
  }
  if (keep) statements_.emplace(std::string(sql), stmt);
  *cached = keep;
  return stmt;
}

Statement::Statement(StatementCache& cache, std::string_view sql) : db_(cache.db()) {
  stmt_ = cache.Acquire(sql, &cached_);
  if (stmt_ == nullptr) status_ = SqliteError(db_, "prepare");
}

Statement::~Statement() {
  if (!cached_) {
    sqlite3_finalize(stmt_);
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement& Statement::Bind(int index, int64_t value) {
  if (stmt_) sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  if (stmt_) {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  }
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view value) {
  if (stmt_) {
    sqlite3_bind_blob(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  }
  return *this;
}

Statement& Statement::BindNull(int index) {
  if (stmt_) sqlite3_bind_null(stmt_, index);
  return *this;
}

bool Statement::Step() {
  if (!stmt_) return false;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) status_ = SqliteError(db_, "step");
  return false;
}

Status Statement::Run() {
  if (!stmt_) return status_;
  while (Step()) {
  }
  return status_;
}

int64_t Statement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }

bool Statement::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

std::string Statement::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

std::string Statement::Blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  if (p == nullptr) return {};
  return {static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

}  // namespace spacehub::db::sqlite
