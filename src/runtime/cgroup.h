// Cgroups: the memory, CPU and pids limits of each Space instance (ARCHITECTURE.md "Limits"), over
// cgroup v1 (one hierarchy per controller: memory.limit_in_bytes + memory.memsw.limit_in_bytes,
// cpu.cfs_quota_us / cpu.cfs_period_us, pids.max; usage from cpuacct.usage) or v2 (one directory:
// memory.max, cpu.max, pids.max, controllers enabled in cgroup.subtree_control), detected once.
//
// Layout: <the hub's own cgroup>/<tree>/<key> for each controller, where the hub's own cgroup is
// read from /proc/self/cgroup (a hub may itself run inside a limited cgroup: its Spaces must be
// under it, not at the root) and <tree> is "spacehub/<tag of this hub's data dir>" so two hubs on
// one machine never touch each other's Spaces. A process joins by writing "0" to the files of
// ProcsFiles() (the forked child, before it executes bwrap: process.h `join_cgroups`).
//
// Where the tree cannot be created (no write access, e.g. an unprivileged CI container) the class
// is disabled and says why (Describe()); Spaces then run without limits. Thread-safe (every method
// touches only the files of its key; Open is called once).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace spacehub::runtime {

// What a Space may use; 0 = no limit.
struct Limits {
  int64_t memory_bytes = 0;
  int64_t cpu_millis = 0;  // 1000 = one CPU
  int64_t pids = 0;        // processes + threads

  bool any() const { return memory_bytes > 0 || cpu_millis > 0 || pids > 0; }
};

struct CgroupUsage {
  std::optional<int64_t> memory_bytes;        // now (v1: usage_in_bytes, v2: memory.current)
  std::optional<int64_t> memory_limit_bytes;  // the limit in force (none: unlimited)
  std::optional<int64_t> cpu_usage_ns;        // cumulative CPU time
  std::optional<int64_t> pids;                // processes + threads now
  int64_t oom_kills = 0;                      // processes killed at the memory limit
};

struct CgroupOptions {
  std::filesystem::path fs_root = "/sys/fs/cgroup";
  std::filesystem::path proc_self_cgroup = "/proc/self/cgroup";
  std::string tree = "spacehub";  // relative to the hub's own cgroup
};

// "/proc/self/cgroup" → controller → path. v1 lines "4:memory:/a/b" give one entry per controller
// ("cpu,cpuacct" gives both, "name=systemd" is skipped); the v2 line "0::/x" gives the key "".
std::map<std::string, std::string> ParseProcCgroup(const std::string& text);

// cpu.max of v2 for `millis` over `period_us`, e.g. "200000 100000"; "max 100000" for 0.
std::string CpuMaxLine(int64_t millis, int64_t period_us);

class Cgroups final {
 public:
  enum class Version { kNone, kV1, kV2 };

  static std::unique_ptr<Cgroups> Open(const CgroupOptions& options);
  // Removes this hub's (empty) tree directories; the shared parent ("spacehub") stays.
  ~Cgroups();

  Version version() const { return version_; }
  bool enabled() const { return version_ != Version::kNone; }
  // One line for the hub's log: the version, controllers and where, or why there are no limits.
  const std::string& Describe() const { return describe_; }

  // Creates the cgroup of `key` (a leftover is emptied and reused) with these limits. Returns the
  // files a process writes "0" into to join it.
  Result<std::vector<std::filesystem::path>> Create(const std::string& key, const Limits& limits);
  // The key's directories to show read-only inside the sandbox: {host path, path inside}, so that
  // the app can read its own limits where libraries look (/sys/fs/cgroup/memory/..., or
  // /sys/fs/cgroup/memory.max on v2).
  std::vector<std::pair<std::filesystem::path, std::filesystem::path>> Views(
      const std::string& key) const;
  CgroupUsage Usage(const std::string& key) const;
  // Pids of every process in the key's cgroup.
  std::vector<int> Pids(const std::string& key) const;
  // Kills whatever is left in the key's cgroup and removes it. No-op when absent.
  void Remove(const std::string& key);
  // Removes every cgroup of this hub's tree (left by a hub that was killed). Returns how many.
  int RemoveAll();

 private:
  Cgroups() = default;
  // Steps of Open, on the hub's own cgroups (`own`, from /proc/self/cgroup): v2, one directory
  // per cgroup with the controllers delegated to the tree; v1, one tree per controller.
  void OpenV2(const CgroupOptions& o, const std::filesystem::path& base);
  void OpenV1(const CgroupOptions& o, const std::map<std::string, std::string>& own);
  std::filesystem::path Dir(const std::string& controller, const std::string& key) const;
  void KillAll(const std::string& key) const;

  Version version_ = Version::kNone;
  std::string describe_;
  // v1: controller → the tree directory in its hierarchy; v2: "" → the tree directory.
  std::map<std::string, std::filesystem::path> trees_;
};

}  // namespace spacehub::runtime
