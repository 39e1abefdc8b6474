// The records of Jobs (issue #16): one row per job run, one per scheduled job, and the hardware
// usage of every Space and Job run (flavor-seconds per owner). Interfaces only; db/sqlite
// implements them in the hub's one database, so a job's placement and a Space's placement read
// each other's hardware in one transaction (SpaceSettingsTxn::ListJobHolds).
//
// Thread-safety: every method may be called concurrently from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace spacehub::db {

class SpaceSettingsTxn;

// The Hub's job stages (spec §1.2). SCHEDULING: waiting for its flavor or for the backend.
enum class JobStage { kScheduling, kRunning, kCompleted, kError, kCanceled, kDeleted };

std::string_view JobStageName(JobStage stage);
Result<JobStage> ParseJobStage(std::string_view text);
bool IsFinal(JobStage stage);

struct JobRow {
  std::string id;  // 24 hex digits
  int64_t owner_id = 0;
  std::string owner_name;  // filled by reads
  std::string owner_kind;  // "user" | "org", filled by reads
  int64_t created_by = 0;  // the user who ran it (or the scheduled job's creator)
  // The job spec as the API shows it (JSON object text; secret *names* only, never values).
  std::string spec;
  std::string sealed_secrets;  // SecretBox-sealed JSON object {name: value}; "" when none
  std::string flavor;
  JobStage stage = JobStage::kScheduling;
  std::string message;           // why it waits, or how it ended
  std::optional<int> exit_code;  // once ended by itself
  int64_t created_at = 0;        // epoch millis
  int64_t started_at = 0;        // 0: not started
  int64_t finished_at = 0;       // 0: not finished
  int64_t timeout_seconds = 0;   // 0: none
  std::string labels = "{}";     // JSON object text
  std::string scheduled_job_id;  // set when a schedule started it
  std::string backend;           // "local" | "slurm": which backend knows backend_ref
  std::string backend_ref;       // the backend's name for the run; "" until submitted
  bool holds_hardware = false;   // placed: counts against its flavor's capacity until it ends
  bool cancel_requested = false;

  bool operator==(const JobRow&) const = default;
};

struct ScheduledJobRow {
  std::string id;  // 24 hex digits
  int64_t owner_id = 0;
  std::string owner_name;  // filled by reads
  std::string owner_kind;  // filled by reads
  int64_t created_by = 0;
  std::string spec;            // as JobRow::spec
  std::string sealed_secrets;  // as JobRow::sealed_secrets
  std::string schedule;        // "@hourly" or 5 cron fields
  bool suspend = false;
  bool concurrency = false;  // a run may start while the last one still runs
  std::string labels = "{}";
  int64_t created_at = 0;
  int64_t next_run_at = 0;  // epoch millis; 0: none (suspended)
  std::string last_job_id;
  int64_t last_job_at = 0;

  bool operator==(const ScheduledJobRow&) const = default;
};

// A job that holds hardware now: what Space placement counts beside the Spaces.
struct JobHold {
  std::string job_id;
  std::string flavor;
};

struct JobQuery {
  std::optional<int64_t> owner_id;
  std::vector<JobStage> stages;  // empty: every stage
  size_t limit = 1000;
};

// Edits a job inside a transaction that also sees every Space's settings and every job's hardware
// (placement); an error aborts it (nothing written). Must not call the store.
using JobChange = std::function<Status(JobRow& row, SpaceSettingsTxn& txn)>;
using ScheduledJobChange = std::function<Status(ScheduledJobRow& row)>;

class JobStore {
 public:
  virtual ~JobStore() = default;

  virtual Status CreateJob(const JobRow& row) = 0;
  virtual Result<JobRow> FindJob(std::string_view id) = 0;  // kNotFound
  // Newest first.
  virtual Result<std::vector<JobRow>> ListJobs(const JobQuery& query) = 0;
  // The job as stored after `change`; kNotFound when it does not exist.
  virtual Result<JobRow> UpdateJob(std::string_view id, const JobChange& change) = 0;

  virtual Status CreateScheduledJob(const ScheduledJobRow& row) = 0;
  virtual Result<ScheduledJobRow> FindScheduledJob(std::string_view id) = 0;  // kNotFound
  // Oldest first; every owner's when `owner_id` is unset.
  virtual Result<std::vector<ScheduledJobRow>> ListScheduledJobs(
      std::optional<int64_t> owner_id) = 0;
  virtual Result<ScheduledJobRow> UpdateScheduledJob(std::string_view id,
                                                     const ScheduledJobChange& change) = 0;
  virtual Status DeleteScheduledJob(std::string_view id) = 0;  // kNotFound
};

// One stretch of hardware use: a Space instance or a job, on one flavor, from start to stop.
struct UsageRecord {
  int64_t id = 0;
  int64_t owner_id = 0;
  std::string owner_name;  // filled by reads
  std::string kind;        // "space" | "job"
  std::string subject;     // "ns/name" of the Space, or the job id
  std::string flavor;
  int64_t started_at = 0;    // epoch millis
  int64_t stopped_at = 0;    // 0 while it runs
  int64_t last_seen_at = 0;  // the last time the hub saw it running (closes it after a crash)
};

struct UsageQuery {
  int64_t since = 0;  // records that ran at or after this time (epoch millis)
  std::optional<int64_t> owner_id;
};

class UsageStore {
 public:
  virtual ~UsageStore() = default;
  virtual Result<int64_t> OpenUsage(const UsageRecord& record) = 0;  // returns its id
  virtual Status CloseUsage(int64_t id, int64_t stopped_at) = 0;
  // Marks every open record as still running at `at` (a heartbeat, every few seconds or minutes).
  virtual Status TouchOpenUsage(int64_t at) = 0;
  // After a crash: closes every open record at its last_seen_at. Returns how many.
  virtual Result<int64_t> CloseAbandonedUsage() = 0;
  virtual Result<std::vector<UsageRecord>> ListUsage(const UsageQuery& query) = 0;
};

}  // namespace spacehub::db
