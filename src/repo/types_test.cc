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

}  // namespace
}  // namespace spacehub::repo
