#include "repo/lfs_store.h"

#include <gtest/gtest.h>

#include "core/crypto.h"
#include "repo/test_util.h"

namespace spacehub::repo {
namespace {

class LfsStoreTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    store_ = std::make_unique<LfsStore>(dir_ / "lfs");
  }
  // Number of regular files under tmp/ (leftovers of failed uploads).
  size_t TempFiles() {
    size_t n = 0;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir_ / "lfs" / "tmp", ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      n += it->is_regular_file() ? 1 : 0;
    }
    return n;
  }
  std::unique_ptr<LfsStore> store_;
};

TEST_F(LfsStoreTest, Upload) {
  std::string data = "hello large file";
  std::string oid = Sha256Hex(data);
  EXPECT_FALSE(store_->Exists(oid));
  auto w = store_->BeginUpload(oid, data.size());
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write(data.substr(0, 5)).ok());
  ASSERT_TRUE((*w)->Write(data.substr(5)).ok());
  ASSERT_TRUE((*w)->Commit().ok());
  w->reset();
  EXPECT_TRUE(store_->Exists(oid));
  EXPECT_EQ(*store_->Size(oid), data.size());
  EXPECT_EQ(store_->ObjectPath(oid),
            dir_ / "lfs" / "objects" / oid.substr(0, 2) / oid.substr(2, 2) / oid);
  EXPECT_EQ(TempFiles(), 0u);

  // Uploading the same object again keeps the existing one and leaves no temp file.
  auto again = store_->BeginUpload(oid, data.size());
  ASSERT_TRUE((*again)->Write(data).ok());
  ASSERT_TRUE((*again)->Commit().ok());
  EXPECT_EQ(TempFiles(), 0u);
}

TEST_F(LfsStoreTest, Rejections) {
  std::string data = "payload";
  std::string oid = Sha256Hex(data);
  EXPECT_EQ(store_->BeginUpload("ABC", 1).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->BeginUpload("../" + oid.substr(3), 1).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->Size(Sha256Hex("x")).status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->ObjectPath("nope").empty());

  {  // wrong content for the announced oid
    auto w = store_->BeginUpload(oid, data.size());
    ASSERT_TRUE((*w)->Write("PAYLOAD").ok());
    Status st = (*w)->Commit();
    EXPECT_EQ(st.code(), Code::kInvalidArgument);
    EXPECT_NE(st.message().find("SHA-256 mismatch"), std::string::npos);
    EXPECT_EQ(TempFiles(), 0u);  // dropped by Commit(), not only by the destructor
  }
  EXPECT_FALSE(store_->Exists(oid));
  EXPECT_EQ(TempFiles(), 0u);
  {  // truncated: writer dropped mid-way
    auto w = store_->BeginUpload(oid, data.size());
    ASSERT_TRUE((*w)->Write("pay").ok());
    EXPECT_EQ(TempFiles(), 1u);
  }
  EXPECT_FALSE(store_->Exists(oid));
  EXPECT_EQ(TempFiles(), 0u);
  {  // short upload committed
    auto w = store_->BeginUpload(oid, data.size());
    ASSERT_TRUE((*w)->Write("pay").ok());
    Status st = (*w)->Commit();
    EXPECT_NE(st.message().find("size mismatch"), std::string::npos);
  }
  {  // too many bytes
    auto w = store_->BeginUpload(oid, data.size());
    EXPECT_EQ((*w)->Write(data + "!").code(), Code::kInvalidArgument);
  }
  EXPECT_FALSE(store_->Exists(oid));
  EXPECT_EQ(TempFiles(), 0u);
}

