// Unit tests of runtime/volume.h's pure parts: /proc/self/mountinfo parsing, which mounts lie
// below a directory (and in which order they come off), sizes. The loop mounts themselves are
// tested for real in tests/integration/runtime_isolation.test.mjs.
#include "runtime/volume.h"

#include <gtest/gtest.h>

namespace spacehub::runtime {
namespace {

TEST(MountInfoTest, ParsesEntriesAndDecodesEscapes) {
  auto m = ParseMountInfo(
      "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
      "40 22 7:3 / /d/spaces/u1/data rw,nosuid,nodev,relatime - ext4 /dev/loop3 rw\n"
      "41 22 7:4 / /d/my\\040space/data rw shared:7 master:2 - ext4 /dev/loop4 rw\n"
      "garbage\n");
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[1].mount_point, "/d/spaces/u1/data");
  EXPECT_EQ(m[1].source, "/dev/loop3");
  EXPECT_EQ(m[1].fstype, "ext4");
  EXPECT_EQ(m[2].mount_point, "/d/my space/data");
  EXPECT_EQ(m[2].source, "/dev/loop4");
}

TEST(MountInfoTest, MountsUnderADirectoryDeepestFirst) {
  std::vector<MountEntry> m = {{"/", "ext4", "/dev/vda"},
                               {"/d/spaces/u1/data", "ext4", "/dev/loop3"},
                               {"/d/spaces", "tmpfs", "tmpfs"},
                               {"/d/spaces-other/x", "ext4", "/dev/loop5"},
                               {"/d/spaces/u2/data/deeper", "ext4", "/dev/loop6"}};
  auto under = MountsUnder(m, "/d/spaces/");
  ASSERT_EQ(under.size(), 3u);
  EXPECT_EQ(under[0], "/d/spaces/u2/data/deeper");
  EXPECT_EQ(under[2], "/d/spaces");
  EXPECT_TRUE(MountsUnder(m, "/d/spaces/u3").empty());
  EXPECT_EQ(MountsUnder(m, "/d/spaces/u1/data").size(), 1u);
}

TEST(ParseSizeTest, BinaryUnits) {
  EXPECT_EQ(*ParseSize("4096"), 4096);
  EXPECT_EQ(*ParseSize("32M"), int64_t{32} << 20);
  EXPECT_EQ(*ParseSize("20G"), int64_t{20} << 30);
  EXPECT_EQ(*ParseSize("20GiB"), int64_t{20} << 30);
  EXPECT_EQ(*ParseSize("1T"), int64_t{1} << 40);
  for (const char* bad : {"", "G", "12X", "-1G", "1.5G", "99999999999999999T"}) {
    EXPECT_FALSE(ParseSize(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace spacehub::runtime
