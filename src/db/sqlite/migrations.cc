#include "db/sqlite/migrations.h"

#include <array>
#include <string>

#include "db/sqlite/statement.h"

namespace spacehub::db::sqlite {
namespace {

// Append only: never edit a migration that has shipped; add a new one.
constexpr std::array<const char*, 7> kMigrations = {
    // 1: identity and repositories.
    R"sql(
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  kind TEXT NOT NULL CHECK (kind IN ('user', 'org')),
  fullname TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  is_admin INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE TABLE memberships (
  org_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  role INTEGER NOT NULL,
  PRIMARY KEY (org_id, user_id)
);
CREATE TABLE tokens (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  role INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE repos (
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  namespace TEXT NOT NULL COLLATE NOCASE,
  name TEXT NOT NULL COLLATE NOCASE,
  private INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  sdk TEXT NOT NULL DEFAULT '',
  UNIQUE (type, namespace, name)
);
CREATE INDEX repos_by_updated ON repos(type, updated_at);
CREATE TABLE repo_lfs_objects (
  repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  oid TEXT NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY (repo_id, oid)
);
)sql",
    // 2: Space settings (desired state), secrets (sealed), variables, events, hardware grants.
    R"sql(
CREATE TABLE space_settings (
  repo_id INTEGER PRIMARY KEY REFERENCES repos(id) ON DELETE CASCADE,
  hardware_current TEXT NOT NULL DEFAULT '',
  hardware_requested TEXT NOT NULL DEFAULT '',
  sleep_seconds INTEGER,
  storage TEXT NOT NULL DEFAULT '',
  paused INTEGER NOT NULL DEFAULT 0,
  restart_generation INTEGER NOT NULL DEFAULT 0,
  factory_rebuild INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);
CREATE INDEX space_settings_by_hardware ON space_settings(hardware_current);
CREATE TABLE space_entries (
  repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('secret', 'variable')),
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (repo_id, kind, key)
);
CREATE TABLE space_events (
  id INTEGER PRIMARY KEY,
  repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX space_events_by_repo ON space_events(repo_id, id);
CREATE TABLE hardware_grants (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  flavor TEXT NOT NULL,
  PRIMARY KEY (account_id, flavor)
);
)sql",
    // 3: what the Space runtime must remember across hub restarts (not the owner's settings).
    R"sql(
CREATE TABLE space_runtime_state (
  repo_id INTEGER PRIMARY KEY REFERENCES repos(id) ON DELETE CASCADE,
  sleeping INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);
)sql",
    // 4: when the current hardware request was made (the scheduler places in request order).
    R"sql(
ALTER TABLE space_settings ADD COLUMN hardware_requested_at INTEGER NOT NULL DEFAULT 0;
)sql",
    // 5: the web UI's sign-in: password hashes, browser sessions, sign-up invitations, and when
    // each token was last used (the tokens page shows it).
    R"sql(
ALTER TABLE accounts ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0;
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  user_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_by_user ON sessions(user_id);
CREATE TABLE invitations (
  hash TEXT PRIMARY KEY,
  created_by INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
)sql",
    // 6: Jobs, scheduled jobs, and the hardware usage of Spaces and Jobs (issue #16).
    R"sql(
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  owner_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_by INTEGER NOT NULL,
  spec TEXT NOT NULL,
  sealed_secrets TEXT NOT NULL DEFAULT '',
  flavor TEXT NOT NULL,
  stage TEXT NOT NULL,
  message TEXT NOT NULL DEFAULT '',
  exit_code INTEGER,
  created_at INTEGER NOT NULL,
  started_at INTEGER NOT NULL DEFAULT 0,
  finished_at INTEGER NOT NULL DEFAULT 0,
  timeout_seconds INTEGER NOT NULL DEFAULT 0,
  labels TEXT NOT NULL DEFAULT '{}',
  scheduled_job_id TEXT NOT NULL DEFAULT '',
  backend TEXT NOT NULL DEFAULT '',
  backend_ref TEXT NOT NULL DEFAULT '',
  holds_hardware INTEGER NOT NULL DEFAULT 0,
  cancel_requested INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_by_owner ON jobs(owner_id, created_at);
