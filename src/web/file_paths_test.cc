#include "web/file_paths.h"

#include <gtest/gtest.h>

namespace spacehub::web {
namespace {

std::string PathOrError(std::string_view folder, std::string_view name) {
  auto r = UploadPath(folder, name);
  return r.ok() ? *r : "ERROR";
}

TEST(UploadPathTest, JoinsFolderAndName) {
  EXPECT_EQ(PathOrError("", "model.bin"), "model.bin");
  EXPECT_EQ(PathOrError("data/train", "a.csv"), "data/train/a.csv");
  EXPECT_EQ(PathOrError("/data//train/", "a.csv"), "data/train/a.csv");
  EXPECT_EQ(PathOrError("./data/.", "./a.csv"), "data/a.csv");
  // Folder uploads send relative paths; Windows browsers sent backslashes.
  EXPECT_EQ(PathOrError("", "dir/sub/x.txt"), "dir/sub/x.txt");
  EXPECT_EQ(PathOrError("", "dir\\sub\\x.txt"), "dir/sub/x.txt");
}

TEST(UploadPathTest, AbsoluteNamesBecomeRelative) {
  EXPECT_EQ(PathOrError("", "/etc/passwd"), "etc/passwd");
  EXPECT_EQ(PathOrError("/", "\\\\server\\share\\f"), "server/share/f");
}

TEST(UploadPathTest, RefusesHostileNames) {
  EXPECT_EQ(PathOrError("", "../x"), "ERROR");
  EXPECT_EQ(PathOrError("", "a/../../x"), "ERROR");
  EXPECT_EQ(PathOrError("..", "x"), "ERROR");
  EXPECT_EQ(PathOrError("a\\..", "x"), "ERROR");
  EXPECT_EQ(PathOrError("", std::string("a\0b", 3)), "ERROR");
  EXPECT_EQ(PathOrError("", "a\nb"), "ERROR");
  EXPECT_EQ(PathOrError(std::string("d\0", 2), "x"), "ERROR");
  EXPECT_EQ(PathOrError("", ""), "ERROR");
  EXPECT_EQ(PathOrError("", "/"), "ERROR");
  EXPECT_EQ(PathOrError("", ".git/config"), "ERROR");
  EXPECT_EQ(PathOrError(".git", "hooks"), "ERROR");
  EXPECT_EQ(PathOrError("", std::string(2000, 'a')), "ERROR");
  auto r = UploadPath("", "../x");
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
}

TEST(UploadPathTest, DotsInsideNamesAreFine) {
  EXPECT_EQ(PathOrError("", "..hidden"), "..hidden");
  EXPECT_EQ(PathOrError("v1..2", "a...b"), "v1..2/a...b");
}

TEST(CleanFolderTest, NormalizesOrRefuses) {
  EXPECT_EQ(*CleanFolder(""), "");
  EXPECT_EQ(*CleanFolder("/"), "");
  EXPECT_EQ(*CleanFolder(" a /b"), " a /b");
  EXPECT_FALSE(CleanFolder("a/../b").ok());
}

TEST(RevPathTest, EncodesRevisionAsOneSegmentAndPathPerSegment) {
  EXPECT_EQ(RevPath("/alice/m", "tree", "main"), "/alice/m/tree/main");
  EXPECT_EQ(RevPath("/alice/m", "blob", "refs/pr/1", "a b/c#d?.txt"),
            "/alice/m/blob/refs%2Fpr%2F1/a%20b/c%23d%3F.txt");
  EXPECT_EQ(RevPath("/datasets/a/d", "tree", "v1.0", "dir"), "/datasets/a/d/tree/v1.0/dir");
}

TEST(PathPartsTest, ParentAndBaseName) {
  EXPECT_EQ(ParentOf("a/b/c.txt"), "a/b");
  EXPECT_EQ(ParentOf("c.txt"), "");
  EXPECT_EQ(BaseName("a/b/c.txt"), "c.txt");
  EXPECT_EQ(BaseName("c.txt"), "c.txt");
}

TEST(BreadcrumbsTest, RootOnly) {
  auto c = Breadcrumbs("/alice/m", "main", "", "m");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].name, "m");
  EXPECT_TRUE(c[0].last);
  EXPECT_EQ(c[0].url, "");
}

TEST(BreadcrumbsTest, FoldersLinkToTheirTrees) {
  auto c = Breadcrumbs("/alice/m", "dev", "a/b c/f.txt", "m");
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0].url, "/alice/m/tree/dev");
  EXPECT_EQ(c[1].name, "a");
  EXPECT_EQ(c[1].url, "/alice/m/tree/dev/a");
  EXPECT_EQ(c[2].name, "b c");
  EXPECT_EQ(c[2].url, "/alice/m/tree/dev/a/b%20c");
  EXPECT_EQ(c[3].name, "f.txt");
  EXPECT_TRUE(c[3].last);
  EXPECT_EQ(c[3].url, "");
  EXPECT_FALSE(c[2].last);
}

}  // namespace
}  // namespace spacehub::web
