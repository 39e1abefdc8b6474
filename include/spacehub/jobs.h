// Value types of the Jobs API (huggingface_hub's run_job / JobInfo / ScheduledJobInfo, spec §1):
// what a job runs (JobSpec), what the hub says about one (JobInfo, ScheduledJobInfo), the flavors
// it can run on (JobHardware), plus the two text formats `hf jobs` accepts on its command line
// (timeouts like "1.5h", dotenv files). Plain copyable structs and pure functions: safe from any
// thread. Every result keeps the server's JSON text in `raw_json`, as huggingface_hub keeps `.raw`.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spacehub::client {

// What to run. `image` is a Docker image ("python:3.12"), or a Space whose image is reused:
// "hf.co/spaces/ns/name", "huggingface.co/spaces/ns/name", or either behind "https://"; the
// request names exactly one of dockerImage / spaceId accordingly, as huggingface_hub does.
struct JobSpec {
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> arguments;
  std::map<std::string, std::string> env;
  std::map<std::string, std::string> secrets;  // sent only when not empty
  std::string flavor = "cpu-basic";
  std::optional<int64_t> timeout_seconds;     // sent only when set and > 0 (server default: 30 min)
  std::map<std::string, std::string> labels;  // sent only when not empty
};

struct JobOwner {
  std::string id;
  std::string name;
  std::string type;  // "user" / "org"
};

// Stages: SCHEDULING, RUNNING, UPDATING, COMPLETED, CANCELED, ERROR, DELETED (a newer server may
// send others; the text is kept as sent).
struct JobStatus {
  std::string stage;
  std::string message;  // "" = none
  std::vector<std::string> expose_urls;
  std::string ssh_url;
};

// COMPLETED, CANCELED, ERROR, DELETED: the job will not change any more.
bool IsTerminalJobStage(std::string_view stage);

struct JobInfo {
  std::string id;
  JobOwner owner;
  JobStatus status;
  std::string created_at;  // ISO-8601 UTC; "" when absent (likewise below)
  std::string started_at;
  std::string finished_at;
  std::optional<std::string> docker_image;
  std::optional<std::string> space_id;
  std::vector<std::string> command;
  std::vector<std::string> arguments;
  std::map<std::string, std::string> env;
  // Names only: the hub answers a list of names (a {name: value} map is read for its keys).
  std::vector<std::string> secrets;
  std::string flavor;
  std::map<std::string, std::string> labels;
  std::string url;  // built by the client: {endpoint}/jobs/{owner.name}/{id}
  std::string raw_json;
};

struct ScheduledJobInfo {
  std::string id;
  JobOwner owner;
  std::string created_at;
  std::string schedule;  // "@hourly" or a 5-field cron expression
  bool suspend = false;
  bool concurrency = false;
  // status.lastJob and status.nextJobRunAt ("" when absent).
  std::string last_job_id;
  std::string last_job_at;
  std::string next_job_run_at;
  // jobSpec: the same fields as a JobInfo's (timeout read from `timeout`).
  std::optional<std::string> docker_image;
  std::optional<std::string> space_id;
  std::vector<std::string> command;
  std::vector<std::string> arguments;
  std::map<std::string, std::string> env;
  std::vector<std::string> secrets;
  std::string flavor;
  std::optional<int64_t> timeout_seconds;
  std::map<std::string, std::string> labels;
  std::string raw_json;
};

struct ScheduledJobOptions {
  std::optional<bool> suspend;      // create it suspended
  std::optional<bool> concurrency;  // allow a run while the previous one is still going
};

struct JobAccelerator {
  std::string type;  // "gpu" / "neuron"
  std::string model;
  std::string quantity;
  std::string vram;
  std::string manufacturer;
};

struct JobHardware {
  std::string name;         // the flavor: "cpu-basic", "a10g-small", …
  std::string pretty_name;  // "CPU Basic"
  std::string cpu;          // "2 vCPU"
  std::string ram;          // "16 GB"
  std::optional<JobAccelerator> accelerator;
  int64_t unit_cost_micro_usd = 0;
  double unit_cost_usd = 0;
  std::string unit_label;  // "minute"
  std::string raw_json;
};

struct JobLogLine {
  std::string timestamp;  // ISO-8601 UTC; "" when the server sent none
  std::string data;       // the text
};

struct JobLogOptions {
  // false: the log so far, ending when the stream closes or has been idle idle_seconds.
  // true: until the job ends; a dropped or silent stream is reopened (up to 5 times, 1 s to 10 s
  // apart) while the job is still RUNNING/UPDATING, skipping the lines already handed out.
  bool follow = false;
  long idle_seconds = 5;    // NOLINT(google-runtime-int) libcurl's type
  std::optional<int> tail;  // only the last N lines (first request only)
};

// Called once per log line, on the calling thread; return false to stop reading.
using JobLogFn = std::function<bool(const JobLogLine&)>;

// "90" / "90s" → 90, "30m" → 1800, "1.5h" → 5400, "2d" → 172800 (fractions truncated, as
// huggingface_hub's int(float(…) * factor)). Throws LocalError(kInvalidArgument) for anything
// else (empty, negative, not finite, a unit other than s/m/h/d, more than 100 years).
int64_t ParseJobTimeout(std::string_view text);

// One KEY=VALUE per line (the dotenv format of `--env-file` / `-e`): `export ` prefixes, `#`
// comments, blank lines, 'single' (literal) and "double" (\n \t \" \\ escapes) quotes, inline
// ` #` comments after an unquoted value. A bare KEY has no value (nullopt: the caller decides,
// e.g. `-s HF_TOKEN` takes the saved token). Throws LocalError(kInvalidArgument) naming the line
// for a malformed one (no key, a key that is not [A-Za-z_][A-Za-z0-9_.-]*, an unclosed quote).
std::vector<std::pair<std::string, std::optional<std::string>>> ParseDotenv(std::string_view text);

}  // namespace spacehub::client
