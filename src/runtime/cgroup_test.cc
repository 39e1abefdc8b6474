// Unit tests of runtime/cgroup.h over a fake cgroup root in a temporary directory (plain files
// standing in for the kernel's): /proc/self/cgroup parsing, where the tree goes (under the hub's
// own cgroup), the v1 and v2 limit files, usage readings, and removal. No process is moved and
// none is killed (the fake cgroup.procs files stay empty).
#include "runtime/cgroup.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "runtime/sandbox.h"
#include "testing/temp_dir.h"

namespace spacehub::runtime {
namespace {
namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void Write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

class FakeCgroupRoot : public spacehub::testing::TempDirTest {
 protected:
  CgroupOptions Options(const std::string& proc_self_cgroup) {
    Write(root_ / "proc-self-cgroup", proc_self_cgroup);
    CgroupOptions o;
    o.fs_root = root_ / "fs";
    o.proc_self_cgroup = root_ / "proc-self-cgroup";
    o.tree = "spacehub/abc123";
    return o;
  }

  const fs::path& root_ = dir_;
};

TEST(ParseProcCgroupTest, V1AndV2Lines) {
  auto m = ParseProcCgroup(
      "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/6a36\n2:cpu,cpuacct:/user.slice\n"
      "0::/\n");
  EXPECT_EQ(m["memory"], "/process_api/6a36");
  EXPECT_EQ(m["pids"], "/");
  EXPECT_EQ(m["cpu"], "/user.slice");
  EXPECT_EQ(m["cpuacct"], "/user.slice");
  EXPECT_EQ(m[""], "/");
  EXPECT_EQ(m.count("name=systemd"), 0u);
  EXPECT_EQ(m.count("systemd"), 0u);
  auto v2 = ParseProcCgroup("0::/system.slice/spacehub.service\n");
  EXPECT_EQ(v2.size(), 1u);
  EXPECT_EQ(v2[""], "/system.slice/spacehub.service");
}

TEST(CpuMaxLineTest, QuotaOverPeriod) {
  EXPECT_EQ(CpuMaxLine(2000, 100000), "200000 100000");
  EXPECT_EQ(CpuMaxLine(500, 100000), "50000 100000");
  EXPECT_EQ(CpuMaxLine(0, 100000), "max 100000");
}

TEST_F(FakeCgroupRoot, V1TreeGoesUnderTheHubsOwnCgroupOfEachController) {
  for (const char* c : {"memory", "cpu", "pids", "cpuacct"})
    fs::create_directories(root_ / "fs" / c);
  fs::create_directories(root_ / "fs/memory/process_api/6a36");  // the hub's own memory cgroup
  auto cg = Cgroups::Open(Options("4:memory:/process_api/6a36\n1:cpu:/\n8:pids:/\n2:cpuacct:/\n"));
  ASSERT_EQ(cg->version(), Cgroups::Version::kV1) << cg->Describe();
  EXPECT_TRUE(fs::is_directory(root_ / "fs/memory/process_api/6a36/spacehub/abc123"));
  EXPECT_TRUE(fs::is_directory(root_ / "fs/cpu/spacehub/abc123"));
  EXPECT_TRUE(fs::is_directory(root_ / "fs/pids/spacehub/abc123"));

  // The kernel makes a new cgroup's files; the fake has those that exist on this kind of host.
  fs::path mem = root_ / "fs/memory/process_api/6a36/spacehub/abc123/42";
  Write(mem / "memory.memsw.limit_in_bytes", "9223372036854771712\n");
  Limits l;
  l.memory_bytes = int64_t{1} << 30;
  l.cpu_millis = 2000;
  l.pids = 64;
  auto procs = cg->Create("42", l);
  ASSERT_TRUE(procs.ok()) << procs.status().message();
  EXPECT_EQ(procs->size(), 4u);
  EXPECT_EQ(Read(mem / "memory.limit_in_bytes"), "1073741824");
  EXPECT_EQ(Read(mem / "memory.memsw.limit_in_bytes"), "1073741824");
  EXPECT_EQ(Read(root_ / "fs/cpu/spacehub/abc123/42/cpu.cfs_quota_us"), "200000");
  EXPECT_EQ(Read(root_ / "fs/cpu/spacehub/abc123/42/cpu.cfs_period_us"), "100000");
  EXPECT_EQ(Read(root_ / "fs/pids/spacehub/abc123/42/pids.max"), "64");
  bool joins_memory = false;
  for (const auto& p : *procs) joins_memory |= p == mem / "cgroup.procs";
  EXPECT_TRUE(joins_memory);

  // Views: each controller's directory read-only where libraries look.
  auto views = cg->Views("42");
  bool found = false;
  for (const auto& [host, inside] : views) {
    if (inside == "/sys/fs/cgroup/memory") found = host == mem;
  }
  EXPECT_TRUE(found);

  Write(mem / "memory.usage_in_bytes", "123456\n");
  Write(mem / "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
  Write(root_ / "fs/cpuacct/spacehub/abc123/42/cpuacct.usage", "987654321\n");
  Write(root_ / "fs/pids/spacehub/abc123/42/pids.current", "7\n");
  CgroupUsage u = cg->Usage("42");
  EXPECT_EQ(u.memory_bytes, 123456);
  EXPECT_EQ(u.memory_limit_bytes, int64_t{1} << 30);
  EXPECT_EQ(u.cpu_usage_ns, 987654321);
  EXPECT_EQ(u.pids, 7);
  EXPECT_EQ(u.oom_kills, 2);

  EXPECT_TRUE(cg->Pids("42").empty());
  cg->Remove("42");
  EXPECT_FALSE(fs::exists(mem));
  EXPECT_FALSE(fs::exists(root_ / "fs/pids/spacehub/abc123/42"));
}

TEST_F(FakeCgroupRoot, V1KeysAreCheckedAndLeftoversRemoved) {
  for (const char* c : {"memory", "pids"}) fs::create_directories(root_ / "fs" / c);
  auto cg = Cgroups::Open(Options("4:memory:/\n8:pids:/\n"));
  ASSERT_TRUE(cg->enabled());
  EXPECT_FALSE(cg->Create("../escape", Limits{1, 0, 0}).ok());
  EXPECT_FALSE(cg->Create("", Limits{1, 0, 0}).ok());
  fs::create_directories(root_ / "fs/memory/spacehub/abc123/7");
  fs::create_directories(root_ / "fs/pids/spacehub/abc123/8");
  EXPECT_EQ(cg->RemoveAll(), 2);
  EXPECT_TRUE(fs::is_empty(root_ / "fs/memory/spacehub/abc123"));
}

TEST_F(FakeCgroupRoot, V2OneDirectoryWithControllersEnabled) {
  Write(root_ / "fs/cgroup.controllers", "cpuset cpu io memory pids\n");
  Write(root_ / "fs/hub.slice/cgroup.controllers", "cpu memory pids\n");
  auto cg = Cgroups::Open(Options("0::/hub.slice\n"));
  ASSERT_EQ(cg->version(), Cgroups::Version::kV2) << cg->Describe();
  EXPECT_EQ(Read(root_ / "fs/hub.slice/cgroup.subtree_control"), "+memory +cpu +pids");
  EXPECT_EQ(Read(root_ / "fs/hub.slice/spacehub/cgroup.subtree_control"), "+memory +cpu +pids");
  EXPECT_EQ(Read(root_ / "fs/hub.slice/spacehub/abc123/cgroup.subtree_control"),
            "+memory +cpu +pids");
  fs::path d = root_ / "fs/hub.slice/spacehub/abc123/5";
  for (const char* f : {"memory.max", "memory.swap.max", "cpu.max", "pids.max"})
    Write(d / f, "max\n");
  auto procs = cg->Create("5", Limits{int64_t{512} << 20, 1500, 100});
  ASSERT_TRUE(procs.ok()) << procs.status().message();
  ASSERT_EQ(procs->size(), 1u);
  EXPECT_EQ(procs->front(), d / "cgroup.procs");
  EXPECT_EQ(Read(d / "memory.max"), "536870912");
  EXPECT_EQ(Read(d / "memory.swap.max"), "0");
  EXPECT_EQ(Read(d / "cpu.max"), "150000 100000");
  EXPECT_EQ(Read(d / "pids.max"), "100");
  auto views = cg->Views("5");
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].second, "/sys/fs/cgroup");

