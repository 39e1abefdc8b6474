// Shared pieces of `spacehub jobs …` and `spacehub jobs scheduled …` (jobs.cc,
// jobs_scheduled.cc): the flags both `run`s take in the shape of `hf jobs run`, turning them into
// a client::JobSpec, and the plain-text tables. Called from main's thread only.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "cli/client_common.h"
#include "spacehub/jobs.h"

namespace spacehub::cli {

using client::JobHardware;
using client::JobInfo;
using client::JobLogLine;
using client::JobLogOptions;
using client::JobSpec;
using client::ScheduledJobInfo;
using client::ScheduledJobOptions;

struct JobFlags {
  ClientFlags client;
  std::string ns;  // --namespace ("" = the caller)
  // run / scheduled run
  std::string flavor = "cpu-basic";
  std::vector<std::string> env, secrets, labels;  // -e / -s / -l, each dotenv text
  std::string env_file, secrets_file;
  std::string timeout;  // "30m", "1.5h", "90"
  bool detach = false;
  std::string image;
  std::string schedule;
  bool suspend = false, concurrency = false;
  // ps
  bool all = false;
  // inspect, logs, cancel, …
  std::vector<std::string> ids;
  bool follow = false;
  int tail = -1;
};

// Each leaf command and what it does with the client when it was the one parsed.
using JobRunner = std::function<int(HubClient&, const JobFlags&)>;
using JobCommands = std::vector<std::pair<CLI::App*, JobRunner>>;

// `jobs scheduled run|ps|inspect|delete|suspend|resume|trigger` (jobs_scheduled.cc).
void AddScheduledJobsCommands(CLI::App* jobs, JobFlags* f, JobCommands* out);

// --namespace, --token, --endpoint and --json, on a leaf command.
void AddJobClientFlags(CLI::App* cmd, JobFlags* f);
// --flavor, -e, --env-file, -s, --secrets-file, --timeout, -l, then IMAGE; everything after IMAGE
// is the job's command, options included (prefix_command), as `hf jobs run` reads it.
void AddJobSpecFlags(CLI::App* cmd, JobFlags* f);
// The spec from those flags and `command` (the arguments after IMAGE). A bare `-s HF_TOKEN` takes
// the saved token (--token, HF_TOKEN, $HF_HOME/token); another bare key takes the value from this
// process's environment. Throws LocalError(kInvalidArgument) for a bad timeout, file or pair.
JobSpec JobSpecFromFlags(const JobFlags& f, const std::vector<std::string>& command);

// "python:3.12" or "ns/app" (a Space), and the command joined with spaces.
std::string JobImage(const std::optional<std::string>& docker_image,
                     const std::optional<std::string>& space_id);
std::string JoinCommand(const std::vector<std::string>& command,
                        const std::vector<std::string>& arguments);

// Left-aligned columns two spaces apart, each cell cut to 40 characters.
void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows);

// The raw JSON of each, as a JSON array (`inspect` output).
template <typename T>
void PrintRawArray(const std::vector<T>& items) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& item : items)
    out.push_back(nlohmann::json::parse(item.raw_json, nullptr, false));
  PrintJson(out);
}

}  // namespace spacehub::cli
