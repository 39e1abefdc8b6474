#include "repo/git_command.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace spacehub::repo {
namespace {

struct SubcommandSpec {
  GitSubcommand id;
  const char* name;
  std::vector<std::string_view> options;
};

// Only what the hub itself uses. Anything else (--upload-pack=<cmd>, --exec, --output...) is out
// by construction.
const std::vector<SubcommandSpec>& Specs() {
  static const std::vector<SubcommandSpec> specs = {
      {GitSubcommand::kUploadPack,
       "upload-pack",
       {"--stateless-rpc", "--advertise-refs", "--strict"}},
      {GitSubcommand::kReceivePack, "receive-pack", {"--stateless-rpc", "--advertise-refs"}},
      // --stdin with --not --all: the pushed tips read from stdin, minus everything reachable from
      // existing refs (git reads --stdin revisions as positive whatever --not says).
      {GitSubcommand::kRevList, "rev-list", {"--objects", "--stdin", "--not", "--all"}},
      {GitSubcommand::kCatFile, "cat-file", {"--batch-check=", "--batch"}},
  };
  return specs;
}

const SubcommandSpec& SpecFor(GitSubcommand id) {
  for (const auto& s : Specs()) {
    if (s.id == id) return s;
  }
  std::abort();  // every enumerator has a spec
}

// Config the hub may force. core.hooksPath points receive-pack at the hub's own hooks (the push
// rules); receive.fsckObjects makes receive-pack refuse malformed objects before any ref moves.
constexpr std::string_view kConfigKeys[] = {"core.hooksPath", "receive.fsckObjects",
                                            "receive.advertisePushOptions",
                                            "uploadpack.allowFilter"};

// GIT_PROTOCOL selects protocol v2; the quarantine variables are what receive-pack hands a hook so
// that it sees the pushed, not yet accepted objects; SPACEHUB_* tell the hook which repo it checks.
constexpr std::string_view kEnvNames[] = {
    "GIT_PROTOCOL",        "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_QUARANTINE_PATH", "SPACEHUB_DATA_DIR",    "SPACEHUB_REPO_ID"};

bool HasNul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

}  // namespace

Status GitCommand::AddOption(std::string_view option) {
  for (std::string_view allowed : SpecFor(subcommand_).options) {
    bool match =
        allowed.back() == '=' ? option.substr(0, allowed.size()) == allowed : option == allowed;
    if (match && !HasNul(option)) {
      options_.emplace_back(option);
      return Status::Ok();
    }
  }
  return Status::InvalidArgument("git option not allowed: " + std::string(option));
}

Status GitCommand::AddPositional(std::string_view value) {
  if (value.empty() || value.front() == '-' || HasNul(value)) {
    return Status::InvalidArgument("git argument refused: '" + std::string(value) + "'");
  }
  positionals_.emplace_back(value);
  return Status::Ok();
}

Status GitCommand::SetConfig(std::string_view key, std::string_view value) {
  for (std::string_view allowed : kConfigKeys) {
    if (key == allowed) {
      if (HasNul(value) || value.find('\n') != std::string_view::npos) {
        return Status::InvalidArgument("git config value refused for " + std::string(key));
      }
      config_.push_back(std::string(key) + "=" + std::string(value));
      return Status::Ok();
    }
  }
  return Status::InvalidArgument("git config key not allowed: " + std::string(key));
}

Status GitCommand::SetEnv(std::string_view name, std::string_view value) {
  for (std::string_view allowed : kEnvNames) {
    if (name == allowed) {
      if (HasNul(value)) return Status::InvalidArgument("environment value refused");
      env_.emplace_back(name, value);
      return Status::Ok();
    }
  }
  return Status::InvalidArgument("environment variable not allowed: " + std::string(name));
}

std::vector<std::string> GitCommand::Argv() const {
  std::vector<std::string> argv = {"git"};
  for (const auto& c : config_) {
    argv.push_back("-c");
    argv.push_back(c);
  }
  if (!git_dir_.empty()) argv.push_back("--git-dir=" + git_dir_.string());
  argv.push_back(SpecFor(subcommand_).name);
  argv.insert(argv.end(), options_.begin(), options_.end());
  argv.push_back("--end-of-options");
  argv.insert(argv.end(), positionals_.begin(), positionals_.end());
  return argv;
}

