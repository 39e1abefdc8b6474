// Builds one commit of a Space into a directory the sandbox can run (spec/spaces.md, issue #5),
// once repo/checkout.h has written the commit's files there: BuildPython (gradio / streamlit)
// makes a venv in <dir>/.venv with the system python and installs requirements.txt with pip from
// the administrator's index or wheelhouse — offline (`--no-index`) when neither is configured, so
// a requirement that needs a download fails with pip's own error in the build log.
// A build runs the owner's code (setup.py, in-tree PEP 517 backends; issue #12 item 8): it runs
// sandboxed as the Space's own host uid, in a directory handed to that uid only after the hub's
// last write into it, with no network but the package index (runtime/build_network.h). Nothing
// the hub does to a build directory afterwards follows a link (runtime/build_files.h).
// Stateless functions; each call owns its directories. Thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"
#include "runtime/cgroup.h"
#include "runtime/host_ids.h"

namespace spacehub::runtime {

struct PythonBuildOptions {
  // When set, venv and pip run in a bubblewrap sandbox (uid 1000, the build dir at /app, no
  // network but a relay to the index when one is configured) rather than as the hub's user on
  // the host.
  std::filesystem::path bwrap;
  std::filesystem::path python = "/usr/bin/python3";  // must live under /usr (the sandbox's view)
  std::string pip_index_url;                          // empty: none
  std::filesystem::path wheelhouse;                   // empty: none
  std::chrono::seconds pip_timeout{600};
  // When set and enabled, each build command runs in its own cgroup with these limits (a
  // setup.py that forks or allocates without end stops there, not in the hub's cgroup).
  Cgroups* cgroups = nullptr;
  Limits limits;
  // Where the hub keeps its pip-less venv template (made once, copied into builds without
  // requirements); empty: each build makes its own.
  std::filesystem::path venv_template;
  // Disk the build directory may take (venv and packages); the command writing past it is stopped.
  // 0: no budget. No single file may pass it either (RLIMIT_FSIZE).
  int64_t disk_bytes = 0;
};

// Creates <dir>/.venv and installs <dir>/requirements.txt when it lists anything. The log gets
// every command and its output. A failure's message is the last lines of the log. With `ids`
// set (and a sandbox), `dir` is handed to the Space's host uid (ChownTree) before anything runs
// in it, and every command runs as that uid; the caller makes `dir`'s parents traversable.
Status BuildPython(const std::filesystem::path& dir, const std::filesystem::path& log_path,
                   const PythonBuildOptions& options, HostIds ids = {});

// The last `n` non-empty lines of a text file (for error messages).
std::vector<std::string> TailLines(const std::filesystem::path& path, size_t n);

}  // namespace spacehub::runtime
