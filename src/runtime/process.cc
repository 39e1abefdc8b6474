#include "runtime/process.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace spacehub::runtime {
namespace {

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

// Failure steps reported by the child (see Describe below).
enum Step : int {
  kStepStdin = 1,
  kStepStdout = 2,
  kStepExtraFds = 3,
  kStepCwd = 4,
  kStepExec = 5,
  kStepCloseRest = 6,
  kStepIds = 7,
  kStepJoinCgroup = 100,  // + index
};

// Marks fds [first, last] close-on-exec: one call on kernels with close_range (5.11+), a loop
// over the fd table otherwise. Async-signal-safe.
bool CloexecRange(unsigned first, unsigned last) {
  if (first > last) return true;
  if (::syscall(SYS_close_range, first, last, CLOSE_RANGE_CLOEXEC) == 0) return true;
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return false;
  const unsigned end = static_cast<unsigned>(std::min<rlim_t>(rl.rlim_cur, last));
  for (unsigned fd = first; fd <= end && fd < rl.rlim_cur; ++fd) {
    if (::fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC) < 0 && errno != EBADF) return false;
  }
  return true;
}

// The child between fork and exec: only async-signal-safe calls. Reports a failure as
// {step, errno} on `err_fd` (close-on-exec: an exec that works closes it silently).
[[noreturn]] void ForkedChild(const SpawnOptions& o, char* const* argv, char* const* envp,
                              const std::vector<const char*>& joins, int* targets, int n_targets,
                              int err_fd) {
  auto fail = [err_fd](int step) {
    int msg[2] = {step, errno};
    (void)!::write(err_fd, msg, sizeof(msg));
    ::_exit(127);
  };
  sigset_t none;
  sigemptyset(&none);
  for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (size_t i = 0; i < joins.size(); ++i) {
    int fd = ::open(joins[i], O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ::write(fd, "0", 1) != 1) fail(kStepJoinCgroup + static_cast<int>(i));
    ::close(fd);
  }
  // Every source fd first moves above the highest target, so that mapping one never clobbers
  // another's source (an extra fd may sit at a number another is mapped to).
  constexpr int kHigh = 1024;
  int out = -1;
  if (o.stdout_fd >= 0 && (out = ::fcntl(o.stdout_fd, F_DUPFD_CLOEXEC, kHigh)) < 0) {
    fail(kStepStdout);
  }
  int high[64];
  const size_t n_extra = std::min<size_t>(o.extra_fds.size(), 64);
  for (size_t i = 0; i < n_extra; ++i) {
    if ((high[i] = ::fcntl(o.extra_fds[i].first, F_DUPFD_CLOEXEC, kHigh)) < 0) fail(kStepExtraFds);
  }
  int null_in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_in < 0 || ::dup2(null_in, 0) < 0) fail(kStepStdin);
  if (out >= 0) {
    if (::dup2(out, 1) < 0 || ::dup2(out, 2) < 0) fail(kStepStdout);
  } else {
    int null_out = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null_out < 0 || ::dup2(null_out, 1) < 0 || ::dup2(1, 2) < 0) fail(kStepStdout);
  }
  for (size_t i = 0; i < n_extra; ++i) {
    if (::dup2(high[i], o.extra_fds[i].second) < 0) fail(kStepExtraFds);
  }
  // Everything that is not a target closes on exec (`targets` is sorted and holds 0, 1, 2).
  for (int i = 0; i < n_targets; ++i) {
    unsigned first = static_cast<unsigned>(targets[i]) + 1;
    unsigned last = i + 1 < n_targets ? static_cast<unsigned>(targets[i + 1]) - 1 : ~0U;
    if (!CloexecRange(first, last)) fail(kStepCloseRest);
  }
  if (o.gid || o.uid) {
    const gid_t gid = o.gid ? *o.gid : static_cast<gid_t>(*o.uid);
    if (::setgroups(0, nullptr) != 0 || ::setresgid(gid, gid, gid) != 0) fail(kStepIds);
    if (o.uid && ::setresuid(*o.uid, *o.uid, *o.uid) != 0) fail(kStepIds);
  }
  ::umask(o.umask);
  if (o.max_file_bytes > 0) {
    rlimit fsize{static_cast<rlim_t>(o.max_file_bytes), static_cast<rlim_t>(o.max_file_bytes)};
    if (::setrlimit(RLIMIT_FSIZE, &fsize) != 0) fail(kStepIds);
  }
  if (!o.cwd.empty() && ::chdir(o.cwd.c_str()) != 0) fail(kStepCwd);
  ::execve(argv[0], argv, envp);
  fail(kStepExec);
  ::_exit(127);
}

std::string Describe(int step, const SpawnOptions& o) {
  if (step >= kStepJoinCgroup) {
    return "join cgroup " + o.join_cgroups[static_cast<size_t>(step - kStepJoinCgroup)].string();
  }
  switch (step) {
    case kStepExec:
      return "execute " + o.argv[0];
    case kStepIds:
      return "switch to uid " + std::to_string(o.uid.value_or(0)) + " to run " + o.argv[0];
    case kStepCwd:
      return "enter " + o.cwd.string();
    default:
      return "prepare the child (step " + std::to_string(step) + ")";
  }
}

}  // namespace

