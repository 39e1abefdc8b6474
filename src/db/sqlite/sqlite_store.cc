// SQLite implementation of MetadataStore: one connection in WAL mode behind a mutex. Each call is a
// handful of indexed lookups (microseconds), so a single serialised connection is not the
// bottleneck on a one-machine hub; a connection pool can replace it behind the same interface.
#include <sqlite3.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/mutex.h"
#include "db/metadata_store.h"
#include "db/sqlite/connection.h"
#include "db/sqlite/hardware_rows.h"
#include "db/sqlite/job_store.h"
#include "db/sqlite/migrations.h"
#include "db/sqlite/statement.h"
#include "db/sqlite/xet_store.h"

namespace spacehub::db {
namespace {

using sqlite::kSettingsColumns;
using sqlite::SettingsFrom;
using sqlite::Statement;

constexpr const char* kAccountCols = "id, name, kind, fullname, email, is_admin, created_at";
constexpr const char* kRepoCols =
    "id, uid, type, namespace, name, private, created_at, updated_at, sdk";

Account ReadAccount(const Statement& s) {
  Account a;
  a.id = s.Int(0);
  a.name = s.Text(1);
  a.kind = s.Text(2) == "org" ? AccountKind::kOrg : AccountKind::kUser;
  a.fullname = s.Text(3);
  a.email = s.Text(4);
  a.is_admin = s.Int(5) != 0;
  a.created_at = s.Int(6);
  return a;
}

constexpr const char* kTokenCols = "id, user_id, name, role, created_at, last_used_at";

Token ReadToken(const Statement& s) {
  return Token{s.Int(0), s.Int(1), s.Text(2), static_cast<Role>(s.Int(3)), s.Int(4), s.Int(5)};
}

RepoRow ReadRepo(const Statement& s) {
  RepoRow r;
  r.id = s.Int(0);
  r.uid = s.Text(1);
  auto type = ParseRepoType(s.Text(2));
  r.repo.type = type.ok() ? *type : RepoType::kModel;
  r.repo.ns = s.Text(3);
  r.repo.name = s.Text(4);
  r.is_private = s.Int(5) != 0;
  r.created_at = s.Int(6);
  r.updated_at = s.Int(7);
  r.sdk = s.Text(8);
  return r;
}

Status ChangedOne(sqlite3* db, const Status& run, Status not_found) {
  if (!run.ok()) return run;
  if (sqlite3_changes(db) == 0) return not_found;
  return Status::Ok();
}

class SqliteStore final : public MetadataStore {
 public:
  SqliteStore(sqlite3* db, const Clock& clock) : db_(db), statements_(db), clock_(clock) {}
  // close_v2 defers the close until statements_ (destroyed after this body) has finalized its own.
  ~SqliteStore() override { sqlite3_close_v2(db_); }

  // The job and usage stores over their own connections to the same database (OpenSqliteStore).
  void AttachRunStores(std::unique_ptr<JobStore> jobs, std::unique_ptr<UsageStore> usage,
                       std::unique_ptr<XetStore> xet) {
    jobs_ = std::move(jobs);
    usage_ = std::move(usage);
    xet_ = std::move(xet);
  }
  JobStore& jobs() override { return *jobs_; }
  UsageStore& usage() override { return *usage_; }
  XetStore& xet() override { return *xet_; }

  Result<Account> CreateAccount(const Account& account) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                "INSERT INTO accounts (name, kind, fullname, email, is_admin, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)");
    s.Bind(1, account.name)
        .Bind(2, account.kind == AccountKind::kOrg ? "org" : "user")
        .Bind(3, account.fullname)
        .Bind(4, account.email)
        .Bind(5, int64_t{account.is_admin ? 1 : 0})
        .Bind(6, account.created_at);
    Status st = s.Run();
    if (st.code() == Code::kConflict) {
      return Status::Conflict("The name '" + account.name + "' is already taken");
    }
    SH_TRY(st);
    Account out = account;
    out.id = sqlite3_last_insert_rowid(db_);
    return out;
  }

