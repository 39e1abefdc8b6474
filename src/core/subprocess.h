// Subprocess: the one way this program runs another program (git, podman, bwrap, pip, mkfs...).
// No shell: fork + execve with an explicit argv and exactly the environment given (nothing of the
// hub's leaks in). The child inherits fds 0-2 and the `extra_fds` mapped for it, nothing else:
// every other descriptor is marked close-on-exec in the child whether or not whoever opened it
// (Asio's sockets, an ofstream's log file, another Space's pipe) asked for it (issue #12). Signal
// dispositions and the mask are reset to the defaults (the hub blocks TERM/INT in its threads and
// ignores PIPE). Callers with more to do between fork and exec (runtime/process.h: cgroups, ids,
// rlimits) pass a `child_setup` step, which must be async-signal-safe.
//
// Ownership: a Subprocess owns the child and the parent ends of its pipes. Dropping it closes the
// pipes and kills (SIGTERM, then SIGKILL after `kill_grace`) and reaps a child still running, so a
// child never outlives its owner by accident and no zombie is left.
//
// Thread-safety: one thread drives a Subprocess (reads, Wait, Drain); Kill may be called from any
// other thread at any time and never signals a pid already reaped (which the system may reuse).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/mutex.h"
#include "core/result.h"

namespace spacehub {

struct SubprocessOptions {
  // argv[0]: an absolute path, or a bare name searched in the PATH of `env` (then /usr/bin:/bin).
  std::vector<std::string> argv;
  std::vector<std::string> env;  // "NAME=value": the child's whole environment
  std::filesystem::path cwd;     // empty: the hub's
  enum class In { kNull, kPipe };
  enum class Out { kNull, kPipe };
  // kStdout: into stdout (a pipe or /dev/null); kMemory: an anonymous file read with Stderr().
  enum class Err { kNull, kStdout, kMemory };
  In stdin_mode = In::kNull;
  Out stdout_mode = Out::kNull;
  Err stderr_mode = Err::kStdout;
  bool non_blocking = false;                   // the parent ends of the pipes
  std::vector<std::pair<int, int>> extra_fds;  // {fd in the hub, fd number in the child (3..1023)}
  // Runs in the child after the fds are in place and before chdir + exec. Async-signal-safe calls
  // only (no allocation, no locks). Returns 0, or a step number > 0 with errno set: Start then
  // fails with "Cannot <describe_step(step)>: <strerror(errno)>".
  std::function<int()> child_setup;
  std::function<std::string(int step)> describe_step;
  // Destructor of a still running child: with its stdin closed, up to 200 ms (at most half of
  // this) to exit by itself, then SIGTERM and the rest (git removes its lock and quarantine
  // files), then SIGKILL; its stdout is closed after. Zero: SIGKILL at once.
  std::chrono::milliseconds kill_grace{0};
};

// Splits a byte stream into lines for `on_line`: '\n' ends a line and a '\r' before it is
// dropped; when more than `max_line` bytes are pending without a newline they go out as one line
// (a child printing without end cannot grow the hub's memory). Finish() flushes the rest.
class LineSplitter {
 public:
  LineSplitter(size_t max_line, std::function<void(std::string)> on_line)
      : max_line_(max_line), on_line_(std::move(on_line)) {}
  void Feed(std::string_view data);
  void Finish();

 private:
  void Emit(std::string line);
  size_t max_line_;
  std::function<void(std::string)> on_line_;
  std::string pending_;
};

class Subprocess final {
 public:
  static Result<std::unique_ptr<Subprocess>> Start(SubprocessOptions options);
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  int stdin_fd() const { return stdin_fd_; }
  int stdout_fd() const { return stdout_fd_; }
  void CloseStdin();
  void CloseStdout();

  // Sends `sig` unless the child was already reaped; false then. Any thread.
  bool Kill(int sig);
  // The exit code once the child has exited (reaping it), nullopt while it runs.
  std::optional<int> TryWait();
  // Blocks until the child exits; its exit code (128 + signal when a signal ended it).
  int Wait();
  // The first `max` bytes the child wrote to stderr (Err::kMemory).
  std::string Stderr(size_t max = 4096) const;

  struct Drain {
    std::function<void(std::string_view)> on_data;  // each chunk read from stdout
    // SIGKILL once past it; then `on_deadline` (a note in a log) and the output is still drained.
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
    std::function<void()> on_deadline;
    // Called about every `tick` while the child runs (budgets, polls); it may Kill.
    std::function<void()> on_tick;
    std::chrono::milliseconds tick{100};
    // Keep reading after the child exited until every holder of the pipe closed it (`podman
    // run`'s output outlives it until the container is cleaned up).
    bool until_eof = false;
    // ...but give up once the pipe has been silent this long after the exit, and say so through
    // `on_eof_wait` (a process that should be gone still holds the pipe): the caller reports the
    // exit late instead of never.
    std::chrono::milliseconds eof_wait = std::chrono::milliseconds::max();
    std::function<void()> on_eof_wait;
  };
  // Reads stdout until EOF, or (unless until_eof) until the child has exited and the pipe is quiet
  // (a descendant it left behind may hold the pipe open), reaps it and returns its exit code.
  int DrainOutput(const Drain& d);
  // DrainOutput split into lines (LineSplitter with `max_line`).
  int ReadLines(
      size_t max_line, const std::function<void(std::string)>& on_line,
      std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max(),
      const std::function<void()>& on_deadline = {});

 private:
  Subprocess() = default;
  // Reaps the child if it has exited (blocking when `block`); true once reaped.
  bool Reap(bool block);
  void KillAndReap();

  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  std::chrono::milliseconds kill_grace_{0};
  mutable Mutex mu_;  // orders Kill against reaping
  bool reaped_ GUARDED_BY(mu_) = false;
  int exit_code_ GUARDED_BY(mu_) = -1;
};

// Decodes a waitpid status: the exit code, or 128 + the signal that ended the process.
int ExitCodeOf(int wait_status);

}  // namespace spacehub