Result<pid_t> Spawn(const SpawnOptions& o) {
  if (o.argv.empty()) return Status::InvalidArgument("empty argv");
  if (o.extra_fds.size() > 64) return Status::InvalidArgument("too many fds for a child");
  std::vector<char*> argv;
  for (const auto& s : o.argv) argv.push_back(const_cast<char*>(s.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : o.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> join_strings;
  for (const auto& p : o.join_cgroups) join_strings.push_back(p.string());
  std::vector<const char*> joins;
  for (const auto& s : join_strings) joins.push_back(s.c_str());
  std::vector<int> targets = {0, 1, 2};
  for (const auto& [from, to] : o.extra_fds) {
    if (to < 3 || to >= 1024) return Status::InvalidArgument("a child fd must be in [3, 1024)");
    targets.push_back(to);
  }
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());

  int err[2];
  if (::pipe2(err, O_CLOEXEC) != 0) return Status::Internal("pipe failed");
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    ::close(err[0]);
    ::close(err[1]);
    return Status::Unavailable(std::string("fork failed: ") + std::strerror(e));
  }
  if (pid == 0) {
    ForkedChild(o, argv.data(), envp.data(), joins, targets.data(),
                static_cast<int>(targets.size()), err[1]);
  }
  ::close(err[1]);
  int msg[2];
  ssize_t n;
  while ((n = ::read(err[0], msg, sizeof(msg))) < 0 && errno == EINTR) {
  }
  ::close(err[0]);
  if (n <= 0) return pid;  // exec'd
  int status;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return Status::Unavailable("Cannot " + Describe(msg[0], o) + ": " + std::strerror(msg[1]));
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

Result<int> RunToLog(SpawnOptions o, const std::filesystem::path& log_path,
                     std::chrono::seconds timeout, int64_t log_cap, const DiskBudget& budget) {
  int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (log < 0) return Status::Internal("Cannot open " + log_path.string());
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) {
    ::close(log);
    return Status::Internal("pipe failed");
  }
  o.stdout_fd = p[1];
  auto pid = Spawn(o);
  ::close(p[1]);
  if (!pid.ok()) {
    ::close(p[0]);
    ::close(log);
    return pid.status();
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  bool killed = false, reaped = false, eof = false, truncated = false;
  int64_t written = 0;
  char buf[16384];
  auto next_measure = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (!reaped || !eof) {
    pollfd pf{p[0], POLLIN, 0};
    int ready = eof ? 0 : ::poll(&pf, 1, reaped ? 0 : 100);
    if (ready > 0) {
      ssize_t n = ::read(p[0], buf, sizeof(buf));
      if (n > 0) {
        const int64_t keep = std::min<int64_t>(n, std::max<int64_t>(0, log_cap - written));
        if (keep > 0) (void)!::write(log, buf, static_cast<size_t>(keep));
        written += keep;
        if (keep < n && !truncated) {
          truncated = true;
          const std::string note = "\nspacehub: the log reached " + std::to_string(log_cap >> 20) +
                                   " MiB; the rest of this command's output is dropped\n";
          (void)!::write(log, note.data(), note.size());
        }
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      eof = true;  // EOF or error
    } else if (reaped) {
      break;  // exited, and whatever still holds the pipe (a leftover child) has nothing to say
    }
    if (!reaped) {
      pid_t r = ::waitpid(*pid, &status, WNOHANG);
      if (r == *pid) reaped = true;
      if (r < 0 && errno != EINTR && errno != ECHILD) break;
    }
    if (!reaped && !killed && !budget.dir.empty() &&
        std::chrono::steady_clock::now() > next_measure) {
      next_measure = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      if (int64_t used = DiskUsage(budget.dir); used > budget.max_bytes) {
        ::kill(*pid, SIGKILL);
        killed = true;
        const std::string note = "spacehub: stopped: the build wrote " +
                                 std::to_string(used >> 20) + " MiB, more than its " +
                                 std::to_string(budget.max_bytes >> 20) + " MiB of disk\n";
        (void)!::write(log, note.data(), note.size());
      }
    }
    if (!reaped && !killed && std::chrono::steady_clock::now() > deadline) {
      ::kill(*pid, SIGKILL);
      killed = true;
      const std::string note = "spacehub: killed after " + std::to_string(timeout.count()) + " s\n";
      (void)!::write(log, note.data(), note.size());
    }
  }
  if (!reaped) {
    while (::waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  ::close(p[0]);
  ::close(log);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

void AppendLine(const std::filesystem::path& log_path, const std::string& line) {
  int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return;
  std::string l = line + "\n";
  (void)!::write(fd, l.data(), l.size());
  ::close(fd);
}

}  // namespace spacehub::runtime
