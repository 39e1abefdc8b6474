// Unit tests of core/subprocess.h: exit codes, an environment that is exactly the one given, no
// descriptor of the hub reaching the child (the attack of issue #12: a leaked listening socket or
// log file), the line cap, the deadline kill, and the destructor that kills and reaps.
#include "core/subprocess.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "testing/temp_dir.h"

namespace spacehub {
namespace {

using testing::ReadFile;

class SubprocessTest : public testing::TempDirTest {};

SubprocessOptions Shell(const std::string& script) {
  SubprocessOptions o;
  o.argv = {"/bin/sh", "-c", script};
  o.env = {"PATH=/usr/bin:/bin"};
  o.stdout_mode = SubprocessOptions::Out::kPipe;
  return o;
}

// Everything the child wrote to stdout, and its exit code.
std::pair<std::string, int> Output(SubprocessOptions o) {
  auto p = Subprocess::Start(std::move(o));
  EXPECT_TRUE(p.ok()) << p.status().message();
  if (!p.ok()) return {"", -1};
  std::string out;
  Subprocess::Drain d;
  d.on_data = [&](std::string_view data) { out.append(data); };
  int code = (*p)->DrainOutput(d);
  return {out, code};
}

TEST_F(SubprocessTest, ReportsExitCodesAndSignals) {
  EXPECT_EQ(Output(Shell("exit 7")).second, 7);
  EXPECT_EQ(Output(Shell("kill -9 $$")).second, 128 + SIGKILL);
  auto p = Subprocess::Start(Shell("exit 0"));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ((*p)->Wait(), 0);
  EXPECT_EQ((*p)->Wait(), 0);  // the code is remembered once reaped
  EXPECT_FALSE((*p)->Kill(SIGKILL)) << "a reaped pid may be someone else's";
}

TEST_F(SubprocessTest, EnvironmentIsExactlyTheOneGiven) {
  ::setenv("SPACEHUB_SECRET_OF_THE_HUB", "leaked", 1);  // what an attacker hopes to read
  SubprocessOptions o;
  o.argv = {"/usr/bin/env"};
  o.env = {"A=1", "B=two words"};
  o.stdout_mode = SubprocessOptions::Out::kPipe;
  EXPECT_EQ(Output(o).first, "A=1\nB=two words\n");
  o.env = {};
  EXPECT_EQ(Output(o).first, "");
  ::unsetenv("SPACEHUB_SECRET_OF_THE_HUB");
}

TEST_F(SubprocessTest, ChildInheritsNoDescriptorOfTheHub) {
  // What a library leaves open without close-on-exec: a listening socket and a log file.
  int leaked_socket = ::socket(AF_INET, SOCK_STREAM, 0);
  int leaked_file = ::open((dir_ / "other.log").c_str(), O_WRONLY | O_CREAT, 0600);
  ASSERT_GE(leaked_socket, 0);
  ASSERT_GE(leaked_file, 0);
  SubprocessOptions o = Shell("ls /proc/self/fd");
  o.stdin_mode = SubprocessOptions::In::kPipe;
  o.stderr_mode = SubprocessOptions::Err::kMemory;
  std::set<std::string> seen;
  std::istringstream in(Output(o).first);
  for (std::string fd; in >> fd;) seen.insert(fd);
  // 0-2 and the one `ls` opens to read /proc/self/fd (3).
  EXPECT_EQ(seen, (std::set<std::string>{"0", "1", "2", "3"}));

  // The legitimate way in: a descriptor mapped for the child.
  int wanted[2];
  ASSERT_EQ(::pipe(wanted), 0);
  o.extra_fds = {{wanted[1], 7}};
  seen.clear();
  std::istringstream in2(Output(o).first);
  for (std::string fd; in2 >> fd;) seen.insert(fd);
  EXPECT_EQ(seen, (std::set<std::string>{"0", "1", "2", "3", "7"}));
  for (int fd : {leaked_socket, leaked_file, wanted[0], wanted[1]}) ::close(fd);
}

TEST_F(SubprocessTest, StdinPipeAndStderrInMemory) {
  SubprocessOptions o = Shell("cat; echo oops >&2");
  o.stdin_mode = SubprocessOptions::In::kPipe;
  o.stderr_mode = SubprocessOptions::Err::kMemory;
  auto p = Subprocess::Start(std::move(o));
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(::write((*p)->stdin_fd(), "hello\n", 6), 6);
  (*p)->CloseStdin();
  std::vector<std::string> lines;
  EXPECT_EQ((*p)->ReadLines(1024, [&](std::string l) { lines.push_back(std::move(l)); }), 0);
  EXPECT_EQ(lines, std::vector<std::string>{"hello"});
  EXPECT_EQ((*p)->Stderr(), "oops\n");
}

TEST_F(SubprocessTest, FindsABareNameInThePathItWasGiven) {
  SubprocessOptions o = Shell("echo found");
  o.argv[0] = "sh";
  o.env = {"PATH=/nonexistent:/bin:/usr/bin"};
  EXPECT_EQ(Output(o).first, "found\n");
  o.argv[0] = "spacehub-no-such-program";
  auto missing = Subprocess::Start(o);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("spacehub-no-such-program"), std::string::npos);
}

TEST_F(SubprocessTest, ChildSetupFailureNamesTheStep) {
  SubprocessOptions o = Shell("exit 0");
  o.child_setup = [] {
    errno = EACCES;
    return 3;
  };
  o.describe_step = [](int step) { return "do step " + std::to_string(step); };
  auto p = Subprocess::Start(o);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "Cannot do step 3: " + std::string(std::strerror(EACCES)));
  o.argv = {"/nonexistent/program"};
  o.child_setup = [] { return 0; };
  auto no_exec = Subprocess::Start(o);
  ASSERT_FALSE(no_exec.ok());
  EXPECT_NE(no_exec.status().message().find("execute /nonexistent/program"), std::string::npos);
}

