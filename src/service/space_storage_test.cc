// Unit tests of service/space_storage.h: tier sizes, which /data a Space gets for its tier, the
// flavor's limits, and the removal of deleted Spaces' directories (in a temporary directory; no
// mount is involved).
#include "service/space_storage.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/crypto.h"
#include "testing/temp_dir.h"

namespace spacehub::service {
namespace {
namespace fs = std::filesystem;

TEST(TierSizesTest, DefaultsAndParsing) {
  auto d = DefaultTierSizes();
  EXPECT_EQ(d["small"], int64_t{20} << 30);
  EXPECT_EQ(d["large"], int64_t{1} << 40);
  auto t = ParseTierSizes("small=32M,medium=48M,large=64M");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ((*t)["medium"], int64_t{48} << 20);
  for (const char* bad :
       {"small=32M", "small=32M,medium=48M,large=64M,huge=1T", "small=1M,medium=48M,large=64M",
        "small=64M,medium=48M,large=64M", "small,medium=1G,large=2G"}) {
    EXPECT_FALSE(ParseTierSizes(bad).ok()) << bad;
  }
}

TEST(LimitsForFlavorTest, MemoryCpuAndPids) {
  Flavor f;
  f.vcpu = 2;
  f.memory_gb = 16;
  auto l = LimitsForFlavor(&f, 1024);
  EXPECT_EQ(l.memory_bytes, int64_t{16} << 30);
  EXPECT_EQ(l.cpu_millis, 2000);
  EXPECT_EQ(l.pids, 1024);
  auto none = LimitsForFlavor(nullptr, 0);
  EXPECT_FALSE(none.any());
}

class SpaceDirsTest : public testing::TempDirTest {
 protected:
  const fs::path& root_ = dir_;
};

TEST_F(SpaceDirsTest, TierGivesAVolumeAndDeletingItDeletesTheData) {
  fs::path space = root_ / "u1";
  auto plain = PrepareSpaceData(space, "", DefaultTierSizes());
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->dir, space / "data");
  EXPECT_FALSE(plain->volume.has_value());
  EXPECT_TRUE(fs::is_directory(space / "data"));

  auto tiered = PrepareSpaceData(space, "small", DefaultTierSizes());
  ASSERT_TRUE(tiered.ok());
  ASSERT_TRUE(tiered->volume.has_value());
  EXPECT_EQ(tiered->volume->size_bytes, int64_t{20} << 30);
  EXPECT_EQ(tiered->volume->mount_point, space / "data");
  EXPECT_EQ(tiered->volume->image, space / "storage.ext4");
  EXPECT_FALSE(PrepareSpaceData(space, "huge", DefaultTierSizes()).ok());

  std::ofstream(space / "data" / "model.bin") << "weights";
  std::ofstream(space / "storage.ext4") << "image";
  ASSERT_TRUE(PrepareSpaceData(space, "", DefaultTierSizes()).ok());
  EXPECT_FALSE(fs::exists(space / "storage.ext4"));
  EXPECT_FALSE(fs::exists(space / "data" / "model.bin"));
  EXPECT_TRUE(fs::is_directory(space / "data"));
  // Without a tier ever, the plain /data is left alone.
  std::ofstream(space / "data" / "kept") << "x";
  ASSERT_TRUE(PrepareSpaceData(space, "", DefaultTierSizes()).ok());
  EXPECT_TRUE(fs::exists(space / "data" / "kept"));
}

TEST_F(SpaceDirsTest, DirectoriesOfDeletedSpacesGo) {
  for (const char* uid : {"live1", "gone1", "gone2"}) {
    fs::create_directories(root_ / uid / "data");
    std::ofstream(root_ / uid / "data" / "f") << "x";
  }
  fs::create_directories(root_ / ".volume-probe");
  EXPECT_EQ(RemoveDeletedSpaceDirs(root_, {"live1"}), 2);
  EXPECT_TRUE(fs::exists(root_ / "live1" / "data" / "f"));
  EXPECT_FALSE(fs::exists(root_ / "gone1"));
  EXPECT_FALSE(fs::exists(root_ / "gone2"));
  EXPECT_TRUE(fs::exists(root_ / ".volume-probe"));
  EXPECT_EQ(RemoveDeletedSpaceDirs(root_ / "missing", {}), 0);
}

}  // namespace
}  // namespace spacehub::service
