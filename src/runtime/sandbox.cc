#include "runtime/sandbox.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "repo/fs_util.h"
#include "runtime/seccomp.h"

namespace spacehub::runtime {
namespace {

// A close-on-exec memfd at offset 0 holding `content`.
Result<int> MemFile(const char* name, const std::string& content) {
  int fd = ::memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) return Status::Internal(std::string("memfd_create: ") + std::strerror(errno));
  if (Status st = repo::fs::WriteAll(fd, content, name); !st.ok()) {
    ::close(fd);
    return st;
  }
  if (::lseek(fd, 0, SEEK_SET) != 0) {
    ::close(fd);
    return Status::Internal("lseek failed");
  }
  return fd;
}

}  // namespace

std::vector<std::string> BwrapArgs(const SandboxSpec& spec, int seccomp_fd) {
  const std::string tmp_size = std::to_string(spec.tmp_bytes);
  std::vector<std::string> a;
  // One option and its operands per call, so the list reads like the command line it is.
  auto add = [&a](std::initializer_list<std::string> option) {
    a.insert(a.end(), option.begin(), option.end());
  };
  add({"--unshare-all", "--unshare-user", "--disable-userns"});
  add({"--die-with-parent"});
  add({"--new-session"});
  add({"--uid", "1000", "--gid", "1000"});
  add({"--cap-drop", "ALL"});
  add({"--hostname", "space"});
  add({"--ro-bind", "/usr", "/usr"});
  add({"--symlink", "usr/bin", "/bin"});
  add({"--symlink", "usr/sbin", "/sbin"});
  add({"--symlink", "usr/lib", "/lib"});
  add({"--symlink", "usr/lib64", "/lib64"});
  add({"--ro-bind-try", "/etc/alternatives", "/etc/alternatives"});
  add({"--ro-bind-try", "/etc/ssl", "/etc/ssl"});
  add({"--proc", "/proc"});
  // Host-global knobs stay read-only whatever the app's ids are.
  add({"--ro-bind", "/proc/sys", "/proc/sys"});
  add({"--ro-bind-try", "/proc/sysrq-trigger", "/proc/sysrq-trigger"});
  add({"--ro-bind-try", "/proc/irq", "/proc/irq"});
  add({"--ro-bind-try", "/proc/bus", "/proc/bus"});
  add({"--dev", "/dev"});
  add({"--size", tmp_size, "--tmpfs", "/tmp"});
  add({"--size", tmp_size, "--tmpfs", "/home/user"});
  add({spec.app_writable ? "--bind" : "--ro-bind", spec.app_dir.string(), "/app"});
  if (spec.share_net) add({"--share-net"});
  for (const auto& p : spec.ro_extra) add({"--ro-bind", p.string(), p.string()});
  for (const auto& [from, to] : spec.ro_mounts) add({"--ro-bind", from.string(), to.string()});
  if (!spec.data_dir.empty()) add({"--bind", spec.data_dir.string(), "/data"});
  for (const auto& d : spec.devices) add({"--dev-bind-try", d, d});
  for (const auto& [fd, dest] : spec.data_files) {
    add({"--ro-bind-data", std::to_string(fd), dest});
  }
  add({"--chdir", "/app"});
  // An empty spec.env keeps bwrap's own environment (BwrapArgv's callers pass it that way).
  if (!spec.env.empty()) add({"--clearenv"});
  for (const auto& [k, v] : spec.env) add({"--setenv", k, v});
  if (seccomp_fd >= 0) add({"--seccomp", std::to_string(seccomp_fd)});
  if (spec.info_fd) add({"--info-fd", std::to_string(*spec.info_fd)});
  return a;
}

namespace {

std::vector<std::string> Command(const SandboxSpec& spec) {
  std::vector<std::string> c = {"--"};
  c.insert(c.end(), spec.argv.begin(), spec.argv.end());
  return c;
}

}  // namespace

std::vector<std::string> BwrapArgv(const SandboxSpec& spec) {
  std::vector<std::string> a = {spec.bwrap.string()};
  for (auto& arg : BwrapArgs(spec, -1)) a.push_back(std::move(arg));
  for (auto& arg : Command(spec)) a.push_back(std::move(arg));
  return a;
}

void CloseAll(const std::vector<int>& fds) {
  for (int fd : fds) ::close(fd);
}

Result<std::vector<int>> PrepareBwrap(const SandboxSpec& spec, SpawnOptions& so) {
  std::vector<int> fds;
  int next = 3;
  for (const auto& [from, to] : so.extra_fds) next = std::max(next, to + 1);
  SandboxSpec s = spec;
  for (const auto& [content, dest] : spec.data_contents) {
    auto fd = MemFile("spacehub-file", content);
    if (!fd.ok()) {
      CloseAll(fds);
      return fd.status();
    }
    fds.push_back(*fd);
    so.extra_fds.emplace_back(*fd, next);
    s.data_files.emplace_back(next++, dest);
  }
  auto seccomp = SandboxSeccompFd();
  if (!seccomp.ok()) {
    CloseAll(fds);
    return seccomp.status();
  }
  fds.push_back(*seccomp);
  const int seccomp_child = next++;
  so.extra_fds.emplace_back(*seccomp, seccomp_child);
  std::string blob;
  for (const auto& arg : BwrapArgs(s, seccomp_child)) {
    if (arg.find('\0') != std::string::npos) {
      CloseAll(fds);
      return Status::InvalidArgument("a sandbox argument holds a NUL byte");
    }
    blob += arg;
    blob.push_back('\0');
  }
  auto args = MemFile("spacehub-bwrap-args", blob);
  if (!args.ok()) {
    CloseAll(fds);
    return args.status();
  }
  fds.push_back(*args);
  const int args_child = next++;
  so.extra_fds.emplace_back(*args, args_child);
  // bwrap takes only options from --args; the command (the app's argv, never a secret) follows.
  so.argv = {spec.bwrap.string(), "--args", std::to_string(args_child)};
  for (auto& arg : Command(spec)) so.argv.push_back(std::move(arg));
  so.env.clear();
  return fds;
}

}  // namespace spacehub::runtime
