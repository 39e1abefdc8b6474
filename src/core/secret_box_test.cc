#include "core/secret_box.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/crypto.h"

namespace spacehub {
namespace {

TEST(SecretBoxTest, RoundTrip) {
  SecretBox box({{1, RandomBytes(32)}});
  for (std::string plain : {std::string(), std::string("hf_api_secret"), std::string(5000, 'x')}) {
    auto sealed = box.Seal(plain, "space:1:HF_TOKEN");
    ASSERT_TRUE(sealed.ok());
    if (!plain.empty()) {
      EXPECT_EQ(sealed->find(plain), std::string::npos);
    }
    auto opened = box.Open(*sealed, "space:1:HF_TOKEN");
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(*opened, plain);
  }
}

TEST(SecretBoxTest, SameValueSealsDifferently) {
  SecretBox box({{1, RandomBytes(32)}});
  EXPECT_NE(*box.Seal("v", "a"), *box.Seal("v", "a"));
}

TEST(SecretBoxTest, DetectsTamperingAndMisplacement) {
  SecretBox box({{1, RandomBytes(32)}});
  std::string sealed = *box.Seal("top secret", "space:1:KEY");
  // Wrong associated data: the value was moved to another Space or key.
  EXPECT_EQ(box.Open(sealed, "space:2:KEY").status().code(), Code::kPermissionDenied);
  // Every flipped byte of the payload is detected.
  ASSERT_EQ(sealed.substr(0, 5), "v1:1:");
  auto decoded = Base64Decode(sealed.substr(5));
  ASSERT_TRUE(decoded.ok());
  const std::string blob = *decoded;
  ASSERT_GT(blob.size(), 28u);  // nonce, ciphertext, tag: the loop below flips every one
  for (size_t i = 0; i < blob.size(); ++i) {
    std::string bad = blob;
    bad[i] ^= 0x01;
    auto r = box.Open("v1:1:" + Base64Encode(bad), "space:1:KEY");
    EXPECT_FALSE(r.ok()) << "byte " << i;
  }
  EXPECT_EQ(box.Open("v1:1:" + Base64Encode(blob.substr(0, 10)), "space:1:KEY").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(box.Open("garbage", "x").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(box.Open("v1:9:" + Base64Encode(blob), "space:1:KEY").status().code(), Code::kNotFound);
}

TEST(SecretBoxTest, RotationKeepsOldValuesReadable) {
  auto dir = std::filesystem::temp_directory_path() / ("secretbox-" + RandomHex(6));
  auto box = SecretBox::OpenDir(dir);
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  EXPECT_EQ((*box)->active_key_id(), 1);
  std::string old_sealed = *(*box)->Seal("before", "aad");
  auto id = (*box)->Rotate();
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, 2);
  EXPECT_TRUE((*box)->NeedsReseal(old_sealed));
  EXPECT_EQ(*(*box)->Open(old_sealed, "aad"), "before");
  std::string new_sealed = *(*box)->Seal("after", "aad");
  EXPECT_EQ(new_sealed.rfind("v1:2:", 0), 0u);
  EXPECT_FALSE((*box)->NeedsReseal(new_sealed));
  // Another process (a second box on the same directory) sees both keys, and rotations made by
  // one are picked up by the other.
  auto other = SecretBox::OpenDir(dir);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(*(*other)->Open(new_sealed, "aad"), "after");
  ASSERT_TRUE((*other)->Rotate().ok());
  std::string third = *(*other)->Seal("third", "aad");
  EXPECT_EQ(*(*box)->Open(third, "aad"), "third");
  EXPECT_EQ((*box)->Seal("x", "aad")->rfind("v1:3:", 0), 0u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace spacehub
