// The seccomp filter of every Space sandbox and build (issue #12), in the spirit of Docker's
// default profile: everything a normal program needs is allowed, and the calls that reach the
// kernel's global state or widen the sandbox fail with EPERM: new namespaces (unshare, setns, clone
// with CLONE_NEW* flags; clone3 answers ENOSYS so that libc falls back to clone), mounts, module
// loading, kexec, reboot, swap, clocks, keyrings, bpf, perf events, userfaultfd, io_uring,
// handle-based opens, NUMA policy, TIOCSTI, and making set-user-ID or set-group-ID files (a file
// made setuid inside must never become a way up for a host account). Calls of another architecture
// (the x32 and i386 entry points) kill the process, so the list cannot be bypassed through them.
// bwrap loads it (--seccomp FD) right before it executes the app, after its own setup.
// Built once per process with libseccomp; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace spacehub::runtime {

// A fresh close-on-exec memfd at offset 0 holding the compiled BPF program; the caller owns it.
Result<int> SandboxSeccompFd();

// The names of the system calls refused outright (for docs/security.md and tests).
const std::vector<std::string>& DeniedSyscalls();

}  // namespace spacehub::runtime
