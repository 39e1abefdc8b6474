// Unit tests of the runtime's pure parts: the bubblewrap command line, the Space environment and
// secret redaction.
#include <gtest/gtest.h>

#include <algorithm>

#include "runtime/redactor.h"
#include "runtime/sandbox.h"
#include "runtime/space_env.h"

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
  for (const char* flag : {"--unshare-all", "--die-with-parent", "--new-session"}) {
    EXPECT_NE(std::find(a.begin(), a.end(), flag), a.end()) << flag;
  }
  EXPECT_TRUE(HasSeq(a, {"--uid", "1000", "--gid", "1000"}));
  EXPECT_TRUE(HasSeq(a, {"--cap-drop", "ALL"}));
  EXPECT_TRUE(HasSeq(a, {"--ro-bind", "/usr", "/usr"}));
  EXPECT_TRUE(HasSeq(a, {"--tmpfs", "/tmp"}));
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
