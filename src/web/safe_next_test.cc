#include "web/safe_next.h"

#include <gtest/gtest.h>

namespace spacehub::web {
namespace {

TEST(SafeNextTest, KeepsPathsOnThisHub) {
  EXPECT_EQ(SafeNext("/spaces/a/b?x=1#y"), "/spaces/a/b?x=1#y");
  EXPECT_EQ(SafeNext("/"), "/");
}

TEST(SafeNextTest, RefusesEverythingThatLeavesTheHub) {
  for (std::string_view hostile : std::initializer_list<std::string_view>{
           "", "https://evil.example/", "//evil.example/x", "/\\evil.example",
           "javascript:alert(1)", "evil.example", "/a\r\nSet-Cookie: x=y",
           std::string_view("/a\0b", 4), "/a\tb"}) {
    EXPECT_EQ(SafeNext(hostile), "/") << hostile;
  }
}

}  // namespace
}  // namespace spacehub::web
