// Unit tests of runtime/process.h's forked path (join_cgroups): the child writes "0" into each
// file before it executes the program, and a file it cannot write fails Spawn with the reason.
// Plain files stand in for cgroup.procs.
#include "runtime/process.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include "core/crypto.h"

namespace spacehub::runtime {
namespace {
namespace fs = std::filesystem;

TEST(SpawnTest, ForkedChildJoinsBeforeItRunsTheProgram) {
  fs::path dir = fs::temp_directory_path() / ("spacehub-spawn-test-" + RandomHex(6));
  fs::create_directories(dir);
  std::ofstream(dir / "cgroup.procs") << "";
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", "cat \"$F\" > \"$OUT\""};
  o.env = {{"F", (dir / "cgroup.procs").string()}, {"OUT", (dir / "seen").string()}};
  o.join_cgroups = {dir / "cgroup.procs"};
  auto pid = Spawn(o);
  ASSERT_TRUE(pid.ok()) << pid.status().message();
  int status = 0;
  ASSERT_EQ(::waitpid(*pid, &status, 0), *pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::ifstream in(dir / "seen");
  std::ostringstream seen;
  seen << in.rdbuf();
  EXPECT_EQ(seen.str(), "0");  // written by the child before /bin/sh ran

  o.join_cgroups = {dir / "missing-dir" / "cgroup.procs"};
  auto failed = Spawn(o);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("join cgroup"), std::string::npos)
      << failed.status().message();

  o.join_cgroups = {dir / "cgroup.procs"};
  o.argv = {"/nonexistent/program"};
  auto no_exec = Spawn(o);
  ASSERT_FALSE(no_exec.ok());
  EXPECT_NE(no_exec.status().message().find("execute /nonexistent/program"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace spacehub::runtime
