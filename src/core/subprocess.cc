#include "core/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <limits>
#include <sstream>
#include <thread>

namespace spacehub {
namespace {

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

// Steps of the child's own preparation (negative: child_setup's are positive).
enum Step : int {
  kStepStdin = -1,
  kStepStdout = -2,
  kStepStderr = -3,
  kStepExtraFds = -4,
  kStepCloseRest = -5,
  kStepCwd = -6,
  kStepExec = -7,
};

constexpr size_t kMaxExtraFds = 64;
constexpr int kMaxChildFd = 1024;

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

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

// Everything the child needs, computed before fork: the child only reads it.
struct ChildPlan {
  std::string path;  // resolved argv[0]
  std::vector<char*> argv;
  std::vector<char*> envp;
  int in = -1, out = -1, err = -1;  // sources for 0, 1, 2 (-1: /dev/null)
  bool err_is_out = false;
  std::vector<std::pair<int, int>> extra;
  std::vector<int> targets;  // sorted, unique, holds 0, 1, 2
  const char* cwd = nullptr;
  const std::function<int()>* setup = nullptr;
};

// Duplicates `fd` above every target (close-on-exec), so that placing one source never clobbers
// another's (an extra fd may sit at a number another is mapped to). -1 stays -1.
int Lift(int fd, int above) { return fd < 0 ? -1 : ::fcntl(fd, F_DUPFD_CLOEXEC, above); }

// Puts `src` (or /dev/null opened with `null_flags`) at `target`.
bool Place(int src, int target, int null_flags) {
  if (src < 0) src = ::open("/dev/null", null_flags | O_CLOEXEC);
  return src >= 0 && ::dup2(src, target) >= 0;
}

// The child between fork and exec: only async-signal-safe calls. Reports a failure as
// {step, errno} on `report_fd` (close-on-exec: an exec that works closes it silently).
[[noreturn]] void RunChild(const ChildPlan& p, int report_fd) {
  auto fail = [report_fd](int step) {
    int msg[2] = {step, errno};
    (void)!::write(report_fd, msg, sizeof(msg));
    ::_exit(127);
  };
  sigset_t none;
  sigemptyset(&none);
  for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  const int above = p.targets.back() + 1;
  const int in = Lift(p.in, above), out = Lift(p.out, above), err = Lift(p.err, above);
  if ((p.in >= 0 && in < 0) || (p.out >= 0 && out < 0) || (p.err >= 0 && err < 0)) {
    fail(kStepExtraFds);
  }
  int high[kMaxExtraFds];
  for (size_t i = 0; i < p.extra.size(); ++i) {
    if ((high[i] = Lift(p.extra[i].first, above)) < 0) fail(kStepExtraFds);
  }
  if (!Place(in, 0, O_RDONLY)) fail(kStepStdin);
  if (!Place(out, 1, O_WRONLY)) fail(kStepStdout);
  if (!(p.err_is_out ? ::dup2(1, 2) >= 0 : Place(err, 2, O_WRONLY))) fail(kStepStderr);
  for (size_t i = 0; i < p.extra.size(); ++i) {
    if (::dup2(high[i], p.extra[i].second) < 0) fail(kStepExtraFds);
  }
  // Everything that is not a target closes on exec.
  for (size_t i = 0; i < p.targets.size(); ++i) {
    unsigned first = static_cast<unsigned>(p.targets[i]) + 1;
    unsigned last = i + 1 < p.targets.size() ? static_cast<unsigned>(p.targets[i + 1]) - 1 : ~0U;
    if (!CloexecRange(first, last)) fail(kStepCloseRest);
  }
  if (p.setup && *p.setup) {
    if (int step = (*p.setup)(); step != 0) fail(step);
  }
  if (p.cwd && ::chdir(p.cwd) != 0) fail(kStepCwd);
  ::execve(p.path.c_str(), p.argv.data(), p.envp.data());
  fail(kStepExec);
  ::_exit(127);
}

// argv[0] itself when it holds a '/', else the first executable of that name in `env`'s PATH.
Result<std::string> ResolveProgram(const std::string& name, const std::vector<std::string>& env) {
  if (name.find('/') != std::string::npos) return name;
  std::string path = "/usr/bin:/bin";
  for (const auto& e : env) {
    if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
  }
  std::stringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    std::string candidate = dir.append("/").append(name);
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return Status::Unavailable("Cannot execute " + name + ": not found in PATH");
}

Status CheckOptions(const SubprocessOptions& o) {
  if (o.argv.empty()) return Status::InvalidArgument("empty argv");
  if (o.extra_fds.size() > kMaxExtraFds) return Status::InvalidArgument("too many fds for a child");
  for (const auto& [from, to] : o.extra_fds) {
    if (to < 3 || to >= kMaxChildFd) {
      return Status::InvalidArgument("a child fd must be in [3, " + std::to_string(kMaxChildFd) +
                                     ")");
    }
  }
  return Status::Ok();
}

std::string DescribeStep(int step, const SubprocessOptions& o) {
  if (step > 0 && o.describe_step) return o.describe_step(step);
  switch (step) {
    case kStepExec:
      return "execute " + o.argv[0];
    case kStepCwd:
      return "enter " + o.cwd.string();
    default:
      return "prepare the child (step " + std::to_string(step) + ")";
  }
}

// The parent's and the child's ends of the standard streams.
struct Pipes {
  int parent_in = -1, child_in = -1;
  int parent_out = -1, child_out = -1;
  int err = -1;  // memfd: shared by both
  ~Pipes() {
    CloseFd(parent_in);
    CloseFd(child_in);
    CloseFd(parent_out);
    CloseFd(child_out);
    CloseFd(err);
  }
};

Status OpenPipes(const SubprocessOptions& o, Pipes& p) {
  int fds[2];
  if (o.stdin_mode == SubprocessOptions::In::kPipe) {
    if (::pipe2(fds, O_CLOEXEC) != 0) return Status::Internal("pipe failed");
    p.child_in = fds[0];
    p.parent_in = fds[1];
  }
  if (o.stdout_mode == SubprocessOptions::Out::kPipe) {
    if (::pipe2(fds, O_CLOEXEC) != 0) return Status::Internal("pipe failed");
    p.parent_out = fds[0];
    p.child_out = fds[1];
  }
  if (o.stderr_mode == SubprocessOptions::Err::kMemory) {
    p.err = ::memfd_create("stderr", MFD_CLOEXEC);
    if (p.err < 0) return Status::Internal("memfd_create failed");
  }
  if (o.non_blocking) {
    for (int fd : {p.parent_in, p.parent_out}) {
      if (fd >= 0) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
  }
  return Status::Ok();
}

// Fills everything but the argv/envp pointers, which point into `argv` and `env` strings.
ChildPlan MakePlan(SubprocessOptions& o, const Pipes& p, std::string path) {
  ChildPlan plan;
  plan.path = std::move(path);
  for (auto& s : o.argv) plan.argv.push_back(s.data());
  plan.argv.push_back(nullptr);
  for (auto& s : o.env) plan.envp.push_back(s.data());
  plan.envp.push_back(nullptr);
  plan.in = p.child_in;
  plan.out = p.child_out;
  plan.err = p.err;
  plan.err_is_out = o.stderr_mode == SubprocessOptions::Err::kStdout;
  plan.extra = o.extra_fds;
  plan.targets = {0, 1, 2};
  for (const auto& [from, to] : o.extra_fds) plan.targets.push_back(to);
  std::sort(plan.targets.begin(), plan.targets.end());
  plan.targets.erase(std::unique(plan.targets.begin(), plan.targets.end()), plan.targets.end());
  if (!o.cwd.empty()) plan.cwd = o.cwd.c_str();
  plan.setup = &o.child_setup;
  return plan;
}

// Forks the child; returns its pid once it has exec'd, or the step it failed at.
Result<pid_t> ForkAndExec(const ChildPlan& plan, const SubprocessOptions& o) {
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return Status::Internal("pipe failed");
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    ::close(report[0]);
    ::close(report[1]);
    return Status::Unavailable(std::string("fork failed: ") + std::strerror(e));
  }
  if (pid == 0) RunChild(plan, report[1]);
  ::close(report[1]);
  int msg[2];
  ssize_t n;
  while ((n = ::read(report[0], msg, sizeof(msg))) < 0 && errno == EINTR) {
  }
  ::close(report[0]);
  if (n <= 0) return pid;  // exec'd
  int status;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return Status::Unavailable("Cannot " + DescribeStep(msg[0], o) + ": " + std::strerror(msg[1]));
}

}  // namespace

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 255;
}

