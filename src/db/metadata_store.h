// MetadataStore: the seam between the hub and its metadata database (accounts, memberships, tokens,
// repositories and LFS object links). SQLite is the embedded default (sqlite/); PostgreSQL comes
// later behind the same interface. No SQL leaks above this layer.
//
// Thread-safety: every method may be called concurrently from any thread; implementations serialise
// internally as they need.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/repo_id.h"
#include "core/result.h"
#include "db/job_store.h"
#include "db/xet_store.h"

namespace spacehub::db {

enum class AccountKind { kUser, kOrg };
// Organization membership roles; tokens use kRead or kWrite.
enum class Role { kRead = 0, kWrite = 1, kAdmin = 2 };

std::string_view RoleName(Role role);
Result<Role> ParseRole(std::string_view text);

struct Account {
  int64_t id = 0;
  std::string name;
  AccountKind kind = AccountKind::kUser;
  std::string fullname{};
  std::string email{};
  bool is_admin = false;   // site administrator (users only)
  int64_t created_at = 0;  // epoch millis
};

struct Membership {
  int64_t org_id = 0;
  std::string org_name;
  int64_t user_id = 0;
  std::string user_name;  // filled by ListMembers
  Role role = Role::kRead;
};

struct Token {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string name;
  Role role = Role::kRead;
  int64_t created_at = 0;
  int64_t last_used_at = 0;  // epoch millis, 0 = never; updated at most once a minute
};

// A browser session of the web UI (auth/sessions.h); the cookie secret itself is never stored.
struct Session {
  int64_t id = 0;
  int64_t user_id = 0;
  int64_t created_at = 0;    // epoch millis
  int64_t last_seen_at = 0;  // epoch millis
  int64_t expires_at = 0;    // epoch millis
  std::string user_agent;
};

struct RepoRow {
  int64_t id = 0;
  std::string uid;  // 24 hex digits, the Hub-style object id
  RepoId repo;
  bool is_private = false;
  int64_t created_at = 0;  // epoch millis
  int64_t updated_at = 0;  // epoch millis of the last commit
  std::string sdk;         // Spaces only
};

// A Space's desired state (what its owner asked for); the runtime engine drives toward it.
struct SpaceSettingsRow {
  int64_t repo_id = 0;
  std::string hardware_current;          // flavor placed by the scheduler; "" when none yet
  std::string hardware_requested;        // flavor the owner asked for
  int64_t hardware_requested_at = 0;     // epoch millis of that request (placement order)
  std::optional<int64_t> sleep_seconds;  // custom sleep time; nullopt: never / flavor default
  std::string storage;                   // persistent storage tier; "" when none
  bool paused = false;
  int64_t restart_generation = 0;  // bumped by every change that needs a restart
  bool factory_rebuild = false;    // the next restart rebuilds without any cache
  int64_t updated_at = 0;

  bool operator==(const SpaceSettingsRow&) const = default;
};

// What a settings change may read, inside its transaction, besides its own row.
class SpaceSettingsTxn {
 public:
  virtual ~SpaceSettingsTxn() = default;
  // Every Space's settings row as this transaction sees it (the scheduler's view), in request
  // order (hardware_requested_at, repo_id).
  virtual Result<std::vector<SpaceSettingsRow>> ListAll() = 0;
  // The jobs that hold hardware now (job_store.h): placed beside the Spaces, on the same nodes.
  virtual Result<std::vector<JobHold>> ListJobHolds() = 0;
};
// Edits `row` in place; an error aborts the change (nothing is written) and is returned.
using SpaceSettingsChange = std::function<Status(SpaceSettingsRow& row, SpaceSettingsTxn& txn)>;

enum class SpaceEntryKind { kSecret, kVariable };

// A Space secret (value sealed by SecretBox, never plaintext) or variable (plain value).
struct SpaceEntry {
  std::string key;
  std::string value;
  std::string description;
  int64_t updated_at = 0;  // epoch millis
};

struct SpaceEvent {
  int64_t id = 0;
  int64_t repo_id = 0;
  int64_t at = 0;       // epoch millis
  std::string actor;    // user name, or "system"
  std::string action;   // e.g. "hardware.request"
  std::string details;  // JSON object text; never a secret value
};

struct HardwareGrant {
  std::string account;  // user or organization name
  std::string flavor;   // a flavor name, or "*" for every flavor
};

// kName: by namespace, then name, case-insensitive.
enum class RepoSort { kLastModified, kCreatedAt, kId, kName };

struct RepoQuery {
  RepoType type = RepoType::kModel;
  std::optional<std::string> author;  // exact namespace
  std::optional<std::string> search;  // substring of "ns/name", case-insensitive
  RepoSort sort = RepoSort::kId;
  bool descending = false;
  size_t offset = 0;
  size_t limit = 100;
  // Private repos are listed only when their namespace is in this list (or all_private).
  std::vector<std::string> visible_namespaces;
  bool all_private = false;
};

// The store by kind of record: code that needs one kind depends on that interface only (and a
// test gives it just that). MetadataStore is all of them, as one database implements them.

// Users, organizations and memberships.
class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // kConflict when the name is taken by any account (users and orgs share one namespace).
  virtual Result<Account> CreateAccount(const Account& account) = 0;
  virtual Result<Account> FindAccount(std::string_view name) = 0;  // kNotFound
  virtual Result<Account> FindAccountById(int64_t id) = 0;
  virtual Result<int64_t> CountAccounts(AccountKind kind) = 0;

