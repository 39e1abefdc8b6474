// The bubblewrap command line that runs one Space process (ARCHITECTURE.md "Sandbox"): its own
// user, pid, ipc, uts, mount, cgroup and network namespaces (--unshare-all: only `lo` inside), uid
// and gid 1000, every capability dropped, a fresh session, `/usr` read-only (with the usual
// /bin, /lib symlinks), a private /tmp and $HOME, the app directory read-only at /app, the Space's
// persistent directory read-write at /data, and --die-with-parent so no Space outlives the hub.
// Nothing of the hub's data directory other than these two directories is visible.
// The environment is *not* on the command line (where `ps` would show secret values to every host
// user): bwrap is spawned with exactly the Space's environment, which it hands to the app.
// Pure function; thread-safe.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/space_env.h"

namespace spacehub::runtime {

struct SandboxSpec {
  std::filesystem::path bwrap = "/usr/bin/bwrap";
  std::filesystem::path app_dir;   // mounted read-only at /app (the working directory)
  std::filesystem::path data_dir;  // mounted read-write at /data; empty: no /data
  bool app_writable = false;       // builds write the venv into /app; apps get it read-only
  bool share_net = false;          // builds with a package index need the host's network
  std::vector<std::filesystem::path> ro_extra;  // bound read-only at the same path (wheelhouse)
  // {host path, path inside} bound read-only: the Space's own cgroup, so it can read its limits.
  std::vector<std::pair<std::filesystem::path, std::filesystem::path>> ro_mounts;
  std::optional<int> info_fd;  // bwrap writes {"child-pid": N} there once the sandbox exists
  // {fd in bwrap, path inside}: bwrap copies what it reads from fd into a read-only file there.
  std::vector<std::pair<int, std::string>> data_files;
  std::vector<std::string> devices;  // device nodes bound at the same path when they exist (GPUs)
  std::vector<std::string> argv;     // the command inside, e.g. {"/app/.venv/bin/python", "app.py"}
};

std::vector<std::string> BwrapArgv(const SandboxSpec& spec);

}  // namespace spacehub::runtime