  Result<Account> FindAccount(std::string_view name) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                std::string("SELECT ") + kAccountCols + " FROM accounts WHERE name = ?");
    s.Bind(1, name);
    if (s.Step()) return ReadAccount(s);
    SH_TRY(s.status());
    return Status::NotFound("No user or organization named '" + std::string(name) + "'");
  }

  Result<Account> FindAccountById(int64_t id) override {
    MutexLock lock(mu_);
    Statement s(statements_, std::string("SELECT ") + kAccountCols + " FROM accounts WHERE id = ?");
    s.Bind(1, id);
    if (s.Step()) return ReadAccount(s);
    SH_TRY(s.status());
    return Status::NotFound("No account with id " + std::to_string(id));
  }

  Result<int64_t> CountAccounts(AccountKind kind) override {
    MutexLock lock(mu_);
    Statement s(statements_, "SELECT COUNT(*) FROM accounts WHERE kind = ?");
    s.Bind(1, kind == AccountKind::kOrg ? "org" : "user");
    if (s.Step()) return s.Int(0);
    SH_TRY(s.status());
    return int64_t{0};
  }

  Status SetMembership(int64_t org_id, int64_t user_id, Role role) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                "INSERT INTO memberships (org_id, user_id, role) VALUES (?, ?, ?) "
                "ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role");
    s.Bind(1, org_id).Bind(2, user_id).Bind(3, static_cast<int64_t>(role));
    return s.Run();
  }

  Result<std::vector<Membership>> ListMemberships(int64_t user_id) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                "SELECT m.org_id, a.name, m.role FROM memberships m JOIN accounts a ON a.id = "
                "m.org_id WHERE m.user_id = ? ORDER BY a.name");
    s.Bind(1, user_id);
    std::vector<Membership> out;
    while (s.Step()) {
      out.push_back({s.Int(0), s.Text(1), user_id, "", static_cast<Role>(s.Int(2))});
    }
    SH_TRY(s.status());
    return out;
  }

  Result<std::vector<Membership>> ListMembers(int64_t org_id) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                "SELECT a.id, a.name, m.role, o.name FROM memberships m JOIN accounts a ON a.id = "
                "m.user_id JOIN accounts o ON o.id = m.org_id WHERE m.org_id = ? ORDER BY a.name");
    s.Bind(1, org_id);
    std::vector<Membership> out;
    while (s.Step()) {
      out.push_back({org_id, s.Text(3), s.Int(0), s.Text(1), static_cast<Role>(s.Int(2))});
    }
    SH_TRY(s.status());
    return out;
  }

  Status RemoveMembership(int64_t org_id, int64_t user_id) override {
    MutexLock lock(mu_);
    Statement s(statements_, "DELETE FROM memberships WHERE org_id = ? AND user_id = ?");
    s.Bind(1, org_id).Bind(2, user_id);
    return ChangedOne(db_, s.Run(), Status::NotFound("Not a member of this organization"));
  }

  Result<std::vector<Account>> ListAccounts(std::optional<AccountKind> kind, size_t offset,
                                            size_t limit) override {
    MutexLock lock(mu_);
    Statement s(statements_, std::string("SELECT ") + kAccountCols +
                                 " FROM accounts WHERE (? = '' OR kind = ?) ORDER BY name "
                                 "LIMIT ? OFFSET ?");
    std::string_view k = !kind ? "" : *kind == AccountKind::kOrg ? "org" : "user";
    s.Bind(1, k)
        .Bind(2, k)
        .Bind(3, static_cast<int64_t>(limit))
        .Bind(4, static_cast<int64_t>(offset));
    std::vector<Account> out;
    while (s.Step()) out.push_back(ReadAccount(s));
    SH_TRY(s.status());
    return out;
  }

  Status SetAccountAdmin(int64_t user_id, bool is_admin) override {
    MutexLock lock(mu_);
    Statement s(statements_, "UPDATE accounts SET is_admin = ? WHERE id = ? AND kind = 'user'");
    s.Bind(1, int64_t{is_admin ? 1 : 0}).Bind(2, user_id);
    return ChangedOne(db_, s.Run(), Status::NotFound("No user with id " + std::to_string(user_id)));
  }

  Result<Token> CreateToken(int64_t user_id, std::string_view name, std::string_view hash,
                            Role role) override {
    MutexLock lock(mu_);
    Token t{0, user_id, std::string(name), role, clock_.NowMillis()};
    Statement s(
        db_, "INSERT INTO tokens (user_id, name, hash, role, created_at) VALUES (?, ?, ?, ?, ?)");
    s.Bind(1, user_id)
        .Bind(2, name)
        .Bind(3, hash)
        .Bind(4, static_cast<int64_t>(role))
        .Bind(5, t.created_at);
    SH_TRY(s.Run());
    t.id = sqlite3_last_insert_rowid(db_);
    return t;
  }

  Result<Token> FindTokenByHash(std::string_view hash) override {
    MutexLock lock(mu_);
    Statement s(statements_, std::string("SELECT ") + kTokenCols + " FROM tokens WHERE hash = ?");
    s.Bind(1, hash);
    if (s.Step()) return ReadToken(s);
    SH_TRY(s.status());
    return Status::NotFound("unknown token");
  }

  Result<std::vector<Token>> ListTokens(std::optional<int64_t> user_id) override {
    MutexLock lock(mu_);
    Statement s(statements_, std::string("SELECT ") + kTokenCols +
                                 " FROM tokens WHERE (? OR user_id = ?) ORDER BY id DESC");
    s.Bind(1, int64_t{user_id ? 0 : 1}).Bind(2, user_id.value_or(0));
    std::vector<Token> out;
    while (s.Step()) out.push_back(ReadToken(s));
    SH_TRY(s.status());
    return out;
  }

  Status DeleteToken(std::optional<int64_t> user_id, int64_t token_id) override {
    MutexLock lock(mu_);
    Statement s(statements_, "DELETE FROM tokens WHERE id = ? AND (? OR user_id = ?)");
    s.Bind(1, token_id).Bind(2, int64_t{user_id ? 0 : 1}).Bind(3, user_id.value_or(0));
    return ChangedOne(db_, s.Run(), Status::NotFound("No such token"));
  }

  Status TouchToken(int64_t token_id, int64_t last_used_at) override {
    MutexLock lock(mu_);
    Statement s(statements_, "UPDATE tokens SET last_used_at = ? WHERE id = ?");
    s.Bind(1, last_used_at).Bind(2, token_id);
    return ChangedOne(db_, s.Run(), Status::NotFound("No such token"));
  }

  Status SetPasswordHash(int64_t user_id, std::string_view phc) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                "UPDATE accounts SET password_hash = ? WHERE id = ? AND kind = 'user'");
    s.Bind(1, phc).Bind(2, user_id);
    return ChangedOne(db_, s.Run(), Status::NotFound("No user with id " + std::to_string(user_id)));
  }

  Result<std::string> FindPasswordHash(int64_t user_id) override {
    MutexLock lock(mu_);
    Statement s(statements_, "SELECT password_hash FROM accounts WHERE id = ? AND kind = 'user'");
    s.Bind(1, user_id);
    if (s.Step()) return s.Text(0);
    SH_TRY(s.status());
    return Status::NotFound("No user with id " + std::to_string(user_id));
  }

  Result<Session> CreateSession(int64_t user_id, std::string_view hash, int64_t created_at,
                                int64_t expires_at, std::string_view user_agent) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                "INSERT INTO sessions (hash, user_id, created_at, last_seen_at, expires_at, "
                "user_agent) VALUES (?, ?, ?, ?, ?, ?)");
    s.Bind(1, hash)
        .Bind(2, user_id)
        .Bind(3, created_at)
        .Bind(4, created_at)
        .Bind(5, expires_at)
        .Bind(6, user_agent);
    SH_TRY(s.Run());
    return Session{sqlite3_last_insert_rowid(db_), user_id, created_at, created_at, expires_at,
                   std::string(user_agent)};
  }

  Result<Session> FindSessionByHash(std::string_view hash) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                "SELECT id, user_id, created_at, last_seen_at, expires_at, user_agent FROM "
                "sessions WHERE hash = ?");
    s.Bind(1, hash);
    if (s.Step()) return Session{s.Int(0), s.Int(1), s.Int(2), s.Int(3), s.Int(4), s.Text(5)};
    SH_TRY(s.status());
    return Status::NotFound("unknown session");
  }

  Status TouchSession(int64_t session_id, int64_t last_seen_at, int64_t expires_at) override {
    MutexLock lock(mu_);
    Statement s(statements_, "UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?");
    s.Bind(1, last_seen_at).Bind(2, expires_at).Bind(3, session_id);
    return ChangedOne(db_, s.Run(), Status::NotFound("unknown session"));
  }

  Status DeleteSession(int64_t session_id) override {
    MutexLock lock(mu_);
    Statement s(statements_, "DELETE FROM sessions WHERE id = ?");
    s.Bind(1, session_id);
    return s.Run();
  }

  Status DeleteUserSessions(int64_t user_id, int64_t except_session_id) override {
    MutexLock lock(mu_);
    Statement s(statements_, "DELETE FROM sessions WHERE user_id = ? AND id != ?");
    s.Bind(1, user_id).Bind(2, except_session_id);
    return s.Run();
  }

  Status CreateInvitation(std::string_view hash, int64_t created_by, int64_t created_at,
                          int64_t expires_at) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                "INSERT INTO invitations (hash, created_by, created_at, expires_at) VALUES (?, ?, "
                "?, ?)");
    s.Bind(1, hash).Bind(3, created_at).Bind(4, expires_at);
    if (created_by > 0) {
      s.Bind(2, created_by);
    } else {
      s.BindNull(2);  // made from the admin CLI, by no account
    }
    return s.Run();
  }

  Result<bool> UseInvitation(std::string_view hash, int64_t at) override {
    MutexLock lock(mu_);
    // One conditional UPDATE: two sign-ups racing for one code cannot both see it unused.
    Statement s(statements_,
                "UPDATE invitations SET used_at = ? WHERE hash = ? AND used_at IS NULL AND "
                "expires_at > ?");
    s.Bind(1, at).Bind(2, hash).Bind(3, at);
    SH_TRY(s.Run());
    return sqlite3_changes(db_) > 0;
  }

  Result<RepoRow> CreateRepo(const RepoRow& row) override {
    MutexLock lock(mu_);
    RepoRow out = row;
    if (out.uid.empty()) out.uid = RandomHex(12);
    Statement s(statements_,
                "INSERT INTO repos (uid, type, namespace, name, private, created_at, updated_at, "
                "sdk) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    s.Bind(1, out.uid)
        .Bind(2, RepoTypeName(out.repo.type))
        .Bind(3, out.repo.ns)
        .Bind(4, out.repo.name)
        .Bind(5, int64_t{out.is_private ? 1 : 0})
        .Bind(6, out.created_at)
        .Bind(7, out.updated_at)
        .Bind(8, out.sdk);
    SH_TRY(s.Run());
    out.id = sqlite3_last_insert_rowid(db_);
    return out;
  }

  Result<RepoRow> FindRepo(const RepoId& id) override {
    MutexLock lock(mu_);
    Statement s(statements_, std::string("SELECT ") + kRepoCols +
                                 " FROM repos WHERE type = ? AND namespace = ? AND name = ?");
    s.Bind(1, RepoTypeName(id.type)).Bind(2, id.ns).Bind(3, id.name);
    if (s.Step()) return ReadRepo(s);
    SH_TRY(s.status());
    return Status::RepoNotFound();
  }

  Result<RepoRow> FindRepoById(int64_t id) override {
    MutexLock lock(mu_);
    Statement s(statements_, std::string("SELECT ") + kRepoCols + " FROM repos WHERE id = ?");
    s.Bind(1, id);
    if (s.Step()) return ReadRepo(s);
    SH_TRY(s.status());
    return Status::RepoNotFound();
  }

  Status DeleteRepo(int64_t id) override {
    MutexLock lock(mu_);
    Statement s(statements_, "DELETE FROM repos WHERE id = ?");
    s.Bind(1, id);
    return ChangedOne(db_, s.Run(), Status::RepoNotFound());
  }

  Status MoveRepo(int64_t id, const RepoId& to) override {
    MutexLock lock(mu_);
    Statement s(statements_, "UPDATE repos SET namespace = ?, name = ? WHERE id = ?");
    s.Bind(1, to.ns).Bind(2, to.name).Bind(3, id);
    Status st = s.Run();
    if (st.code() == Code::kConflict) {
      return Status::Conflict("A repository named " + to.Full() + " already exists");
    }
    return ChangedOne(db_, st, Status::RepoNotFound());
  }

  Status SetRepoPrivate(int64_t id, bool is_private) override {
    return UpdateInt("UPDATE repos SET private = ? WHERE id = ?", is_private ? 1 : 0, id);
  }

  Status TouchRepo(int64_t id, int64_t updated_at) override {
    return UpdateInt("UPDATE repos SET updated_at = ? WHERE id = ?", updated_at, id);
  }

  Status SetRepoSdk(int64_t id, std::string_view sdk) override {
    MutexLock lock(mu_);
    Statement s(statements_, "UPDATE repos SET sdk = ? WHERE id = ?");
    s.Bind(1, sdk).Bind(2, id);
    return ChangedOne(db_, s.Run(), Status::RepoNotFound());
  }

  Result<std::vector<RepoRow>> ListRepos(const RepoQuery& q) override {
    std::string sql = std::string("SELECT ") + kRepoCols + " FROM repos" + RepoFilterSql(q);
    // namespace and name are COLLATE NOCASE: the (type, namespace, name) index serves kName.
    const char* order = q.sort == RepoSort::kLastModified ? "updated_at"
                        : q.sort == RepoSort::kCreatedAt  ? "created_at"
                        : q.sort == RepoSort::kName       ? nullptr
                                                          : "id";
    const char* dir = q.descending ? " DESC" : " ASC";
    sql += order != nullptr ? std::string(" ORDER BY ") + order + dir
                            : std::string(" ORDER BY namespace") + dir + ", name" + dir;
    // Ties go the same way as the sort, so one index scan in one direction serves the whole order
    // (a mixed direction made SQLite sort every row it skipped: 38 ms at offset 9,000).
    sql += std::string(", id") + dir + " LIMIT ? OFFSET ?";
    MutexLock lock(mu_);
    Statement s(statements_, sql);
    int i = BindRepoFilter(s, q);
    s.Bind(i, static_cast<int64_t>(q.limit)).Bind(i + 1, static_cast<int64_t>(q.offset));
    std::vector<RepoRow> out;
    while (s.Step()) out.push_back(ReadRepo(s));
    SH_TRY(s.status());
    return out;
  }

  Result<int64_t> CountRepos(const RepoQuery& q) override {
    MutexLock lock(mu_);
    Statement s(statements_, "SELECT COUNT(*) FROM repos" + RepoFilterSql(q));
    BindRepoFilter(s, q);
    if (s.Step()) return s.Int(0);
    SH_TRY(s.status());
    return int64_t{0};
  }

  // The WHERE clause of a RepoQuery (every filter, no order or paging), for ListRepos and
  // CountRepos alike so that a page count always matches the pages.
  static std::string RepoFilterSql(const RepoQuery& q) {
    std::string sql = " WHERE type = ?";
    if (q.author) sql += " AND namespace = ?";
    if (q.search) sql += " AND instr(lower(namespace || '/' || name), lower(?)) > 0";
    if (!q.all_private) {
      sql += " AND (private = 0";
      if (!q.visible_namespaces.empty()) {
        sql += " OR namespace IN (";
        for (size_t i = 0; i < q.visible_namespaces.size(); ++i) sql += i ? ",?" : "?";
        sql += ")";
      }
      sql += ")";
    }
    return sql;
  }

  // Binds RepoFilterSql's parameters; returns the index of the next one.
  static int BindRepoFilter(Statement& s, const RepoQuery& q) {
    int i = 1;
    s.Bind(i++, RepoTypeName(q.type));
    if (q.author) s.Bind(i++, *q.author);
    if (q.search) s.Bind(i++, *q.search);
    if (!q.all_private) {
      for (const auto& ns : q.visible_namespaces) s.Bind(i++, ns);
    }
    return i;
  }

  Status LinkLfsObject(int64_t repo_id, std::string_view oid, uint64_t size) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                "INSERT OR IGNORE INTO repo_lfs_objects (repo_id, oid, size) VALUES (?, ?, ?)");
    s.Bind(1, repo_id).Bind(2, oid).Bind(3, static_cast<int64_t>(size));
    return s.Run();
  }

  Result<bool> HasLfsObject(int64_t repo_id, std::string_view oid) override {
    MutexLock lock(mu_);
    Statement s(statements_, "SELECT 1 FROM repo_lfs_objects WHERE repo_id = ? AND oid = ?");
    s.Bind(1, repo_id).Bind(2, oid);
    bool found = s.Step();
    SH_TRY(s.status());
    return found;
  }

  Result<std::optional<SpaceSettingsRow>> FindSpaceSettings(int64_t repo_id) override {
    MutexLock lock(mu_);
    Statement s(statements_, std::string("SELECT ") + kSettingsColumns +
                                 " FROM space_settings WHERE repo_id = ?");
    s.Bind(1, repo_id);
    if (s.Step()) return std::optional<SpaceSettingsRow>(SettingsFrom(s));
    SH_TRY(s.status());
    return std::optional<SpaceSettingsRow>();
  }

  Result<std::vector<SpaceSettingsRow>> ListSpaceSettings() override {
    MutexLock lock(mu_);
    return ListSettingsLocked();
  }

  Status PutSpaceSettings(const SpaceSettingsRow& r) override {
    MutexLock lock(mu_);
    return PutSettingsLocked(r);
  }

  Result<SpaceSettingsRow> UpdateSpaceSettings(int64_t repo_id, const SpaceSettingsRow& if_missing,
                                               const SpaceSettingsChange& change) override {
    MutexLock lock(mu_);
    // IMMEDIATE takes the write lock now, so another process (an admin command) cannot change a
    // row between this read and the write either; mu_ covers this process.
    sqlite::WriteTxn txn(db_);
    SH_TRY(txn.status());
    SH_ASSIGN_OR_RETURN(SpaceSettingsRow out, ChangeSettingsLocked(repo_id, if_missing, change));
    SH_TRY(txn.Commit());
    return out;
  }

  Result<bool> IsSpaceSleeping(int64_t repo_id) override {
    MutexLock lock(mu_);
    Statement s(statements_, "SELECT sleeping FROM space_runtime_state WHERE repo_id = ?");
    s.Bind(1, repo_id);
    if (s.Step()) return s.Int(0) != 0;
    SH_TRY(s.status());
    return false;
  }

  Status SetSpaceSleeping(int64_t repo_id, bool sleeping, int64_t at) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                "INSERT INTO space_runtime_state (repo_id, sleeping, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(repo_id) DO UPDATE SET sleeping = excluded.sleeping, "
                "updated_at = excluded.updated_at");
    s.Bind(1, repo_id).Bind(2, int64_t{sleeping ? 1 : 0}).Bind(3, at);
    return s.Run();
  }

  Result<int64_t> CountPlacedSpaces(std::string_view flavor, int64_t except_repo_id) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                "SELECT COUNT(*) FROM space_settings WHERE hardware_current = ? AND paused = 0 "
                "AND repo_id != ?");
    s.Bind(1, flavor).Bind(2, except_repo_id);
    if (s.Step()) return s.Int(0);
    SH_TRY(s.status());
    return int64_t{0};
  }

  Result<std::vector<SpaceEntry>> ListSpaceEntries(int64_t repo_id, SpaceEntryKind kind) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                "SELECT key, value, description, updated_at FROM space_entries WHERE repo_id = ? "
                "AND kind = ? ORDER BY key");
    s.Bind(1, repo_id).Bind(2, EntryKindName(kind));
    std::vector<SpaceEntry> out;
    while (s.Step()) out.push_back({s.Text(0), s.Text(1), s.Text(2), s.Int(3)});
    SH_TRY(s.status());
    return out;
  }

  Status PutSpaceEntry(int64_t repo_id, SpaceEntryKind kind, const SpaceEntry& e) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                "INSERT OR REPLACE INTO space_entries (repo_id, kind, key, value, description, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?)");
    s.Bind(1, repo_id)
        .Bind(2, EntryKindName(kind))
        .Bind(3, e.key)
        .Bind(4, e.value)
        .Bind(5, e.description)
        .Bind(6, e.updated_at);
    return s.Run();
  }

  Status UpsertSpaceEntry(int64_t repo_id, SpaceEntryKind kind, const SpaceEntry& e,
                          bool keep_description) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                keep_description
                    ? "INSERT INTO space_entries (repo_id, kind, key, value, description, "
                      "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (repo_id, kind, key) DO "
                      "UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
                    : "INSERT INTO space_entries (repo_id, kind, key, value, description, "
                      "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (repo_id, kind, key) DO "
                      "UPDATE SET value = excluded.value, description = excluded.description, "
                      "updated_at = excluded.updated_at");
    s.Bind(1, repo_id)
        .Bind(2, EntryKindName(kind))
        .Bind(3, e.key)
        .Bind(4, e.value)
        .Bind(5, e.description)
        .Bind(6, e.updated_at);
    return s.Run();
  }

  Result<bool> ReplaceSpaceEntryValue(int64_t repo_id, SpaceEntryKind kind, std::string_view key,
                                      std::string_view expected, std::string_view value) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                "UPDATE space_entries SET value = ? WHERE repo_id = ? AND kind = ? AND key = ? "
                "AND value = ?");
    s.Bind(1, value).Bind(2, repo_id).Bind(3, EntryKindName(kind)).Bind(4, key).Bind(5, expected);
    SH_TRY(s.Run());
    return sqlite3_changes(db_) > 0;
  }

  Status DeleteSpaceEntry(int64_t repo_id, SpaceEntryKind kind, std::string_view key) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                "DELETE FROM space_entries WHERE repo_id = ? AND kind = ? AND key = ?");
    s.Bind(1, repo_id).Bind(2, EntryKindName(kind)).Bind(3, key);
    return s.Run();
  }

  Result<std::vector<std::pair<int64_t, SpaceEntry>>> ListAllSpaceSecrets() override {
    MutexLock lock(mu_);
    Statement s(statements_,
                "SELECT repo_id, key, value, description, updated_at FROM space_entries WHERE "
                "kind = 'secret' ORDER BY repo_id, key");
    std::vector<std::pair<int64_t, SpaceEntry>> out;
    while (s.Step()) out.push_back({s.Int(0), {s.Text(1), s.Text(2), s.Text(3), s.Int(4)}});
    SH_TRY(s.status());
    return out;
  }

  Result<int64_t> AddSpaceEvent(const SpaceEvent& e) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                "INSERT INTO space_events (repo_id, at, actor, action, details) VALUES (?, ?, ?, "
                "?, ?)");
    s.Bind(1, e.repo_id).Bind(2, e.at).Bind(3, e.actor).Bind(4, e.action).Bind(5, e.details);
    SH_TRY(s.Run());
    return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
  }

  Result<std::vector<SpaceEvent>> ListSpaceEvents(int64_t repo_id, size_t limit) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                "SELECT id, at, actor, action, details FROM (SELECT * FROM space_events WHERE "
                "repo_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id ASC");
    s.Bind(1, repo_id).Bind(2, static_cast<int64_t>(limit));
    std::vector<SpaceEvent> out;
    while (s.Step()) out.push_back({s.Int(0), repo_id, s.Int(1), s.Text(2), s.Text(3), s.Text(4)});
    SH_TRY(s.status());
    return out;
  }

  Status SetHardwareGrant(int64_t account_id, std::string_view flavor, bool granted) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                granted ? "INSERT OR IGNORE INTO hardware_grants (account_id, flavor) "
                          "VALUES (?, ?)"
                        : "DELETE FROM hardware_grants WHERE account_id = ? AND flavor = ?");
    s.Bind(1, account_id).Bind(2, flavor);
    return s.Run();
  }

  Result<std::vector<HardwareGrant>> ListHardwareGrants(
      std::optional<int64_t> account_id) override {
    MutexLock lock(mu_);
    std::string sql =
        "SELECT a.name, g.flavor FROM hardware_grants g JOIN accounts a ON a.id = g.account_id";
    if (account_id) sql += " WHERE g.account_id = ?";
    sql += " ORDER BY a.name, g.flavor";
    Statement s(statements_, sql);
    if (account_id) s.Bind(1, *account_id);
    std::vector<HardwareGrant> out;
    while (s.Step()) out.push_back({s.Text(0), s.Text(1)});
    SH_TRY(s.status());
    return out;
  }

 private:
  // The reads and write of UpdateSpaceSettings; mu_ is held and a transaction is open.
  class SettingsTxn final : public SpaceSettingsTxn {
   public:
    explicit SettingsTxn(SqliteStore& store) : store_(store) {}
    // Only handed to the change of UpdateSpaceSettings, which holds the store's mu_ around it
    // (the analysis cannot follow the lock through the callback).
    Result<std::vector<SpaceSettingsRow>> ListAll() override NO_THREAD_SAFETY_ANALYSIS {
      return store_.ListSettingsLocked();
    }
    Result<std::vector<JobHold>> ListJobHolds() override NO_THREAD_SAFETY_ANALYSIS {
      return sqlite::ListJobHoldRows(store_.statements_);
    }

   private:
    SqliteStore& store_;
  };

  Result<std::vector<SpaceSettingsRow>> ListSettingsLocked() REQUIRES(mu_) {
    return sqlite::ListSettingsRows(statements_);
  }

  Result<SpaceSettingsRow> ChangeSettingsLocked(int64_t repo_id, const SpaceSettingsRow& if_missing,
                                                const SpaceSettingsChange& change) REQUIRES(mu_) {
    SpaceSettingsRow row = if_missing;
    row.repo_id = repo_id;
    {
      Statement s(statements_, std::string("SELECT ") + kSettingsColumns +
                                   " FROM space_settings WHERE repo_id = ?");
      s.Bind(1, repo_id);
      if (s.Step()) {
        row = SettingsFrom(s);
      }
      SH_TRY(s.status());
    }
    const SpaceSettingsRow before = row;
    SettingsTxn txn(*this);
    SH_TRY(change(row, txn));
    row.repo_id = repo_id;          // a change edits one Space
    if (row == before) return row;  // nothing to write (a missing row stays the defaults)
    SH_TRY(PutSettingsLocked(row));
    return row;
  }

  Status PutSettingsLocked(const SpaceSettingsRow& r) REQUIRES(mu_) {
    Statement s(statements_, std::string("INSERT OR REPLACE INTO space_settings (") +
                                 kSettingsColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.Bind(1, r.repo_id).Bind(2, r.hardware_current).Bind(3, r.hardware_requested);
    if (r.sleep_seconds) {
      s.Bind(4, *r.sleep_seconds);
    } else {
      s.BindNull(4);
    }
    s.Bind(5, r.storage)
        .Bind(6, int64_t{r.paused ? 1 : 0})
        .Bind(7, r.restart_generation)
        .Bind(8, int64_t{r.factory_rebuild ? 1 : 0})
        .Bind(9, r.updated_at)
        .Bind(10, r.hardware_requested_at);
    return s.Run();
  }

  static std::string_view EntryKindName(SpaceEntryKind kind) {
    return kind == SpaceEntryKind::kSecret ? "secret" : "variable";
  }

  Status UpdateInt(const char* sql, int64_t value, int64_t id) {
    MutexLock lock(mu_);
    Statement s(statements_, sql);
    s.Bind(1, value).Bind(2, id);
    return ChangedOne(db_, s.Run(), Status::RepoNotFound());
  }

  // Set once by OpenSqliteStore, before the store is handed out.
  std::unique_ptr<JobStore> jobs_;
  std::unique_ptr<UsageStore> usage_;
  std::unique_ptr<XetStore> xet_;
  Mutex mu_;
  sqlite3* db_ GUARDED_BY(mu_);
  sqlite::StatementCache statements_ GUARDED_BY(mu_);
  const Clock& clock_;  // dates the tokens it creates
};

}  // namespace

