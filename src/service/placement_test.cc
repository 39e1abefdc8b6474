// The scheduler's placement rule: flavor capacity, node CPU/memory/GPUs for non-free flavors,
// free flavors sharing, and request order.
#include "service/placement.h"

#include <gtest/gtest.h>

namespace spacehub::service {
namespace {

CatalogData Catalog() {
  CatalogData c;
  c.flavors = {
      {"cpu-basic", "", 2, 16, 0, "", "", 0, 50, std::nullopt, true, std::nullopt},
      {"cpu-upgrade", "", 8, 32, 0, "", "", 0, 50, 0.03, false, std::nullopt},
      {"t4-small", "", 4, 15, 1, "T4", "Nvidia", 16, 50, 0.4, false, std::nullopt},
      {"limited", "", 1, 1, 0, "", "", 0, 0, std::nullopt, true, 1},
  };
  c.node.cpu = 16;
  c.node.memory_gb = 64;
  return c;
}

TEST(PlacementTest, FreeFlavorsShareAndReserveNothing) {
  CatalogData c = Catalog();
  std::vector<Holding> many(50, Holding{1, "cpu-basic"});
  EXPECT_EQ(WhyNotPlaced(*c.Find("cpu-basic"), c, many, 0), std::nullopt);
  EXPECT_EQ(WhyNotPlaced(*c.Find("cpu-upgrade"), c, many, 0), std::nullopt);
}

TEST(PlacementTest, NodeCpuAndMemoryAreReservedByNonFreeFlavors) {
  CatalogData c = Catalog();
  std::vector<Holding> held = {{1, "cpu-upgrade"}};
  EXPECT_EQ(WhyNotPlaced(*c.Find("cpu-upgrade"), c, held, 0), std::nullopt);  // 16 of 16 vCPU
  held.push_back({2, "cpu-upgrade"});
  auto why = WhyNotPlaced(*c.Find("cpu-upgrade"), c, held, 0);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("0 of the node's 16 are free"), std::string::npos) << *why;
  c.node.cpu.reset();  // not enforced
  c.node.memory_gb.reset();
  EXPECT_EQ(WhyNotPlaced(*c.Find("cpu-upgrade"), c, held, 0), std::nullopt);
}

TEST(PlacementTest, GpusComeFromDetectionUnlessConfigured) {
  CatalogData c = Catalog();
  // None detected nor configured: only the flavor's capacity (none here) limits it.
  EXPECT_EQ(WhyNotPlaced(*c.Find("t4-small"), c, {{1, "t4-small"}}, 0), std::nullopt);
  EXPECT_EQ(WhyNotPlaced(*c.Find("t4-small"), c, {}, 1), std::nullopt);
  EXPECT_TRUE(WhyNotPlaced(*c.Find("t4-small"), c, {{1, "t4-small"}}, 1));
  c.node.gpus = 2;
  EXPECT_EQ(WhyNotPlaced(*c.Find("t4-small"), c, {{1, "t4-small"}}, 0), std::nullopt);
}

TEST(PlacementTest, FlavorCapacityCountsSpaces) {
  CatalogData c = Catalog();
  EXPECT_EQ(WhyNotPlaced(*c.Find("limited"), c, {}, 0), std::nullopt);
  EXPECT_TRUE(WhyNotPlaced(*c.Find("limited"), c, {{7, "limited"}}, 0));
}

TEST(PlacementTest, WaitingRequestsArePlacedInRequestOrder) {
  CatalogData c = Catalog();
  // Space 1 holds 8 of 16 vCPU; 2 and 3 each want 8 more: only the earlier request fits.
  std::vector<Holding> held = {{1, "cpu-upgrade"}, {2, "cpu-basic"}, {3, "cpu-basic"}};
  std::vector<Request> waiting = {{2, "cpu-upgrade", "cpu-basic"}, {3, "cpu-upgrade", "cpu-basic"}};
  EXPECT_EQ(PlaceInOrder(waiting, c, held, 0), (std::vector<int64_t>{2}));
  // A request that does not fit does not block a later one that does.
  waiting.push_back({4, "limited", ""});
  EXPECT_EQ(PlaceInOrder(waiting, c, held, 0), (std::vector<int64_t>{2, 4}));
  // Space 1 moving down to cpu-basic frees its reservation for both.
  std::vector<Request> down = {{1, "cpu-basic", "cpu-upgrade"}};
  down.insert(down.end(), waiting.begin(), waiting.end());
  EXPECT_EQ(PlaceInOrder(down, c, held, 0), (std::vector<int64_t>{1, 2, 3, 4}));
}

db::SpaceSettingsRow Row(int64_t id, std::string current, std::string requested, int64_t at,
                         bool paused = false) {
  db::SpaceSettingsRow r;
  r.repo_id = id;
  r.hardware_current = std::move(current);
  r.hardware_requested = std::move(requested);
  r.hardware_requested_at = at;
  r.paused = paused;
  return r;
}

TEST(PlacementTest, ARequestWaitsForHoldersAndEarlierRequestsOnly) {
  CatalogData c = Catalog();
  // Space 1 holds the one "limited": 2's request waits, and says why.
  std::vector<db::SpaceSettingsRow> rows = {Row(1, "limited", "limited", 10),
                                            Row(2, "cpu-basic", "limited", 20)};
  auto why = WhyRequestWaits(rows[1], rows, c, 0);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("Waiting for hardware"), std::string::npos) << *why;
  EXPECT_NE(why->find("keeps cpu-basic"), std::string::npos) << *why;
  // A paused holder holds nothing.
  rows[0].paused = true;
  EXPECT_EQ(WhyRequestWaits(rows[1], rows, c, 0), std::nullopt);
  // Free again, but 3 asked before 2: 3 goes first, 2 keeps waiting; a tie goes to the lower id.
  rows[0] = Row(1, "cpu-basic", "cpu-basic", 10);
  rows.push_back(Row(3, "cpu-basic", "limited", 15));
  EXPECT_TRUE(WhyRequestWaits(rows[1], rows, c, 0));
  EXPECT_EQ(WhyRequestWaits(rows[2], rows, c, 0), std::nullopt);
  rows[2].hardware_requested_at = 20;
  EXPECT_EQ(WhyRequestWaits(rows[1], rows, c, 0), std::nullopt);
  // A flavor that left the catalog is named.
  auto gone = WhyRequestWaits(Row(4, "cpu-basic", "warp", 1), rows, c, 0);
  ASSERT_TRUE(gone);
  EXPECT_NE(gone->find("'warp' is no longer offered"), std::string::npos) << *gone;
}

}  // namespace
}  // namespace spacehub::service
