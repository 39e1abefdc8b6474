#include "runtime/slurm/slurm_job_backend.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "runtime/slurm/launch_file.h"
#include "runtime/slurm/slurm_batch.h"
#include "runtime/slurm/slurm_job_state.h"

namespace spacehub::runtime {
namespace {

struct Ref {
  std::string slurm_id;  // digits
  std::string job_id;    // the hub's
};

std::optional<Ref> ParseRef(const std::string& ref) {
  size_t colon = ref.find(':');
  if (colon == std::string::npos || colon == 0 || colon > 18) return std::nullopt;
  Ref r{ref.substr(0, colon), ref.substr(colon + 1)};
  for (char c : r.slurm_id) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  if (!ValidJobId(r.job_id)) return std::nullopt;
  return r;
}

// The job id in sbatch --parsable's answer ("<id>" or "<id>;<cluster>"); warnings may come first.
std::optional<std::string> ParsableJobId(const std::string& output) {
  std::istringstream in(output);
  std::string line;
  std::optional<std::string> id;
  while (std::getline(in, line)) {
    std::string head = line.substr(0, line.find(';'));
    if (!head.empty() && head.size() <= 18 &&
        head.find_first_not_of("0123456789") == std::string::npos) {
      id = head;
    }
  }
  return id;
}

// A command's output as one line for a message.
std::string OneLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  return text.size() > 500 ? text.substr(0, 500) + "..." : text;
}

Status WriteFile(const std::filesystem::path& path, const std::string& text, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return Status::Internal("Cannot create " + path.string());
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok ? Status::Ok() : Status::Internal("Cannot write " + path.string());
}

std::string ReadSmallFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string text(4096, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

// A fresh private directory for the job's files (a leftover of an earlier attempt goes first).
Status MakeJobDir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir.parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0) return Status::Internal("Cannot create " + dir.string());
  return Status::Ok();
}

}  // namespace

