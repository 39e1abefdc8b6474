// SpaceIndex: Host label -> Space, rebuilt on a miss at most once per min_refresh (on a fake
// clock: no test waits for real time).
#include "proxy/space_index.h"

#include <gtest/gtest.h>

#include "proxy/fake_space_directory.h"
#include "testing/fake_clock.h"

namespace spacehub::proxy {
namespace {
using std::chrono::milliseconds;

TEST(SpaceIndexTest, FindsASpaceByItsLabel) {
  FakeSpaceDirectory spaces;
  spaces.Add("Alice", "My_App");
  testing::FakeClock clock;
  SpaceIndex index(spaces, milliseconds(250), clock);
  std::optional<RepoId> id = index.Find("alice-my-app");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->Full(), "Alice/My_App");
  EXPECT_FALSE(index.Find("alice-other").has_value());
}

TEST(SpaceIndexTest, AFloodOfUnknownHostsCostsOneScanPerRefreshPeriod) {
  FakeSpaceDirectory spaces;
  spaces.Add("alice", "app");
  testing::FakeClock clock;
  SpaceIndex index(spaces, milliseconds(250), clock);
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(index.Find("bogus-" + std::to_string(i)));
  EXPECT_EQ(spaces.scans, 1);
  EXPECT_EQ(index.RefreshDelay(), milliseconds(250));
  clock.AdvanceMillis(100);
  EXPECT_EQ(index.RefreshDelay(), milliseconds(150));
  EXPECT_FALSE(index.Find("bogus-again"));
  EXPECT_EQ(spaces.scans, 1);
  clock.AdvanceMillis(150);
  EXPECT_EQ(index.RefreshDelay(), milliseconds(0));
  EXPECT_FALSE(index.Find("bogus-again"));
  EXPECT_EQ(spaces.scans, 2);
  // A known label never scans.
  EXPECT_TRUE(index.Find("alice-app"));
  EXPECT_EQ(spaces.scans, 2);
}

TEST(SpaceIndexTest, ASpaceCreatedSinceTheLastScanIsFoundOnceTheRateAllows) {
  FakeSpaceDirectory spaces;
  testing::FakeClock clock;
  SpaceIndex index(spaces, milliseconds(250), clock);
  EXPECT_FALSE(index.Find("bob-new"));
  spaces.Add("bob", "new");
  EXPECT_FALSE(index.Find("bob-new"));  // within the period: no scan
  clock.AdvanceMillis(index.RefreshDelay().count());
  EXPECT_TRUE(index.Find("bob-new"));
}

TEST(SpaceIndexTest, TwoSpacesOnOneLabelTheOlderWins) {
  FakeSpaceDirectory spaces;
  spaces.Add("a-b", "c");  // older
  spaces.Add("a", "b-c");
  testing::FakeClock clock;
  SpaceIndex index(spaces, milliseconds(250), clock);
  std::optional<RepoId> id = index.Find("a-b-c");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->Full(), "a-b/c");
}

TEST(SpaceIndexTest, AForgottenLabelIsLookedUpAgain) {
  FakeSpaceDirectory spaces;
  spaces.Add("carol", "app");
  testing::FakeClock clock;
  SpaceIndex index(spaces, milliseconds(250), clock);
  ASSERT_TRUE(index.Find("carol-app"));
  // Renamed away: the proxy found no Space under the id and forgets the label.
  spaces.spaces.clear();
  index.Forget("carol-app");
  clock.AdvanceMillis(250);
  EXPECT_FALSE(index.Find("carol-app"));
  EXPECT_EQ(spaces.scans, 2);
}

}  // namespace
}  // namespace spacehub::proxy
