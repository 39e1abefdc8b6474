// GitCommand: the one way this program builds a `git` invocation. Git commands are data, as in
// Gitaly: each subcommand has an allow-list of options and of `-c` configuration keys, environment
// variables are allow-listed too, `--end-of-options` always precedes the positional arguments, and
// a positional argument (which may come from a user) that begins with '-' is refused, so no user
// string can ever become a flag.
//
// GitProcess runs a built command as a core/subprocess.h Subprocess (no shell, no descriptor of
// the hub but its pipes) in a controlled environment: nothing inherited from the server (no GIT_*),
// HOME at an empty directory, system and global config off. stdin and stdout are pipes; stderr
// goes to an anonymous in-memory file read for logs.
//
// Thread-safety: a GitCommand or GitProcess is used by one thread at a time. Spawning from many
// threads at once is safe.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/subprocess.h"

namespace spacehub::repo {

enum class GitSubcommand { kUploadPack, kReceivePack, kRevList, kCatFile };

class GitCommand final {
 public:
  explicit GitCommand(GitSubcommand subcommand) : subcommand_(subcommand) {}

  // A flag from the subcommand's allow-list ("--stateless-rpc"); entries ending in '=' allow any
  // value after it ("--batch-check=<format>").
  [[nodiscard]] Status AddOption(std::string_view option);
  // Data that git must never read as a flag: refused when empty, starting with '-' or holding NUL.
  [[nodiscard]] Status AddPositional(std::string_view value);
  // `-c key=value` for an allow-listed key; the value may not hold a newline or NUL.
  [[nodiscard]] Status SetConfig(std::string_view key, std::string_view value);
  // An allow-listed environment variable (GIT_PROTOCOL, the quarantine variables, SPACEHUB_*).
  [[nodiscard]] Status SetEnv(std::string_view name, std::string_view value);
  // Trusted paths chosen by the hub, not by users.
  void SetGitDir(std::filesystem::path dir) { git_dir_ = std::move(dir); }
  void SetHome(std::filesystem::path home) { home_ = std::move(home); }

  GitSubcommand subcommand() const { return subcommand_; }
  // ["git", "-c", "k=v"..., "--git-dir=...", <subcommand>, <options>..., "--end-of-options",
  //  <positionals>...]
  std::vector<std::string> Argv() const;
  // "NAME=value" strings: the fixed base environment plus what SetEnv added.
  std::vector<std::string> Env() const;

 private:
  GitSubcommand subcommand_;
  std::vector<std::string> config_;
  std::vector<std::string> options_;
  std::vector<std::string> positionals_;
  std::vector<std::pair<std::string, std::string>> env_;
  std::filesystem::path git_dir_;
  std::filesystem::path home_;
};

class GitProcess final {
 public:
  // Spawns `git`; the pipes' parent ends are non-blocking when `non_blocking` is kNonBlocking.
  enum class Io { kBlocking, kNonBlocking };
  static Result<std::unique_ptr<GitProcess>> Start(const GitCommand& command, Io io);
  // Dropping it closes the pipes; a child still running gets SIGTERM (git then removes its
  // quarantine and lock files), SIGKILL after a grace period, and is always reaped.

  pid_t pid() const { return proc_->pid(); }
  int stdin_fd() const { return proc_->stdin_fd(); }
  int stdout_fd() const { return proc_->stdout_fd(); }
  void CloseStdin() { proc_->CloseStdin(); }
  void CloseStdout() { proc_->CloseStdout(); }
  // Blocks until the child exits; returns its exit code (128 + signal when killed by one).
  [[nodiscard]] int Wait() { return proc_->Wait(); }
  // The first `max` bytes the child wrote to stderr.
  std::string Stderr(size_t max = 4096) const { return proc_->Stderr(max); }

 private:
  explicit GitProcess(std::unique_ptr<Subprocess> proc) : proc_(std::move(proc)) {}
  std::unique_ptr<Subprocess> proc_;
};

struct GitOutput {
  int exit_code = 0;
  std::string out;
  std::string err;
};

// Runs a command to completion, feeding `input` to stdin while collecting stdout (both at once, so
// a child that writes before reading everything cannot deadlock). For small, bounded outputs.
Result<GitOutput> RunGit(const GitCommand& command, std::string_view input);

}  // namespace spacehub::repo
