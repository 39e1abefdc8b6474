#include "db/sqlite/job_store.h"

#include <string>

#include "core/mutex.h"
#include "db/metadata_store.h"
#include "db/sqlite/connection.h"
#include "db/sqlite/hardware_rows.h"
#include "db/sqlite/statement.h"

namespace spacehub::db {

std::string_view JobStageName(JobStage stage) {
  switch (stage) {
    case JobStage::kScheduling:
      return "SCHEDULING";
    case JobStage::kRunning:
      return "RUNNING";
    case JobStage::kCompleted:
      return "COMPLETED";
    case JobStage::kError:
      return "ERROR";
    case JobStage::kCanceled:
      return "CANCELED";
    case JobStage::kDeleted:
      return "DELETED";
  }
  return "ERROR";
}

Result<JobStage> ParseJobStage(std::string_view text) {
  for (JobStage s : {JobStage::kScheduling, JobStage::kRunning, JobStage::kCompleted,
                     JobStage::kError, JobStage::kCanceled, JobStage::kDeleted}) {
    if (JobStageName(s) == text) return s;
  }
  return Status::InvalidArgument("Unknown job stage '" + std::string(text) +
                                 "': expected SCHEDULING, RUNNING, COMPLETED, ERROR, CANCELED "
                                 "or DELETED");
}

bool IsFinal(JobStage stage) {
  return stage != JobStage::kScheduling && stage != JobStage::kRunning;
}

namespace sqlite {
namespace {

constexpr const char* kJobCols =
    "j.id, j.owner_id, a.name, a.kind, j.created_by, j.spec, j.sealed_secrets, j.flavor, j.stage, "
    "j.message, j.exit_code, j.created_at, j.started_at, j.finished_at, j.timeout_seconds, "
    "j.labels, j.scheduled_job_id, j.backend, j.backend_ref, j.holds_hardware, "
    "j.cancel_requested";

JobRow ReadJob(const Statement& s) {
  JobRow r;
  r.id = s.Text(0);
  r.owner_id = s.Int(1);
  r.owner_name = s.Text(2);
  r.owner_kind = s.Text(3);
  r.created_by = s.Int(4);
  r.spec = s.Text(5);
  r.sealed_secrets = s.Text(6);
  r.flavor = s.Text(7);
  auto stage = ParseJobStage(s.Text(8));
  r.stage = stage.ok() ? *stage : JobStage::kError;
  r.message = s.Text(9);
  if (!s.IsNull(10)) r.exit_code = static_cast<int>(s.Int(10));
  r.created_at = s.Int(11);
  r.started_at = s.Int(12);
  r.finished_at = s.Int(13);
  r.timeout_seconds = s.Int(14);
  r.labels = s.Text(15);
  r.scheduled_job_id = s.Text(16);
  r.backend = s.Text(17);
  r.backend_ref = s.Text(18);
  r.holds_hardware = s.Int(19) != 0;
  r.cancel_requested = s.Int(20) != 0;
  return r;
}

constexpr const char* kScheduledCols =
    "j.id, j.owner_id, a.name, a.kind, j.created_by, j.spec, j.sealed_secrets, j.schedule, "
    "j.suspend, j.concurrency, j.labels, j.created_at, j.next_run_at, j.last_job_id, "
    "j.last_job_at";

ScheduledJobRow ReadScheduled(const Statement& s) {
  ScheduledJobRow r;
  r.id = s.Text(0);
  r.owner_id = s.Int(1);
  r.owner_name = s.Text(2);
  r.owner_kind = s.Text(3);
  r.created_by = s.Int(4);
  r.spec = s.Text(5);
  r.sealed_secrets = s.Text(6);
  r.schedule = s.Text(7);
  r.suspend = s.Int(8) != 0;
  r.concurrency = s.Int(9) != 0;
  r.labels = s.Text(10);
  r.created_at = s.Int(11);
  r.next_run_at = s.Int(12);
  r.last_job_id = s.Text(13);
  r.last_job_at = s.Int(14);
  return r;
}

class SqliteJobStore final : public JobStore {
 public:
  explicit SqliteJobStore(sqlite3* db) : db_(db), statements_(db) {}
  ~SqliteJobStore() override { sqlite3_close_v2(db_); }
  SqliteJobStore(const SqliteJobStore&) = delete;
  SqliteJobStore& operator=(const SqliteJobStore&) = delete;

