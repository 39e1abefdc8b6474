// The wire mappings shared with the client: every enumerator round-trips through its name, and
// names the build does not know are refused rather than guessed.
#include <gtest/gtest.h>

#include "spacehub/wire/repo_type.h"
#include "spacehub/wire/space_stage.h"
#include "testing/fake_clock.h"

namespace spacehub::wire {
namespace {

static_assert(SpaceStageName(SpaceStage::kRunningBuilding) == "RUNNING_BUILDING");
static_assert(ParseSpaceStage("SLEEPING") == SpaceStage::kSleeping);
static_assert(RepoTypeUrlPrefix(RepoType::kDataset) == "datasets/");

TEST(SpaceStageTest, EveryStageRoundTripsThroughItsWireName) {
  for (const auto& [stage, name] : detail::kSpaceStageNames) {
    EXPECT_EQ(SpaceStageName(stage), name);
    EXPECT_EQ(ParseSpaceStage(name), stage) << name;
  }
}

TEST(SpaceStageTest, UnknownAndWrongCaseNamesAreRefused) {
  EXPECT_EQ(ParseSpaceStage(""), std::nullopt);
  EXPECT_EQ(ParseSpaceStage("running"), std::nullopt);
  EXPECT_EQ(ParseSpaceStage("RUNNING "), std::nullopt);
}

TEST(SpaceStageTest, ClassesOfStages) {
  EXPECT_TRUE(IsTransitional(SpaceStage::kRunningAppStarting));
  EXPECT_FALSE(IsTransitional(SpaceStage::kSleeping));
  EXPECT_TRUE(IsServing(SpaceStage::kRunningBuilding));
  EXPECT_FALSE(IsServing(SpaceStage::kPaused));
  EXPECT_TRUE(IsError(SpaceStage::kNoAppFile));
  EXPECT_FALSE(IsError(SpaceStage::kStopped));
}

TEST(RepoTypeTest, SingularAndPluralParseToTheSameType) {
  for (RepoType t : {RepoType::kModel, RepoType::kDataset, RepoType::kSpace}) {
    EXPECT_EQ(ParseRepoTypeName(RepoTypeName(t)), t);
    EXPECT_EQ(ParseRepoTypeName(RepoTypePlural(t)), t);
  }
  EXPECT_EQ(ParseRepoTypeName("Model"), std::nullopt);
  EXPECT_EQ(ParseRepoTypeName("spaces/"), std::nullopt);
}

TEST(FakeClockTest, MovesOnlyWhenTold) {
  spacehub::testing::FakeClock clock;
  int64_t start = clock.NowMillis();
  EXPECT_EQ(clock.NowMillis(), start);
  clock.AdvanceSeconds(3);
  EXPECT_EQ(clock.NowMillis(), start + 3000);
  EXPECT_EQ(clock.SteadyMillis(), start + 3000);
}

}  // namespace
}  // namespace spacehub::wire