void LineSplitter::Emit(std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  on_line_(std::move(line));
}

void LineSplitter::Feed(std::string_view data) {
  pending_.append(data);
  size_t start = 0, nl;
  while ((nl = pending_.find('\n', start)) != std::string::npos) {
    Emit(pending_.substr(start, nl - start));
    start = nl + 1;
  }
  pending_.erase(0, start);
  if (pending_.size() > max_line_) {
    Emit(std::move(pending_));
    pending_.clear();
  }
}

void LineSplitter::Finish() {
  if (!pending_.empty()) Emit(std::move(pending_));
  pending_.clear();
}

Result<std::unique_ptr<Subprocess>> Subprocess::Start(SubprocessOptions o) {
  SH_TRY(CheckOptions(o));
  SH_ASSIGN_OR_RETURN(std::string path, ResolveProgram(o.argv[0], o.env));
  Pipes pipes;
  SH_TRY(OpenPipes(o, pipes));
  ChildPlan plan = MakePlan(o, pipes, std::move(path));
  SH_ASSIGN_OR_RETURN(pid_t pid, ForkAndExec(plan, o));
  std::unique_ptr<Subprocess> p(new Subprocess());
  p->pid_ = pid;
  p->kill_grace_ = o.kill_grace;
  std::swap(p->stdin_fd_, pipes.parent_in);
  std::swap(p->stdout_fd_, pipes.parent_out);
  std::swap(p->stderr_fd_, pipes.err);
  return p;
}

