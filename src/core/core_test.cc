#include <gtest/gtest.h>

#include "core/crypto.h"
#include "core/repo_id.h"
#include "core/time_util.h"

namespace spacehub {
namespace {

TEST(RepoIdTest, ValidNames) {
  for (const char* name : {"gpt2", "my-model", "a.b_c", "X9", "a"}) {
    EXPECT_TRUE(ValidateRepoName(name).ok()) << name;
  }
}

TEST(RepoIdTest, InvalidNames) {
  std::string too_long(97, 'a');
  for (std::string name :
       {std::string(""), std::string("has space"), std::string("a..b"), std::string("-lead"),
        std::string("trail-"), std::string("x--y"), std::string("repo.git"), std::string("api"),
        std::string("a/b"), too_long}) {
    EXPECT_FALSE(ValidateRepoName(name).ok()) << name;
  }
}

// The web UI's top-level paths: a namespace of that name would have its pages shadowed (a user
// "jobs" would lose `/jobs/{name}` repo pages to the job pages).
TEST(RepoIdTest, WebPathsAreReservedNamespaces) {
  for (const char* ns : {"jobs", "new-space", "login", "spaces"}) {
    EXPECT_FALSE(ValidateNamespace(ns).ok()) << ns;
  }
  EXPECT_TRUE(ValidateNamespace("jobs2").ok());
}

TEST(RepoIdTest, ParseRepoId) {
  auto id = ParseRepoId(RepoType::kSpace, "alice/demo");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->ns, "alice");
  EXPECT_EQ(id->name, "demo");
  EXPECT_FALSE(ParseRepoId(RepoType::kSpace, "demo").ok());
  EXPECT_FALSE(ParseRepoId(RepoType::kSpace, "a/b/c").ok());
}

TEST(RepoIdTest, Paths) {
  for (const char* ok : {"a", "dir/file.txt", ".gitattributes", "a/.hidden"}) {
    EXPECT_TRUE(ValidateRepoPath(ok).ok()) << ok;
  }
  for (std::string bad :
       {std::string(""), std::string("/abs"), std::string("a/../b"), std::string(".."),
        std::string("a//b"), std::string(".git/config"), std::string("x/.GIT/y"),
        std::string("nul\0x", 5), std::string(1025, 'a'), std::string("trailing/")}) {
    EXPECT_FALSE(ValidateRepoPath(bad).ok()) << bad;
  }
}

TEST(TimeTest, IsoMillis) {
  EXPECT_EQ(FormatIsoMillis(1700000000123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(FormatIsoMillis(0), "1970-01-01T00:00:00.000Z");
}

TEST(CryptoTest, Sha256AndBase64) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Base64Encode("hello"), "aGVsbG8=");
  auto d = Base64Decode("aGVsbG8=");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, "hello");
  EXPECT_FALSE(Base64Decode("a$==").ok());
  EXPECT_EQ(RandomAlnum(34).size(), 34u);
}

}  // namespace
}  // namespace spacehub
