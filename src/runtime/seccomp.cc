#include "runtime/seccomp.h"

#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

namespace spacehub::runtime {
namespace {

// Names, not numbers: libseccomp resolves them for the native architecture, and a name this
// libseccomp does not know (a newer call) is skipped rather than failing the build of the filter.
const std::vector<std::string> kDenied = {"acct",
                                          "add_key",
                                          "bpf",
                                          "clock_adjtime",
                                          "clock_settime",
                                          "create_module",
                                          "delete_module",
                                          "finit_module",
                                          "fsconfig",
                                          "fsmount",
                                          "fsopen",
                                          "fspick",
                                          "get_kernel_syms",
                                          "init_module",
                                          "io_uring_enter",
                                          "io_uring_register",
                                          "io_uring_setup",
                                          "ioperm",
                                          "iopl",
                                          "kexec_file_load",
                                          "kexec_load",
                                          "keyctl",
                                          "lookup_dcookie",
                                          "mbind",
                                          "mount",
                                          "mount_setattr",
                                          "move_mount",
                                          "move_pages",
                                          "name_to_handle_at",
                                          "nfsservctl",
                                          "open_by_handle_at",
                                          "open_tree",
                                          "perf_event_open",
                                          "pivot_root",
                                          "quotactl",
                                          "quotactl_fd",
                                          "reboot",
                                          "request_key",
                                          "set_mempolicy",
                                          "setns",
                                          "settimeofday",
                                          "stime",
                                          "swapoff",
                                          "swapon",
                                          "_sysctl",
                                          "sysfs",
                                          "syslog",
                                          "umount",
                                          "umount2",
                                          "unshare",
                                          "uselib",
                                          "userfaultfd",
                                          "ustat",
                                          "vhangup",
                                          "vm86",
                                          "vm86old"};

constexpr uint64_t kNamespaceFlags[] = {CLONE_NEWUSER, CLONE_NEWNS,  CLONE_NEWPID,   CLONE_NEWNET,
                                        CLONE_NEWUTS,  CLONE_NEWIPC, CLONE_NEWCGROUP};

struct Ctx {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  ~Ctx() { seccomp_release(ctx); }
};

// Adds a rule for `name` (skipped when unknown here). Returns false on a libseccomp error.
template <typename... Args>
bool Rule(scmp_filter_ctx ctx, uint32_t action, const char* name, unsigned count, Args... args) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) return true;
  return seccomp_rule_add(ctx, action, nr, count, args...) == 0;
}

Result<std::string> Compile() {
  Ctx c;
  if (!c.ctx) return Status::Internal("seccomp_init failed");
  const uint32_t eperm = SCMP_ACT_ERRNO(EPERM);
  bool ok = true;
  for (const auto& name : kDenied) ok = ok && Rule(c.ctx, eperm, name.c_str(), 0);
  for (uint64_t flag : kNamespaceFlags) {
    ok = ok && Rule(c.ctx, eperm, "clone", 1, SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag));
  }
  // clone3 passes its flags in memory, where a filter cannot look: libc falls back to clone.
  ok = ok && Rule(c.ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0);
  for (uint64_t bit : {uint64_t{S_ISUID}, uint64_t{S_ISGID}}) {
    ok = ok && Rule(c.ctx, eperm, "chmod", 1, SCMP_A1(SCMP_CMP_MASKED_EQ, bit, bit));
    ok = ok && Rule(c.ctx, eperm, "fchmod", 1, SCMP_A1(SCMP_CMP_MASKED_EQ, bit, bit));
    ok = ok && Rule(c.ctx, eperm, "fchmodat", 1, SCMP_A2(SCMP_CMP_MASKED_EQ, bit, bit));
    ok = ok && Rule(c.ctx, eperm, "fchmodat2", 1, SCMP_A2(SCMP_CMP_MASKED_EQ, bit, bit));
  }
  // Typing into the terminal of whoever started the sandbox (bwrap's --new-session also stops it).
  ok = ok && Rule(c.ctx, eperm, "ioctl", 1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, TIOCSTI));
  ok = ok && Rule(c.ctx, eperm, "ioctl", 1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, TIOCLINUX));
  if (!ok) return Status::Internal("seccomp: cannot add a rule");
  int fd = ::memfd_create("spacehub-seccomp", MFD_CLOEXEC);
  if (fd < 0) return Status::Internal(std::string("memfd_create: ") + std::strerror(errno));
  if (seccomp_export_bpf(c.ctx, fd) != 0) {
    ::close(fd);
    return Status::Internal("seccomp: cannot export the filter");
  }
  std::string bpf;
  char buf[4096];
  ssize_t n;
  ::lseek(fd, 0, SEEK_SET);
  while ((n = ::read(fd, buf, sizeof(buf))) > 0) bpf.append(buf, static_cast<size_t>(n));
  ::close(fd);
  if (bpf.empty()) return Status::Internal("seccomp: empty filter");
  return bpf;
}

}  // namespace

const std::vector<std::string>& DeniedSyscalls() { return kDenied; }

Result<int> SandboxSeccompFd() {
  static std::once_flag once;
  static Result<std::string> bpf = Status::Internal("seccomp: not compiled");
  std::call_once(once, [] { bpf = Compile(); });
  if (!bpf.ok()) return bpf.status();
  int fd = ::memfd_create("spacehub-seccomp", MFD_CLOEXEC);
  if (fd < 0) return Status::Internal(std::string("memfd_create: ") + std::strerror(errno));
  const std::string& b = *bpf;
  if (::write(fd, b.data(), b.size()) != static_cast<ssize_t>(b.size()) ||
      ::lseek(fd, 0, SEEK_SET) != 0) {
    ::close(fd);
    return Status::Internal("seccomp: cannot write the filter");
  }
  return fd;
}

}  // namespace spacehub::runtime
