#include "repo/types.h"

#include <gtest/gtest.h>

namespace spacehub::repo {
namespace {

const std::string kOid(64, 'a');

TEST(LfsPointerTest, RoundTrip) {
  std::string text = FormatLfsPointer({kOid, 12345});
  EXPECT_EQ(text,
            "version https://git-lfs.github.com/spec/v1\noid sha256:" + kOid + "\nsize 12345\n");
  auto p = ParseLfsPointer(text);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->oid, kOid);
  EXPECT_EQ(p->size, 12345u);
}

TEST(LfsPointerTest, Table) {
  struct Case {
    std::string text;
    bool ok;
  } cases[] = {
      {"version https://hawser.github.com/spec/v1\noid sha256:" + kOid + "\nsize 0\n", true},
      {"version http://git-media.io/v/2\noid sha256:" + kOid + "\nsize 7\n", true},
      {"version https://hawser.github.com/spec/v2\noid sha256:" + kOid + "\nsize 7\n", false},
      {"version https://git-lfs.github.com/spec/v1\noid sha256:" + kOid + "\nsize 7", false},
      {"version https://git-lfs.github.com/spec/v2\noid sha256:" + kOid + "\nsize 7\n", false},
      {"version https://git-lfs.github.com/spec/v1\noid sha256:" + std::string(64, 'A') +
           "\nsize 7\n",
       false},
      {"version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 7\n", false},
      {"version https://git-lfs.github.com/spec/v1\noid sha256:" + kOid + "\nsize -1\n", false},
      {"version https://git-lfs.github.com/spec/v1\noid sha256:" + kOid + "\nsize 07\n", false},
      {"version https://git-lfs.github.com/spec/v1\noid sha256:" + kOid + "\nsize 7\nx\n", false},
      {"version https://git-lfs.github.com/spec/v1\nsize 7\noid sha256:" + kOid + "\n", false},
      {"hello world\n", false},
      {"", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ParseLfsPointer(c.text).has_value(), c.ok) << c.text;
  }
}

TEST(LfsPointerTest, LargeBlobIsNeverAPointer) {
  std::string text = FormatLfsPointer({kOid, 1});
  std::string padded = text + std::string(1100, 'x');
  EXPECT_FALSE(ParseLfsPointer(padded).has_value());
}

// Everything git-lfs itself takes for a pointer (so a client would fetch the object it names).
TEST(DetectLfsPointerTest, AcceptsWhatGitLfsAccepts) {
  const std::string oid_line = "oid sha256:" + kOid;
  const std::string cases[] = {
      "version https://git-lfs.github.com/spec/v1\n" + oid_line + "\nsize 7\n",
      "version https://hawser.github.com/spec/v1\n" + oid_line + "\nsize 7\n",
      "version http://git-media.io/v/2\n" + oid_line + "\nsize 7\n",
      "version https://hawser.github.com/spec/v1\r\n" + oid_line + "\r\nsize 7\r\n",
      "version https://git-lfs.github.com/spec/v1\n" + oid_line + "\nsize 7",  // no final newline
      "\n  \t version https://git-lfs.github.com/spec/v1\n" + oid_line + "\nsize 7\n\n\n",
      "\u3000version https://git-lfs.github.com/spec/v1\n" + oid_line + "\nsize 7\u00a0",
      "version https://git-lfs.github.com/spec/v1\n\n\n" + oid_line + "\n\nsize 7\n",
      "version https://git-lfs.github.com/spec/v1\next-0-foo sha256:1\n" + oid_line +
          "\next-1-bar x\nsize 7\n",
      "ext-0-foo x\nversion https://git-lfs.github.com/spec/v1\n" + oid_line + "\nsize 7\n",
      "version https://git-lfs.github.com/spec/v1\n" + oid_line + "\nsize +7\n",
      "version https://git-lfs.github.com/spec/v1\n" + oid_line + "\nsize 007\n",
  };
  for (const auto& text : cases) {
    auto p = DetectLfsPointer(text);
    ASSERT_TRUE(p.has_value()) << text;
    EXPECT_EQ(p->oid, kOid);
    EXPECT_EQ(p->size, 7u);
  }
}

TEST(DetectLfsPointerTest, RefusesWhatGitLfsRefuses) {
  const std::string oid_line = "oid sha256:" + kOid;
  const std::string cases[] = {
      "",
      "hello world\n",
      "version https://git-lfs.github.com/spec/v2\n" + oid_line + "\nsize 7\n",
      "version  https://git-lfs.github.com/spec/v1\n" + oid_line + "\nsize 7\n",  // two spaces
      "version https://git-lfs.github.com/spec/v1\n" + oid_line + "\n",           // no size
      "version https://git-lfs.github.com/spec/v1\nsize 7\n" + oid_line + "\n",   // order
      "version https://git-lfs.github.com/spec/v1\n" + oid_line + "\nsize 7\nx y\n",
      "version https://git-lfs.github.com/spec/v1\n" + oid_line + "\nsize 7\next-0-a b\n",
      "version https://git-lfs.github.com/spec/v1\n" + oid_line + "\nsize -7\n",
      "version https://git-lfs.github.com/spec/v1\n" + oid_line + "\nsize 7x\n",
      "version https://git-lfs.github.com/spec/v1\n" + oid_line + "\nsize 99999999999999999999\n",
      "version https://git-lfs.github.com/spec/v1\noid sha1:" + kOid + "\nsize 7\n",
      "version https://git-lfs.github.com/spec/v1\noid sha256:" + std::string(64, 'A') +
          "\nsize 7\n",
      "version https://git-lfs.github.com/spec/v1\noid sha256:" + kOid + "0\nsize 7\n",
      "version https://git-lfs.github.com/spec/v1\n" + oid_line + "\nsize\n",
      "version https://git-lfs.github.com/spec/v1\nextra-0-a b\n" + oid_line + "\nsize 7\n",
  };
  for (const auto& text : cases) EXPECT_FALSE(DetectLfsPointer(text).has_value()) << text;
}

TEST(DetectLfsPointerTest, ReadsOnlyTheFirst1024BytesLikeTheSmudgeFilter) {
  std::string pointer = FormatLfsPointer({kOid, 7});
  EXPECT_TRUE(DetectLfsPointer(pointer + std::string(1024, ' ') + "anything").has_value());
  EXPECT_FALSE(DetectLfsPointer(pointer + std::string(10, ' ') + "anything").has_value());
  EXPECT_FALSE(ParseLfsPointer(pointer + std::string(1024, ' ')).has_value());
}

TEST(DetectLfsPointerTest, EveryStrictPointerIsDetected) {
  for (const char* version : {"https://git-lfs.github.com/spec/v1",
                              "https://hawser.github.com/spec/v1", "http://git-media.io/v/2"}) {
    std::string text = std::string("version ") + version + "\noid sha256:" + kOid + "\nsize 3\n";
    ASSERT_TRUE(ParseLfsPointer(text).has_value()) << version;
    ASSERT_TRUE(DetectLfsPointer(text).has_value()) << version;
    EXPECT_TRUE(IsLfsPointerVersion(version));
  }
  EXPECT_FALSE(IsLfsPointerVersion("https://git-lfs.github.com/spec/v1 "));
}

// Found by fuzz/lfs_pointer: a size past INT64_MAX was a pointer to the hub's strict reading but
// not to DetectLfsPointer (nor git-lfs), so it entered repos without the object-link check.
TEST(DetectLfsPointerTest, StrictReadingNeverExceedsTheLenientOne) {
  const std::string head = "version https://git-lfs.github.com/spec/v1\noid sha256:" + kOid;
  auto max = ParseLfsPointer(head + "\nsize 9223372036854775807\n");
  ASSERT_TRUE(max.has_value());  // the largest size git-lfs takes is still a pointer
  EXPECT_TRUE(DetectLfsPointer(head + "\nsize 9223372036854775807\n").has_value());
  for (const char* size : {"9223372036854775808", "18446744073709551615"}) {
    const std::string text = head + "\nsize " + size + "\n";
    EXPECT_FALSE(DetectLfsPointer(text).has_value()) << size;
    EXPECT_FALSE(ParseLfsPointer(text).has_value()) << size;
  }
}

}  // namespace
}  // namespace spacehub::repo
