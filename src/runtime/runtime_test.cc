// Unit tests of the runtime's pure parts: the bubblewrap command line, the Space environment and
// secret redaction.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "runtime/redactor.h"
#include "runtime/sandbox.h"
#include "runtime/space_env.h"
#include "testing/temp_dir.h"

namespace spacehub::runtime {
namespace {

bool HasSeq(const std::vector<std::string>& v, std::vector<std::string> seq) {
  return std::search(v.begin(), v.end(), seq.begin(), seq.end()) != v.end();
}

TEST(SandboxTest, IsolatesEverythingAndRunsTheAppAsUid1000) {
  SandboxSpec s;
  s.app_dir = "/hub/spaces/abc/builds/123";
  s.data_dir = "/hub/spaces/abc/data";
  s.info_fd = 3;
  s.argv = {"/app/.venv/bin/python", "app.py"};
  auto a = BwrapArgv(s);
  EXPECT_EQ(a.front(), "/usr/bin/bwrap");
  for (const char* flag : {"--unshare-all", "--unshare-user", "--disable-userns",
                           "--die-with-parent", "--new-session"}) {
    EXPECT_NE(std::find(a.begin(), a.end(), flag), a.end()) << flag;
  }
  EXPECT_TRUE(HasSeq(a, {"--uid", "1000", "--gid", "1000"}));
  EXPECT_TRUE(HasSeq(a, {"--cap-drop", "ALL"}));
  EXPECT_TRUE(HasSeq(a, {"--ro-bind", "/usr", "/usr"}));
  EXPECT_TRUE(HasSeq(a, {"--tmpfs", "/tmp"}));
  EXPECT_TRUE(HasSeq(a, {"--ro-bind", "/proc/sys", "/proc/sys"}));
  // /tmp and $HOME are sized; nothing mounts /sys.
  EXPECT_EQ(std::count(a.begin(), a.end(), "--size"), 2);
  EXPECT_EQ(std::find(a.begin(), a.end(), "/sys"), a.end());
  EXPECT_TRUE(HasSeq(a, {"--ro-bind", "/hub/spaces/abc/builds/123", "/app"}));
  EXPECT_TRUE(HasSeq(a, {"--bind", "/hub/spaces/abc/data", "/data"}));
  EXPECT_TRUE(HasSeq(a, {"--info-fd", "3"}));
  EXPECT_TRUE(HasSeq(a, {"--", "/app/.venv/bin/python", "app.py"}));
  EXPECT_EQ(a.back(), "app.py");
  // Nothing of the host is bound read-write except /data, and no --share-net sneaks in.
  EXPECT_EQ(std::count(a.begin(), a.end(), "--bind"), 1);
  EXPECT_EQ(std::find(a.begin(), a.end(), "--share-net"), a.end());
  EXPECT_EQ(std::find(a.begin(), a.end(), "--setenv"), a.end()) << "env must not be in argv";
}

TEST(SandboxTest, PrepareBwrapKeepsEnvironmentAndArgumentsOffTheCommandLine) {
  SandboxSpec s;
  s.app_dir = "/hub/spaces/abc/builds/123";
  s.env = {{"LD_PRELOAD", "/data/evil.so"}, {"API_KEY", "s3cret"}};
  s.data_contents = {{"127.0.0.1 index\n", "/etc/hosts"}};
  s.argv = {"/app/.venv/bin/python", "app.py"};
  SpawnOptions so;
  so.env = {{"LD_AUDIT", "/data/evil.so"}};
  so.extra_fds = {{0, 3}};  // as if the info fd were mapped at 3
  auto fds = PrepareBwrap(s, so);
  ASSERT_TRUE(fds.ok()) << fds.status().message();
  // bwrap starts with nothing the owner chose: no environment, only `--args N`.
  EXPECT_TRUE(so.env.empty());
  ASSERT_EQ(so.argv.size(), 6u);
  EXPECT_EQ(so.argv[1], "--args");
  EXPECT_EQ(so.argv[3], "--");
  EXPECT_EQ(so.argv.back(), "app.py");
  // The /etc/hosts file, the seccomp filter and the arguments: fds 4, 5 and 6 in the child.
  ASSERT_EQ(so.extra_fds.size(), 4u);
  EXPECT_EQ(so.argv[2], "6");
  std::string blob;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(so.extra_fds.back().first, buf, sizeof(buf))) > 0) blob.append(buf, n);
  std::vector<std::string> args;
  for (size_t start = 0; start < blob.size();) {
    size_t end = blob.find('\0', start);
    args.push_back(blob.substr(start, end - start));
    start = end + 1;
  }
  EXPECT_TRUE(HasSeq(args, {"--clearenv"}));
  EXPECT_TRUE(HasSeq(args, {"--setenv", "LD_PRELOAD", "/data/evil.so"}));
  EXPECT_TRUE(HasSeq(args, {"--setenv", "API_KEY", "s3cret"}));
  EXPECT_TRUE(HasSeq(args, {"--seccomp", "5"}));
  EXPECT_TRUE(HasSeq(args, {"--ro-bind-data", "4", "/etc/hosts"}));
  EXPECT_EQ(std::find(args.begin(), args.end(), "--"), args.end());
  CloseAll(*fds);
}

