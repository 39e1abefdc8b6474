#include "db/sqlite/xet_store.h"

#include <string>

#include "core/mutex.h"
#include "db/sqlite/connection.h"
#include "db/sqlite/statement.h"

namespace spacehub::db::sqlite {
namespace {

XetFileRow ReadFile(const Statement& s) {
  XetFileRow f;
  f.file_hash = s.Text(0);
  f.size = static_cast<uint64_t>(s.Int(1));
  f.sha256 = s.Text(2);
  f.terms = s.Blob(3);
  return f;
}

constexpr const char* kFileCols = "file_hash, size, sha256, terms";

// A xorb row `x` created before the first parameter that no file of a live repository uses.
constexpr const char* kUnreachable =
    "x.created_at < ? AND NOT EXISTS (SELECT 1 FROM xet_file_xorbs fx JOIN xet_file_repos fr "
    "ON fr.file_hash = fx.file_hash WHERE fx.xorb_hash = x.hash)";

class SqliteXetStore final : public XetStore {
 public:
  explicit SqliteXetStore(sqlite3* db) : db_(db), statements_(db) {}
  ~SqliteXetStore() override { sqlite3_close_v2(db_); }
  SqliteXetStore(const SqliteXetStore&) = delete;
  SqliteXetStore& operator=(const SqliteXetStore&) = delete;

  Result<bool> AddXorb(const XorbRow& row, const std::vector<std::string>& chunk_hashes,
                       int64_t repo_id) override {
    MutexLock lock(mu_);
    WriteTxn txn(db_);
    SH_TRY(txn.status());
    Statement ins(statements_,
                  "INSERT OR IGNORE INTO xet_xorbs (hash, stored_bytes, unpacked_bytes, "
                  "num_chunks, chunks, created_at) VALUES (?, ?, ?, ?, ?, ?)");
    ins.Bind(1, row.hash).Bind(2, static_cast<int64_t>(row.stored_bytes));
    ins.Bind(3, static_cast<int64_t>(row.unpacked_bytes)).Bind(4, int64_t{row.num_chunks});
    ins.BindBlob(5, row.chunks).Bind(6, row.created_at);
    SH_TRY(ins.Run());
    const bool inserted = sqlite3_changes(db_) > 0;
    if (!inserted) {
      // Uploaded again: its shard may follow, so the sweep's grace starts over.
      Statement touch(statements_,
                      "UPDATE xet_xorbs SET created_at = ? WHERE hash = ? AND created_at < ?");
      touch.Bind(1, row.created_at).Bind(2, row.hash).Bind(3, row.created_at);
      SH_TRY(touch.Run());
    }
    if (inserted) {
      for (size_t i = 0; i < chunk_hashes.size(); ++i) {
        Statement c(statements_,
                    "INSERT OR IGNORE INTO xet_chunks (chunk_hash, xorb_hash, chunk_index) "
                    "VALUES (?, ?, ?)");
        c.Bind(1, chunk_hashes[i]).Bind(2, row.hash).Bind(3, static_cast<int64_t>(i));
        SH_TRY(c.Run());
      }
    }
    SH_TRY(LinkXorbLocked(row.hash, repo_id));
    SH_TRY(txn.Commit());
    return inserted;
  }

  Result<std::optional<XorbRow>> FindXorb(std::string_view hash) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                "SELECT hash, stored_bytes, unpacked_bytes, num_chunks, chunks, created_at "
                "FROM xet_xorbs WHERE hash = ?");
    s.Bind(1, hash);
    if (!s.Step()) {
      SH_TRY(s.status());
      return std::optional<XorbRow>();
    }
    XorbRow r;
    r.hash = s.Text(0);
    r.stored_bytes = static_cast<uint64_t>(s.Int(1));
    r.unpacked_bytes = static_cast<uint64_t>(s.Int(2));
    r.num_chunks = static_cast<uint32_t>(s.Int(3));
    r.chunks = s.Blob(4);
    r.created_at = s.Int(5);
    return std::optional<XorbRow>(std::move(r));
  }

