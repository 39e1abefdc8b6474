#include "runtime/build_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "testing/temp_dir.h"

namespace spacehub::runtime {
namespace {
namespace fs = std::filesystem;

class BuildFiles : public spacehub::testing::TempDirTest {
 protected:
  void SetUp() override {
    fs::create_directories(root_ / "builds" / "abc" / "sub");
    fs::create_directories(root_ / "outside" / "dir");
    Write(root_ / "outside" / "victim", "precious");
    Write(root_ / "outside" / "dir" / "kept", "kept");
    Write(root_ / "builds" / "abc" / "sub" / "file", "x");
  }
  static void Write(const fs::path& p, const std::string& s) { std::ofstream(p) << s; }
  static std::string Read(const fs::path& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  const fs::path& root_ = dir_;
};

// What a build's own code may leave: links to host files and directories, at every level.
TEST_F(BuildFiles, RemoveTreeNeverFollowsALink) {
  const fs::path b = root_ / "builds" / "abc";
  fs::create_symlink(root_ / "outside" / "dir", b / "dirlink");
  fs::create_symlink(root_ / "outside" / "victim", b / "sub" / "filelink");
  fs::create_symlink(root_ / "outside", root_ / "builds" / "toplink");
  ASSERT_TRUE(RemoveTree(b).ok());
  EXPECT_FALSE(fs::exists(fs::symlink_status(b)));
  ASSERT_TRUE(RemoveTree(root_ / "builds" / "toplink").ok());
  EXPECT_FALSE(fs::exists(fs::symlink_status(root_ / "builds" / "toplink")));
  EXPECT_EQ(Read(root_ / "outside" / "victim"), "precious");
  EXPECT_EQ(Read(root_ / "outside" / "dir" / "kept"), "kept");
  EXPECT_TRUE(RemoveTree(root_ / "builds" / "missing").ok());
}

TEST_F(BuildFiles, MarkerLivesBesideTheBuildAndIgnoresALinkedDirectory) {
  const fs::path b = root_ / "builds" / "abc";
  EXPECT_EQ(BuildMarkerPath(b), root_ / "builds" / "abc.ok");
  EXPECT_FALSE(BuildComplete(b, "abc gradio"));
  // A marker the build planted inside its own directory counts for nothing.
  Write(b / ".spacehub-build-ok", "abc gradio\n");
  EXPECT_FALSE(BuildComplete(b, "abc gradio"));
  ASSERT_TRUE(WriteBuildMarker(b, "abc gradio").ok());
  EXPECT_TRUE(BuildComplete(b, "abc gradio"));
  EXPECT_FALSE(BuildComplete(b, "abc static"));  // another SDK of the same commit: rebuilt
  // A build directory replaced by a link is not a completed build.
  ASSERT_TRUE(RemoveTree(b).ok());
  fs::create_symlink(root_ / "outside", b);
  EXPECT_FALSE(BuildComplete(b, "abc gradio"));
}

TEST_F(BuildFiles, WriteBuildMarkerReplacesALinkInsteadOfWritingThroughIt) {
  const fs::path b = root_ / "builds" / "abc";
  fs::create_symlink(root_ / "outside" / "victim", BuildMarkerPath(b));
  ASSERT_TRUE(WriteBuildMarker(b, "abc gradio").ok());
  EXPECT_EQ(Read(root_ / "outside" / "victim"), "precious");
  EXPECT_FALSE(fs::is_symlink(BuildMarkerPath(b)));
  EXPECT_TRUE(BuildComplete(b, "abc gradio"));
}

TEST_F(BuildFiles, ChownTreeChangesLinksNotTheirTargets) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  const fs::path b = root_ / "builds" / "abc";
  fs::create_symlink(root_ / "outside" / "victim", b / "sub" / "filelink");
  ASSERT_TRUE(ChownTree(b, 4242, 4343).ok());
  struct stat st {};
  for (const fs::path& p : {b, b / "sub", b / "sub" / "file", b / "sub" / "filelink"}) {
    ASSERT_EQ(::lstat(p.c_str(), &st), 0) << p;
    EXPECT_EQ(st.st_uid, 4242u) << p;
    EXPECT_EQ(st.st_gid, 4343u) << p;
  }
  ASSERT_EQ(::stat((root_ / "outside" / "victim").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);
  // The build directory itself must not be a link.
  fs::create_symlink(root_ / "outside", root_ / "builds" / "linked");
  EXPECT_FALSE(ChownTree(root_ / "builds" / "linked", 4242, 4242).ok());
}

}  // namespace
}  // namespace spacehub::runtime
