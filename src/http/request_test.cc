// Tests for the URL codecs and Request lookups.
#include "http/request.h"

#include <gtest/gtest.h>

namespace spacehub::http {
namespace {

TEST(PercentDecodeTest, Table) {
  struct Case {
    std::string_view in;
    bool plus_as_space;
    std::optional<std::string> want;
  };
  const Case cases[] = {
      {"abc", false, "abc"},
      {"refs%2Fpr%2F1", false, "refs/pr/1"},
      {"a%20b", false, "a b"},
      {"a+b", false, "a+b"},
      {"a+b", true, "a b"},
      {"%e2%9c%93", false, "\xe2\x9c\x93"},
      {"%", false, std::nullopt},
      {"%2", false, std::nullopt},
      {"ab%zz", false, std::nullopt},
      {"%00", false, std::string(1, '\0')},
      {"", false, ""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(PercentDecode(c.in, c.plus_as_space), c.want) << c.in;
  }
}

TEST(PercentEncodeTest, KeepsUnreservedAndOptionallySlash) {
  EXPECT_EQ(PercentEncode("a b/c~d", false), "a%20b%2Fc~d");
  EXPECT_EQ(PercentEncode("a b/c~d", true), "a%20b/c~d");
  EXPECT_EQ(PercentDecode(PercentEncode("x?&=#%\xff", false), false), "x?&=#%\xff");
}

TEST(ParseFormEncodedTest, Pairs) {
  auto form = ParseFormEncoded("a=1&b=x+y&c&d=%2F&&e=");
  ASSERT_TRUE(form);
  std::vector<std::pair<std::string, std::string>> want = {
      {"a", "1"}, {"b", "x y"}, {"c", ""}, {"d", "/"}, {"e", ""}};
  EXPECT_EQ(*form, want);
  EXPECT_FALSE(ParseFormEncoded("a=%zz"));
  EXPECT_TRUE(ParseFormEncoded("")->empty());
}

TEST(RequestTest, Lookups) {
  Request req;
  req.headers = {{"host", "hub.local:8080"}, {"x-multi", "1"}, {"x-multi", "2"}};
  req.query = {{"a", "1"}, {"a", "2"}, {"flag", ""}, {"no", "0"}, {"yes", "true"}};
  req.params = {{"name", "x"}};
  EXPECT_EQ(req.Header("Host"), "hub.local:8080");
  EXPECT_EQ(req.Header("X-MULTI"), "1");
  EXPECT_TRUE(req.HasHeader("x-Multi"));
  EXPECT_EQ(req.Header("missing"), "");
  EXPECT_EQ(req.Query("a"), "1");
  EXPECT_EQ(req.Query("zz"), std::nullopt);
  EXPECT_EQ(req.QueryAll("a"), (std::vector<std::string>{"1", "2"}));
  EXPECT_TRUE(req.QueryFlag("flag"));
  EXPECT_TRUE(req.QueryFlag("yes"));
  EXPECT_FALSE(req.QueryFlag("no"));
  EXPECT_FALSE(req.QueryFlag("absent"));
  EXPECT_EQ(req.Param("name"), "x");
  EXPECT_EQ(req.Param("other"), "");
  EXPECT_EQ(MethodName(Method::kDelete), "DELETE");
}

}  // namespace
}  // namespace spacehub::http
