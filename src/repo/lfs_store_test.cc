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

  // Uploading the same object again verifies the bytes without writing them: no temp file, even
  // while the upload is under way.
  auto again = store_->BeginUpload(oid, data.size());
  ASSERT_TRUE((*again)->Write(data.substr(0, 3)).ok());
  EXPECT_EQ(TempFiles(), 0u);
  ASSERT_TRUE((*again)->Write(data.substr(3)).ok());
  ASSERT_TRUE((*again)->Commit().ok());
  EXPECT_EQ(TempFiles(), 0u);
  // ... and still refuses other bytes, or too many.
  auto wrong = store_->BeginUpload(oid, data.size());
  ASSERT_TRUE((*wrong)->Write(std::string(data.size(), 'x')).ok());
  EXPECT_EQ((*wrong)->Commit().code(), Code::kInvalidArgument);
  auto extra = store_->BeginUpload(oid, data.size());
  EXPECT_EQ((*extra)->Write(data + "!").code(), Code::kInvalidArgument);
  auto short_one = store_->BeginUpload(oid, data.size());
  ASSERT_TRUE((*short_one)->Write(data.substr(1)).ok());
  EXPECT_EQ((*short_one)->Commit().code(), Code::kInvalidArgument);
  // The object going away meanwhile is not reported as stored.
  auto racing = store_->BeginUpload(oid, data.size());
  std::filesystem::remove(store_->ObjectPath(oid));
  ASSERT_TRUE((*racing)->Write(data).ok());
  EXPECT_EQ((*racing)->Commit().code(), Code::kUnavailable);
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
    auto pw = store_->BeginPart(oid, static_cast<int>(k + 1), slice.size(), data.size());
    ASSERT_TRUE(pw.ok());
    ASSERT_TRUE((*pw)->Write(slice).ok());
    auto etag = (*pw)->Commit();
    ASSERT_TRUE(etag.ok());
    EXPECT_TRUE(etag->size() == 34 && etag->front() == '"' && etag->back() == '"') << *etag;
    parts[n - 1 - k] = {static_cast<int>(k + 1), *etag};
  }
  {  // an abandoned re-send of part 1 changes nothing
    auto pw = store_->BeginPart(oid, 1, chunk, data.size());
    ASSERT_TRUE((*pw)->Write("garbage").ok());
  }
  parts[0].etag = parts[0].etag.substr(1, 32);  // quotes are optional
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
    auto pw = store_->BeginPart(oid, k + 1, 8, data.size());
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

// A re-sent part is a new version with an ETag of its own; the completion takes the versions it
// names, and the whole object's hash decides.
TEST_F(LfsStoreTest, ResentPartIsANewVersion) {
  std::string data = "0123456789abcdef";
  std::string oid = Sha256Hex(data);
  auto send = [&](int n, std::string_view bytes) {
    auto pw = store_->BeginPart(oid, n, bytes.size(), data.size());
    EXPECT_TRUE((*pw)->Write(bytes).ok());
    return *(*pw)->Commit();
  };
  std::string first = send(1, "01234567");   // into the in-order assembly
  std::string second = send(1, "XXXXXXXX");  // a part file of its own
  std::string tail = send(2, "89abcdef");
  EXPECT_NE(first, second);
  Status st = store_->CompleteMultipart(oid, data.size(), {{1, second}, {2, tail}});
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("SHA-256 mismatch"), std::string::npos) << st.ToString();
  st = store_->CompleteMultipart(oid, data.size(),
                                 {{1, "\"" + std::string(32, '0') + "\""}, {2, tail}});
  EXPECT_NE(st.message().find("ETag mismatch for part 1"), std::string::npos) << st.ToString();
  // A path in place of a token is just a mismatch.
  EXPECT_EQ(store_->CompleteMultipart(oid, data.size(), {{1, "../../x"}, {2, tail}}).code(),
            Code::kInvalidArgument);
  EXPECT_FALSE(store_->Exists(oid));
  ASSERT_TRUE(store_->CompleteMultipart(oid, data.size(), {{1, first}, {2, tail}}).ok());
  EXPECT_TRUE(store_->Exists(oid));
  EXPECT_EQ(TempFiles(), 0u);
}

