#include "service/ref_updates.h"

#include <gtest/gtest.h>

namespace spacehub::service {
namespace {

TEST(RefUpdatesTest, ParsesTheHookInput) {
  const std::string z(40, '0'), a(40, 'a');
  auto u = ParseRefUpdates(z + " " + a + " refs/heads/main\n" + a + " " + z + " refs/tags/v1\n");
  ASSERT_TRUE(u.ok());
  ASSERT_EQ(u->size(), 2u);
  EXPECT_EQ((*u)[0].ref, "refs/heads/main");
  EXPECT_EQ((*u)[1].new_id, z);
  EXPECT_FALSE(ParseRefUpdates("xyz " + a + " refs/heads/main\n").ok());
}

// Found by fuzz/ref_updates: a trailing '/' gave no empty last component to the check, so
// "refs/heads/main/" passed the rule (git refuses it today; the rule must not rely on that).
TEST(RefUpdatesTest, RefNameRule) {
  EXPECT_EQ(CheckPushedRefName("refs/heads/main"), "");
  EXPECT_EQ(CheckPushedRefName("refs/tags/v1.0"), "");
  EXPECT_EQ(CheckPushedRefName("refs/heads/feature/x"), "");
  for (const char* bad : {"refs/heads/main/", "refs/heads/", "refs/heads//x", "refs/heads/a..b",
                          "refs/heads/-x", "refs/heads/.x", "refs/pr/1", "refs/notes/x", "HEAD"}) {
    EXPECT_NE(CheckPushedRefName(bad), "") << bad;
  }
}

}  // namespace
}  // namespace spacehub::service
