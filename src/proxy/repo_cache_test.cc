// RepoCache: a Space's listing kept for `ttl` (on a fake clock), a missing Space never cached.
#include "proxy/repo_cache.h"

#include <gtest/gtest.h>

#include "proxy/fake_space_directory.h"
#include "testing/fake_clock.h"

namespace spacehub::proxy {
namespace {
using std::chrono::milliseconds;

TEST(RepoCacheTest, AVisibilityChangeIsSeenWithinTheTtl) {
  FakeSpaceDirectory spaces;
  const RepoId id = spaces.Add("alice", "app").repo;
  testing::FakeClock clock;
  RepoCache cache(spaces, milliseconds(1000), clock);
  ASSERT_TRUE(cache.Find(id).ok());
  EXPECT_FALSE(cache.Find(id)->is_private);
  spaces.spaces[0].is_private = true;  // made private
  clock.AdvanceMillis(999);
  EXPECT_FALSE(cache.Find(id)->is_private);  // still cached
  EXPECT_EQ(spaces.finds, 1);
  clock.AdvanceMillis(1);
  EXPECT_TRUE(cache.Find(id)->is_private);
  EXPECT_EQ(spaces.finds, 2);
}

TEST(RepoCacheTest, AMissingSpaceIsNotCachedSoANewOneIsSeenAtOnce) {
  FakeSpaceDirectory spaces;
  testing::FakeClock clock;
  RepoCache cache(spaces, milliseconds(1000), clock);
  const RepoId id{RepoType::kSpace, "bob", "new"};
  EXPECT_EQ(cache.Find(id).status().reason(), "RepoNotFound");
  spaces.Add("bob", "new");
  EXPECT_TRUE(cache.Find(id).ok());
}

TEST(RepoCacheTest, NamesDifferingInCaseShareAnEntry) {
  FakeSpaceDirectory spaces;
  spaces.Add("Alice", "App");
  testing::FakeClock clock;
  RepoCache cache(spaces, milliseconds(1000), clock);
  ASSERT_TRUE(cache.Find(RepoId{RepoType::kSpace, "Alice", "App"}).ok());
  EXPECT_TRUE(cache.Find(RepoId{RepoType::kSpace, "alice", "app"}).ok());
  EXPECT_EQ(spaces.finds, 1);
}

}  // namespace
}  // namespace spacehub::proxy