Result<std::unique_ptr<MetadataStore>> OpenSqliteStore(const std::filesystem::path& path,
                                                       const Clock& clock) {
  SH_ASSIGN_OR_RETURN(sqlite3 * db, sqlite::OpenConnection(path));
  auto store = std::make_unique<SqliteStore>(db, clock);
  SH_TRY(sqlite::Migrate(db));
  // Jobs and usage keep connections of their own (job_store.h): their writes and this store's
  // serialise through SQLite's write lock, which every transaction takes up front.
  SH_ASSIGN_OR_RETURN(auto jobs, sqlite::OpenJobStore(path));
  SH_ASSIGN_OR_RETURN(auto usage, sqlite::OpenUsageStore(path));
  SH_ASSIGN_OR_RETURN(auto xet, sqlite::OpenXetStore(path));
  store->AttachRunStores(std::move(jobs), std::move(usage), std::move(xet));
  return std::unique_ptr<MetadataStore>(std::move(store));
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kRead:
      return "read";
    case Role::kWrite:
      return "write";
    case Role::kAdmin:
      return "admin";
  }
  return "read";
}

Result<Role> ParseRole(std::string_view text) {
  if (text == "read") return Role::kRead;
  if (text == "write") return Role::kWrite;
  if (text == "admin") return Role::kAdmin;
  return Status::InvalidArgument("Invalid role '" + std::string(text) +
                                 "': expected read, write or admin");
}

}  // namespace spacehub::db
