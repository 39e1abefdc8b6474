// Scheduled jobs of JobService (job_service.h): a job spec plus a cron schedule (service/cron.h);
// the engine starts a run at each next_run_at (job_engine_schedules.cc). Suspending clears
// next_run_at; resuming computes it again from now, so a schedule never fires for the time it was
// suspended.
#include <algorithm>

#include "core/crypto.h"
#include "service/cron.h"
#include "service/job_service.h"

namespace spacehub::service {

Result<db::ScheduledJobRow> JobService::FindScheduled(const NamespaceAccess& access,
                                                      std::string_view id) {
  auto missing = [&] {
    return Status::NotFound("Scheduled job " + std::string(id).substr(0, 64) + " not found");
  };
  if (!IsHex(id, 24)) return missing();
  Result<db::ScheduledJobRow> row = hub_.db.jobs().FindScheduledJob(id);
  if (!row.ok()) return row.status().code() == Code::kNotFound ? missing() : row.status();
  if (row->owner_id != access.account.id) return missing();
  return row;
}

Result<db::ScheduledJobRow> JobService::CreateScheduled(const Caller& who, std::string_view ns,
                                                        ScheduledJobInput input) {
  SH_ASSIGN_OR_RETURN(NamespaceAccess access, WriteAccess(who, ns));
  SH_ASSIGN_OR_RETURN(CronSchedule cron, ParseCron(input.schedule));
  SH_TRY(Admit(who, access.account, input.spec));
  db::ScheduledJobRow row;
  row.id = NewJobId();
  row.owner_id = access.account.id;
  row.created_by = who->user.id;
  row.spec = SpecJson(input.spec).dump();
  SH_ASSIGN_OR_RETURN(row.sealed_secrets, SealJobSecrets(hub_, row.id, input.spec.secrets));
  row.schedule = cron.text();
  row.suspend = input.suspend;
  row.concurrency = input.concurrency;
  row.labels = LabelsText(input.spec.labels);
  row.created_at = hub_.clock.NowMillis();
  row.next_run_at = input.suspend ? 0 : cron.NextAfter(row.created_at);
  SH_TRY(hub_.db.jobs().CreateScheduledJob(row));
  Nudge();
  return hub_.db.jobs().FindScheduledJob(row.id);
}

Result<std::vector<db::ScheduledJobRow>> JobService::ListScheduled(const Caller& who,
                                                                   std::string_view ns) {
  SH_ASSIGN_OR_RETURN(NamespaceAccess access, Access(who, ns));
  return hub_.db.jobs().ListScheduledJobs(access.account.id);
}

Result<db::ScheduledJobRow> JobService::InspectScheduled(const Caller& who, std::string_view ns,
                                                         std::string_view id) {
  SH_ASSIGN_OR_RETURN(NamespaceAccess access, Access(who, ns));
  return FindScheduled(access, id);
}

Status JobService::DeleteScheduled(const Caller& who, std::string_view ns, std::string_view id) {
  SH_ASSIGN_OR_RETURN(NamespaceAccess access, Access(who, ns));
  SH_TRY(FindScheduled(access, id).status());
  SH_TRY(WriteAccess(who, ns).status());
  // Runs already started go on; they are jobs of their own now.
  return hub_.db.jobs().DeleteScheduledJob(id);
}

Result<db::ScheduledJobRow> JobService::SuspendScheduled(const Caller& who, std::string_view ns,
                                                         std::string_view id, bool suspend) {
  SH_ASSIGN_OR_RETURN(NamespaceAccess access, Access(who, ns));
  SH_TRY(FindScheduled(access, id).status());
  SH_TRY(WriteAccess(who, ns).status());
  const int64_t now = hub_.clock.NowMillis();
  SH_ASSIGN_OR_RETURN(db::ScheduledJobRow row,
                      hub_.db.jobs().UpdateScheduledJob(id, [&](db::ScheduledJobRow& r) -> Status {
                        if (r.suspend == suspend) return Status::Ok();
                        r.suspend = suspend;
                        if (suspend) {
                          r.next_run_at = 0;
                        } else {
                          SH_ASSIGN_OR_RETURN(CronSchedule cron, ParseCron(r.schedule));
                          r.next_run_at = cron.NextAfter(now);
                        }
                        return Status::Ok();
                      }));
  Nudge();
  return row;
}

Result<db::JobRow> JobService::NewRunOfSchedule(Hub& hub, const db::ScheduledJobRow& s) {
  db::JobRow row;
  row.id = NewJobId();
  row.owner_id = s.owner_id;
  row.created_by = s.created_by;
  row.spec = s.spec;
  row.sealed_secrets = s.sealed_secrets;  // bound to the schedule's id (OpenSecrets)
  JobSpec spec = SpecFromStored(s.spec);
  row.flavor = spec.flavor;
  row.stage = db::JobStage::kScheduling;
  row.message = "Waiting to start";
  row.created_at = hub.clock.NowMillis();
  row.timeout_seconds = spec.timeout_seconds.value_or(kDefaultJobTimeoutSeconds);
  row.labels = s.labels;
  row.scheduled_job_id = s.id;
  SH_TRY(hub.db.jobs().CreateJob(row));
  return hub.db.jobs().FindJob(row.id);
}

Result<db::JobRow> JobService::TriggerScheduled(const Caller& who, std::string_view ns,
                                                std::string_view id) {
  SH_ASSIGN_OR_RETURN(NamespaceAccess access, WriteAccess(who, ns));
  SH_ASSIGN_OR_RETURN(db::ScheduledJobRow s, FindScheduled(access, id));
  if (!s.concurrency && !s.last_job_id.empty()) {
    Result<db::JobRow> last = hub_.db.jobs().FindJob(s.last_job_id);
    if (last.ok() && !db::IsFinal(last->stage)) {
      return Status::Conflict("Scheduled job " + s.id + " already has a run in progress (" +
                              last->id + ") and does not allow concurrent runs");
    }
  }
  SH_ASSIGN_OR_RETURN(db::JobRow run, NewRunOfSchedule(hub_, s));
  const int64_t at = run.created_at;
  SH_TRY(hub_.db.jobs()
             .UpdateScheduledJob(id,
                                 [&](db::ScheduledJobRow& r) {
                                   r.last_job_id = run.id;
                                   r.last_job_at = at;
                                   return Status::Ok();
                                 })
             .status());
  Nudge();
  return run;
}

Result<db::ScheduledJobRow> JobService::SetScheduledLabels(
    const Caller& who, std::string_view ns, std::string_view id,
    const std::map<std::string, std::string>& labels) {
  SH_TRY(ValidateLabels(labels));
  SH_ASSIGN_OR_RETURN(NamespaceAccess access, WriteAccess(who, ns));
  SH_TRY(FindScheduled(access, id).status());
  std::string text = LabelsText(labels);
  return hub_.db.jobs().UpdateScheduledJob(id, [&text](db::ScheduledJobRow& r) {
    r.labels = text;
    return Status::Ok();
  });
}

}  // namespace spacehub::service