  Status CreateJob(const JobRow& r) override {
    MutexLock lock(mu_);
    return WriteJobLocked(r, /*insert=*/true);
  }

  Result<JobRow> FindJob(std::string_view id) override {
    MutexLock lock(mu_);
    return FindJobLocked(id);
  }

  Result<std::vector<JobRow>> ListJobs(const JobQuery& q) override {
    MutexLock lock(mu_);
    std::string sql = std::string("SELECT ") + kJobCols +
                      " FROM jobs j JOIN accounts a ON a.id = j.owner_id WHERE 1 = 1";
    if (q.owner_id) sql += " AND j.owner_id = ?1";
    if (!q.stages.empty()) {
      sql += " AND j.stage IN (";
      for (size_t i = 0; i < q.stages.size(); ++i) {
        sql += (i ? ", '" : "'") + std::string(JobStageName(q.stages[i])) + "'";
      }
      sql += ")";
    }
    sql += " ORDER BY j.created_at DESC, j.id DESC LIMIT ?2";
    Statement s(statements_, sql);
    if (q.owner_id) s.Bind(1, *q.owner_id);
    s.Bind(2, static_cast<int64_t>(q.limit));
    std::vector<JobRow> out;
    while (s.Step()) out.push_back(ReadJob(s));
    SH_TRY(s.status());
    return out;
  }

  Result<JobRow> UpdateJob(std::string_view id, const JobChange& change) override {
    MutexLock lock(mu_);
    WriteTxn txn(db_);
    SH_TRY(txn.status());
    SH_ASSIGN_OR_RETURN(JobRow row, FindJobLocked(id));
    const JobRow before = row;
    Txn view(*this);
    SH_TRY(change(row, view));
    row.id = before.id;  // a change edits one job
    if (row == before) return row;
    SH_TRY(WriteJobLocked(row, /*insert=*/false));
    SH_TRY(txn.Commit());
    return row;
  }

  Status CreateScheduledJob(const ScheduledJobRow& r) override {
    MutexLock lock(mu_);
    return WriteScheduledLocked(r, /*insert=*/true);
  }

  Result<ScheduledJobRow> FindScheduledJob(std::string_view id) override {
    MutexLock lock(mu_);
    return FindScheduledLocked(id);
  }

  Result<std::vector<ScheduledJobRow>> ListScheduledJobs(std::optional<int64_t> owner_id) override {
    MutexLock lock(mu_);
    std::string sql = std::string("SELECT ") + kScheduledCols +
                      " FROM scheduled_jobs j JOIN accounts a ON a.id = j.owner_id";
    if (owner_id) sql += " WHERE j.owner_id = ?";
    sql += " ORDER BY j.created_at, j.id";
    Statement s(statements_, sql);
    if (owner_id) s.Bind(1, *owner_id);
    std::vector<ScheduledJobRow> out;
    while (s.Step()) out.push_back(ReadScheduled(s));
    SH_TRY(s.status());
    return out;
  }

  Result<ScheduledJobRow> UpdateScheduledJob(std::string_view id,
                                             const ScheduledJobChange& change) override {
    MutexLock lock(mu_);
    WriteTxn txn(db_);
    SH_TRY(txn.status());
    SH_ASSIGN_OR_RETURN(ScheduledJobRow row, FindScheduledLocked(id));
    const ScheduledJobRow before = row;
    SH_TRY(change(row));
    row.id = before.id;
    if (row == before) return row;
    SH_TRY(WriteScheduledLocked(row, /*insert=*/false));
    SH_TRY(txn.Commit());
    return row;
  }

  Status DeleteScheduledJob(std::string_view id) override {
    MutexLock lock(mu_);
    Statement s(statements_, "DELETE FROM scheduled_jobs WHERE id = ?");
    s.Bind(1, id);
    SH_TRY(s.Run());
    if (sqlite3_changes(db_) == 0) return NotFoundScheduled(id);
    return Status::Ok();
  }