// Parts sent one after another go into one assembly, hashed on the way: no part files, and the
// completion publishes it as it is.
TEST_F(LfsStoreTest, InOrderPartsAreAssembledAsTheyCome) {
  std::string data;
  for (int i = 0; i < 3000; ++i) data += "in-order-" + std::to_string(i) + ";";
  std::string oid = Sha256Hex(data);
  const size_t chunk = 8192;  // aligned, as the hub's part size is
  std::vector<LfsStore::PartRef> parts;
  for (size_t k = 0; k * chunk < data.size(); ++k) {
    std::string slice = data.substr(k * chunk, chunk);
    auto pw = store_->BeginPart(oid, static_cast<int>(k + 1), slice.size(), data.size());
    ASSERT_TRUE(pw.ok());
    for (size_t at = 0; at < slice.size(); at += 1000) {
      ASSERT_TRUE((*pw)->Write(std::string_view(slice).substr(at, 1000)).ok());
    }
    parts.push_back({static_cast<int>(k + 1), *(*pw)->Commit()});
    EXPECT_EQ(TempFiles(), 1u);  // the assembly alone
  }
  ASSERT_GT(parts.size(), 3u);
  Status st = store_->CompleteMultipart(oid, data.size(), parts);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(*store_->Size(oid), data.size());
  EXPECT_EQ(TempFiles(), 0u);
}

// A part that stops half-way spoils the assembly's hash: the parts before it are still read back
// from it, the re-sent part from its own file, and the object is hashed whole.
TEST_F(LfsStoreTest, AnAbandonedPartFallsBackToStitching) {
  std::string data(30000, 'a');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('a' + i % 23);
  std::string oid = Sha256Hex(data);
  const size_t chunk = 8192;
  auto send = [&](int n) {
    std::string slice = data.substr((n - 1) * chunk, chunk);
    auto pw = store_->BeginPart(oid, n, slice.size(), data.size());
    EXPECT_TRUE((*pw)->Write(slice).ok());
    return LfsStore::PartRef{n, *(*pw)->Commit()};
  };
  std::vector<LfsStore::PartRef> parts = {send(1), send(2)};
  {
    auto pw = store_->BeginPart(oid, 3, chunk, data.size());  // the assembly's next part
    ASSERT_TRUE((*pw)->Write("half").ok());
    // Completing while a part is still coming is refused, and loses nothing.
    EXPECT_EQ(store_->CompleteMultipart(oid, data.size(), parts).code(), Code::kConflict);
  }
  parts.push_back(send(3));
  parts.push_back(send(4));
  Status st = store_->CompleteMultipart(oid, data.size(), parts);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(*store_->Size(oid), data.size());
  EXPECT_EQ(TempFiles(), 0u);
}

// Too many unfinished assemblies at once: later uploads keep their parts in files, and complete.
TEST_F(LfsStoreTest, AssembliesAreBounded) {
  std::vector<std::pair<std::string, LfsStore::PartRef>> open;
  for (int i = 0; i < 20; ++i) {
    std::string data = "object " + std::to_string(i);
    std::string oid = Sha256Hex(data);
    auto pw = store_->BeginPart(oid, 1, data.size(), data.size());
    ASSERT_TRUE((*pw)->Write(data).ok());
    open.push_back({oid, {1, *(*pw)->Commit()}});
  }
  EXPECT_EQ(TempFiles(), 20u);  // 16 assemblies, 4 part files
  for (size_t i = 0; i < open.size(); ++i) {
    std::string size_text = "object " + std::to_string(i);
    EXPECT_TRUE(store_->CompleteMultipart(open[i].first, size_text.size(), {open[i].second}).ok())
        << i;
  }
  EXPECT_EQ(TempFiles(), 0u);
}

}  // namespace
}  // namespace spacehub::repo
