// Spawning host processes without a shell: posix_spawn with an explicit argv and environment, a
// working directory, and stdin from /dev/null. Used by the builder (venv, pip) and the local
// backend (bwrap). Thread-safe (every fd the hub opens is O_CLOEXEC, so children inherit only
// what is mapped here).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "runtime/space_env.h"

namespace spacehub::runtime {

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is an absolute path
  EnvList env;
  std::filesystem::path cwd;                   // empty: the hub's
  int stdout_fd = -1;                          // also used for stderr; -1: /dev/null
  std::vector<std::pair<int, int>> extra_fds;  // {fd in the hub, fd number in the child}
  // cgroup.procs files the child writes "0" into (joining those cgroups) before it executes
  // argv[0], so the program and everything it starts is limited from its first instruction.
  // Non-empty: the child is forked (posix_spawn cannot run this step); a failed write fails Spawn.
  std::vector<std::filesystem::path> join_cgroups;
};

Result<pid_t> Spawn(const SpawnOptions& o);

// Runs to completion with stdout+stderr appended to `log_path`; kills it after `timeout`.
// Returns the exit code (128+signal when killed); Unavailable when it could not start.
Result<int> RunToLog(SpawnOptions o, const std::filesystem::path& log_path,
                     std::chrono::seconds timeout);

// Appends one line to a log file (creating it).
void AppendLine(const std::filesystem::path& log_path, const std::string& line);

}  // namespace spacehub::runtime