 private:
  // The reads a job change may make inside UpdateJob's transaction (mu_ is held around it).
  class Txn final : public SpaceSettingsTxn {
   public:
    explicit Txn(SqliteJobStore& store) : store_(store) {}
    Result<std::vector<SpaceSettingsRow>> ListAll() override NO_THREAD_SAFETY_ANALYSIS {
      return ListSettingsRows(store_.statements_);
    }
    Result<std::vector<JobHold>> ListJobHolds() override NO_THREAD_SAFETY_ANALYSIS {
      return ListJobHoldRows(store_.statements_);
    }

   private:
    SqliteJobStore& store_;
  };

  static Status NotFoundJob(std::string_view id) {
    return Status::NotFound("Job " + std::string(id) + " not found");
  }
  static Status NotFoundScheduled(std::string_view id) {
    return Status::NotFound("Scheduled job " + std::string(id) + " not found");
  }

  Result<JobRow> FindJobLocked(std::string_view id) REQUIRES(mu_) {
    Statement s(statements_, std::string("SELECT ") + kJobCols +
                                 " FROM jobs j JOIN accounts a ON a.id = j.owner_id "
                                 "WHERE j.id = ?");
    s.Bind(1, id);
    if (s.Step()) return ReadJob(s);
    SH_TRY(s.status());
    return NotFoundJob(id);
  }

  Result<ScheduledJobRow> FindScheduledLocked(std::string_view id) REQUIRES(mu_) {
    Statement s(statements_, std::string("SELECT ") + kScheduledCols +
                                 " FROM scheduled_jobs j JOIN accounts a ON a.id = j.owner_id "
                                 "WHERE j.id = ?");
    s.Bind(1, id);
    if (s.Step()) return ReadScheduled(s);
    SH_TRY(s.status());
    return NotFoundScheduled(id);
  }

  Status WriteJobLocked(const JobRow& r, bool insert) REQUIRES(mu_) {
    Statement s(statements_,
                std::string(insert ? "INSERT" : "REPLACE") +
                    " INTO jobs (id, owner_id, created_by, spec, sealed_secrets, flavor, stage, "
                    "message, exit_code, created_at, started_at, finished_at, timeout_seconds, "
                    "labels, scheduled_job_id, backend, backend_ref, holds_hardware, "
                    "cancel_requested) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                    "?, ?)");
    s.Bind(1, r.id).Bind(2, r.owner_id).Bind(3, r.created_by).Bind(4, r.spec);
    s.Bind(5, r.sealed_secrets).Bind(6, r.flavor).Bind(7, JobStageName(r.stage)).Bind(8, r.message);
    if (r.exit_code) {
      s.Bind(9, int64_t{*r.exit_code});
    } else {
      s.BindNull(9);
    }
    s.Bind(10, r.created_at).Bind(11, r.started_at).Bind(12, r.finished_at);
    s.Bind(13, r.timeout_seconds).Bind(14, r.labels).Bind(15, r.scheduled_job_id);
    s.Bind(16, r.backend).Bind(17, r.backend_ref).Bind(18, int64_t{r.holds_hardware ? 1 : 0});
    s.Bind(19, int64_t{r.cancel_requested ? 1 : 0});
    return s.Run();
  }

  Status WriteScheduledLocked(const ScheduledJobRow& r, bool insert) REQUIRES(mu_) {
    Statement s(statements_,
                std::string(insert ? "INSERT" : "REPLACE") +
                    " INTO scheduled_jobs (id, owner_id, created_by, spec, sealed_secrets, "
                    "schedule, suspend, concurrency, labels, created_at, next_run_at, last_job_id, "
                    "last_job_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.Bind(1, r.id).Bind(2, r.owner_id).Bind(3, r.created_by).Bind(4, r.spec);
    s.Bind(5, r.sealed_secrets).Bind(6, r.schedule).Bind(7, int64_t{r.suspend ? 1 : 0});
    s.Bind(8, int64_t{r.concurrency ? 1 : 0}).Bind(9, r.labels).Bind(10, r.created_at);
    s.Bind(11, r.next_run_at).Bind(12, r.last_job_id).Bind(13, r.last_job_at);
    return s.Run();
  }

  Mutex mu_;
  sqlite3* db_ GUARDED_BY(mu_);
  StatementCache statements_ GUARDED_BY(mu_);
};

class SqliteUsageStore final : public UsageStore {
 public:
  explicit SqliteUsageStore(sqlite3* db) : db_(db), statements_(db) {}
  ~SqliteUsageStore() override { sqlite3_close_v2(db_); }
  SqliteUsageStore(const SqliteUsageStore&) = delete;
  SqliteUsageStore& operator=(const SqliteUsageStore&) = delete;