std::vector<std::string> GitCommand::Env() const {
  const char* path = std::getenv("PATH");
  std::vector<std::string> env = {
      std::string("PATH=") + (path && *path ? path : "/usr/local/bin:/usr/bin:/bin"),
      "HOME=" + (home_.empty() ? std::string("/nonexistent") : home_.string()),
      "GIT_CONFIG_NOSYSTEM=1",
      "GIT_CONFIG_GLOBAL=/dev/null",
      "GIT_TERMINAL_PROMPT=0",
      "LC_ALL=C",
  };
  for (const auto& [k, v] : env_) env.push_back(k + "=" + v);
  return env;
}

Result<std::unique_ptr<GitProcess>> GitProcess::Start(const GitCommand& command, Io io) {
  int in[2] = {-1, -1};
  int out[2] = {-1, -1};
  if (::pipe2(in, O_CLOEXEC) != 0) return Status::Internal("pipe failed");
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return Status::Internal("pipe failed");
  }
  int err = ::memfd_create("git-stderr", MFD_CLOEXEC);
  std::unique_ptr<GitProcess> p(new GitProcess());
  p->stdin_fd_ = in[1];
  p->stdout_fd_ = out[0];
  p->stderr_fd_ = err;
  int child_in = in[0], child_out = out[1];
  if (err < 0) {
    CloseFd(child_in);
    CloseFd(child_out);
    return Status::Internal("memfd_create failed");
  }

  std::vector<std::string> argv_s = command.Argv();
  std::vector<std::string> env_s = command.Env();
  std::vector<char*> argv, envp;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  for (auto& s : env_s) envp.push_back(s.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, child_in, 0);
  posix_spawn_file_actions_adddup2(&fa, child_out, 1);
  posix_spawn_file_actions_adddup2(&fa, err, 2);
  // Nothing else of the hub reaches git (its listening sockets, visitors' connections, Space logs),
  // whether or not whoever opened it asked for close-on-exec.
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  // The server blocks SIGTERM/SIGINT in its threads and ignores SIGPIPE; git gets the defaults.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  for (int s : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&defaults, s);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, "git", &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  CloseFd(child_in);
  CloseFd(child_out);
  if (rc != 0) {
    p->reaped_ = true;
    return Status::Internal(std::string("cannot run git: ") + std::strerror(rc));
  }
  p->pid_ = pid;
  if (io == Io::kNonBlocking) {
    for (int fd : {p->stdin_fd_, p->stdout_fd_}) {
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
  }
  return p;
}

GitProcess::~GitProcess() {
  CloseStdin();
  CloseStdout();
  if (!reaped_ && pid_ > 0) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == 0) {
      ::kill(pid_, SIGTERM);
      for (int i = 0; i < 50 && r == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        r = ::waitpid(pid_, &status, WNOHANG);
      }
      if (r == 0) {
        ::kill(pid_, SIGKILL);
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
      }
    }
    reaped_ = true;
  }
  CloseFd(stderr_fd_);
}

void GitProcess::CloseStdin() { CloseFd(stdin_fd_); }
void GitProcess::CloseStdout() { CloseFd(stdout_fd_); }

int GitProcess::Wait() {
  if (reaped_) return exit_code_;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  reaped_ = true;
  exit_code_ = r == pid_ ? DecodeWaitStatus(status) : 255;
  return exit_code_;
}

std::string GitProcess::Stderr(size_t max) const {
  std::string s(max, '\0');
  ssize_t n = stderr_fd_ >= 0 ? ::pread(stderr_fd_, s.data(), max, 0) : -1;
  s.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return s;
}

Result<GitOutput> RunGit(const GitCommand& command, std::string_view input) {
  SH_ASSIGN_OR_RETURN(auto proc, GitProcess::Start(command, GitProcess::Io::kNonBlocking));
  if (input.empty()) proc->CloseStdin();
  GitOutput result;
  char buf[64 * 1024];
  size_t written = 0;
  while (proc->stdout_fd() >= 0) {
    pollfd fds[2];
    nfds_t n = 0;
    fds[n++] = {proc->stdout_fd(), POLLIN, 0};
    if (proc->stdin_fd() >= 0) fds[n++] = {proc->stdin_fd(), POLLOUT, 0};
    int pr = ::poll(fds, n, 600'000);
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) return Status::Unavailable("git did not finish in time");
    if (fds[0].revents) {
      ssize_t r = ::read(proc->stdout_fd(), buf, sizeof buf);
      if (r > 0) {
        result.out.append(buf, static_cast<size_t>(r));
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        proc->CloseStdout();
      }
    }
    if (n > 1 && fds[1].revents) {
      ssize_t w = ::write(proc->stdin_fd(), input.data() + written, input.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) {
        proc->CloseStdin();
      }
    }
  }
  proc->CloseStdin();
  result.exit_code = proc->Wait();
  result.err = proc->Stderr();
  return result;
}

}  // namespace spacehub::repo
