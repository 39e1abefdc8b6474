// `spacehub jobs run|ps|inspect|logs|cancel|hardware` in the shape of `hf jobs` (spec §1.5); the
// `scheduled` group is in jobs_scheduled.cc.
#include <chrono>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "cli/jobs_common.h"

namespace spacehub::cli {
namespace {

using Commands = JobCommands;

CLI::App* Leaf(CLI::App* parent, const char* name, const char* help, JobFlags* f) {
  CLI::App* c = parent->add_subcommand(name, help);
  AddJobClientFlags(c, f);
  return c;
}

bool PrintLogLine(const JobFlags& f, const JobLogLine& line) {
  if (f.client.json) {  // one object per line, so a reader can follow along
    std::cout << nlohmann::json{{"timestamp", line.timestamp}, {"data", line.data}}.dump() << "\n";
  } else {
    std::cout << line.data;
    if (line.data.empty() || line.data.back() != '\n') std::cout << "\n";
  }
  std::cout.flush();
  return static_cast<bool>(std::cout);
}

// Polls once a second (huggingface_hub's wait_for_job interval) while `keep_waiting` holds.
template <typename Pred>
JobInfo PollWhile(HubClient& c, const JobFlags& f, const std::string& id,
                  const Pred& keep_waiting) {
  JobInfo job = c.InspectJob(id, f.ns);
  while (keep_waiting(job)) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    job = c.InspectJob(id, f.ns);
  }
  return job;
}

// Follows the job's log until it ends; the exit status says whether it COMPLETED.
int FollowToTheEnd(HubClient& c, const JobFlags& flags, const JobInfo& started) {
  // The owner is the namespace: no whoami per request from here on.
  JobFlags f = flags;
  if (!started.owner.name.empty()) f.ns = started.owner.name;
  // The log has nothing to say before the job leaves SCHEDULING.
  PollWhile(c, f, started.id, [](const JobInfo& j) { return j.status.stage == "SCHEDULING"; });
  JobLogOptions o;
  o.follow = true;
  c.FetchJobLogs(
      started.id, o, [&](const JobLogLine& line) { return PrintLogLine(f, line); }, f.ns);
  JobInfo done = PollWhile(c, f, started.id, [](const JobInfo& j) {
    return !client::IsTerminalJobStage(j.status.stage);
  });
  if (done.status.stage == "COMPLETED") return kExitOk;
  std::cerr << "job " << done.id << " ended " << done.status.stage
            << (done.status.message.empty() ? "" : ": " + done.status.message) << "\n";
  return kExitUnexpected;
}

void AddRunCommand(CLI::App* jobs, JobFlags* f, Commands* out) {
  CLI::App* run =
      Leaf(jobs, "run", "Run a command in a container (prints the id, follows the log)", f);
  AddJobSpecFlags(run, f);
  run->add_flag("-d,--detach", f->detach, "print the job id and return at once");
  out->emplace_back(run, [run](HubClient& c, const JobFlags& f) {
    JobInfo job = c.RunJob(JobSpecFromFlags(f, run->remaining()), f.ns);
    if (f.client.json) {
      std::cout << nlohmann::json::parse(job.raw_json, nullptr, false).dump() << "\n";
    } else {
      std::cout << "Job started with ID: " << job.id << "\nView at: " << job.url << "\n";
    }
    std::cout.flush();
    return f.detach ? kExitOk : FollowToTheEnd(c, f, job);
  });
}

void AddPsCommand(CLI::App* jobs, JobFlags* f, Commands* out) {
  CLI::App* ps = Leaf(jobs, "ps", "List running jobs (all with -a)", f);
  ps->add_flag("-a,--all", f->all, "also finished jobs");
  out->emplace_back(ps, [](HubClient& c, const JobFlags& f) {
    std::vector<JobInfo> jobs = c.ListJobs(f.ns);
    std::erase_if(jobs, [&f](const JobInfo& j) {
      return !f.all && client::IsTerminalJobStage(j.status.stage);
    });
    if (f.client.json) {
      PrintRawArray(jobs);
      return kExitOk;
    }
    std::vector<std::vector<std::string>> rows;
    rows.reserve(jobs.size());
    for (const JobInfo& j : jobs) {
      rows.push_back({j.id, JobImage(j.docker_image, j.space_id),
                      JoinCommand(j.command, j.arguments), j.created_at, j.status.stage});
    }
    if (rows.empty()) {
      std::cout << (f.all ? "No jobs found\n" : "No running jobs found (-a shows all)\n");
    } else {
      PrintTable({"JOB ID", "IMAGE/SPACE", "COMMAND", "CREATED", "STATUS"}, rows);
    }
    return kExitOk;
  });
}

void AddByIdCommands(CLI::App* jobs, JobFlags* f, Commands* out) {
  CLI::App* inspect = Leaf(jobs, "inspect", "Show jobs in full (JSON)", f);
  inspect->add_option("job_ids", f->ids, "ID or NAMESPACE/ID")->required();
  out->emplace_back(inspect, [](HubClient& c, const JobFlags& f) {
    std::vector<JobInfo> found;
    for (const std::string& id : f.ids) found.push_back(c.InspectJob(id, f.ns));
    PrintRawArray(found);
    return kExitOk;
  });

  CLI::App* logs = Leaf(jobs, "logs", "Print a job's log", f);
  logs->add_option("job_id", f->ids, "ID or NAMESPACE/ID")->required()->expected(1);
  logs->add_flag("-f,--follow", f->follow, "keep printing until the job ends");
  logs->add_option("-n,--tail", f->tail, "only the last N lines");
  out->emplace_back(logs, [](HubClient& c, const JobFlags& f) {
    JobLogOptions o;
    o.follow = f.follow;
    if (f.tail >= 0) o.tail = f.tail;
    if (f.follow) {  // a job still waiting for its hardware has no log to follow yet
      PollWhile(c, f, f.ids.front(),
                [](const JobInfo& j) { return j.status.stage == "SCHEDULING"; });
    }
    c.FetchJobLogs(
        f.ids.front(), o, [&](const JobLogLine& line) { return PrintLogLine(f, line); }, f.ns);
    return kExitOk;
  });

  CLI::App* cancel = Leaf(jobs, "cancel", "Cancel a job", f);
  cancel->add_option("job_id", f->ids, "ID or NAMESPACE/ID")->required()->expected(1);
  out->emplace_back(cancel, [](HubClient& c, const JobFlags& f) {
    c.CancelJob(f.ids.front(), f.ns);
    if (f.client.json) {
      PrintJson({{"id", f.ids.front()}, {"canceled", true}});
    } else {
      std::cout << "Job " << f.ids.front() << " canceled\n";
    }
    return kExitOk;
  });
}

void AddHardwareCommand(CLI::App* jobs, JobFlags* f, Commands* out) {
  CLI::App* hw = Leaf(jobs, "hardware", "List the hardware flavors jobs can run on", f);
  out->emplace_back(hw, [](HubClient& c, const JobFlags& f) {
    std::vector<JobHardware> flavors = c.ListJobsHardware();
    if (f.client.json) {
      PrintRawArray(flavors);
      return kExitOk;
    }
    std::vector<std::vector<std::string>> rows;
    rows.reserve(flavors.size());
    for (const JobHardware& h : flavors) {
      std::string accelerator = "-";
      if (h.accelerator) {
        accelerator = h.accelerator->quantity + "x " + h.accelerator->model;
        if (!h.accelerator->vram.empty()) accelerator += " (" + h.accelerator->vram + ")";
      }
      char cost[64];
      std::snprintf(cost, sizeof(cost), "$%.4f/%s", h.unit_cost_usd,
                    h.unit_label.empty() ? "minute" : h.unit_label.c_str());
      rows.push_back({h.name, h.pretty_name, h.cpu, h.ram, accelerator, cost});
    }
    PrintTable({"NAME", "PRETTY NAME", "CPU", "RAM", "ACCELERATOR", "COST"}, rows);
    return kExitOk;
  });
}

}  // namespace

Command AddJobsCommand(CLI::App& app) {
  auto f = std::make_shared<JobFlags>();
  auto commands = std::make_shared<Commands>();
  CLI::App* jobs = app.add_subcommand("jobs", "Run and manage jobs: commands in containers");
  jobs->require_subcommand(1);
  jobs->footer(kExitCodeHelp);
  AddRunCommand(jobs, f.get(), commands.get());
  AddPsCommand(jobs, f.get(), commands.get());
  AddByIdCommands(jobs, f.get(), commands.get());
  AddHardwareCommand(jobs, f.get(), commands.get());
  AddScheduledJobsCommands(jobs, f.get(), commands.get());
  return [f, commands] {
    return RunClient(f->client, [&]() -> int {
      for (const auto& [cmd, run] : *commands) {
        if (cmd->parsed()) return run(*MakeClient(f->client, false), *f);
      }
      return kExitUsage;
    });
  };
}

}  // namespace spacehub::cli