  Result<int64_t> OpenUsage(const UsageRecord& r) override {
    MutexLock lock(mu_);
    Statement s(statements_,
                "INSERT INTO usage_records (owner_id, kind, subject, flavor, started_at, "
                "stopped_at, last_seen_at) VALUES (?, ?, ?, ?, ?, 0, ?)");
    s.Bind(1, r.owner_id).Bind(2, r.kind).Bind(3, r.subject).Bind(4, r.flavor);
    s.Bind(5, r.started_at).Bind(6, r.started_at);
    SH_TRY(s.Run());
    return sqlite3_last_insert_rowid(db_);
  }

  Status CloseUsage(int64_t id, int64_t stopped_at) override {
    MutexLock lock(mu_);
    // Never before it started: a clock step backwards must not make negative time.
    Statement s(statements_,
                "UPDATE usage_records SET stopped_at = MAX(?1, started_at), "
                "last_seen_at = MAX(?1, started_at) WHERE id = ?2 AND stopped_at = 0");
    s.Bind(1, stopped_at).Bind(2, id);
    return s.Run();
  }

  Status TouchOpenUsage(int64_t at) override {
    MutexLock lock(mu_);
    Statement s(
        statements_,
        "UPDATE usage_records SET last_seen_at = MAX(last_seen_at, ?) WHERE stopped_at = 0");
    s.Bind(1, at);
    return s.Run();
  }

  Result<int64_t> CloseAbandonedUsage() override {
    MutexLock lock(mu_);
    Statement s(statements_,
                "UPDATE usage_records SET stopped_at = MAX(last_seen_at, started_at) "
                "WHERE stopped_at = 0");
    SH_TRY(s.Run());
    return static_cast<int64_t>(sqlite3_changes(db_));
  }

  Result<std::vector<UsageRecord>> ListUsage(const UsageQuery& q) override {
    MutexLock lock(mu_);
    std::string sql =
        "SELECT u.id, u.owner_id, a.name, u.kind, u.subject, u.flavor, u.started_at, "
        "u.stopped_at, u.last_seen_at FROM usage_records u JOIN accounts a ON a.id = u.owner_id "
        "WHERE (u.stopped_at = 0 OR u.stopped_at >= ?1)";
    if (q.owner_id) sql += " AND u.owner_id = ?2";
    sql += " ORDER BY u.started_at, u.id";
    Statement s(statements_, sql);
    s.Bind(1, q.since);
    if (q.owner_id) s.Bind(2, *q.owner_id);
    std::vector<UsageRecord> out;
    while (s.Step()) {
      UsageRecord r;
      r.id = s.Int(0);
      r.owner_id = s.Int(1);
      r.owner_name = s.Text(2);
      r.kind = s.Text(3);
      r.subject = s.Text(4);
      r.flavor = s.Text(5);
      r.started_at = s.Int(6);
      r.stopped_at = s.Int(7);
      r.last_seen_at = s.Int(8);
      out.push_back(std::move(r));
    }
    SH_TRY(s.status());
    return out;
  }

 private:
  Mutex mu_;
  sqlite3* db_ GUARDED_BY(mu_);
  StatementCache statements_ GUARDED_BY(mu_);
};

}  // namespace

Result<std::unique_ptr<JobStore>> OpenJobStore(const std::filesystem::path& path) {
  SH_ASSIGN_OR_RETURN(sqlite3 * db, OpenConnection(path));
  return std::unique_ptr<JobStore>(std::make_unique<SqliteJobStore>(db));
}

Result<std::unique_ptr<UsageStore>> OpenUsageStore(const std::filesystem::path& path) {
  SH_ASSIGN_OR_RETURN(sqlite3 * db, OpenConnection(path));
  return std::unique_ptr<UsageStore>(std::make_unique<SqliteUsageStore>(db));
}

}  // namespace sqlite
}  // namespace spacehub::db
