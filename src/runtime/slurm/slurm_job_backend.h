// SlurmJobBackend: runs each job as one Slurm batch job (`spacehub serve --jobs-backend slurm`).
// Submit writes <data>/jobs/<id>/slurm/ (0700): the batch script, the launch file (the JobLaunch,
// secrets included, 0600; runtime/slurm/launch_file.h) and Slurm's output file, then runs
// `sbatch`; the node runs `<spacehub> job-exec <launch file>` (cli/job_exec.cc), which deletes the
// launch file, starts the job's sandbox or container with the same LocalBackend as Spaces and
// writes the job's log to instance.log_path, where the hub reads it. So the hub's data directory
// and the spacehub binary must be at the same paths on the nodes (a shared filesystem).
// Poll asks `scontrol show job -o`, Cancel runs `scancel` (SIGTERM, SIGKILL after the cluster's
// KillWait), Forget deletes the job's slurm/ directory. The commands, not slurmrestd: see
// docs/design/0010-jobs.md "Slurm".
//
// A reference is "<slurm job id>:<hub job id>" (the hub's id names the files and is checked
// against Slurm's job name, so a reused Slurm id after a wiped controller is never mistaken for
// ours). Thread-safe: commands run on the caller's thread; one mutex guards the last answers.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/mutex.h"
#include "runtime/job_backend.h"
#include "runtime/podman/podman.h"

namespace spacehub::runtime {

struct SlurmOptions {
  // The binary the nodes run as `job-exec` (the same path there); empty: this process's own.
  std::filesystem::path spacehub_binary;
  std::filesystem::path data_dir;    // the hub's data directory, absolute (shared with the nodes)
  std::filesystem::path slurm_conf;  // SLURM_CONF of the commands; empty: Slurm's default
  std::string partition;             // when the flavor names none; empty: the cluster's default
  std::filesystem::path bin_dir = "/usr/bin";  // where sbatch, scontrol and scancel are
  std::chrono::seconds command_timeout{30};
};

// Runs one Slurm command (argv[0] absolute); its exit code and stdout+stderr.
using SlurmCommandRunner =
    std::function<Result<CommandOutput>(const std::vector<std::string>& argv)>;

class SlurmJobBackend final : public JobBackend {
 public:
  // `run` executes the commands (tests pass a fake); MakeSlurmJobBackend gives the real one.
  SlurmJobBackend(SlurmOptions options, SlurmCommandRunner run);
  SlurmJobBackend(const SlurmJobBackend&) = delete;
  SlurmJobBackend& operator=(const SlurmJobBackend&) = delete;

  std::string Name() const override { return "slurm"; }
  Result<std::string> Submit(const JobLaunch& launch) override;
  // When the controller does not answer, the last answer for the job (or kPending with the
  // reason): a cluster's hiccup must not end a job that runs on.
  JobRunStatus Poll(const std::string& ref) override;
  void Cancel(const std::string& ref) override;
  void Forget(const std::string& ref) override;

 private:
  std::string Command(const char* name) const;
  void Remember(const std::string& ref, const JobRunStatus& st);

  SlurmOptions options_;
  SlurmCommandRunner run_;
  Mutex mu_;
  std::map<std::string, JobRunStatus> last_ GUARDED_BY(mu_);
};

// The environment of the Slurm commands: a plain PATH, SLURM_CONF when set, and times as epoch
// seconds (SLURM_TIME_FORMAT=%s). Exposed for tests.
EnvList SlurmCommandEnv(const SlurmOptions& options);

// The backend with the real commands, after checking that they are installed, that the data
// directory is absolute and that the controller answers `scontrol ping`; Unavailable saying which
// is missing otherwise.
Result<std::unique_ptr<JobBackend>> MakeSlurmJobBackend(const SlurmOptions& options);

}  // namespace spacehub::runtime