  Result<bool> HasXorb(std::string_view hash) override {
    MutexLock lock(mu_);
    Statement s(statements_, "SELECT 1 FROM xet_xorbs WHERE hash = ?");
    s.Bind(1, hash);
    if (s.Step()) return true;
    SH_TRY(s.status());
    return false;
  }

  Result<std::vector<int64_t>> XorbRepos(std::string_view hash) override {
    MutexLock lock(mu_);
    Statement s(statements_, "SELECT repo_id FROM xet_xorb_repos WHERE xorb_hash = ?");
    s.Bind(1, hash);
    std::vector<int64_t> out;
    while (s.Step()) out.push_back(s.Int(0));
    SH_TRY(s.status());
    return out;
  }

  Result<std::vector<ChunkLocation>> FindChunk(std::string_view chunk_hash, size_t limit) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                "SELECT xorb_hash, chunk_index FROM xet_chunks WHERE chunk_hash = ? LIMIT ?");
    s.Bind(1, chunk_hash).Bind(2, static_cast<int64_t>(limit));
    std::vector<ChunkLocation> out;
    while (s.Step()) out.push_back({s.Text(0), static_cast<uint32_t>(s.Int(1))});
    SH_TRY(s.status());
    return out;
  }

  Result<std::vector<std::string>> XorbsOfFilesUsing(std::string_view xorb, size_t limit) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                "SELECT DISTINCT b.xorb_hash FROM xet_file_xorbs a JOIN xet_file_xorbs b "
                "ON b.file_hash = a.file_hash WHERE a.xorb_hash = ? AND b.xorb_hash != a.xorb_hash "
                "LIMIT ?");
    s.Bind(1, xorb).Bind(2, static_cast<int64_t>(limit));
    std::vector<std::string> out;
    while (s.Step()) out.push_back(s.Text(0));
    SH_TRY(s.status());
    return out;
  }

  Status AddFiles(const std::vector<XetFileRow>& files, const std::vector<std::string>& xorbs_used,
                  int64_t repo_id) override {
    MutexLock lock(mu_);
    WriteTxn txn(db_);
    SH_TRY(txn.status());
    // Checked in the transaction that makes them reachable: the sweep deletes a xorb's row (in its
    // own transaction, only while nothing reaches it) before its bytes, so a xorb either is still
    // here and now kept, or is gone and the shard refused.
    for (const auto& f : files) {
      for (const auto& x : f.xorbs) {
        Statement has(statements_, "SELECT 1 FROM xet_xorbs WHERE hash = ?");
        has.Bind(1, x);
        const bool present = has.Step();
        SH_TRY(has.status());
        if (!present) return Status::NotFound("xorb " + x + " is no longer stored");
      }
    }
    // A file built from xorbs the repo may read makes those xorbs the repo's too (dedup answers).
    for (const auto& x : xorbs_used) SH_TRY(LinkXorbLocked(x, repo_id));
    for (const auto& f : files) {
      Statement ins(statements_,
                    "INSERT INTO xet_files (file_hash, size, sha256, terms) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (file_hash) DO UPDATE SET sha256 = excluded.sha256 "
                    "WHERE xet_files.sha256 = '' AND excluded.sha256 != ''");
      ins.Bind(1, f.file_hash).Bind(2, static_cast<int64_t>(f.size)).Bind(3, f.sha256);
      ins.BindBlob(4, f.terms);
      SH_TRY(ins.Run());
      for (const auto& x : f.xorbs) {
        Statement fx(statements_,
                     "INSERT OR IGNORE INTO xet_file_xorbs (file_hash, xorb_hash) VALUES (?, ?)");
        fx.Bind(1, f.file_hash).Bind(2, x);
        SH_TRY(fx.Run());
      }
      Statement fr(statements_,
                   "INSERT OR IGNORE INTO xet_file_repos (file_hash, repo_id) VALUES (?, ?)");
      fr.Bind(1, f.file_hash).Bind(2, repo_id);
      SH_TRY(fr.Run());
      if (!f.sha256.empty()) {
        Statement lfs(
            statements_,
            "INSERT OR IGNORE INTO repo_lfs_objects (repo_id, oid, size) VALUES (?, ?, ?)");
        lfs.Bind(1, repo_id).Bind(2, f.sha256).Bind(3, static_cast<int64_t>(f.size));
        SH_TRY(lfs.Run());
      }
    }
    return txn.Commit();
  }

  Result<std::optional<XetFileRow>> FindFile(std::string_view file_hash) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                std::string("SELECT ") + kFileCols + " FROM xet_files WHERE file_hash = ?");
    s.Bind(1, file_hash);
    return ReadOptionalFile(s);
  }

  Result<std::optional<XetFileRow>> FindFileBySha256(std::string_view sha256) override {
    MutexLock lock(mu_);
    Statement s(statements_, std::string("SELECT ") + kFileCols +
                                 " FROM xet_files WHERE sha256 = ? AND sha256 != '' LIMIT 1");
    s.Bind(1, sha256);
    return ReadOptionalFile(s);
  }

  Result<bool> FileInRepo(std::string_view file_hash, int64_t repo_id) override {
    MutexLock lock(mu_);
    Statement s(statements_, "SELECT 1 FROM xet_file_repos WHERE file_hash = ? AND repo_id = ?");
    s.Bind(1, file_hash).Bind(2, repo_id);
    bool found = s.Step();
    SH_TRY(s.status());
    return found;
  }

  Result<std::vector<std::string>> UnreachableXorbs(int64_t created_before, size_t limit) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                std::string("SELECT x.hash FROM xet_xorbs x WHERE ") + kUnreachable + " LIMIT ?");
    s.Bind(1, created_before).Bind(2, static_cast<int64_t>(limit));
    std::vector<std::string> out;
    while (s.Step()) out.push_back(s.Text(0));
    SH_TRY(s.status());
    return out;
  }

  Result<bool> DeleteXorbIfUnreachable(std::string_view hash, int64_t created_before) override {
    MutexLock lock(mu_);
    WriteTxn txn(db_);
    SH_TRY(txn.status());
    Statement still(statements_, std::string("SELECT 1 FROM xet_xorbs x WHERE ") + kUnreachable +
                                     " AND x.hash = ?");
    still.Bind(1, created_before).Bind(2, hash);
    const bool unreachable = still.Step();
    SH_TRY(still.status());
    if (!unreachable) return false;  // a shard reached it, or an upload renewed it, since listed
    // Files that used it are dead already (no repo links them, or the xorb would be reachable).
    Statement files(statements_,
                    "DELETE FROM xet_files WHERE file_hash IN (SELECT file_hash FROM "
                    "xet_file_xorbs WHERE xorb_hash = ?)");
    files.Bind(1, hash);
    SH_TRY(files.Run());
    Statement x(statements_, "DELETE FROM xet_xorbs WHERE hash = ?");
    x.Bind(1, hash);
    SH_TRY(x.Run());
    SH_TRY(txn.Commit());
    return true;
  }

 private:
  Status LinkXorbLocked(std::string_view xorb, int64_t repo_id) REQUIRES(mu_) {
    Statement s(statements_,
                "INSERT OR IGNORE INTO xet_xorb_repos (xorb_hash, repo_id) VALUES (?, ?)");
    s.Bind(1, xorb).Bind(2, repo_id);
    return s.Run();
  }

  static Result<std::optional<XetFileRow>> ReadOptionalFile(Statement& s) {
    if (!s.Step()) {
      SH_TRY(s.status());
      return std::optional<XetFileRow>();
    }
    return std::optional<XetFileRow>(ReadFile(s));
  }

  Mutex mu_;
  sqlite3* db_ GUARDED_BY(mu_);
  StatementCache statements_ GUARDED_BY(mu_);
};

}  // namespace

Result<std::unique_ptr<XetStore>> OpenXetStore(const std::filesystem::path& path) {
  SH_ASSIGN_OR_RETURN(sqlite3 * db, OpenConnection(path));
  return std::unique_ptr<XetStore>(std::make_unique<SqliteXetStore>(db));
}

}  // namespace spacehub::db::sqlite
