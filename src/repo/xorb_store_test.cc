#include "repo/xorb_store.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "repo/test_util.h"

namespace spacehub::repo {
namespace {

const std::string kHash(64, 'a');

class XorbStoreTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    store_ = std::make_unique<XorbStore>(dir_ / "xet");
  }
  std::string Read(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::unique_ptr<XorbStore> store_;
};

TEST_F(XorbStoreTest, PutOnceThenKeeps) {
  auto first = store_->Put(kHash, "bytes");
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(*first);
  EXPECT_TRUE(store_->Exists(kHash));
  EXPECT_EQ(*store_->Size(kHash), 5u);
  EXPECT_EQ(Read(store_->Path(kHash)), "bytes");
  auto again = store_->Put(kHash, "bytes");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  // Nothing is left in tmp/ after a put.
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "xet" / "tmp"));
}

TEST_F(XorbStoreTest, RejectsPathTricks) {
  EXPECT_FALSE(store_->Put("../../etc/passwd", "x").ok());
  EXPECT_FALSE(store_->Put(std::string(64, 'A'), "x").ok());  // uppercase is not a stored name
  EXPECT_TRUE(store_->Path("zz").empty());
  EXPECT_FALSE(store_->Size(kHash).ok());
}

TEST_F(XorbStoreTest, RemoveDeletes) {
  ASSERT_TRUE(store_->Put(kHash, "bytes").ok());
  ASSERT_TRUE(store_->Remove(kHash).ok());
  EXPECT_FALSE(store_->Exists(kHash));
  EXPECT_TRUE(store_->Remove(kHash).ok());
}

}  // namespace
}  // namespace spacehub::repo
