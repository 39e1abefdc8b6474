// `spacehub jobs scheduled run|ps|inspect|delete|suspend|resume|trigger`, as `hf jobs scheduled`
// (spec §1, §1.5): a job spec run on a cron schedule (UTC).
#include <iostream>

#include "cli/jobs_common.h"

namespace spacehub::cli {
namespace {

CLI::App* Leaf(CLI::App* parent, const char* name, const char* help, JobFlags* f) {
  CLI::App* c = parent->add_subcommand(name, help);
  AddJobClientFlags(c, f);
  return c;
}

void AddRun(CLI::App* scheduled, JobFlags* f, JobCommands* out) {
  CLI::App* run = Leaf(scheduled, "run", "Create a scheduled job", f);
  run->add_flag("--suspend", f->suspend, "create it suspended");
  run->add_flag("--concurrency", f->concurrency,
                "allow a run to start while the previous one is still running");
  run->add_option("schedule", f->schedule,
                  "@hourly, @daily, @weekly, @monthly, @yearly or a cron expression (UTC), "
                  "e.g. \"*/15 * * * *\"")
      ->required();
  AddJobSpecFlags(run, f);
  out->emplace_back(run, [run](HubClient& c, const JobFlags& f) {
    ScheduledJobOptions o;
    if (f.suspend) o.suspend = true;
    if (f.concurrency) o.concurrency = true;
    ScheduledJobInfo s =
        c.CreateScheduledJob(JobSpecFromFlags(f, run->remaining()), f.schedule, o, f.ns);
    if (f.client.json) {
      PrintJson(nlohmann::json::parse(s.raw_json, nullptr, false));
    } else {
      std::cout << "Scheduled job created with ID: " << s.id << "\n";
      if (!s.next_job_run_at.empty()) std::cout << "Next run: " << s.next_job_run_at << "\n";
    }
    return kExitOk;
  });
}

void AddPs(CLI::App* scheduled, JobFlags* f, JobCommands* out) {
  CLI::App* ps = Leaf(scheduled, "ps", "List scheduled jobs (suspended ones with -a)", f);
  ps->add_flag("-a,--all", f->all, "also suspended ones");
  out->emplace_back(ps, [](HubClient& c, const JobFlags& f) {
    std::vector<ScheduledJobInfo> list = c.ListScheduledJobs(f.ns);
    std::erase_if(list, [&f](const ScheduledJobInfo& s) { return !f.all && s.suspend; });
    if (f.client.json) {
      PrintRawArray(list);
      return kExitOk;
    }
    std::vector<std::vector<std::string>> rows;
    rows.reserve(list.size());
    for (const ScheduledJobInfo& s : list) {
      rows.push_back(
          {s.id, s.schedule, JobImage(s.docker_image, s.space_id),
           JoinCommand(s.command, s.arguments), s.last_job_at.empty() ? "-" : s.last_job_at,
           s.next_job_run_at.empty() ? "-" : s.next_job_run_at, s.suspend ? "yes" : "no"});
    }
    if (rows.empty()) {
      std::cout << (f.all ? "No scheduled jobs found\n"
                          : "No active scheduled jobs found (-a shows suspended ones)\n");
    } else {
      PrintTable({"ID", "SCHEDULE", "IMAGE/SPACE", "COMMAND", "LAST RUN", "NEXT RUN", "SUSPENDED"},
                 rows);
    }
    return kExitOk;
  });
}

// inspect, and the one-id actions: delete, suspend, resume, trigger.
void AddByIdCommands(CLI::App* scheduled, JobFlags* f, JobCommands* out) {
  CLI::App* inspect = Leaf(scheduled, "inspect", "Show scheduled jobs in full (JSON)", f);
  inspect->add_option("scheduled_job_ids", f->ids, "ID or NAMESPACE/ID")->required();
  out->emplace_back(inspect, [](HubClient& c, const JobFlags& f) {
    std::vector<ScheduledJobInfo> found;
    for (const std::string& id : f.ids) found.push_back(c.InspectScheduledJob(id, f.ns));
    PrintRawArray(found);
    return kExitOk;
  });

  using Action = void (HubClient::*)(const std::string&, const std::string&) const;
  struct Simple {
    const char* name;
    const char* help;
    Action action;
    const char* done;
  };
  static constexpr Simple kSimple[] = {
      {"delete", "Delete a scheduled job", &HubClient::DeleteScheduledJob, "deleted"},
      {"suspend", "Stop starting runs until resumed", &HubClient::SuspendScheduledJob, "suspended"},
      {"resume", "Start runs on the schedule again", &HubClient::ResumeScheduledJob, "resumed"},
  };
  for (const Simple& s : kSimple) {
    CLI::App* cmd = Leaf(scheduled, s.name, s.help, f);
    cmd->add_option("scheduled_job_id", f->ids, "ID or NAMESPACE/ID")->required()->expected(1);
    out->emplace_back(cmd, [s](HubClient& c, const JobFlags& f) {
      (c.*s.action)(f.ids.front(), f.ns);
      if (f.client.json) {
        PrintJson({{"id", f.ids.front()}, {s.done, true}});
      } else {
        std::cout << "Scheduled job " << f.ids.front() << " " << s.done << "\n";
      }
      return kExitOk;
    });
  }

  CLI::App* trigger = Leaf(scheduled, "trigger", "Start a run now (prints the job id)", f);
  trigger->add_option("scheduled_job_id", f->ids, "ID or NAMESPACE/ID")->required()->expected(1);
  out->emplace_back(trigger, [](HubClient& c, const JobFlags& f) {
    JobInfo job = c.TriggerScheduledJob(f.ids.front(), f.ns);
    if (f.client.json) {
      PrintJson(nlohmann::json::parse(job.raw_json, nullptr, false));
    } else {
      std::cout << "Job started with ID: " << job.id << "\nView at: " << job.url << "\n";
    }
    return kExitOk;
  });
}

}  // namespace

void AddScheduledJobsCommands(CLI::App* jobs, JobFlags* f, JobCommands* out) {
  CLI::App* scheduled = jobs->add_subcommand("scheduled", "Jobs that run on a schedule");
  scheduled->require_subcommand(1);
  AddRun(scheduled, f, out);
  AddPs(scheduled, f, out);
  AddByIdCommands(scheduled, f, out);
}

}  // namespace spacehub::cli
