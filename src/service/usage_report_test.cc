#include "service/usage_report.h"

#include <gtest/gtest.h>

namespace spacehub::service {
namespace {

db::UsageRecord Rec(std::string owner, std::string flavor, std::string kind, int64_t start,
                    int64_t stop) {
  db::UsageRecord r;
  r.owner_name = std::move(owner);
  r.flavor = std::move(flavor);
  r.kind = std::move(kind);
  r.started_at = start;
  r.stopped_at = stop;
  return r;
}

CatalogData Catalog() {
  CatalogData c;
  Flavor basic;
  basic.name = "cpu-basic";
  basic.free = true;
  Flavor up;
  up.name = "cpu-upgrade";
  up.price_per_hour = 0.03;
  c.flavors = {basic, up};
  return c;
}

TEST(UsageReport, SumsPerOwnerFlavorAndKindAndPricesThem) {
  std::vector<db::UsageRecord> records = {
      Rec("alice", "cpu-upgrade", "job", 0, 3'600'000),
      Rec("alice", "cpu-upgrade", "job", 10'000'000, 10'000'000 + 1'800'000),
      Rec("alice", "cpu-basic", "space", 0, 60'000),
      Rec("bob", "cpu-upgrade", "space", 0, 0),  // still running: counts until now
  };
  auto lines = SummarizeUsage(records, Catalog(), 0, 7'200'000);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].owner, "alice");
  EXPECT_EQ(lines[0].flavor, "cpu-basic");
  EXPECT_EQ(lines[0].seconds, 60);
  EXPECT_FALSE(lines[0].cost.has_value());
  EXPECT_EQ(lines[1].flavor, "cpu-upgrade");
  EXPECT_EQ(lines[1].runs, 2);
  EXPECT_EQ(lines[1].seconds, 5400);
  EXPECT_NEAR(*lines[1].cost, 0.045, 1e-9);
  EXPECT_EQ(lines[2].owner, "bob");
  EXPECT_EQ(lines[2].seconds, 7200);
}

TEST(UsageReport, CountsOnlyTheTimeAfterSince) {
  auto lines =
      SummarizeUsage({Rec("a", "cpu-upgrade", "job", 0, 3'600'000)}, Catalog(), 1'800'000, 0);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].seconds, 1800);
  EXPECT_TRUE(SummarizeUsage({Rec("a", "x", "job", 0, 1000)}, Catalog(), 5000, 9000).empty());
}

TEST(UsageReport, ParsesSinceAsDateTimeOrSpan) {
  EXPECT_EQ(*ParseSince("", 5), 0);
  EXPECT_EQ(*ParseSince("1970-01-02", 0), 86'400'000);
  EXPECT_EQ(*ParseSince("1970-01-01T01:00:00Z", 0), 3'600'000);
  EXPECT_EQ(*ParseSince("2d", 3 * 86'400'000LL), 86'400'000);
  EXPECT_EQ(*ParseSince("12h", 12 * 3'600'000LL), 0);
  for (const char* bad : {"yesterday", "2026-13-01", "-3d", "1970-01-01T01:00:00", "5w", "d",
                          "99999999999d", "2026-01-01junk"}) {
    EXPECT_FALSE(ParseSince(bad, 0).ok()) << bad;
  }
}

}  // namespace
}  // namespace spacehub::service
