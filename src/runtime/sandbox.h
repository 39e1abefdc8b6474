// The bubblewrap sandbox that runs one Space process or build step (ARCHITECTURE.md "Sandbox",
// issue #12; docs/security.md lists each boundary and the test that proves it):
//  - its own user, pid, ipc, uts, mount, cgroup and network namespaces (only `lo` inside), uid and
//    gid 1000 inside, every capability dropped, a fresh session, --die-with-parent;
//  - no new user namespaces inside (--disable-userns) and a seccomp filter (runtime/seccomp.h);
//  - `/usr` read-only (with the usual /bin, /lib symlinks), the host's /proc/sys and other global
//    /proc files read-only over the sandbox's own /proc, no /sys;
//  - sized tmpfs /tmp and $HOME (in memory, charged to the Space's memory cgroup), the app
//    directory at /app (read-only for apps), /data only where the Space has storage;
//  - the environment and every argument go to bwrap through a memfd (--args): nothing of it is on
//    a command line (where `ps` shows it to every host user) or in bwrap's own environment (where
//    LD_PRELOAD and friends would reach bwrap's loader on the host); bwrap starts with an empty
//    environment and sets the app's right before it executes the app.
// Who runs bwrap (the Space's own host uid) is the caller's choice: SpawnOptions::uid.
// Pure functions apart from the memfds PrepareBwrap makes; thread-safe.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "runtime/process.h"
#include "runtime/space_env.h"

namespace spacehub::runtime {

struct SandboxSpec {
  std::filesystem::path bwrap = "/usr/bin/bwrap";
  std::filesystem::path app_dir;   // mounted read-only at /app (the working directory)
  std::filesystem::path data_dir;  // mounted read-write at /data; empty: no /data
  bool app_writable = false;       // builds write the venv into /app; apps get it read-only
  bool share_net = false;          // the host's network (never for Space code; kept for tools)
  int64_t tmp_bytes = int64_t{1} << 30;         // size of each of /tmp and $HOME (tmpfs)
  std::vector<std::filesystem::path> ro_extra;  // bound read-only at the same path (wheelhouse)
  // {host path, path inside} bound read-only: the Space's own cgroup, so it can read its limits.
  std::vector<std::pair<std::filesystem::path, std::filesystem::path>> ro_mounts;
  std::optional<int> info_fd;  // bwrap writes {"child-pid": N} there once the sandbox exists
  // {fd in bwrap, path inside}: bwrap copies what it reads from fd into a read-only file there.
  std::vector<std::pair<int, std::string>> data_files;
  // {content, path inside}: small read-only files (an /etc/hosts) made by PrepareBwrap.
  std::vector<std::pair<std::string, std::string>> data_contents;
  std::vector<std::string> devices;  // device nodes bound at the same path when they exist (GPUs)
  EnvList env;                       // the complete environment of the program inside
  std::vector<std::string> argv;     // the command inside, e.g. {"/app/.venv/bin/python", "app.py"}
};

// bwrap's options (without argv[0] and the command) for `spec`, with the seccomp filter read from
// `seccomp_fd`
// (-1: none). Exposed for tests; PrepareBwrap is what runs it.
std::vector<std::string> BwrapArgs(const SandboxSpec& spec, int seccomp_fd);

// The whole command line, with no seccomp filter and the environment left to the caller (bwrap's
// own, inherited by the program). Older callers only: PrepareBwrap is the hardened way.
std::vector<std::string> BwrapArgv(const SandboxSpec& spec);

// Fills `so` to run `spec`: argv is `bwrap --args N -- <command>`; the options, environment and
// seccomp filter travel in memfds mapped into the child after the fds `so` already maps (numbers
// from 3 up, so spec.info_fd and data_files must already be in so.extra_fds). so.env becomes empty.
// Returns the memfds, which the caller closes once Spawn returned.
Result<std::vector<int>> PrepareBwrap(const SandboxSpec& spec, SpawnOptions& so);

// Closes every fd of `fds`.
void CloseAll(const std::vector<int>& fds);

}  // namespace spacehub::runtime
