#include "runtime/process.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <functional>
#include <string_view>

namespace spacehub::runtime {
namespace {

// Failure steps of SandboxSetup (Subprocess reports them through Describe below).
enum Step : int {
  kStepIds = 1,
  kStepFileSize = 2,
  kStepJoinCgroup = 100,  // + index
};

// What a Space's process does between fork and exec, after Subprocess has put its fds in place:
// joins its cgroups (so the program and everything it starts is limited from its first
// instruction), drops every supplementary group and becomes its uid/gid, sets the umask and the
// largest file. Everything is computed before fork; operator() makes only async-signal-safe calls.
struct SandboxSetup {
  std::vector<std::string> joins;
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  mode_t umask = 022;
  int64_t max_file_bytes = 0;

  int operator()() const {
    for (size_t i = 0; i < joins.size(); ++i) {
      int fd = ::open(joins[i].c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0 || ::write(fd, "0", 1) != 1) return kStepJoinCgroup + static_cast<int>(i);
      ::close(fd);
    }
    if (gid || uid) {
      const gid_t g = gid ? *gid : static_cast<gid_t>(*uid);
      if (::setgroups(0, nullptr) != 0 || ::setresgid(g, g, g) != 0) return kStepIds;
      if (uid && ::setresuid(*uid, *uid, *uid) != 0) return kStepIds;
    }
    ::umask(umask);
    if (max_file_bytes > 0) {
      rlimit fsize{static_cast<rlim_t>(max_file_bytes), static_cast<rlim_t>(max_file_bytes)};
      if (::setrlimit(RLIMIT_FSIZE, &fsize) != 0) return kStepFileSize;
    }
    return 0;
  }
};

std::string Describe(int step, const SpawnOptions& o) {
  if (step >= kStepJoinCgroup) {
    return "join cgroup " + o.join_cgroups[static_cast<size_t>(step - kStepJoinCgroup)].string();
  }
  if (step == kStepFileSize) return "limit the file size of " + o.argv[0];
  return "switch to uid " + std::to_string(o.uid.value_or(0)) + " to run " + o.argv[0];
}

}  // namespace

Result<std::unique_ptr<Subprocess>> Spawn(const SpawnOptions& o) {
  SubprocessOptions so;
  so.argv = o.argv;
  for (const auto& [k, v] : o.env) so.env.push_back(std::string(k).append("=").append(v));
  so.cwd = o.cwd;
  so.stdout_mode = o.pipe_output ? SubprocessOptions::Out::kPipe : SubprocessOptions::Out::kNull;
  so.stderr_mode = SubprocessOptions::Err::kStdout;
  so.extra_fds = o.extra_fds;
  SandboxSetup setup;
  for (const auto& p : o.join_cgroups) setup.joins.push_back(p.string());
  setup.uid = o.uid;
  setup.gid = o.gid;
  setup.umask = o.umask;
  setup.max_file_bytes = o.max_file_bytes;
  so.child_setup = std::move(setup);
  so.describe_step = [o](int step) { return Describe(step, o); };
  return Subprocess::Start(std::move(so));
}

int64_t DiskUsage(const std::filesystem::path& dir) {
  int64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) == 0) total += static_cast<int64_t>(st.st_blocks) * 512;
  }
  return total;
}

namespace {

// The log of RunToLog: what the child writes, up to a cap, and the hub's own notes.
class CappedLog {
 public:
  CappedLog(int fd, int64_t cap) : fd_(fd), cap_(cap) {}
  ~CappedLog() { ::close(fd_); }
  void Output(std::string_view data) {
    const int64_t n = static_cast<int64_t>(data.size());
    const int64_t keep = std::min<int64_t>(n, std::max<int64_t>(0, cap_ - written_));
    if (keep > 0) (void)!::write(fd_, data.data(), static_cast<size_t>(keep));
    written_ += keep;
    if (keep < n && !truncated_) {
      truncated_ = true;
      Note("\nspacehub: the log reached " + std::to_string(cap_ >> 20) +
           " MiB; the rest of this command's output is dropped\n");
    }
  }
  void Note(const std::string& text) { (void)!::write(fd_, text.data(), text.size()); }

 private:
  int fd_;
  int64_t cap_;
  int64_t written_ = 0;
  bool truncated_ = false;
};

// Kills `proc` once `budget.dir` uses more than its budget, measured about once a second.
std::function<void()> BudgetCheck(const DiskBudget& budget, Subprocess& proc, CappedLog& log) {
  if (budget.dir.empty()) return {};
  auto next = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  bool killed = false;
  return [&budget, &proc, &log, next, killed]() mutable {
    if (killed || std::chrono::steady_clock::now() < next) return;
    next = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    if (int64_t used = DiskUsage(budget.dir); used > budget.max_bytes) {
      proc.Kill(SIGKILL);
      killed = true;
      log.Note("spacehub: stopped: the build wrote " + std::to_string(used >> 20) +
               " MiB, more than its " + std::to_string(budget.max_bytes >> 20) + " MiB of disk\n");
    }
  };
}

}  // namespace

Result<int> RunToLog(SpawnOptions o, const std::filesystem::path& log_path,
                     std::chrono::seconds timeout, int64_t log_cap, const DiskBudget& budget) {
  int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::Internal("Cannot open " + log_path.string());
  CappedLog log(fd, log_cap);
  o.pipe_output = true;
  SH_ASSIGN_OR_RETURN(auto proc, Spawn(o));
  Subprocess::Drain d;
  d.on_data = [&](std::string_view data) { log.Output(data); };
  d.deadline = std::chrono::steady_clock::now() + timeout;
  d.on_deadline = [&] {
    log.Note("spacehub: killed after " + std::to_string(timeout.count()) + " s\n");
  };
  d.on_tick = BudgetCheck(budget, *proc, log);
  return proc->DrainOutput(d);
}

void AppendLine(const std::filesystem::path& log_path, const std::string& line) {
  int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return;
  std::string l = line + "\n";
  (void)!::write(fd, l.data(), l.size());
  ::close(fd);
}

}  // namespace spacehub::runtime