TEST(LineSplitterTest, SplitsDropsCarriageReturnsAndCapsLongLines) {
  std::vector<std::string> lines;
  LineSplitter s(8, [&](std::string l) { lines.push_back(std::move(l)); });
  s.Feed("one\r\ntw");
  s.Feed("o\n");
  s.Feed("0123456789abc");  // no newline, past the cap: out as one line
  s.Feed("tail");
  s.Finish();
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "0123456789abc", "tail"}));
}

TEST_F(SubprocessTest, OutputWithoutNewlinesIsCutAtTheCap) {
  // 1 MiB without a newline: the reader never holds more than the cap plus one read.
  auto p = Subprocess::Start(Shell("head -c 1048576 /dev/zero | tr '\\0' x"));
  ASSERT_TRUE(p.ok());
  size_t total = 0, longest = 0;
  EXPECT_EQ((*p)->ReadLines(4096,
                            [&](std::string l) {
                              total += l.size();
                              longest = std::max(longest, l.size());
                            }),
            0);
  EXPECT_EQ(total, size_t{1} << 20);
  EXPECT_LE(longest, size_t{4096 + 16384});
}

TEST_F(SubprocessTest, DeadlineKillsAndTheOutputIsStillRead) {
  auto p = Subprocess::Start(Shell("echo started; exec sleep 600"));
  ASSERT_TRUE(p.ok());
  std::vector<std::string> lines;
  bool noted = false;
  int code = (*p)->ReadLines(
      1024, [&](std::string l) { lines.push_back(std::move(l)); },
      std::chrono::steady_clock::now() + std::chrono::milliseconds(200), [&] { noted = true; });
  EXPECT_EQ(code, 128 + SIGKILL);
  EXPECT_TRUE(noted);
  EXPECT_EQ(lines, std::vector<std::string>{"started"});
}

TEST_F(SubprocessTest, StopsReadingOnceTheChildExitedEvenIfADescendantHoldsThePipe) {
  // The background sleep keeps stdout open; its pid is the first line.
  auto p = Subprocess::Start(Shell("sleep 600 & echo $!; exit 4"));
  ASSERT_TRUE(p.ok());
  std::vector<std::string> lines;
  EXPECT_EQ((*p)->ReadLines(1024, [&](std::string l) { lines.push_back(std::move(l)); }), 4);
  ASSERT_EQ(lines.size(), 1u);
  ::kill(static_cast<pid_t>(std::stol(lines[0])), SIGKILL);
}