Subprocess::~Subprocess() {
  CloseStdin();
  // Stdout stays open until the child is gone: a child that sees the end of its input and writes
  // its last words would otherwise die of SIGPIPE before cleaning up (receive-pack, cut off
  // mid-push, left its quarantine folder behind that way).
  KillAndReap();
  CloseStdout();
  CloseFd(stderr_fd_);
}

namespace {
constexpr std::chrono::milliseconds kOwnExitWait{200};
}  // namespace

void Subprocess::KillAndReap() {
  if (Reap(false)) return;
  if (kill_grace_.count() > 0) {
    // Its stdin is closed by now: a child reading its input sees the end and usually exits by
    // itself within milliseconds, cleaning up on the way (git removes its quarantine), which a
    // signal would cut short. So a moment to end on its own (short: this runs on the caller's
    // thread, and a child blocked writing to a reader that went away will not end by itself),
    // then SIGTERM and the rest of the grace.
    auto wait = [this](std::chrono::milliseconds d) {
      const auto until = std::chrono::steady_clock::now() + d;
      while (!Reap(false)) {
        if (std::chrono::steady_clock::now() >= until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      return true;
    };
    const auto own = std::min<std::chrono::milliseconds>(kill_grace_ / 2, kOwnExitWait);
    if (wait(own)) return;
    Kill(SIGTERM);
    if (wait(kill_grace_ - own)) return;
  }
  Kill(SIGKILL);
  Reap(true);
}

void Subprocess::CloseStdin() { CloseFd(stdin_fd_); }
void Subprocess::CloseStdout() { CloseFd(stdout_fd_); }

bool Subprocess::Kill(int sig) {
  MutexLock lock(mu_);
  if (reaped_) return false;
  return ::kill(pid_, sig) == 0;
}

bool Subprocess::Reap(bool block) {
  {
    MutexLock lock(mu_);
    if (reaped_) return true;
  }
  // Waits for the exit without reaping, so that Kill (which holds mu_) never meets a reaped pid.
  siginfo_t info{};
  int rc;
  while ((rc = ::waitid(P_PID, static_cast<id_t>(pid_), &info,
                        WEXITED | WNOWAIT | (block ? 0 : WNOHANG))) < 0 &&
         errno == EINTR) {
  }
  if (rc == 0 && info.si_pid == 0) return false;  // still running
  MutexLock lock(mu_);
  int status = 0;
  pid_t r;
  while ((r = ::waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  exit_code_ = r == pid_ ? ExitCodeOf(status) : 255;
  return true;
}

std::optional<int> Subprocess::TryWait() {
  if (!Reap(false)) return std::nullopt;
  MutexLock lock(mu_);
  return exit_code_;
}

int Subprocess::Wait() {
  Reap(true);
  MutexLock lock(mu_);
  return exit_code_;
}

std::string Subprocess::Stderr(size_t max) const {
  std::string s(max, '\0');
  ssize_t n = stderr_fd_ >= 0 ? ::pread(stderr_fd_, s.data(), max, 0) : -1;
  s.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return s;
}

namespace {
// poll()'s timeout for a wait of `d`: -1 (no end) for one too long to count in milliseconds.
int PollMillis(std::chrono::milliseconds d) {
  return d.count() > std::numeric_limits<int>::max() ? -1 : static_cast<int>(d.count());
}
}  // namespace

int Subprocess::DrainOutput(const Drain& d) {
  using Clock = std::chrono::steady_clock;
  bool exited = false, killed = false;
  auto next_tick = Clock::now() + d.tick;
  char buf[16384];
  while (stdout_fd_ >= 0) {
    // Short polls while the child runs, so that its exit, the deadline and the ticks are seen
    // even when a descendant keeps the pipe open and silent.
    pollfd pf{stdout_fd_, POLLIN, 0};
    const int wait_ms = !exited        ? static_cast<int>(d.tick.count())
                        : !d.until_eof ? 0
                                       : PollMillis(d.eof_wait);
    const int ready = ::poll(&pf, 1, wait_ms);
    if (ready > 0) {
      ssize_t n = ::read(stdout_fd_, buf, sizeof(buf));
      if (n > 0 && d.on_data) d.on_data(std::string_view(buf, static_cast<size_t>(n)));
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) break;
    } else if (exited && d.until_eof && ready == 0) {
      if (d.on_eof_wait) d.on_eof_wait();
      break;  // silent for eof_wait since the exit, and still not closed
    } else if ((exited && !d.until_eof) || (ready < 0 && errno != EINTR)) {
      break;  // exited, and whatever still holds the pipe has nothing to say
    }
    if (!exited) exited = Reap(false);
    const auto now = Clock::now();
    if (!exited && !killed && now >= d.deadline) {
      Kill(SIGKILL);
      killed = true;
      if (d.on_deadline) d.on_deadline();
    }
    if (!exited && d.on_tick && now >= next_tick) {
      next_tick = now + d.tick;
      d.on_tick();
    }
  }
  return Wait();
}

int Subprocess::ReadLines(size_t max_line, const std::function<void(std::string)>& on_line,
                          std::chrono::steady_clock::time_point deadline,
                          const std::function<void()>& on_deadline) {
  LineSplitter lines(max_line, on_line);
  Drain d;
  d.on_data = [&](std::string_view data) { lines.Feed(data); };
  d.deadline = deadline;
  d.on_deadline = on_deadline;
  const int code = DrainOutput(d);
  lines.Finish();
  return code;
}

}  // namespace spacehub
