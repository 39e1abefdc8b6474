// Unit tests of runtime/process.h: the child joins cgroups before it executes the program (plain
// files stand in for cgroup.procs), inherits no descriptor but those mapped for it (the attack of
// issue #12: a leaked listening socket or log file), switches ids, and RunToLog caps the log.
#include "runtime/process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include "testing/temp_dir.h"

namespace spacehub::runtime {
namespace {
namespace fs = std::filesystem;

using spacehub::testing::ReadFile;
class SpawnTest : public spacehub::testing::TempDirTest {};
class RunToLogTest : public spacehub::testing::TempDirTest {};

TEST_F(SpawnTest, ForkedChildJoinsBeforeItRunsTheProgram) {
  const fs::path& dir = dir_;
  std::ofstream(dir / "cgroup.procs") << "";
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", "cat \"$F\" > \"$OUT\""};
  o.env = {{"F", (dir / "cgroup.procs").string()}, {"OUT", (dir / "seen").string()}};
  o.join_cgroups = {dir / "cgroup.procs"};
  auto proc = Spawn(o);
  ASSERT_TRUE(proc.ok()) << proc.status().message();
  EXPECT_EQ((*proc)->Wait(), 0);
  EXPECT_EQ(ReadFile(dir / "seen"), "0");  // written by the child before /bin/sh ran

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
}

TEST_F(SpawnTest, ChildInheritsOnlyTheDescriptorsMappedForIt) {
  const fs::path& dir = dir_;
  // What a library leaves open without close-on-exec: a listening socket and a log file.
  int leaked_socket = ::socket(AF_INET, SOCK_STREAM, 0);
  int leaked_file = ::open((dir / "other.log").c_str(), O_WRONLY | O_CREAT, 0600);
  ASSERT_GE(leaked_socket, 0);
  ASSERT_GE(leaked_file, 0);
  int wanted[2];
  ASSERT_EQ(::pipe(wanted), 0);  // not close-on-exec either; mapped to fd 5 in the child
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", "ls /proc/self/fd > \"$OUT\""};
  o.env = {{"OUT", (dir / "fds").string()}};
  o.extra_fds = {{wanted[1], 5}};
  auto proc = Spawn(o);
  ASSERT_TRUE(proc.ok()) << proc.status().message();
  EXPECT_EQ((*proc)->Wait(), 0);
  std::set<std::string> seen;
  std::istringstream in(ReadFile(dir / "fds"));
  for (std::string fd; in >> fd;) seen.insert(fd);
  // 0-2, the mapped 5, and the one `ls` opens to read /proc/self/fd (3).
  EXPECT_EQ(seen, (std::set<std::string>{"0", "1", "2", "3", "5"}));
  ::close(leaked_socket);
  ::close(leaked_file);
  ::close(wanted[0]);
  ::close(wanted[1]);
}

TEST_F(SpawnTest, SwappedMappingsDoNotClobberEachOther) {
  const fs::path& dir = dir_;
  int a = ::open((dir / "a").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  int b = ::open((dir / "b").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c",
            "echo to-b >&" + std::to_string(a) + "; echo to-a >&" + std::to_string(b)};
  o.extra_fds = {{a, b}, {b, a}};  // each to the other's number
  auto proc = Spawn(o);
  ASSERT_TRUE(proc.ok()) << proc.status().message();
  EXPECT_EQ((*proc)->Wait(), 0);
  EXPECT_EQ(ReadFile(dir / "a"), "to-a\n");
  EXPECT_EQ(ReadFile(dir / "b"), "to-b\n");
  ::close(a);
  ::close(b);
}

TEST_F(SpawnTest, SwitchesToTheGivenIdsWhenRoot) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  const fs::path& dir = dir_;
  fs::permissions(dir, fs::perms::all);
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", "id -u > \"$OUT\"; id -g >> \"$OUT\"; id -G >> \"$OUT\""};
  o.env = {{"OUT", (dir / "ids").string()}};
  o.uid = 1000001000;
  o.gid = 1000001000;
  auto proc = Spawn(o);
  ASSERT_TRUE(proc.ok()) << proc.status().message();
  EXPECT_EQ((*proc)->Wait(), 0);
  EXPECT_EQ(ReadFile(dir / "ids"), "1000001000\n1000001000\n1000001000\n");
}

TEST_F(RunToLogTest, CapsTheLogAndStillDrainsTheOutput) {
  const fs::path& dir = dir_;
  SpawnOptions o;
  // 4 MiB of output against a 64 KiB cap: the child must not block on a full pipe.
  o.argv = {"/bin/sh", "-c", "head -c 4194304 /dev/zero | tr '\\0' x; exit 3"};
  auto code = RunToLog(o, dir / "log", std::chrono::seconds(60), 64 * 1024);
  ASSERT_TRUE(code.ok()) << code.status().message();
  EXPECT_EQ(*code, 3);
  std::string log = ReadFile(dir / "log");
  EXPECT_LT(log.size(), size_t{64 * 1024 + 200});
  EXPECT_NE(log.find("the rest of this command's output is dropped"), std::string::npos);
}

TEST_F(RunToLogTest, StopsAChildThatWritesPastItsDiskBudget) {
  const fs::path& dir = dir_;
  fs::create_directories(dir / "build");
  SpawnOptions o;
  // Writes 1 MiB files without end; 8 MiB is its budget, 2 MiB the largest single file.
  o.argv = {"/bin/sh", "-c",
            "i=0; while :; do head -c 1048576 /dev/zero > \"$D/f$i\" || exit 9; i=$((i+1)); done"};
  o.env = {{"D", (dir / "build").string()}};
  o.max_file_bytes = 2 << 20;
  auto code = RunToLog(o, dir / "log", std::chrono::seconds(60), kDefaultLogCap,
                       DiskBudget{dir / "build", 8 << 20});
  ASSERT_TRUE(code.ok()) << code.status().message();
  EXPECT_EQ(*code, 128 + SIGKILL);
  EXPECT_NE(ReadFile(dir / "log").find("more than its 8 MiB of disk"), std::string::npos);
}

TEST_F(SpawnTest, NoSingleFilePassesMaxFileBytes) {
  const fs::path& dir = dir_;
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", "head -c 3000000 /dev/zero > \"$F\""};
  o.env = {{"F", (dir / "big").string()}};
  o.max_file_bytes = 1 << 20;
  auto proc = Spawn(o);
  ASSERT_TRUE(proc.ok()) << proc.status().message();
  EXPECT_NE((*proc)->Wait(), 0);
  EXPECT_LE(fs::file_size(dir / "big"), size_t{1} << 20);
}

}  // namespace
}  // namespace spacehub::runtime