// What an until_eof drain of `script` read, its exit code, and how often it gave up waiting.
struct EofDrain {
  std::string out;
  int code = -1;
  int gave_up = 0;
};
EofDrain DrainUntilEof(const std::string& script, std::chrono::milliseconds eof_wait) {
  EofDrain r;
  auto p = Subprocess::Start(Shell(script));
  EXPECT_TRUE(p.ok());
  if (!p.ok()) return r;
  Subprocess::Drain d;
  d.on_data = [&](std::string_view data) { r.out.append(data); };
  d.until_eof = true;
  d.eof_wait = eof_wait;
  d.on_eof_wait = [&] { ++r.gave_up; };
  r.code = (*p)->DrainOutput(d);
  return r;
}

TEST_F(SubprocessTest, UntilEofGivesUpOnAHolderThatStaysSilentPastTheEofWait) {
  // A sandbox's pump reads until EOF; a process left holding the pipe must not keep it (and the
  // stop waiting on it) there for ever.
  EofDrain r = DrainUntilEof("sleep 600 & echo $!; exit 5", std::chrono::milliseconds(50));
  EXPECT_EQ(r.code, 5);
  EXPECT_EQ(r.gave_up, 1);
  ASSERT_FALSE(r.out.empty());
  ::kill(static_cast<pid_t>(std::stol(r.out)), SIGKILL);
}

TEST_F(SubprocessTest, UntilEofReadsWhatADescendantWritesAfterTheExit) {
  // The descendant writes only once the child is gone (it waits for its parent to change), and
  // the pump still gets it: the pipe's end, not the exit, ends the read.
  EofDrain r =
      DrainUntilEof("(while kill -0 $$ 2>/dev/null; do sleep 0.01; done; echo after) & exit 0",
                    std::chrono::milliseconds::max());
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "after\n");
  EXPECT_EQ(r.gave_up, 0);
}

TEST_F(SubprocessTest, DestructorKillsAndReapsARunningChild) {
  pid_t pid;
  {
    auto p = Subprocess::Start(Shell("exec sleep 600"));
    ASSERT_TRUE(p.ok());
    pid = (*p)->pid();
  }
  // Reaped: nothing is left to wait for (a zombie would still be waitable).
  int status;
  EXPECT_EQ(::waitpid(pid, &status, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST_F(SubprocessTest, DestructorGivesTheGraceToExitCleanly) {
  SubprocessOptions o =
      Shell("trap 'echo bye > \"$F\"; exit 0' TERM; echo ready; while :; do sleep 0.05; done");
  o.env.push_back("F=" + (dir_ / "bye").string());
  o.kill_grace = std::chrono::seconds(30);
  {
    auto p = Subprocess::Start(o);
    ASSERT_TRUE(p.ok());
    // The trap is set once it said so; only then does TERM mean "clean up".
    char buf[6];
    ASSERT_EQ(::read((*p)->stdout_fd(), buf, sizeof(buf)), 6);
  }
  EXPECT_EQ(ReadFile(dir_ / "bye"), "bye\n");
}

// A child that sees the end of its input and still has something to say is not killed by
// SIGPIPE for it: its stdout stays open until it is gone (receive-pack, cut off mid-push, writes
// its report and only then removes its quarantine). It ignores TERM here, so only the grace ends it
// before it finishes, and 30 s leaves no doubt.
TEST_F(SubprocessTest, DestructorLetsAChildFinishAfterItsInputEnds) {
  SubprocessOptions o =
      Shell("trap '' TERM; echo ready; cat >/dev/null; echo last words; : > \"$F\"");
  o.stdin_mode = SubprocessOptions::In::kPipe;
  o.env.push_back("F=" + (dir_ / "done").string());
  o.kill_grace = std::chrono::seconds(30);
  {
    auto p = Subprocess::Start(o);
    ASSERT_TRUE(p.ok());
    char buf[6];
    ASSERT_EQ(::read((*p)->stdout_fd(), buf, sizeof(buf)), 6);  // running, reading its stdin
  }
  EXPECT_TRUE(std::filesystem::exists(dir_ / "done"));
}

}  // namespace
}  // namespace spacehub
