// The self-authenticating LFS transfer URLs (docs/design/0001): a URL grants one object of one
// repo until it expires, measured on the hub's clock. On a FakeClock the expiry is checked to the
// second, and a replayed expired URL or one whose fields were edited is refused.
#include "service/lfs_service.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "service/hub_instance.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace spacehub::service {
namespace {

constexpr const char* kOid = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";

// ".../upload/<repo>/<oid>/<size>/<expires>/<signature>" split after the transfer prefix.
std::vector<std::string> Fields(const std::string& path) {
  std::vector<std::string> out;
  size_t start = std::string("/api/lfs-transfer/").size();
  for (size_t slash; (slash = path.find('/', start)) != std::string::npos; start = slash + 1) {
    out.push_back(path.substr(start, slash - start));
  }
  out.push_back(path.substr(start));
  return out;
}

class LfsUrlTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    HubOptions options;
    options.lfs_url_ttl_seconds = 3600;
    auto opened = HubInstance::Open(dir_, options, clock_);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    instance_ = std::move(*opened);
    lfs_ = std::make_unique<LfsService>(instance_->hub());
  }

  Result<LfsGrant> Check(const std::vector<std::string>& f) {
    return lfs_->CheckGrant(f[0], f[1], f[2], f[3], f[4], f[5]);
  }

  spacehub::testing::FakeClock clock_;
  std::unique_ptr<HubInstance> instance_;
  std::unique_ptr<LfsService> lfs_;
};

TEST_F(LfsUrlTest, AUrlGrantsItsObjectUntilItsExpiryToTheSecond) {
  auto f = Fields(lfs_->SignedPath("upload", 7, kOid, 1234));
  ASSERT_EQ(f.size(), 6u);
  auto grant = Check(f);
  ASSERT_TRUE(grant.ok()) << grant.status().message();
  EXPECT_EQ(grant->repo_id, 7);
  EXPECT_EQ(grant->oid, kOid);
  EXPECT_EQ(grant->size, 1234u);

  clock_.AdvanceSeconds(3600);
  EXPECT_TRUE(Check(f).ok()) << "valid through its last second";
  clock_.AdvanceSeconds(1);
  auto expired = Check(f);
  EXPECT_EQ(expired.status().code(), Code::kPermissionDenied);
  EXPECT_NE(expired.status().message().find("expired"), std::string::npos);
}

TEST_F(LfsUrlTest, EditingAnyFieldOfASignedUrlIsRefused) {
  const auto f = Fields(lfs_->SignedPath("download", 7, kOid, 1234));
  for (size_t i = 0; i < 5; ++i) {
    auto edited = f;
    edited[i] = i == 0 ? "upload" : (i == 4 ? std::to_string(std::stoll(f[4]) + 86400) : "8");
    if (i == 2) edited[i] = std::string(64, 'a');
    auto r = Check(edited);
    EXPECT_EQ(r.status().code(), Code::kPermissionDenied) << "field " << i;
  }
  auto forged = f;
  forged[5] = std::string(64, '0');
  EXPECT_EQ(Check(forged).status().code(), Code::kPermissionDenied);
}

}  // namespace
}  // namespace spacehub::service