  virtual Status SetMembership(int64_t org_id, int64_t user_id, Role role) = 0;
  // Organizations the user belongs to.
  virtual Result<std::vector<Membership>> ListMemberships(int64_t user_id) = 0;
  // An organization's members (user_name filled), by name.
  virtual Result<std::vector<Membership>> ListMembers(int64_t org_id) = 0;
  virtual Status RemoveMembership(int64_t org_id, int64_t user_id) = 0;
  // Accounts by name, of one kind or all.
  virtual Result<std::vector<Account>> ListAccounts(std::optional<AccountKind> kind, size_t offset,
                                                    size_t limit) = 0;
  virtual Status SetAccountAdmin(int64_t user_id, bool is_admin) = 0;
};

// Access tokens (only their hashes).
class TokenStore {
 public:
  virtual ~TokenStore() = default;

  // `hash` is the SHA-256 of the token text; the text itself is never stored.
  virtual Result<Token> CreateToken(int64_t user_id, std::string_view name, std::string_view hash,
                                    Role role) = 0;
  virtual Result<Token> FindTokenByHash(std::string_view hash) = 0;  // kNotFound
  // A user's tokens, newest first; every user's when `user_id` is nullopt (the admin page).
  virtual Result<std::vector<Token>> ListTokens(std::optional<int64_t> user_id) = 0;
  // kNotFound unless the token exists and belongs to `user_id` (nullopt: any owner; admins).
  virtual Status DeleteToken(std::optional<int64_t> user_id, int64_t token_id) = 0;
  virtual Status TouchToken(int64_t token_id, int64_t last_used_at) = 0;
};

// Passwords (argon2id PHC strings), web sessions (hashes of their secrets) and sign-up
// invitations (hashes of their codes).
class CredentialStore {
 public:
  virtual ~CredentialStore() = default;
  virtual Status SetPasswordHash(int64_t user_id, std::string_view phc) = 0;
  virtual Result<std::string> FindPasswordHash(int64_t user_id) = 0;  // "" when none is set
  virtual Result<Session> CreateSession(int64_t user_id, std::string_view hash, int64_t created_at,
                                        int64_t expires_at, std::string_view user_agent) = 0;
  virtual Result<Session> FindSessionByHash(std::string_view hash) = 0;  // kNotFound
  virtual Status TouchSession(int64_t session_id, int64_t last_seen_at, int64_t expires_at) = 0;
  virtual Status DeleteSession(int64_t session_id) = 0;
  // Every session of the user except `except_session_id` (0: all).
  virtual Status DeleteUserSessions(int64_t user_id, int64_t except_session_id) = 0;
  virtual Status CreateInvitation(std::string_view hash, int64_t created_by, int64_t created_at,
                                  int64_t expires_at) = 0;
  // Marks the invitation used: true exactly once, while it exists and has not expired at `at`.
  virtual Result<bool> UseInvitation(std::string_view hash, int64_t at) = 0;
};

// Repository rows: names, visibility, SDK, times (the git data is repo::RepoStore).
class RepoRowStore {
 public:
  virtual ~RepoRowStore() = default;

  // kConflict when (type, ns, name) exists (case-insensitive).
  virtual Result<RepoRow> CreateRepo(const RepoRow& row) = 0;
  virtual Result<RepoRow> FindRepo(const RepoId& id) = 0;  // Status::RepoNotFound()
  virtual Result<RepoRow> FindRepoById(int64_t id) = 0;    // Status::RepoNotFound()
  virtual Status DeleteRepo(int64_t id) = 0;
  virtual Status MoveRepo(int64_t id, const RepoId& to) = 0;  // kConflict when taken
  virtual Status SetRepoPrivate(int64_t id, bool is_private) = 0;
  virtual Status TouchRepo(int64_t id, int64_t updated_at) = 0;
  virtual Status SetRepoSdk(int64_t id, std::string_view sdk) = 0;
  virtual Result<std::vector<RepoRow>> ListRepos(const RepoQuery& query) = 0;
  // How many repos ListRepos would return without paging (offset, limit and sort ignored).
  virtual Result<int64_t> CountRepos(const RepoQuery& query) = 0;
};

// Which repo may read which LFS object.
class LfsLinkStore {
 public:
  virtual ~LfsLinkStore() = default;

  // LFS objects are stored once by content but readable only through repos that proved they have
  // them (a verified upload), so knowing a hash never grants access to another repo's data.
  virtual Status LinkLfsObject(int64_t repo_id, std::string_view oid, uint64_t size) = 0;
  virtual Result<bool> HasLfsObject(int64_t repo_id, std::string_view oid) = 0;
};

// Spaces' desired state, sleep flag and placement counts.
class SpaceSettingsStore {
 public:
  virtual ~SpaceSettingsStore() = default;

