// What Slurm says about one job, and what that means for the Jobs engine (runtime/job_backend.h).
// The hub asks `scontrol show job -o <id>` (one line of Key=Value pairs; SLURM_TIME_FORMAT=%s makes
// its times epoch seconds) because it works on every Slurm since long before 22.05 without slurmdbd
// or slurmrestd; docs/design/0010-jobs.md "Slurm" says why not the REST API. Pure functions,
// tested on lines recorded from a real 22.05 cluster; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/job_backend.h"

namespace spacehub::runtime {

struct SlurmJob {
  std::string state;   // "RUNNING", "COMPLETED"... (flags after a '+' dropped)
  std::string reason;  // Slurm's Reason=: "None", "Resources", "NonZeroExitCode"...
  // ExitCode=<code>:<signal> of the batch script (spacehub job-exec, which exits with the app's
  // code); a signal when Slurm or the node killed it.
  int exit_code = 0;
  int exit_signal = 0;
  int64_t start_time = 0;  // epoch seconds; 0: unknown or not started
  std::string time_limit;  // TimeLimit=, for a TIMEOUT's message
};

// Key=Value pairs of one `scontrol show job -o` line. Values may contain spaces (WorkDir, Reason
// texts): a value runs to the next " Key=" whose key is a known scontrol key shape.
std::map<std::string, std::string> ParseScontrolPairs(std::string_view line);

// The job of an `scontrol show job -o` answer; InvalidArgument when it has no JobState.
Result<SlurmJob> ParseScontrolJob(std::string_view text);

// Whether scontrol's error output says the controller does not know the job id (purged after
// MinJobAge, or never submitted): Poll then answers kLost.
bool IsUnknownJobError(std::string_view output);

// The engine's view of a Slurm job. `exec_error` is what `spacehub job-exec` left when it could not
// start the sandbox (empty: none).
JobRunStatus JobStatusOf(const SlurmJob& job, const std::string& exec_error);

// The device nodes of the GPUs Slurm gave this job on its node (SLURM_JOB_GPUS="0,2"), with the
// control nodes every CUDA program needs; empty when none were given.
std::vector<std::string> SlurmGpuDevices(std::string_view slurm_job_gpus);

}  // namespace spacehub::runtime
