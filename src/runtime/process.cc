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
