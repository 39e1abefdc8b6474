// Tests for URL building and quoting (spec §0.1, §6.1).
#include "client/url.h"

#include <gtest/gtest.h>

#include "spacehub/errors.h"

namespace spacehub::client::detail {
namespace {

TEST(QuoteTest, MatchesPythonQuote) {
  struct Case {
    const char* in;
    bool keep_slash;
    const char* out;
  } cases[] = {
      {"main", false, "main"},
      {"refs/pr/1", false, "refs%2Fpr%2F1"},
      {"dir/a b.txt", true, "dir/a%20b.txt"},
      {"dir/a b.txt", false, "dir%2Fa%20b.txt"},
      {"é?#&", true, "%C3%A9%3F%23%26"},
      {"a-b_c.d~e", false, "a-b_c.d~e"},
  };
  for (const auto& c : cases) EXPECT_EQ(Quote(c.in, c.keep_slash), c.out) << c.in;
}

TEST(UrlTest, RouteShapes) {
  const std::string ep = "http://127.0.0.1:8080";
  EXPECT_EQ(ApiRepoUrl(ep, RepoType::kSpace, "u/s"), ep + "/api/spaces/u/s");
  EXPECT_EQ(ApiRepoUrl(ep, RepoType::kModel, "u/m"), ep + "/api/models/u/m");
  EXPECT_EQ(ResolveUrl(ep, RepoType::kDataset, "u/d", "refs/pr/1", "x/y z.csv"),
            ep + "/datasets/u/d/resolve/refs%2Fpr%2F1/x/y%20z.csv");
  EXPECT_EQ(ResolveUrl(ep, RepoType::kModel, "u/m", "main", "w.bin"),
            ep + "/u/m/resolve/main/w.bin");
  EXPECT_EQ(RepoWebUrl(ep, RepoType::kSpace, "u/s"), ep + "/spaces/u/s");
}

TEST(UrlTest, RepoIdValidation) {
  for (const char* ok : {"name", "ns/name", "a.b-c_d/e.f"})
    EXPECT_NO_THROW(ValidateRepoId(ok)) << ok;
  for (const char* bad : {"", "/x", "x/", "a/b/c", "../x", "a/..", "-a/b", "a b/c", "a/b?"}) {
    EXPECT_THROW(ValidateRepoId(bad), LocalError) << bad;
  }
  EXPECT_EQ(SplitRepoId("ns/n"), (std::pair<std::string, std::string>{"ns", "n"}));
  EXPECT_EQ(SplitRepoId("n"), (std::pair<std::string, std::string>{"", "n"}));
}

TEST(UrlTest, JoinLocation) {
  bool relative = false;
  EXPECT_EQ(JoinLocation("http://h:1/a/b?x=1", "/c/d", &relative), "http://h:1/c/d");
  EXPECT_TRUE(relative);
  EXPECT_EQ(JoinLocation("http://h:1/a/b", "c", &relative), "http://h:1/a/c");
  EXPECT_EQ(JoinLocation("http://h:1/a", "https://cdn/x", &relative), "https://cdn/x");
  EXPECT_FALSE(relative);
}

}  // namespace
}  // namespace spacehub::client::detail