CREATE INDEX jobs_unfinished ON jobs(stage) WHERE stage IN ('SCHEDULING', 'RUNNING');
CREATE TABLE scheduled_jobs (
  id TEXT PRIMARY KEY,
  owner_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_by INTEGER NOT NULL,
  spec TEXT NOT NULL,
  sealed_secrets TEXT NOT NULL DEFAULT '',
  schedule TEXT NOT NULL,
  suspend INTEGER NOT NULL DEFAULT 0,
  concurrency INTEGER NOT NULL DEFAULT 0,
  labels TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  next_run_at INTEGER NOT NULL DEFAULT 0,
  last_job_id TEXT NOT NULL DEFAULT '',
  last_job_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX scheduled_jobs_by_owner ON scheduled_jobs(owner_id, created_at);
CREATE TABLE usage_records (
  id INTEGER PRIMARY KEY,
  owner_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('space', 'job')),
  subject TEXT NOT NULL,
  flavor TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  stopped_at INTEGER NOT NULL DEFAULT 0,
  last_seen_at INTEGER NOT NULL
);
CREATE INDEX usage_open ON usage_records(stopped_at) WHERE stopped_at = 0;
CREATE INDEX usage_by_owner ON usage_records(owner_id, started_at);
)sql",
    // 7: Xet storage: xorbs and their chunks, files recorded by shards, and which repo may use
    // which (db/xet_store.h).
    R"sql(
CREATE TABLE xet_xorbs (
  hash TEXT PRIMARY KEY,
  stored_bytes INTEGER NOT NULL,
  unpacked_bytes INTEGER NOT NULL,
  num_chunks INTEGER NOT NULL,
  chunks BLOB NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX xet_xorbs_by_age ON xet_xorbs(created_at);
CREATE TABLE xet_chunks (
  chunk_hash TEXT NOT NULL,
  xorb_hash TEXT NOT NULL REFERENCES xet_xorbs(hash) ON DELETE CASCADE,
  chunk_index INTEGER NOT NULL,
  PRIMARY KEY (chunk_hash, xorb_hash)
) WITHOUT ROWID;
CREATE INDEX xet_chunks_by_xorb ON xet_chunks(xorb_hash);
CREATE TABLE xet_xorb_repos (
  xorb_hash TEXT NOT NULL REFERENCES xet_xorbs(hash) ON DELETE CASCADE,
  repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  PRIMARY KEY (xorb_hash, repo_id)
) WITHOUT ROWID;
CREATE INDEX xet_xorb_repos_by_repo ON xet_xorb_repos(repo_id);
CREATE TABLE xet_files (
  file_hash TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  terms BLOB NOT NULL
);
CREATE INDEX xet_files_by_sha256 ON xet_files(sha256) WHERE sha256 != '';
CREATE TABLE xet_file_xorbs (
  file_hash TEXT NOT NULL REFERENCES xet_files(file_hash) ON DELETE CASCADE,
  xorb_hash TEXT NOT NULL,
  PRIMARY KEY (file_hash, xorb_hash)
) WITHOUT ROWID;
CREATE INDEX xet_file_xorbs_by_xorb ON xet_file_xorbs(xorb_hash);
CREATE TABLE xet_file_repos (
  file_hash TEXT NOT NULL REFERENCES xet_files(file_hash) ON DELETE CASCADE,
  repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  PRIMARY KEY (file_hash, repo_id)
) WITHOUT ROWID;
CREATE INDEX xet_file_repos_by_repo ON xet_file_repos(repo_id);
)sql",
};

Status Exec(sqlite3* db, const char* sql, const char* context) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = std::string(context) + ": " + (err ? err : "unknown error");
    sqlite3_free(err);
    return Status::Internal(msg);
  }
  return Status::Ok();
}

}  // namespace

Status Migrate(sqlite3* db) {
  Statement version_stmt(db, "PRAGMA user_version");
  if (!version_stmt.Step()) return SqliteError(db, "read schema version");
  int64_t version = version_stmt.Int(0);
  if (version > static_cast<int64_t>(kMigrations.size())) {
    return Status::Internal("database schema version " + std::to_string(version) +
                            " is newer than this spacehub (" + std::to_string(kMigrations.size()) +
                            "); upgrade spacehub");
  }
  for (size_t i = static_cast<size_t>(version); i < kMigrations.size(); ++i) {
    SH_TRY(Exec(db, "BEGIN IMMEDIATE", "begin migration"));
    Status s = Exec(db, kMigrations[i], "migration");
    if (s.ok()) {
      std::string bump = "PRAGMA user_version = " + std::to_string(i + 1);
      s = Exec(db, bump.c_str(), "bump schema version");
    }
    if (!s.ok()) {
      (void)Exec(db, "ROLLBACK", "rollback migration");
      return std::move(s).Annotate("migration " + std::to_string(i + 1));
    }
    SH_TRY(Exec(db, "COMMIT", "commit migration"));
  }
  return Status::Ok();
}

}  // namespace spacehub::db::sqlite
