// Scheduled jobs in the job engine (job_engine.h): each pass, every schedule whose next_run_at has
// come starts a run (JobService::NewRunOfSchedule) and moves next_run_at to the schedule's next
// time after now. A hub that was down over several run times starts one run, not one per missed
// time. Without `concurrency`, a time that comes while the last run still runs is skipped.
#include <spdlog/spdlog.h>

#include "service/cron.h"
#include "service/job_engine.h"
#include "service/job_service.h"

namespace spacehub::service {

void JobEngine::RunSchedules() {
  auto schedules = hub_.db.jobs().ListScheduledJobs(std::nullopt);
  if (!schedules.ok()) return;
  const int64_t now = hub_.clock.NowMillis();
  for (const auto& s : *schedules) {
    if (s.suspend || s.next_run_at == 0 || s.next_run_at > now) continue;
    Result<CronSchedule> cron = ParseCron(s.schedule);
    const int64_t next = cron.ok() ? cron->NextAfter(now) : 0;
    bool busy = false;
    if (!s.concurrency && !s.last_job_id.empty()) {
      auto last = hub_.db.jobs().FindJob(s.last_job_id);
      busy = last.ok() && !db::IsFinal(last->stage);
    }
    std::string run_id;
    if (!busy) {
      Result<db::JobRow> run = JobService::NewRunOfSchedule(hub_, s);
      if (!run.ok()) {
        spdlog::warn("jobs: scheduled job {} could not start a run: {}", s.id,
                     run.status().message());
      } else {
        run_id = run->id;
      }
    }
    // Only if the schedule is still as read: a suspend or delete meanwhile wins.
    (void)hub_.db.jobs().UpdateScheduledJob(s.id, [&](db::ScheduledJobRow& r) {
      if (r.suspend || r.next_run_at != s.next_run_at) return Status::Ok();
      r.next_run_at = next > 0 ? next : 0;
      if (!run_id.empty()) {
        r.last_job_id = run_id;
        r.last_job_at = now;
      }
      return Status::Ok();
    });
  }
}

}  // namespace spacehub::service