TEST(SandboxTest, GpuDevicesAreBoundOnlyWhenGiven) {
  SandboxSpec s;
  s.app_dir = "/x";
  s.argv = {"/bin/true"};
  auto plain = BwrapArgv(s);
  EXPECT_EQ(std::find(plain.begin(), plain.end(), "--dev-bind-try"), plain.end());
  s.devices = {"/dev/nvidiactl", "/dev/nvidia1"};
  auto a = BwrapArgv(s);
  EXPECT_TRUE(HasSeq(a, {"--dev-bind-try", "/dev/nvidia1", "/dev/nvidia1"}));
  // After the sandbox's own /dev, so they land in it.
  EXPECT_LT(std::find(a.begin(), a.end(), "--dev") - a.begin(),
            std::find(a.begin(), a.end(), "--dev-bind-try") - a.begin());
}

TEST(SandboxTest, NoDataDirNoDataMount) {
  SandboxSpec s;
  s.app_dir = "/x";
  s.argv = {"/bin/true"};
  auto a = BwrapArgv(s);
  EXPECT_EQ(std::find(a.begin(), a.end(), "/data"), a.end());
  EXPECT_EQ(std::find(a.begin(), a.end(), "--info-fd"), a.end());
}

std::string Get(const EnvList& env, const std::string& key) {
  for (const auto& [k, v] : env) {
    if (k == key) return v;
  }
  return "<unset>";
}

TEST(SpaceEnvTest, HubVariablesWinOverOwnerValues) {
  SpaceIdentity id;
  id.ns = "Alice";
  id.name = "my_app";
  id.title = "";
  id.host_domain = "hub.example";
  id.cpu_cores = 8;
  id.memory_gb = 32;
  id.accelerator = "none";
  id.port = 7860;
  auto env = BuildSpaceEnv(id, {{"MY_VAR", "1"}, {"SPACE_ID", "fake/fake"}, {"PORT", "1"}},
                           {{"TOKEN", "s3cret"}, {"MY_VAR", "from-secret"}});
  EXPECT_EQ(Get(env, "SPACE_ID"), "Alice/my_app");
  EXPECT_EQ(Get(env, "SPACE_AUTHOR_NAME"), "Alice");
  EXPECT_EQ(Get(env, "SPACE_REPO_NAME"), "my_app");
  EXPECT_EQ(Get(env, "SPACE_TITLE"), "my_app");
  EXPECT_EQ(Get(env, "SPACE_HOST"), "alice-my-app.hub.example");
  EXPECT_EQ(Get(env, "CPU_CORES"), "8");
  EXPECT_EQ(Get(env, "MEMORY"), "32Gi");
  EXPECT_EQ(Get(env, "ACCELERATOR"), "none");
  EXPECT_EQ(Get(env, "SYSTEM"), "spaces");
  EXPECT_EQ(Get(env, "PORT"), "7860");
  EXPECT_EQ(Get(env, "GRADIO_SERVER_PORT"), "7860");
  EXPECT_EQ(Get(env, "TOKEN"), "s3cret");
  EXPECT_EQ(Get(env, "MY_VAR"), "from-secret");
  size_t ports = 0;
  for (const auto& [k, v] : env) ports += k == "PORT";
  EXPECT_EQ(ports, 1u);
}

TEST(RedactorTest, HidesEveryValueLongestFirst) {
  Redactor r({"abc", "abcdef", "", "xyz"});
  EXPECT_EQ(r.Apply("key=abcdef and abc, xyzxyz"), "key=*** and ***, ******");
  EXPECT_EQ(r.Apply("nothing here"), "nothing here");
  EXPECT_TRUE(Redactor({""}).empty());
  EXPECT_EQ(Redactor().Apply("abc"), "abc");
}

}  // namespace
}  // namespace spacehub::runtime

namespace spacehub::runtime {
namespace {

// The real bwrap, when this machine has it: the arguments and environment arrive through the
// memfds, and the program inside sees exactly its environment.
TEST(SandboxRunTest, RunsWithTheEnvironmentFromTheArgsFd) {
  if (::access("/usr/bin/bwrap", X_OK) != 0) GTEST_SKIP() << "no bwrap";
  spacehub::testing::TempDir tmp("sbrun");
  const std::filesystem::path& dir = tmp.path();
  std::filesystem::create_directories(dir / "app");
  SandboxSpec s;
  s.app_dir = dir / "app";
  s.env = {{"PATH", "/usr/bin:/bin"}, {"GREETING", "hello sandbox"}};
  s.argv = {"/bin/sh", "-c", "echo \"$GREETING $(id -u) $(env | wc -l)\""};
  SpawnOptions so;
  so.env = {{"LD_PRELOAD", "/nonexistent.so"}};
  auto fds = PrepareBwrap(s, so);
  ASSERT_TRUE(fds.ok()) << fds.status().message();
  auto code = RunToLog(so, dir / "log", std::chrono::seconds(30));
  CloseAll(*fds);
  ASSERT_TRUE(code.ok()) << code.status().message();
  std::ifstream in(dir / "log");
  std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(*code, 0) << log;
  EXPECT_NE(log.find("hello sandbox 1000 "), std::string::npos) << log;
}

}  // namespace
}  // namespace spacehub::runtime