  // Settings rows are created lazily: no row means the defaults.
  virtual Result<std::optional<SpaceSettingsRow>> FindSpaceSettings(int64_t repo_id) = 0;
  // Insert or replace the whole row: for tests and imports only. A change to an existing Space
  // goes through UpdateSpaceSettings, or it may overwrite a concurrent change (a lost update).
  virtual Status PutSpaceSettings(const SpaceSettingsRow& row) = 0;
  // Read-modify-write of one Space's settings in one transaction: reads the row (`if_missing`,
  // with repo_id set, when there is none), lets `change` edit it, writes it back unless it is
  // unchanged, and returns it as stored. No other settings change, in this process or another,
  // happens between the read and the write, so concurrent changes of different fields all land
  // and a decision over every row (placement) holds when it is saved. `change` runs under the
  // store's lock: it must not call this store (only `txn`) and should be quick.
  virtual Result<SpaceSettingsRow> UpdateSpaceSettings(int64_t repo_id,
                                                       const SpaceSettingsRow& if_missing,
                                                       const SpaceSettingsChange& change) = 0;
  // Every Space's settings row (the scheduler's view of what holds and wants hardware).
  virtual Result<std::vector<SpaceSettingsRow>> ListSpaceSettings() = 0;
  // Whether the runtime put this Space to sleep (it stays asleep across hub restarts until a visit,
  // a commit or a restart wakes it). Written only by the Space engine.
  virtual Result<bool> IsSpaceSleeping(int64_t repo_id) = 0;
  virtual Status SetSpaceSleeping(int64_t repo_id, bool sleeping, int64_t at) = 0;
  // Spaces (other than `except_repo_id`) that hold `flavor` and are not paused.
  virtual Result<int64_t> CountPlacedSpaces(std::string_view flavor, int64_t except_repo_id) = 0;
};

// Spaces' secrets and variables.
class SpaceEntryStore {
 public:
  virtual ~SpaceEntryStore() = default;

  virtual Result<std::vector<SpaceEntry>> ListSpaceEntries(int64_t repo_id,
                                                           SpaceEntryKind kind) = 0;
  virtual Status PutSpaceEntry(int64_t repo_id, SpaceEntryKind kind, const SpaceEntry& entry) = 0;
  // PutSpaceEntry in one statement where an existing entry keeps its description when
  // `keep_description` (an update that sends no description), so a concurrent update of the
  // description is not overwritten with the one read before it.
  virtual Status UpsertSpaceEntry(int64_t repo_id, SpaceEntryKind kind, const SpaceEntry& entry,
                                  bool keep_description) = 0;
  // Compare-and-swap of one entry's value: replaced only while it is still `expected`; false when
  // it changed or is gone meanwhile (re-sealing must not undo a concurrent update). Keeps
  // updated_at: the entry's content did not change.
  virtual Result<bool> ReplaceSpaceEntryValue(int64_t repo_id, SpaceEntryKind kind,
                                              std::string_view key, std::string_view expected,
                                              std::string_view value) = 0;
  // Deleting a missing key is not an error (the Hub answers 200).
  virtual Status DeleteSpaceEntry(int64_t repo_id, SpaceEntryKind kind, std::string_view key) = 0;
  // Every secret of every Space, for re-sealing after a key rotation: (repo id, entry).
  virtual Result<std::vector<std::pair<int64_t, SpaceEntry>>> ListAllSpaceSecrets() = 0;
};

// Spaces' event log.
class SpaceEventStore {
 public:
  virtual ~SpaceEventStore() = default;

  virtual Result<int64_t> AddSpaceEvent(const SpaceEvent& event) = 0;
  // Oldest first; the last `limit` events.
  virtual Result<std::vector<SpaceEvent>> ListSpaceEvents(int64_t repo_id, size_t limit) = 0;
};

// Which account may use which non-free flavor.
class HardwareGrantStore {
 public:
  virtual ~HardwareGrantStore() = default;

  virtual Status SetHardwareGrant(int64_t account_id, std::string_view flavor, bool granted) = 0;
  // All grants, or one account's when `account_id` is set.
  virtual Result<std::vector<HardwareGrant>> ListHardwareGrants(
      std::optional<int64_t> account_id) = 0;
};

class MetadataStore : public AccountStore,
                      public TokenStore,
                      public CredentialStore,
                      public RepoRowStore,
                      public LfsLinkStore,
                      public SpaceSettingsStore,
                      public SpaceEntryStore,
                      public SpaceEventStore,
                      public HardwareGrantStore {
 public:
  ~MetadataStore() override = default;
  // Jobs and hardware usage live in the same database, behind their own interfaces.
  virtual JobStore& jobs() = 0;
  virtual UsageStore& usage() = 0;
  virtual XetStore& xet() = 0;
};

// Opens (creating if needed) the SQLite database at `path` in WAL mode and applies migrations.
// `clock` dates the rows the store stamps itself (tokens); callers pass the other times.
Result<std::unique_ptr<MetadataStore>> OpenSqliteStore(const std::filesystem::path& path,
                                                       const Clock& clock = Clock::System());

}  // namespace spacehub::db
