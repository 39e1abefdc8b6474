#include "runtime/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

namespace spacehub::runtime {
namespace {

// The child of SpawnForked, between fork and exec: only async-signal-safe calls. Reports a
// failure as {step, errno} on `err_fd` (close-on-exec: an exec that works closes it silently).
[[noreturn]] void ForkedChild(const SpawnOptions& o, char* const* argv, char* const* envp,
                              const std::vector<const char*>& joins, int err_fd) {
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
    if (fd < 0 || ::write(fd, "0", 1) != 1) fail(100 + static_cast<int>(i));
    ::close(fd);
  }
  int null_in = ::open("/dev/null", O_RDONLY);
  if (null_in < 0 || ::dup2(null_in, 0) < 0) fail(1);
  if (o.stdout_fd >= 0) {
    if (::dup2(o.stdout_fd, 1) < 0 || ::dup2(o.stdout_fd, 2) < 0) fail(2);
  } else {
    int null_out = ::open("/dev/null", O_WRONLY);
    if (null_out < 0 || ::dup2(null_out, 1) < 0 || ::dup2(1, 2) < 0) fail(2);
  }
  for (const auto& [from, to] : o.extra_fds) {
    if (from == to) {
      if (::fcntl(to, F_SETFD, 0) < 0) fail(3);  // keep it open across exec
    } else if (::dup2(from, to) < 0) {
      fail(3);
    }
  }
  if (!o.cwd.empty() && ::chdir(o.cwd.c_str()) != 0) fail(4);
  ::execve(argv[0], argv, envp);
  fail(5);
  ::_exit(127);
}

Result<pid_t> SpawnForked(const SpawnOptions& o, char* const* argv, char* const* envp) {
  std::vector<std::string> join_strings;
  for (const auto& p : o.join_cgroups) join_strings.push_back(p.string());
  std::vector<const char*> joins;
  for (const auto& s : join_strings) joins.push_back(s.c_str());
  int err[2];
  if (::pipe2(err, O_CLOEXEC) != 0) return Status::Internal("pipe failed");
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    ::close(err[0]);
    ::close(err[1]);
    return Status::Unavailable(std::string("fork failed: ") + std::strerror(e));
  }
  if (pid == 0) ForkedChild(o, argv, envp, joins, err[1]);
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
  std::string step = msg[0] >= 100 ? "join cgroup " + join_strings[msg[0] - 100]
                     : msg[0] == 5 ? "execute " + o.argv[0]
                                   : "prepare the child (step " + std::to_string(msg[0]) + ")";
  return Status::Unavailable("Cannot " + step + ": " + std::strerror(msg[1]));
}

}  // namespace

Result<pid_t> Spawn(const SpawnOptions& o) {
  if (o.argv.empty()) return Status::InvalidArgument("empty argv");
  std::vector<char*> argv;
  for (const auto& s : o.argv) argv.push_back(const_cast<char*>(s.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : o.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  if (!o.join_cgroups.empty()) return SpawnForked(o, argv.data(), envp.data());

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  if (o.stdout_fd >= 0) {
    posix_spawn_file_actions_adddup2(&fa, o.stdout_fd, 1);
    posix_spawn_file_actions_adddup2(&fa, o.stdout_fd, 2);
  } else {
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
  }
  for (const auto& [from, to] : o.extra_fds) posix_spawn_file_actions_adddup2(&fa, from, to);
  if (!o.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, o.cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // The hub blocks SIGTERM/SIGINT in its threads (serve.cc) and ignores SIGPIPE: children start
  // with the default mask and dispositions.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return Status::Unavailable("Cannot start " + o.argv[0] + ": " + std::strerror(rc));
  }
  return pid;
}

Result<int> RunToLog(SpawnOptions o, const std::filesystem::path& log_path,
                     std::chrono::seconds timeout) {
  int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return Status::Internal("Cannot open " + log_path.string());
  o.stdout_fd = fd;
  auto pid = Spawn(o);
  ::close(fd);
  if (!pid.ok()) return pid.status();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  bool killed = false;
  for (;;) {
    pid_t r = ::waitpid(*pid, &status, WNOHANG);
    if (r == *pid) break;
    if (r < 0 && errno != EINTR) return Status::Internal("waitpid failed");
    if (!killed && std::chrono::steady_clock::now() > deadline) {
      ::kill(*pid, SIGKILL);
      killed = true;
      AppendLine(log_path, "spacehub: killed after " + std::to_string(timeout.count()) + " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

void AppendLine(const std::filesystem::path& log_path, const std::string& line) {
  std::ofstream out(log_path, std::ios::app);
  out << line << "\n";
}

}  // namespace spacehub::runtime