  Write(d / "memory.current", "4096\n");
  Write(d / "cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n");
  Write(d / "memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
  Write(d / "pids.current", "3\n");
  CgroupUsage u = cg->Usage("5");
  EXPECT_EQ(u.memory_bytes, 4096);
  EXPECT_EQ(u.memory_limit_bytes, int64_t{512} << 20);
  EXPECT_EQ(u.cpu_usage_ns, 1500000);
  EXPECT_EQ(u.pids, 3);
  EXPECT_EQ(u.oom_kills, 1);
  cg->Remove("5");
  EXPECT_FALSE(fs::exists(d));
}

TEST_F(FakeCgroupRoot, NothingWritableMeansNoLimitsAndSaysWhy) {
  // No controller directories at all (a container without cgroup mounts).
  auto cg = Cgroups::Open(Options("4:memory:/x\n"));
  EXPECT_FALSE(cg->enabled());
  EXPECT_NE(cg->Describe().find("no limits"), std::string::npos) << cg->Describe();
  auto procs = cg->Create("1", Limits{1, 1, 1});
  ASSERT_TRUE(procs.ok());
  EXPECT_TRUE(procs->empty());
  CgroupOptions missing;
  missing.proc_self_cgroup = root_ / "does-not-exist";
  EXPECT_FALSE(Cgroups::Open(missing)->enabled());
}

TEST(SandboxCgroupTest, CgroupViewsAreBoundReadOnly) {
  SandboxSpec s;
  s.app_dir = "/hub/spaces/abc/builds/1";
  s.ro_mounts = {{"/sys/fs/cgroup/memory/spacehub/x/1", "/sys/fs/cgroup/memory"}};
  s.argv = {"/usr/bin/true"};
  auto a = BwrapArgv(s);
  auto it = std::find(a.begin(), a.end(), "/sys/fs/cgroup/memory/spacehub/x/1");
  ASSERT_NE(it, a.end());
  EXPECT_EQ(*(it - 1), "--ro-bind");
  EXPECT_EQ(*(it + 1), "/sys/fs/cgroup/memory");
}

}  // namespace
}  // namespace spacehub::runtime
