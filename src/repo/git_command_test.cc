#include "repo/git_command.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <string>

#include "repo/git_rpc.h"
#include "repo/test_util.h"

namespace spacehub::repo {
namespace {

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(GitCommandTest, OptionsComeFromTheAllowList) {
  struct Case {
    GitSubcommand sub;
    const char* option;
    bool allowed;
  } cases[] = {
      {GitSubcommand::kUploadPack, "--stateless-rpc", true},
      {GitSubcommand::kUploadPack, "--advertise-refs", true},
      {GitSubcommand::kUploadPack, "--upload-pack=touch /tmp/x", false},
      {GitSubcommand::kUploadPack, "--exec=sh", false},
      {GitSubcommand::kUploadPack, "-c", false},
      {GitSubcommand::kUploadPack, "--stateless-rpc=1", false},
      {GitSubcommand::kReceivePack, "--stateless-rpc", true},
      {GitSubcommand::kReceivePack, "--strict", false},
      {GitSubcommand::kRevList, "--objects", true},
      {GitSubcommand::kRevList, "--output=/etc/passwd", false},
      {GitSubcommand::kCatFile, "--batch-check=%(objectname)", true},
      {GitSubcommand::kCatFile, "--batch", true},
      {GitSubcommand::kCatFile, "--batch-command", false},
  };
  for (const auto& c : cases) {
    GitCommand cmd(c.sub);
    EXPECT_EQ(cmd.AddOption(c.option).ok(), c.allowed) << c.option;
  }
}

TEST(GitCommandTest, PositionalsNeverBecomeFlags) {
  struct Case {
    const char* value;
    bool allowed;
  } cases[] = {
      {"/srv/repos/a.git", true},  {"main", true}, {"-x", false}, {"--upload-pack=sh", false},
      {"--end-of-options", false}, {"", false},
  };
  for (const auto& c : cases) {
    GitCommand cmd(GitSubcommand::kUploadPack);
    EXPECT_EQ(cmd.AddPositional(c.value).ok(), c.allowed) << c.value;
  }
  GitCommand cmd(GitSubcommand::kUploadPack);
  EXPECT_FALSE(cmd.AddPositional(std::string("a\0b", 3)).ok());
}

TEST(GitCommandTest, ArgvPutsEndOfOptionsBeforePositionals) {
  GitCommand cmd(GitSubcommand::kReceivePack);
  ASSERT_TRUE(cmd.SetConfig("core.hooksPath", "/data/git/hooks").ok());
  ASSERT_TRUE(cmd.AddOption("--stateless-rpc").ok());
  ASSERT_TRUE(cmd.AddPositional("/data/repos/models/a/b.git").ok());
  std::vector<std::string> want = {"git",
                                   "-c",
                                   "core.hooksPath=/data/git/hooks",
                                   "receive-pack",
                                   "--stateless-rpc",
                                   "--end-of-options",
                                   "/data/repos/models/a/b.git"};
  EXPECT_EQ(cmd.Argv(), want);

  GitCommand bare(GitSubcommand::kCatFile);
  bare.SetGitDir("/r.git");
  ASSERT_TRUE(bare.AddOption("--batch").ok());
  std::vector<std::string> want2 = {"git", "--git-dir=/r.git", "cat-file", "--batch",
                                    "--end-of-options"};
  EXPECT_EQ(bare.Argv(), want2);
}

TEST(GitCommandTest, ConfigAndEnvironmentAreAllowListed) {
  GitCommand cmd(GitSubcommand::kUploadPack);
  EXPECT_FALSE(cmd.SetConfig("core.sshCommand", "sh").ok());
  EXPECT_FALSE(cmd.SetConfig("uploadpack.packObjectsHook", "sh").ok());
  EXPECT_FALSE(cmd.SetConfig("core.hooksPath", "/x\n[core]").ok());
  EXPECT_TRUE(cmd.SetEnv("GIT_PROTOCOL", "version=2").ok());
  EXPECT_FALSE(cmd.SetEnv("GIT_DIR", "/etc").ok());
  EXPECT_FALSE(cmd.SetEnv("LD_PRELOAD", "/x.so").ok());
}

TEST(GitCommandTest, EnvironmentIsNotInherited) {
  ::setenv("GIT_DIR", "/somewhere/else", 1);
  ::setenv("GIT_CONFIG_PARAMETERS", "'core.sshcommand'='sh'", 1);
  GitCommand cmd(GitSubcommand::kUploadPack);
  cmd.SetHome("/data/git/home");
  ASSERT_TRUE(cmd.SetEnv("GIT_PROTOCOL", "version=2").ok());
  auto env = cmd.Env();
  for (const auto& e : env) {
    EXPECT_NE(e.rfind("GIT_DIR=", 0), 0u) << e;
    EXPECT_NE(e.rfind("GIT_CONFIG_PARAMETERS=", 0), 0u) << e;
  }
  EXPECT_TRUE(Contains(env, "HOME=/data/git/home"));
  EXPECT_TRUE(Contains(env, "GIT_PROTOCOL=version=2"));
  EXPECT_TRUE(Contains(env, "GIT_CONFIG_NOSYSTEM=1"));
  ::unsetenv("GIT_DIR");
  ::unsetenv("GIT_CONFIG_PARAMETERS");
}

class GitProcessTest : public testing::TempDirTest {};

TEST_F(GitProcessTest, RunGitFeedsAndReadsAtOnceWithoutDeadlock) {
  RepoStore store(dir_);
  RepoId id = testing::Model("ns", "r");
  ASSERT_TRUE(store.Create(id).ok());
  GitCommand cmd(GitSubcommand::kCatFile);
  cmd.SetGitDir(store.GitDir(id));
  ASSERT_TRUE(cmd.AddOption("--batch-check=%(objectname) %(objecttype)").ok());
  // Far more output than a pipe holds, produced while input is still being written.
  std::string input;
  for (int i = 0; i < 50000; ++i) input += "0123456789012345678901234567890123456789\n";
  auto out = RunGit(cmd, input);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->exit_code, 0) << out->err;
  EXPECT_EQ(std::count(out->out.begin(), out->out.end(), '\n'), 50000);
}

TEST_F(GitProcessTest, GitRpcAdvertisesRefsAndReapsOnAbandon) {
  RepoStore store(dir_);
  RepoId id = testing::Model("ns", "r");
  ASSERT_TRUE(store.Create(id).ok());
  GitCommand cmd(GitSubcommand::kReceivePack);
  ASSERT_TRUE(cmd.AddOption("--stateless-rpc").ok());
  ASSERT_TRUE(cmd.AddOption("--advertise-refs").ok());
  ASSERT_TRUE(cmd.AddPositional(store.GitDir(id).string()).ok());
  auto rpc = GitRpc::Start(cmd);
  ASSERT_TRUE(rpc.ok());
  (*rpc)->CloseInput();
  std::string out;
  char buf[4096];
  while (true) {
    auto n = (*rpc)->Read(buf, sizeof buf);
    ASSERT_TRUE(n.ok());
    if (*n == 0) break;
    out.append(buf, *n);
  }
  EXPECT_EQ((*rpc)->Wait(), 0);
  EXPECT_NE(out.find("capabilities^{}"), std::string::npos) << out;  // empty repo advertisement

  // A request abandoned mid-way: the destructor ends and reaps git.
  GitCommand cmd2(GitSubcommand::kReceivePack);
  ASSERT_TRUE(cmd2.AddOption("--stateless-rpc").ok());
  ASSERT_TRUE(cmd2.AddPositional(store.GitDir(id).string()).ok());
  auto rpc2 = GitRpc::Start(cmd2);
  ASSERT_TRUE(rpc2.ok());
  ASSERT_TRUE((*rpc2)->Write("0094").ok());
  rpc2->reset();
}

}  // namespace
}  // namespace spacehub::repo
