#include "web/diff_lines.h"

#include <gtest/gtest.h>

namespace spacehub::web {
namespace {

TEST(SplitPatchTest, ClassesPerLine) {
  auto lines = SplitPatch("@@ -1,2 +1,2 @@\n a\n-b\n+c\n\\ No newline at end of file\n");
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0].css, "diff-hunk");
  EXPECT_EQ(lines[1].css, "diff-ctx");
  EXPECT_EQ(lines[1].text, " a");
  EXPECT_EQ(lines[2].css, "diff-del");
  EXPECT_EQ(lines[3].css, "diff-add");
  EXPECT_EQ(lines[3].text, "+c");
  EXPECT_EQ(lines[4].css, "diff-ctx");
}

TEST(SplitPatchTest, EmptyAndUnterminated) {
  EXPECT_TRUE(SplitPatch("").empty());
  auto lines = SplitPatch("+<script>alert(1)</script>");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].text, "+<script>alert(1)</script>");  // escaped by the view, not here
}

}  // namespace
}  // namespace spacehub::web
