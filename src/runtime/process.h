// The sandbox's way of starting host processes: core/subprocess.h (fork + execve, no shell, exactly
// the given environment, stdin from /dev/null, no inherited fds but 0-2 and `extra_fds`, so no
// listening socket, visitor connection or other Space's log reaches a Space: issue #12) plus the
// steps only a Space's processes need, run in the child before it executes: joining its cgroups,
// dropping to its host uid and gid, its umask and its largest file. Used by the builder (venv,
// pip), volumes and the local backend (bwrap, podman). Thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/subprocess.h"
#include "runtime/space_env.h"

namespace spacehub::runtime {

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is an absolute path
  EnvList env;
  std::filesystem::path cwd;  // empty: the hub's
  bool pipe_output = false;   // stdout+stderr into one pipe (Subprocess::stdout_fd); else /dev/null
  std::vector<std::pair<int, int>> extra_fds;  // {fd in the hub, fd number in the child}
  // cgroup.procs files the child writes "0" into (joining those cgroups) before it executes
  // argv[0], so the program and everything it starts is limited from its first instruction.
  // Non-empty: the child is forked (posix_spawn cannot run this step); a failed write fails Spawn.
  std::vector<std::filesystem::path> join_cgroups;
  // Set: after joining the cgroups, the child drops every supplementary group and switches to
  // this gid and uid (real, effective and saved) before it executes argv[0]. Needs root.
  std::optional<uint32_t> uid, gid;
  mode_t umask = 022;  // the hub itself runs with 077 (its data is private); children get this
  int64_t max_file_bytes = 0;  // > 0: RLIMIT_FSIZE of the child (no single file grows past it)
};

// A directory whose disk use RunToLog keeps under a budget (a build writing without end).
struct DiskBudget {
  std::filesystem::path dir;  // empty: none
  int64_t max_bytes = 0;
};

// The child runs until the returned Subprocess is dropped (which kills and reaps it).
Result<std::unique_ptr<Subprocess>> Spawn(const SpawnOptions& o);

// Runs to completion with stdout+stderr appended to `log_path` (through a pipe: at most
// `log_cap` bytes are written, then one line saying the rest was dropped; the output is still
// drained so the child never blocks on it); kills it after `timeout`.
// Returns the exit code (128+signal when killed); Unavailable when it could not start.
inline constexpr int64_t kDefaultLogCap = int64_t{16} << 20;
// With a `budget`, the directory's use (allocated blocks, links not followed) is measured about
// once a second and the child is killed, with a line saying why, once it passes the budget.
Result<int> RunToLog(SpawnOptions o, const std::filesystem::path& log_path,
                     std::chrono::seconds timeout, int64_t log_cap = kDefaultLogCap,
                     const DiskBudget& budget = {});

// Bytes allocated to the files below `dir` (like du; links are not followed).
int64_t DiskUsage(const std::filesystem::path& dir);

// Appends one line to a log file (creating it).
void AppendLine(const std::filesystem::path& log_path, const std::string& line);

}  // namespace spacehub::runtime
