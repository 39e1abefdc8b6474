// Jobs beside Spaces in placement (placement.h): a job waits for what Spaces and other jobs hold,
// on its flavor's capacity and on the node's CPU, and a Space's request counts what jobs hold.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "service/placement.h"

namespace spacehub::service {
namespace {

CatalogData Catalog() {
  CatalogData c;
  c.flavors = {
      {"cpu-basic", "", 2, 16, 0, "", "", 0, 50, std::nullopt, true, std::nullopt, std::nullopt},
      {"cpu-upgrade", "", 8, 32, 0, "", "", 0, 50, 0.03, false, std::nullopt, std::nullopt},
      {"t4-small", "", 4, 15, 1, "T4", "Nvidia", 16, 50, 0.4, false, 1, std::nullopt},
      {"none-here", "", 1, 1, 0, "", "", 0, 0, std::nullopt, false, 0, std::nullopt},
  };
  c.node.cpu = 16;
  c.node.memory_gb = 64;
  return c;
}

db::SpaceSettingsRow Space(int64_t id, const std::string& current, bool paused = false) {
  db::SpaceSettingsRow r;
  r.repo_id = id;
  r.hardware_current = current;
  r.hardware_requested = current;
  r.hardware_requested_at = id;
  r.paused = paused;
  return r;
}

TEST(JobPlacementTest, JobHoldingsAreNeverASpaces) {
  auto held = JobHoldings({{"a", "t4-small"}, {"b", "cpu-basic"}});
  ASSERT_EQ(held.size(), 2u);
  EXPECT_EQ(held[0].repo_id, 0);
  EXPECT_EQ(held[0].flavor, "t4-small");
  EXPECT_EQ(held[1].flavor, "cpu-basic");
  EXPECT_TRUE(JobHoldings({}).empty());
}

TEST(JobPlacementTest, AJobWaitsForTheCapacityASpaceHolds) {
  CatalogData c = Catalog();
  const Flavor& t4 = *c.Find("t4-small");
  EXPECT_EQ(WhyJobWaits(t4, {}, {}, c, 0), std::nullopt);
  auto why = WhyJobWaits(t4, {Space(1, "t4-small")}, {}, c, 0);
  ASSERT_TRUE(why);
  EXPECT_EQ(why->rfind("Waiting for hardware: ", 0), 0u) << *why;
  EXPECT_NE(why->find("1 of 1 in use"), std::string::npos) << *why;
  // A paused Space holds nothing; a Space on another flavor takes none of this one's capacity.
  EXPECT_EQ(WhyJobWaits(t4, {Space(1, "t4-small", /*paused=*/true)}, {}, c, 0), std::nullopt);
  EXPECT_EQ(WhyJobWaits(t4, {Space(1, "cpu-basic")}, {}, c, 0), std::nullopt);
}

TEST(JobPlacementTest, AJobWaitsForTheCapacityAnotherJobHolds) {
  CatalogData c = Catalog();
  const Flavor& t4 = *c.Find("t4-small");
  auto why = WhyJobWaits(t4, {}, {{"j1", "t4-small"}}, c, 0);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("t4-small"), std::string::npos) << *why;
  EXPECT_EQ(WhyJobWaits(t4, {}, {{"j1", "cpu-basic"}}, c, 0), std::nullopt);
  auto never = WhyJobWaits(*c.Find("none-here"), {}, {}, c, 0);
  ASSERT_TRUE(never);
  EXPECT_NE(never->find("capacity 0"), std::string::npos) << *never;
}

TEST(JobPlacementTest, SpacesAndJobsShareTheNodesCpu) {
  CatalogData c = Catalog();
  const Flavor& upgrade = *c.Find("cpu-upgrade");
  // 8 of 16 vCPU held by a Space: one more fits; then a job's 8 more leave none.
  EXPECT_EQ(WhyJobWaits(upgrade, {Space(1, "cpu-upgrade")}, {}, c, 0), std::nullopt);
  auto why = WhyJobWaits(upgrade, {Space(1, "cpu-upgrade")}, {{"j1", "cpu-upgrade"}}, c, 0);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("0 of the node's 16 are free"), std::string::npos) << *why;
  why = WhyJobWaits(upgrade, {}, {{"j1", "cpu-upgrade"}, {"j2", "cpu-upgrade"}}, c, 0);
  ASSERT_TRUE(why);
  // Free flavors reserve nothing, whoever holds them.
  std::vector<db::JobHold> many(40, db::JobHold{"j", "cpu-basic"});
  EXPECT_EQ(WhyJobWaits(upgrade, {Space(1, "cpu-upgrade")}, many, c, 0), std::nullopt);
  EXPECT_EQ(WhyJobWaits(*c.Find("cpu-basic"), {}, many, c, 0), std::nullopt);
  c.node.cpu.reset();
  c.node.memory_gb.reset();
  EXPECT_EQ(WhyJobWaits(upgrade, {}, {{"j1", "cpu-upgrade"}, {"j2", "cpu-upgrade"}}, c, 0),
            std::nullopt);
}

TEST(JobPlacementTest, AJobWaitsForDetectedGpus) {
  CatalogData c = Catalog();
  c.flavors[2].capacity.reset();  // only the GPUs limit t4-small
  const Flavor& t4 = *c.Find("t4-small");
  EXPECT_EQ(WhyJobWaits(t4, {}, {{"j1", "t4-small"}}, c, 0), std::nullopt);  // none seen
  EXPECT_EQ(WhyJobWaits(t4, {}, {}, c, 1), std::nullopt);
  EXPECT_TRUE(WhyJobWaits(t4, {}, {{"j1", "t4-small"}}, c, 1));
  EXPECT_TRUE(WhyJobWaits(t4, {Space(1, "t4-small")}, {}, c, 1));
}

TEST(JobPlacementTest, ASpaceRequestCountsWhatJobsHold) {
  CatalogData c = Catalog();
  db::SpaceSettingsRow s = Space(1, "cpu-basic");
  s.hardware_requested = "t4-small";
  EXPECT_EQ(WhyRequestWaits(s, {s}, c, 0), std::nullopt);
  auto why = WhyRequestWaits(s, {s}, c, 0, {{"j1", "t4-small"}});
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("1 of 1 in use"), std::string::npos) << *why;
  EXPECT_NE(why->find("keeps cpu-basic"), std::string::npos) << *why;
  EXPECT_EQ(WhyRequestWaits(s, {s}, c, 0, {{"j1", "cpu-upgrade"}}), std::nullopt);

  // The node's CPU: two jobs on cpu-upgrade leave nothing for a Space asking for it.
  s.hardware_requested = "cpu-upgrade";
  EXPECT_EQ(WhyRequestWaits(s, {s}, c, 0, {{"j1", "cpu-upgrade"}}), std::nullopt);
  why = WhyRequestWaits(s, {s}, c, 0, {{"j1", "cpu-upgrade"}, {"j2", "cpu-upgrade"}});
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("vCPU"), std::string::npos) << *why;
}

}  // namespace
}  // namespace spacehub::service
