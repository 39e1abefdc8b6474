#include "runtime/slurm/slurm_batch.h"

#include <cctype>

namespace spacehub::runtime {

SlurmJobFiles JobFilesFor(const std::filesystem::path& data_dir, std::string_view job_id) {
  return SlurmJobFiles{data_dir / "jobs" / std::string(job_id) / "slurm"};
}

bool ValidJobId(std::string_view job_id) {
  if (job_id.empty() || job_id.size() > 64) return false;
  for (char c : job_id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

std::string ShellQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string BatchScript(const std::filesystem::path& spacehub,
                        const std::filesystem::path& launch) {
  return "#!/bin/sh\n"
         "# A spacehub job (written by the hub's Slurm backend): the node runs the job's sandbox.\n"
         "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
         "export PATH\n"
         "exec " +
         ShellQuote(spacehub.string()) + " job-exec " + ShellQuote(launch.string()) + "\n";
}

std::string SlurmTimeLimit(int64_t seconds) {
  int64_t minutes = (seconds + 59) / 60;
  int64_t days = minutes / (24 * 60);
  int64_t hours = minutes / 60 % 24;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lld-%02lld:%02lld:00", static_cast<long long>(days),
                static_cast<long long>(hours), static_cast<long long>(minutes % 60));
  return buf;
}

std::vector<std::string> SbatchArgv(const std::string& sbatch, const JobLaunch& launch,
                                    const SlurmJobFiles& files,
                                    const std::string& default_partition) {
  const JobResources& r = launch.resources;
  std::vector<std::string> argv = {sbatch,
                                   "--parsable",
                                   "--export=ALL",
                                   "--no-requeue",
                                   "--job-name=spacehub-" + launch.job_id,
                                   "--chdir=" + files.dir.string(),
                                   "--output=" + files.output().string(),
                                   "--open-mode=append",
                                   "--ntasks=1"};
  const std::string& partition = r.partition.empty() ? default_partition : r.partition;
  if (!partition.empty()) argv.push_back("--partition=" + partition);
  if (r.cpus > 0) argv.push_back("--cpus-per-task=" + std::to_string(r.cpus));
  if (r.memory_mb > 0) argv.push_back("--mem=" + std::to_string(r.memory_mb) + "M");
  if (!r.gres.empty()) {
    argv.push_back("--gres=" + r.gres);
  } else if (r.gpus > 0) {
    argv.push_back("--gres=gpu:" + std::to_string(r.gpus));
  }
  if (launch.timeout_seconds > 0)
    argv.push_back("--time=" + SlurmTimeLimit(launch.timeout_seconds));
  argv.push_back(files.script().string());
  return argv;
}

}  // namespace spacehub::runtime
