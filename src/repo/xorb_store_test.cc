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

// Files anywhere under `dir` (none when it does not exist).
size_t FilesUnder(const std::filesystem::path& dir) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file()) ++n;
  }
  return n;
}

// Several pipeline blocks and a tail that is not a multiple of the O_DIRECT alignment.
std::string Big() {
  std::string s(5 * 1024 * 1024 + 123, '\0');
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>(i * 131 + i / 4096);
  return s;
}

TEST_F(XorbStoreTest, AWriterCommitsWhatWasAppendedInPieces) {
  const std::string big = Big();
  auto writer = store_->Begin();
  ASSERT_TRUE(writer.ok()) << writer.status().message();
  for (size_t at = 0; at < big.size(); at += 300000) {
    ASSERT_TRUE((*writer)->Append(std::string_view(big).substr(at, 300000)).ok());
  }
  EXPECT_EQ((*writer)->size(), big.size());
  EXPECT_FALSE(store_->Exists(kHash));  // nothing is visible before Commit
  auto committed = (*writer)->Commit(kHash);
  ASSERT_TRUE(committed.ok()) << committed.status().message();
  EXPECT_TRUE(*committed);
  EXPECT_EQ(Read(store_->Path(kHash)), big);
  EXPECT_EQ(FilesUnder(dir_ / "xet" / "tmp"), 0u);
  // Spent after Commit.
  EXPECT_FALSE((*writer)->Append("x").ok());
  EXPECT_FALSE((*writer)->Commit(kHash).ok());
  EXPECT_EQ(Read(store_->Path(kHash)), big);
}

TEST_F(XorbStoreTest, CommittingAStoredXorbKeepsTheOldOneAndDiscardsTheNew) {
  ASSERT_TRUE(store_->Put(kHash, "first").ok());
  auto writer = store_->Begin();
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append("second").ok());
  auto committed = (*writer)->Commit(kHash);
  ASSERT_TRUE(committed.ok());
  EXPECT_FALSE(*committed);
  EXPECT_EQ(Read(store_->Path(kHash)), "first");
  EXPECT_EQ(FilesUnder(dir_ / "xet" / "tmp"), 0u);
}

TEST_F(XorbStoreTest, AWriterDroppedWithoutCommitLeavesNothing) {
  const std::string big = Big();
  {
    auto writer = store_->Begin();
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Append(big).ok());
    EXPECT_EQ(FilesUnder(dir_ / "xet" / "tmp"), 1u);
  }
  EXPECT_EQ(FilesUnder(dir_ / "xet" / "tmp"), 0u);
  EXPECT_EQ(FilesUnder(dir_ / "xet" / "xorbs"), 0u);
  // Nor does a commit under a malformed hash.
  auto writer = store_->Begin();
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append("bytes").ok());
  EXPECT_EQ((*writer)->Commit("../../etc/passwd").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(FilesUnder(dir_ / "xet" / "tmp"), 0u);
  EXPECT_EQ(FilesUnder(dir_ / "xet" / "xorbs"), 0u);
}

}  // namespace
}  // namespace spacehub::repo
