#include "runtime/slurm/slurm_job_state.h"

#include <cctype>
#include <charconv>
#include <set>

namespace spacehub::runtime {
namespace {

// scontrol's keys: letters first, then letters, digits and the separators of "AllocNode:Sid",
// "CPUs/Task", "ReqB:S:C:T".
bool IsKey(std::string_view s) {
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != ':' && c != '/') {
      return false;
    }
  }
  return true;
}

std::optional<int64_t> ToInt(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// The exit status of the batch script as a process exit code: the code, or 128 + the signal.
int ExitCodeOf(const SlurmJob& job) {
  if (job.exit_code != 0) return job.exit_code;
  return job.exit_signal != 0 ? 128 + job.exit_signal : 0;
}

bool Known(std::string_view reason) { return !reason.empty() && reason != "None"; }

// Why Slurm ended a job that did not exit by itself, for the job's status message.
std::string EndReason(const SlurmJob& job) {
  const std::string& s = job.state;
  if (s == "CANCELLED") return "cancelled on the Slurm cluster";
  if (s == "TIMEOUT") {
    return "the Slurm time limit" + (job.time_limit.empty() ? "" : " (" + job.time_limit + ")") +
           " was reached";
  }
  if (s == "NODE_FAIL") return "the Slurm node running the job failed";
  if (s == "BOOT_FAIL") return "the Slurm node for the job failed to boot";
  if (s == "OUT_OF_MEMORY") return "out of memory on the Slurm node";
  if (s == "PREEMPTED") return "preempted by the Slurm cluster";
  if (s == "DEADLINE") return "the job's Slurm deadline passed";
  return "Slurm ended the job: " + s + (Known(job.reason) ? " (" + job.reason + ")" : "");
}

}  // namespace

std::map<std::string, std::string> ParseScontrolPairs(std::string_view line) {
  std::map<std::string, std::string> out;
  std::string* last = nullptr;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    size_t end = i;
    while (end < line.size() && !std::isspace(static_cast<unsigned char>(line[end]))) ++end;
    if (end == i) break;
    std::string_view token = line.substr(i, end - i);
    size_t eq = token.find('=');
    if (eq != std::string_view::npos && IsKey(token.substr(0, eq))) {
      last = &out[std::string(token.substr(0, eq))];
      *last = std::string(token.substr(eq + 1));
    } else if (last) {
      last->append(" ").append(token);  // a value with spaces
    }
    i = end;
  }
  return out;
}

Result<SlurmJob> ParseScontrolJob(std::string_view text) {
  // One line per job with -o; an array or pack job would print several: the first is ours.
  std::string_view line = text.substr(0, text.find('\n'));
  auto pairs = ParseScontrolPairs(line);
  auto state = pairs.find("JobState");
  if (state == pairs.end() || state->second.empty()) {
    return Status::InvalidArgument("scontrol printed no JobState: " +
                                   std::string(line.substr(0, 200)));
  }
  SlurmJob job;
  job.state = state->second.substr(0, state->second.find('+'));
  job.reason = pairs["Reason"];
  job.time_limit = pairs["TimeLimit"];
  const std::string& exit = pairs["ExitCode"];
  if (size_t colon = exit.find(':'); colon != std::string::npos) {
    job.exit_code = static_cast<int>(ToInt(exit.substr(0, colon)).value_or(0));
    job.exit_signal = static_cast<int>(ToInt(exit.substr(colon + 1)).value_or(0));
  }
  job.start_time = ToInt(pairs["StartTime"]).value_or(0);  // "Unknown", "None": 0
  return job;
}

bool IsUnknownJobError(std::string_view output) {
  return output.find("Invalid job id specified") != std::string_view::npos;
}

JobRunStatus JobStatusOf(const SlurmJob& job, const std::string& exec_error) {
  static const std::set<std::string, std::less<>> kPending = {
      "PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD"};
  static const std::set<std::string, std::less<>> kRunning = {
      "RUNNING", "COMPLETING", "SUSPENDED", "STOPPED", "SIGNALING", "STAGE_OUT", "RESIZING"};
  JobRunStatus st;
  if (kPending.contains(job.state)) {
    st.state = JobRunState::kPending;
    // StartTime of a pending job is Slurm's guess, not a start.
    if (Known(job.reason)) st.reason = "waiting in the Slurm queue (" + job.reason + ")";
    return st;
  }
  st.started_at = job.start_time > 0 ? job.start_time * 1000 : 0;
  if (kRunning.contains(job.state)) {
    st.state = JobRunState::kRunning;
    return st;
  }
  const int code = ExitCodeOf(job);
  if (job.state == "COMPLETED" ||
      (job.state == "FAILED" && exec_error.empty() && job.reason != "JobLaunchFailure")) {
    st.state = JobRunState::kExited;
    st.exit_code = code;
    return st;
  }
  st.state = JobRunState::kStopped;
  if (code != 0) st.exit_code = code;
  if (!exec_error.empty()) {
    st.reason = exec_error;
  } else if (job.state == "FAILED") {
    // What Slurm says when the batch step could not start, or when it was killed by a signal
    // before it could report an exit code (SIGKILL on the node).
    st.reason = job.exit_signal != 0 ? "the job's process on the Slurm node was killed by signal " +
                                           std::to_string(job.exit_signal)
                                     : "Slurm could not launch the job on its node";
    st.reason += " (" + job.reason + ")";
  } else {
    st.reason = EndReason(job);
  }
  return st;
}

std::vector<std::string> SlurmGpuDevices(std::string_view slurm_job_gpus) {
  std::vector<std::string> gpus;
  size_t start = 0;
  while (start <= slurm_job_gpus.size()) {
    size_t end = slurm_job_gpus.find(',', start);
    if (end == std::string_view::npos) end = slurm_job_gpus.size();
    std::string_view item = slurm_job_gpus.substr(start, end - start);
    if (auto n = ToInt(item); n && *n >= 0 && *n < 1024) {
      gpus.push_back("/dev/nvidia" + std::to_string(*n));
    }
    start = end + 1;
  }
  if (gpus.empty()) return gpus;
  std::vector<std::string> out = {"/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools",
                                  "/dev/nvidia-modeset"};
  out.insert(out.end(), gpus.begin(), gpus.end());
  return out;
}

}  // namespace spacehub::runtime
