#include "runtime/cgroup.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace spacehub::runtime {
namespace fs = std::filesystem;
namespace {

constexpr int64_t kCpuPeriodUs = 100000;
// v1 reports "no limit" as a page-rounded INT64_MAX; anything this large means unlimited.
constexpr int64_t kUnlimited = int64_t{1} << 60;

std::optional<std::string> ReadText(const fs::path& p) {
  std::ifstream in(p);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::optional<int64_t> ReadInt(const fs::path& p) {
  auto t = ReadText(p);
  if (!t) return std::nullopt;
  try {
    return std::stoll(*t);
  } catch (...) {
    return std::nullopt;  // "max" (v2) and garbage
  }
}

// The value of `key` in a "key value" per line file (memory.events, cpu.stat, oom_control).
std::optional<int64_t> ReadKeyed(const fs::path& p, const std::string& key) {
  auto t = ReadText(p);
  if (!t) return std::nullopt;
  std::istringstream in(*t);
  std::string k;
  int64_t v;
  while (in >> k >> v) {
    if (k == key) return v;
  }
  return std::nullopt;
}

Status WriteText(const fs::path& p, const std::string& value) {
  // Plain write(2): a cgroup file takes one value per write, and its errno is the reason.
  // O_CREAT only matters for a plain directory standing in for cgroupfs (unit tests).
  int fd = ::open(p.c_str(), O_WRONLY | O_CLOEXEC | O_TRUNC | O_CREAT, 0644);
  if (fd < 0) return Status::Unavailable("cannot open " + p.string() + ": " + std::strerror(errno));
  ssize_t n = ::write(fd, value.data(), value.size());
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(value.size())) {
    return Status::Unavailable("cannot write '" + value + "' to " + p.string() + ": " +
                               std::strerror(err));
  }
  return Status::Ok();
}

bool ValidKey(const std::string& key) {
  if (key.empty() || key.size() > 128) return false;
  for (char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

bool OnCgroupFs(const fs::path& p) {
  struct statfs s {};
  if (::statfs(p.c_str(), &s) != 0) return false;
  return s.f_type == CGROUP_SUPER_MAGIC || s.f_type == CGROUP2_SUPER_MAGIC;
}

// rmdir of a cgroup (its control files go with it); a plain directory standing in for one (unit
// tests) is removed with its files.
void RemoveDir(const fs::path& dir) {
  if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return;
  if (!OnCgroupFs(dir)) {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
}

// mkdir with mode 0755 whatever the hub's umask (077): a Space, running as its own uid, must pass
// through its cgroup's parents to read its limits (they are bound read-only into its sandbox).
// (An existing directory is fixed too: an older hub may have made it 0700.)
int MakeDir(const fs::path& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return -1;
  const int saved = errno;
  ::chmod(dir.c_str(), 0755);
  errno = saved;
  return 0;
}

// Creates each component of `rel` under `base`; on v2 also enables `enable` ("+memory +cpu ...")
// in the subtree_control of `base` and of every level but the last.
Status MakeTree(const fs::path& base, const fs::path& rel, const std::string& enable) {
  fs::path cur = base;
  for (const auto& part : rel) {
    if (!enable.empty()) SH_TRY(WriteText(cur / "cgroup.subtree_control", enable));
    cur /= part;
    if (MakeDir(cur) != 0 && errno != EEXIST) {
      return Status::Unavailable("cannot create " + cur.string() + ": " + std::strerror(errno));
    }
  }
  if (!enable.empty()) SH_TRY(WriteText(cur / "cgroup.subtree_control", enable));
  return Status::Ok();
}

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

std::map<std::string, std::string> ParseProcCgroup(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto a = line.find(':');
    if (a == std::string::npos) continue;
    auto b = line.find(':', a + 1);
    if (b == std::string::npos) continue;
    std::string controllers = line.substr(a + 1, b - a - 1);
    std::string path = line.substr(b + 1);
    if (controllers.empty()) {
      out[""] = path;
      continue;
    }
    std::istringstream cs(controllers);
    std::string c;
    while (std::getline(cs, c, ',')) {
      if (!c.empty() && c.rfind("name=", 0) != 0) out[c] = path;
    }
  }
  return out;
}

std::string CpuMaxLine(int64_t millis, int64_t period_us) {
  if (millis <= 0) return "max " + std::to_string(period_us);
  return std::to_string(millis * period_us / 1000) + " " + std::to_string(period_us);
}

namespace {

fs::path Relative(const std::string& p) { return fs::path(p).relative_path(); }

// The controllers the hub limits with that `base` offers, in a fixed order.
std::vector<std::string> WantedControllers(const fs::path& base) {
  std::string available = ReadText(base / "cgroup.controllers").value_or("");
  std::vector<std::string> wanted;
  for (const char* c : {"memory", "cpu", "pids"}) {
    std::istringstream in(available);
    std::string w;
    while (in >> w) {
      if (w == c) wanted.emplace_back(c);
    }
  }
  return wanted;
}

}  // namespace

std::unique_ptr<Cgroups> Cgroups::Open(const CgroupOptions& o) {
  std::unique_ptr<Cgroups> cg(new Cgroups());
  auto text = ReadText(o.proc_self_cgroup);
  if (!text) {
    cg->describe_ = "no limits: cannot read " + o.proc_self_cgroup.string();
    return cg;
  }
  auto own = ParseProcCgroup(*text);
  if (fs::exists(o.fs_root / "cgroup.controllers") && own.count("")) {
    cg->OpenV2(o, o.fs_root / Relative(own[""]));
  } else {
    cg->OpenV1(o, own);
  }
  return cg;
}

void Cgroups::OpenV2(const CgroupOptions& o, const fs::path& base) {
  std::vector<std::string> wanted = WantedControllers(base);
  if (wanted.empty()) {
    describe_ =
        "no limits: cgroup v2 without the memory, cpu or pids controller at " + base.string();
    return;
  }
  std::string enable;
  for (const auto& c : wanted) enable += (enable.empty() ? "+" : " +") + c;
  Status st = MakeTree(base, o.tree, enable);
  if (!st.ok()) {
    // "No internal processes": the hub's own cgroup (unless it is the real root; a container's
    // cgroup namespace root is not) cannot delegate controllers while the hub is in it. Move
    // the hub into a leaf beside its Spaces and try again (fails again if others are there).
    fs::path leaf = base / "spacehub-hub";
    MakeDir(leaf);
    if (WriteText(leaf / "cgroup.procs", "0").ok()) st = MakeTree(base, o.tree, enable);
  }
  if (!st.ok()) {
    describe_ = "no limits: cgroup v2 is not writable here (" + st.message() + ")";
    return;
  }
  version_ = Version::kV2;
  trees_[""] = base / o.tree;
  describe_ = "cgroup v2 (" + Join(wanted) + ") under " + trees_[""].string();
}

void Cgroups::OpenV1(const CgroupOptions& o, const std::map<std::string, std::string>& own) {
  // One hierarchy per controller (cpu and cpuacct may share one).
  std::vector<std::string> usable;
  std::string why;
  for (const char* c : {"memory", "cpu", "pids", "cpuacct"}) {
    auto it = own.find(c);
    if (it == own.end() || !fs::is_directory(o.fs_root / c)) continue;
    fs::path base = o.fs_root / c / Relative(it->second);
    Status st = MakeTree(base, o.tree, "");
    if (!st.ok()) {
      if (why.empty()) why = st.message();
      continue;
    }
    trees_[c] = base / o.tree;
    usable.emplace_back(c);
  }
  if (!trees_.count("memory") && !trees_.count("cpu") && !trees_.count("pids")) {
    trees_.clear();
    describe_ = "no limits: no writable cgroup (v1 or v2) for this hub" +
                (why.empty() ? std::string() : " (" + why + ")");
    return;
  }
  version_ = Version::kV1;
  auto memory = own.find("memory");
  describe_ = "cgroup v1 (" + Join(usable) + ") under <controller>" +
              ("/" + Relative(memory != own.end() ? memory->second : "/").string() + "/") + o.tree;
  if (!why.empty()) describe_ += "; some controllers unusable: " + why;
}

Cgroups::~Cgroups() {
  for (const auto& [c, tree] : trees_) ::rmdir(tree.c_str());
}

fs::path Cgroups::Dir(const std::string& controller, const std::string& key) const {
  auto it = trees_.find(version_ == Version::kV2 ? "" : controller);
  if (it == trees_.end()) return {};
  return it->second / key;
}

Result<std::vector<fs::path>> Cgroups::Create(const std::string& key, const Limits& limits) {
  if (!enabled()) return std::vector<fs::path>{};
  if (!ValidKey(key)) return Status::InvalidArgument("invalid cgroup key '" + key + "'");
  // A leftover of the same key is reused once empty (its counters, e.g. oom_kill, carry on).
  KillAll(key);
  std::vector<fs::path> procs;
  std::set<fs::path> made;
  for (const auto& [c, tree] : trees_) {
    fs::path dir = tree / key;
    // cpu and cpuacct may be one hierarchy mounted twice (cpu,cpuacct): one directory.
    fs::path real = fs::weakly_canonical(tree) / key;
    if (!made.insert(real).second) continue;
    if (MakeDir(dir) != 0 && errno != EEXIST) {
      return Status::Unavailable("cannot create " + dir.string() + ": " + std::strerror(errno));
    }
    procs.push_back(dir / "cgroup.procs");
  }
  auto limit = [](int64_t v) { return v > 0 ? std::to_string(v) : std::string("max"); };
  if (version_ == Version::kV2) {
    fs::path d = Dir("", key);
    if (fs::exists(d / "memory.max")) {
      SH_TRY(WriteText(d / "memory.max", limit(limits.memory_bytes)));
      // The limit is the whole memory of the Space: no swapping past it.
      if (limits.memory_bytes > 0 && fs::exists(d / "memory.swap.max")) {
        SH_TRY(WriteText(d / "memory.swap.max", "0"));
      }
    }
    if (fs::exists(d / "cpu.max")) {
      SH_TRY(WriteText(d / "cpu.max", CpuMaxLine(limits.cpu_millis, kCpuPeriodUs)));
    }
    if (fs::exists(d / "pids.max")) SH_TRY(WriteText(d / "pids.max", limit(limits.pids)));
    return procs;
  }
  if (fs::path d = Dir("memory", key); !d.empty() && limits.memory_bytes > 0) {
    // With swap accounting, memory + swap gets the same limit: no swapping past it. The kernel
    // keeps memsw >= memory at every step, so a raised limit (a reused cgroup) goes memsw first.
    std::string v = std::to_string(limits.memory_bytes);
    bool memsw = fs::exists(d / "memory.memsw.limit_in_bytes");
    if (!WriteText(d / "memory.limit_in_bytes", v).ok()) {
      if (memsw) SH_TRY(WriteText(d / "memory.memsw.limit_in_bytes", v));
      SH_TRY(WriteText(d / "memory.limit_in_bytes", v));
    }
    if (memsw) SH_TRY(WriteText(d / "memory.memsw.limit_in_bytes", v));
  }
  if (fs::path d = Dir("cpu", key); !d.empty() && limits.cpu_millis > 0) {
    SH_TRY(WriteText(d / "cpu.cfs_period_us", std::to_string(kCpuPeriodUs)));
    SH_TRY(
        WriteText(d / "cpu.cfs_quota_us", std::to_string(limits.cpu_millis * kCpuPeriodUs / 1000)));
  }
  if (fs::path d = Dir("pids", key); !d.empty() && limits.pids > 0) {
    SH_TRY(WriteText(d / "pids.max", std::to_string(limits.pids)));
  }
  return procs;
}

std::vector<std::pair<fs::path, fs::path>> Cgroups::Views(const std::string& key) const {
  std::vector<std::pair<fs::path, fs::path>> v;
  if (version_ == Version::kV2) {
    v.emplace_back(Dir("", key), "/sys/fs/cgroup");
    return v;
  }
  for (const auto& [c, tree] : trees_) v.emplace_back(tree / key, fs::path("/sys/fs/cgroup") / c);
  return v;
}

CgroupUsage Cgroups::Usage(const std::string& key) const {
  CgroupUsage u;
  if (!enabled()) return u;
  auto bounded = [](std::optional<int64_t> v) -> std::optional<int64_t> {
    if (v && *v >= kUnlimited) return std::nullopt;
    return v;
  };
  if (version_ == Version::kV2) {
    fs::path d = Dir("", key);
    u.memory_bytes = ReadInt(d / "memory.current");
    u.memory_limit_bytes = bounded(ReadInt(d / "memory.max"));
    if (auto us = ReadKeyed(d / "cpu.stat", "usage_usec")) u.cpu_usage_ns = *us * 1000;
    u.pids = ReadInt(d / "pids.current");
    u.oom_kills = ReadKeyed(d / "memory.events", "oom_kill").value_or(0);
    return u;
  }
  if (fs::path d = Dir("memory", key); !d.empty()) {
    u.memory_bytes = ReadInt(d / "memory.usage_in_bytes");
    u.memory_limit_bytes = bounded(ReadInt(d / "memory.limit_in_bytes"));
    u.oom_kills = ReadKeyed(d / "memory.oom_control", "oom_kill").value_or(0);
  }
  if (fs::path d = Dir("cpuacct", key); !d.empty()) u.cpu_usage_ns = ReadInt(d / "cpuacct.usage");
  if (fs::path d = Dir("pids", key); !d.empty()) u.pids = ReadInt(d / "pids.current");
  return u;
}

std::vector<int> Cgroups::Pids(const std::string& key) const {
  std::set<int> pids;
  if (!ValidKey(key)) return {};
  for (const auto& [c, tree] : trees_) {
    auto t = ReadText(tree / key / "cgroup.procs");
    if (!t) continue;
    std::istringstream in(*t);
    int pid;
    while (in >> pid) pids.insert(pid);
  }
  return {pids.begin(), pids.end()};
}

void Cgroups::KillAll(const std::string& key) const {
  // Stragglers (a process cannot leave the sandbox's pid namespace, so this is a safety net): kill
  // until the cgroup is empty; a fork bomb runs out of room as its pids limit holds.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  for (;;) {
    auto pids = Pids(key);
    if (pids.empty() || std::chrono::steady_clock::now() > deadline) break;
    for (int pid : pids) {
      if (pid > 1 && pid != ::getpid()) ::kill(pid, SIGKILL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void Cgroups::Remove(const std::string& key) {
  if (!enabled() || !ValidKey(key)) return;
  bool any = false;
  for (const auto& [c, tree] : trees_) any = any || fs::exists(tree / key);
  if (!any) return;
  if (version_ == Version::kV2 && fs::exists(Dir("", key) / "cgroup.kill")) {
    (void)WriteText(Dir("", key) / "cgroup.kill", "1");
  }
  KillAll(key);
  for (const auto& [c, tree] : trees_) RemoveDir(tree / key);
}

int Cgroups::RemoveAll() {
  std::set<std::string> keys;
  for (const auto& [c, tree] : trees_) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(tree, ec)) {
      if (e.is_directory(ec)) keys.insert(e.path().filename().string());
    }
  }
  for (const auto& k : keys) Remove(k);
  return static_cast<int>(keys.size());
}

}  // namespace spacehub::runtime
