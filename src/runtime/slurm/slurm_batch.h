// How a job becomes a Slurm batch job: the sbatch argv (every resource one argument, never a shell
// line) and the batch script, which only execs `<spacehub> job-exec <launch file>` on the node.
// Nothing of the job's own (command, env, secrets) is in either: those travel in the 0600 launch
// file (runtime/slurm/launch_file.h). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/job_backend.h"

namespace spacehub::runtime {

// The per-job files of the Slurm backend: <data>/jobs/<job id>/slurm/ (0700).
struct SlurmJobFiles {
  std::filesystem::path dir;
  std::filesystem::path script() const { return dir / "batch.sh"; }
  std::filesystem::path launch() const { return dir / "launch.json"; }
  std::filesystem::path output() const { return dir / "slurm.out"; }  // job-exec's own messages
  // What job-exec could not do (start the sandbox), for Poll's reason; absent: nothing.
  std::filesystem::path exec_error() const { return dir / "exec-error"; }
};

SlurmJobFiles JobFilesFor(const std::filesystem::path& data_dir, std::string_view job_id);

// Job ids become file and Slurm job names: letters, digits, '-' and '_' only, 1-64 of them.
bool ValidJobId(std::string_view job_id);

// `s` quoted for a POSIX shell ('...' with each ' as '\'').
std::string ShellQuote(std::string_view s);

// The batch script: exec the spacehub binary's job-exec on the launch file, with a plain PATH.
std::string BatchScript(const std::filesystem::path& spacehub, const std::filesystem::path& launch);

// Slurm's --time for a limit in seconds, rounded up to whole minutes (Slurm's granularity):
// "days-hours:minutes:seconds".
std::string SlurmTimeLimit(int64_t seconds);

// sbatch's argv: --parsable (the answer is "<id>[;cluster]"), --export=ALL (the script gets
// sbatch's own environment, which the backend sets to PATH and SLURM_CONF only: --export=NONE
// implies --get-user-env on 22.05, a login shell on the node that took 27 s here), --no-requeue (a
// failed node must not rerun a job behind the engine's back: retries are its decision), the job's
// name, output file and resources. `sbatch` is the command's path; `default_partition` applies
// when the flavor names none.
std::vector<std::string> SbatchArgv(const std::string& sbatch, const JobLaunch& launch,
                                    const SlurmJobFiles& files,
                                    const std::string& default_partition);

}  // namespace spacehub::runtime
