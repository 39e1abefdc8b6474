#include "runtime/sandbox.h"

namespace spacehub::runtime {

std::vector<std::string> BwrapArgv(const SandboxSpec& spec) {
  std::vector<std::string> a = {spec.bwrap.string(),
                                "--unshare-all",
                                "--die-with-parent",
                                "--new-session",
                                "--uid",
                                "1000",
                                "--gid",
                                "1000",
                                "--cap-drop",
                                "ALL",
                                "--hostname",
                                "space",
                                "--ro-bind",
                                "/usr",
                                "/usr",
                                "--symlink",
                                "usr/bin",
                                "/bin",
                                "--symlink",
                                "usr/sbin",
                                "/sbin",
                                "--symlink",
                                "usr/lib",
                                "/lib",
                                "--symlink",
                                "usr/lib64",
                                "/lib64",
                                "--ro-bind-try",
                                "/etc/alternatives",
                                "/etc/alternatives",
                                "--ro-bind-try",
                                "/etc/ssl",
                                "/etc/ssl",
                                "--proc",
                                "/proc",
                                "--dev",
                                "/dev",
                                "--tmpfs",
                                "/tmp",
                                "--tmpfs",
                                "/home/user",
                                spec.app_writable ? "--bind" : "--ro-bind",
                                spec.app_dir.string(),
                                "/app"};
  if (spec.share_net) a.push_back("--share-net");
  for (const auto& p : spec.ro_extra) a.insert(a.end(), {"--ro-bind", p.string(), p.string()});
  for (const auto& [from, to] : spec.ro_mounts) {
    a.insert(a.end(), {"--ro-bind", from.string(), to.string()});
  }
  if (!spec.data_dir.empty()) {
    a.insert(a.end(), {"--bind", spec.data_dir.string(), "/data"});
  }
  for (const auto& d : spec.devices) a.insert(a.end(), {"--dev-bind-try", d, d});
  for (const auto& [fd, dest] : spec.data_files) {
    a.insert(a.end(), {"--ro-bind-data", std::to_string(fd), dest});
  }
  a.insert(a.end(), {"--chdir", "/app"});
  if (spec.info_fd) a.insert(a.end(), {"--info-fd", std::to_string(*spec.info_fd)});
  a.push_back("--");
  a.insert(a.end(), spec.argv.begin(), spec.argv.end());
  return a;
}

}  // namespace spacehub::runtime