TEST_F(LfsStoreTest, MultipartOutOfOrder) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data += "chunk-" + std::to_string(i) + ";";
  std::string oid = Sha256Hex(data);
  const size_t chunk = 4000;
  size_t n = (data.size() + chunk - 1) / chunk;
  std::vector<LfsStore::PartRef> parts(n);
  for (size_t k = n; k-- > 0;) {  // last part first
    std::string slice = data.substr(k * chunk, chunk);
    auto pw = store_->BeginPart(oid, static_cast<int>(k + 1), slice.size());
    ASSERT_TRUE(pw.ok());
    ASSERT_TRUE((*pw)->Write(slice).ok());
    auto etag = (*pw)->Commit();
    ASSERT_TRUE(etag.ok());
    EXPECT_EQ(*etag, "\"" + Sha256Hex(slice) + "\"");
    parts[n - 1 - k] = {static_cast<int>(k + 1), *etag};
  }
  {  // an abandoned re-send of part 1 changes nothing
    auto pw = store_->BeginPart(oid, 1, chunk);
    ASSERT_TRUE((*pw)->Write("garbage").ok());
  }
  parts[0].etag = parts[0].etag.substr(1, 64);  // quotes are optional
  Status st = store_->CompleteMultipart(oid, data.size(), parts);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(store_->Exists(oid));
  EXPECT_EQ(*store_->Size(oid), data.size());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "lfs" / "tmp" / "multipart" / oid));
  EXPECT_EQ(TempFiles(), 0u);
}

TEST_F(LfsStoreTest, MultipartBadEtagOrMissingPart) {
  std::string data = "0123456789abcdef";
  std::string oid = Sha256Hex(data);
  std::vector<LfsStore::PartRef> parts;
  for (int k = 0; k < 2; ++k) {
    auto pw = store_->BeginPart(oid, k + 1, 8);
    ASSERT_TRUE((*pw)->Write(data.substr(k * 8, 8)).ok());
    parts.push_back({k + 1, *(*pw)->Commit()});
  }
  auto bad = parts;
  bad[1].etag = "\"" + std::string(64, '0') + "\"";
  Status st = store_->CompleteMultipart(oid, data.size(), bad);
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_FALSE(store_->Exists(oid));
  auto missing = parts;
  missing.push_back({3, parts[0].etag});
  EXPECT_EQ(store_->CompleteMultipart(oid, data.size(), missing).code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->CompleteMultipart(oid, data.size() + 1, parts).code(), Code::kInvalidArgument);
  EXPECT_FALSE(store_->Exists(oid));
  // The parts survived the failures, so the client can still complete.
  ASSERT_TRUE(store_->CompleteMultipart(oid, data.size(), parts).ok());
  EXPECT_TRUE(store_->Exists(oid));
  EXPECT_TRUE(store_->CleanTemp().ok());
}

// A re-sent part replaces the earlier version: the earlier ETag no longer completes, and only one
// file per part stays behind.
TEST_F(LfsStoreTest, ResentPartReplacesTheEarlierVersion) {
  std::string data = "0123456789abcdef";
  std::string oid = Sha256Hex(data);
  auto send = [&](int n, std::string_view bytes) {
    auto pw = store_->BeginPart(oid, n, bytes.size());
    EXPECT_TRUE((*pw)->Write(bytes).ok());
    return *(*pw)->Commit();
  };
  std::string first = send(1, "01234567");
  std::string second = send(1, "XXXXXXXX");
  std::string tail = send(2, "89abcdef");
  EXPECT_NE(first, second);
  Status st = store_->CompleteMultipart(oid, data.size(), {{1, first}, {2, tail}});
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("ETag mismatch for part 1"), std::string::npos) << st.ToString();
  // The current version is found, and the whole-object hash refuses its bytes.
  EXPECT_EQ(store_->CompleteMultipart(oid, data.size(), {{1, second}, {2, tail}}).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(TempFiles(), 2u);
  // A path in place of a hash is just a mismatch.
  EXPECT_EQ(store_->CompleteMultipart(oid, data.size(), {{1, "../../x"}, {2, tail}}).code(),
            Code::kInvalidArgument);
  send(1, "01234567");
  ASSERT_TRUE(store_->CompleteMultipart(oid, data.size(), {{1, first}, {2, tail}}).ok());
  EXPECT_TRUE(store_->Exists(oid));
}

}  // namespace
}  // namespace spacehub::repo
