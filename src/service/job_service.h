// JobService: the Jobs use cases behind the API (issue #16; spec/jobs-webhooks-oauth.md §1): run a
// job in a namespace, list, inspect, cancel, relabel and duplicate jobs, read their logs and
// metrics; and the same for scheduled jobs (job_schedules.cc), which the engine starts on their
// cron schedule. Jobs belong to a namespace (a user or an organization): its owner and the
// organization's members see them (any role) and run or cancel them (write role); to anyone else
// they do not exist (404). Secret values are sealed at rest (SecretBox, bound to the job's id) and
// leave the service only toward the engine.
// The engine does the work; this class only writes the desired state (a new row, cancel_requested)
// and nudges it. Thread-safe (stateless apart from the borrowed parts).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "service/access.h"
#include "service/hub.h"
#include "service/job_runtime_hook.h"
#include "service/job_spec.h"
#include "service/log_follower.h"

namespace spacehub::service {

struct JobLogStream {
  std::vector<SpaceLogLine> backlog;
  std::unique_ptr<LogFollower> follower;  // positioned after the backlog
};

struct ScheduledJobInput {
  JobSpec spec;
  std::string schedule;
  bool suspend = false;
  bool concurrency = false;
};

class JobService final {
 public:
  JobService(Hub& hub, JobRuntimeHook* runtime) : hub_(hub), runtime_(runtime) {}

  Result<db::JobRow> Run(const Caller& who, std::string_view ns, JobSpec spec);
  // Newest first; `stages` empty: every stage.
  Result<std::vector<db::JobRow>> List(const Caller& who, std::string_view ns,
                                       const std::vector<db::JobStage>& stages);
  Result<db::JobRow> Inspect(const Caller& who, std::string_view ns, std::string_view id);
  // Asks the engine to stop it; a finished job is left as it is.
  Result<db::JobRow> Cancel(const Caller& who, std::string_view ns, std::string_view id);
  Result<db::JobRow> SetLabels(const Caller& who, std::string_view ns, std::string_view id,
                               const std::map<std::string, std::string>& labels);
  // A new run of the same spec (secrets included) by the caller.
  Result<db::JobRow> Duplicate(const Caller& who, std::string_view ns, std::string_view id);
  Result<JobLogStream> Logs(const Caller& who, std::string_view ns, std::string_view id,
                            size_t tail);
  // Whether more may be appended to the job's log (it has not ended).
  bool LogIsLive(std::string_view id);
  Result<std::function<runtime::InstanceUsage()>> Metrics(const Caller& who, std::string_view ns,
                                                          std::string_view id);

  // Scheduled jobs (job_schedules.cc).
  Result<db::ScheduledJobRow> CreateScheduled(const Caller& who, std::string_view ns,
                                              ScheduledJobInput input);
  Result<std::vector<db::ScheduledJobRow>> ListScheduled(const Caller& who, std::string_view ns);
  Result<db::ScheduledJobRow> InspectScheduled(const Caller& who, std::string_view ns,
                                               std::string_view id);
  Status DeleteScheduled(const Caller& who, std::string_view ns, std::string_view id);
  Result<db::ScheduledJobRow> SuspendScheduled(const Caller& who, std::string_view ns,
                                               std::string_view id, bool suspend);
  // Starts a run now; Conflict while one runs and the schedule does not allow concurrency.
  Result<db::JobRow> TriggerScheduled(const Caller& who, std::string_view ns, std::string_view id);
  Result<db::ScheduledJobRow> SetScheduledLabels(const Caller& who, std::string_view ns,
                                                 std::string_view id,
                                                 const std::map<std::string, std::string>& labels);

  // The run of a scheduled job (the engine's schedule tick, and TriggerScheduled): a job row owned
  // by the schedule's owner, with its spec and secrets.
  static Result<db::JobRow> NewRunOfSchedule(Hub& hub, const db::ScheduledJobRow& schedule);
  // A job's secrets, decrypted: for the engine only.
  static Result<std::map<std::string, std::string>> OpenSecrets(Hub& hub, const db::JobRow& row);

 private:
  // The namespace's account when the caller may see its jobs (else NotFound naming it), and
  // whether they may also write (run, cancel).
  struct NamespaceAccess {
    db::Account account;
    bool write = false;
  };
  Result<NamespaceAccess> Access(const Caller& who, std::string_view ns);
  Result<NamespaceAccess> WriteAccess(const Caller& who, std::string_view ns);
  Result<db::JobRow> Find(const NamespaceAccess& access, std::string_view id);
  Result<db::ScheduledJobRow> FindScheduled(const NamespaceAccess& access, std::string_view id);
  // Checks what the spec names exists for the caller (the Space, the image) and fills defaults.
  Status Admit(const Caller& who, const db::Account& owner, JobSpec& spec);
  void Nudge();

  Hub& hub_;
  JobRuntimeHook* runtime_;
};

// A new 24-hex id for a job or a scheduled job.
std::string NewJobId();
// Seals `secrets` for a row with `id` ("" when empty).
Result<std::string> SealJobSecrets(Hub& hub, const std::string& id,
                                   const std::map<std::string, std::string>& secrets);

}  // namespace spacehub::service
