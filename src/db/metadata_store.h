// MetadataStore: the seam between the hub and its metadata database (accounts, memberships, tokens,
// repositories and LFS object links). SQLite is the embedded default (sqlite/); PostgreSQL comes later
// behind the same interface. No SQL leaks above this layer.
//
// Thread-safety: every method may be called concurrently from any thread; implementations serialise
// internally as they need.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/repo_id.h"
#include "core/result.h"

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
  std::string fullname;
  std::string email;
  bool is_admin = false;  // site administrator (users only)
  int64_t created_at = 0;  // epoch millis
};

struct Membership {
  int64_t org_id = 0;
  std::string org_name;
  int64_t user_id = 0;
  Role role = Role::kRead;
};

struct Token {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string name;
  Role role = Role::kRead;
  int64_t created_at = 0;
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

enum class RepoSort { kLastModified, kCreatedAt, kId };

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

class MetadataStore {
 public:
  virtual ~MetadataStore() = default;

  // kConflict when the name is taken by any account (users and orgs share one namespace).
  virtual Result<Account> CreateAccount(const Account& account) = 0;
  virtual Result<Account> FindAccount(std::string_view name) = 0;  // kNotFound
  virtual Result<Account> FindAccountById(int64_t id) = 0;
  virtual Result<int64_t> CountAccounts(AccountKind kind) = 0;

  virtual Status SetMembership(int64_t org_id, int64_t user_id, Role role) = 0;
  // Organizations the user belongs to.
  virtual Result<std::vector<Membership>> ListMemberships(int64_t user_id) = 0;

  // `hash` is the SHA-256 of the token text; the text itself is never stored.
  virtual Result<Token> CreateToken(int64_t user_id, std::string_view name, std::string_view hash,
                                    Role role) = 0;
  virtual Result<Token> FindTokenByHash(std::string_view hash) = 0;  // kNotFound

  // kConflict when (type, ns, name) exists (case-insensitive).
  virtual Result<RepoRow> CreateRepo(const RepoRow& row) = 0;
  virtual Result<RepoRow> FindRepo(const RepoId& id) = 0;  // Status::RepoNotFound()
  virtual Status DeleteRepo(int64_t id) = 0;
  virtual Status MoveRepo(int64_t id, const RepoId& to) = 0;  // kConflict when taken
  virtual Status SetRepoPrivate(int64_t id, bool is_private) = 0;
  virtual Status TouchRepo(int64_t id, int64_t updated_at) = 0;
  virtual Status SetRepoSdk(int64_t id, std::string_view sdk) = 0;
  virtual Result<std::vector<RepoRow>> ListRepos(const RepoQuery& query) = 0;

  // LFS objects are stored once by content but readable only through repos that proved they have
  // them (a verified upload), so knowing a hash never grants access to another repo's data.
  virtual Status LinkLfsObject(int64_t repo_id, std::string_view oid, uint64_t size) = 0;
  virtual Result<bool> HasLfsObject(int64_t repo_id, std::string_view oid) = 0;
};

// Opens (creating if needed) the SQLite database at `path` in WAL mode and applies migrations.
Result<std::unique_ptr<MetadataStore>> OpenSqliteStore(const std::filesystem::path& path);

}  // namespace spacehub::db