EnvList SlurmCommandEnv(const SlurmOptions& options) {
  EnvList env = {{"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
                 {"SLURM_TIME_FORMAT", "%s"}};
  if (!options.slurm_conf.empty()) env.emplace_back("SLURM_CONF", options.slurm_conf.string());
  return env;
}

SlurmJobBackend::SlurmJobBackend(SlurmOptions options, SlurmCommandRunner run)
    : options_(std::move(options)), run_(std::move(run)) {}

std::string SlurmJobBackend::Command(const char* name) const {
  return (options_.bin_dir / name).string();
}

Result<std::string> SlurmJobBackend::Submit(const JobLaunch& launch) {
  if (!ValidJobId(launch.job_id)) {
    return Status::InvalidArgument("Slurm backend: invalid job id '" + launch.job_id + "'");
  }
  const SlurmJobFiles files = JobFilesFor(options_.data_dir, launch.job_id);
  SH_TRY(MakeJobDir(files.dir));
  auto fail = [&](Status st) -> Result<std::string> {
    std::error_code ec;
    std::filesystem::remove_all(files.dir, ec);
    return st;
  };
  if (Status st =
          WriteFile(files.script(), BatchScript(options_.spacehub_binary, files.launch()), 0700);
      !st.ok()) {
    return fail(st);
  }
  if (Status st = WriteLaunchFile(files.launch(), launch); !st.ok()) return fail(st);
  auto out = run_(SbatchArgv(Command("sbatch"), launch, files, options_.partition));
  if (!out.ok()) return fail(Status::Unavailable("sbatch failed: " + out.status().message()));
  std::optional<std::string> id = out->code == 0 ? ParsableJobId(out->output) : std::nullopt;
  if (!id) {
    return fail(Status::Unavailable("Slurm did not accept the job: " + OneLine(out->output)));
  }
  return *id + ":" + launch.job_id;
}

void SlurmJobBackend::Remember(const std::string& ref, const JobRunStatus& st) {
  MutexLock lock(mu_);
  last_[ref] = st;
}

JobRunStatus SlurmJobBackend::Poll(const std::string& ref) {
  JobRunStatus lost;
  lost.state = JobRunState::kLost;
  std::optional<Ref> r = ParseRef(ref);
  if (!r) return lost;
  const SlurmJobFiles files = JobFilesFor(options_.data_dir, r->job_id);
  std::error_code ec;
  if (!std::filesystem::exists(files.dir, ec)) return lost;  // forgotten
  auto out = run_({Command("scontrol"), "show", "job", "-o", r->slurm_id});
  if (out.ok() && out->code != 0 && IsUnknownJobError(out->output)) {
    MutexLock lock(mu_);
    last_.erase(ref);
    return lost;
  }
  Result<SlurmJob> job = out.ok() && out->code == 0
                             ? ParseScontrolJob(out->output)
                             : Result<SlurmJob>(Status::Unavailable(
                                   out.ok() ? OneLine(out->output) : out.status().message()));
  if (job.ok()) {
    // Our job, or a reused id: the name is ours only (sbatch --job-name=spacehub-<id>).
    auto pairs = ParseScontrolPairs(out->output.substr(0, out->output.find('\n')));
    if (pairs["JobName"] != "spacehub-" + r->job_id) return lost;
    std::string exec_error;
    if (job->state == "FAILED") exec_error = ReadSmallFile(files.exec_error());
    JobRunStatus st = JobStatusOf(*job, exec_error);
    Remember(ref, st);
    return st;
  }
  MutexLock lock(mu_);
  if (auto it = last_.find(ref); it != last_.end()) return it->second;
  JobRunStatus pending;
  pending.state = JobRunState::kPending;
  pending.reason = "the Slurm controller does not answer: " + job.status().message();
  return pending;
}

void SlurmJobBackend::Cancel(const std::string& ref) {
  std::optional<Ref> r = ParseRef(ref);
  if (!r) return;
  // Slurm sends SIGTERM to every process of the job (job-exec stops its sandbox), then SIGKILL
  // after the cluster's KillWait. A job that already ended makes scancel complain: ignored.
  (void)run_({Command("scancel"), r->slurm_id});
}

void SlurmJobBackend::Forget(const std::string& ref) {
  std::optional<Ref> r = ParseRef(ref);
  if (!r) return;
  JobRunStatus st = Poll(ref);
  if (st.state == JobRunState::kPending || st.state == JobRunState::kRunning) Cancel(ref);
  std::error_code ec;
  std::filesystem::remove_all(JobFilesFor(options_.data_dir, r->job_id).dir, ec);
  MutexLock lock(mu_);
  last_.erase(ref);
}

Result<std::unique_ptr<JobBackend>> MakeSlurmJobBackend(const SlurmOptions& options) {
  SlurmOptions o = options;
  if (!o.data_dir.is_absolute()) {
    return Status::InvalidArgument("Slurm backend: the data directory must be an absolute path");
  }
  if (o.spacehub_binary.empty()) {
    std::error_code ec;
    o.spacehub_binary = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return Status::Internal("Slurm backend: cannot find this program's path");
  }
  for (const char* tool : {"sbatch", "scontrol", "scancel"}) {
    if (::access((o.bin_dir / tool).c_str(), X_OK) != 0) {
      return Status::Unavailable(std::string("Slurm backend: ") + (o.bin_dir / tool).string() +
                                 " is not installed (Debian: apt-get install slurm-client)");
    }
  }
  EnvList env = SlurmCommandEnv(o);
  std::chrono::seconds timeout = o.command_timeout;
  SlurmCommandRunner run = [env, timeout](const std::vector<std::string>& argv) {
    return RunCapture(argv, timeout, env);
  };
  auto ping = run({(o.bin_dir / "scontrol").string(), "ping"});
  if (!ping.ok() || ping->code != 0) {
    return Status::Unavailable(
        "Slurm backend: the controller does not answer `scontrol ping`" +
        (o.slurm_conf.empty() ? "" : " (SLURM_CONF=" + o.slurm_conf.string() + ")") + ": " +
        (ping.ok() ? OneLine(ping->output) : ping.status().message()));
  }
  return std::unique_ptr<JobBackend>(std::make_unique<SlurmJobBackend>(o, std::move(run)));
}

}  // namespace spacehub::runtime
