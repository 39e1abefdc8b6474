#include "repo/git_command.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>

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
  static const std::vector<SubcommandSpec> kSpecs = {
      {GitSubcommand::kUploadPack,
       "upload-pack",
       {"--stateless-rpc", "--advertise-refs", "--strict"}},
      {GitSubcommand::kReceivePack, "receive-pack", {"--stateless-rpc", "--advertise-refs"}},
      // --stdin with --not --all: the pushed tips read from stdin, minus everything reachable from
      // existing refs (git reads --stdin revisions as positive whatever --not says).
      {GitSubcommand::kRevList, "rev-list", {"--objects", "--stdin", "--not", "--all"}},
      {GitSubcommand::kCatFile, "cat-file", {"--batch-check=", "--batch"}},
  };
  return kSpecs;
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
  for (const auto& [k, v] : env_) env.push_back(std::string(k).append("=").append(v));
  return env;
}

Result<std::unique_ptr<GitProcess>> GitProcess::Start(const GitCommand& command, Io io) {
  SubprocessOptions o;
  o.argv = command.Argv();
  o.env = command.Env();
  o.stdin_mode = SubprocessOptions::In::kPipe;
  o.stdout_mode = SubprocessOptions::Out::kPipe;
  o.stderr_mode = SubprocessOptions::Err::kMemory;
  o.non_blocking = io == Io::kNonBlocking;
  o.kill_grace = std::chrono::seconds(1);  // time for git to remove its quarantine and locks
  auto proc = Subprocess::Start(std::move(o));
  if (!proc.ok()) return Status::Internal("cannot run git: " + proc.status().message());
  return std::unique_ptr<GitProcess>(new GitProcess(std::move(*proc)));
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
