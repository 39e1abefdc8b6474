#include "repo/ref_cache.h"

#include <gtest/gtest.h>

namespace spacehub::repo {
namespace {

TEST(RefCacheTest, StoresAndFinds) {
  RefCache c;
  RefCache::Ticket t;
  EXPECT_FALSE(c.Find("r", "main", &t));
  c.Store("r", "main", "abc", t);
  EXPECT_EQ(c.Find("r", "main", &t).value_or(""), "abc");
}

TEST(RefCacheTest, InvalidationDropsAnswersAndRefusesStaleStores) {
  RefCache c;
  RefCache::Ticket before;
  EXPECT_FALSE(c.Find("r", "main", &before));
  // A writer moves the ref and invalidates while the reader is still resolving the old value.
  c.Invalidate("r");
  c.Store("r", "main", "stale", before);
  RefCache::Ticket after;
  EXPECT_FALSE(c.Find("r", "main", &after)) << "a lookup from before the write must not be kept";
  c.Store("r", "main", "fresh", after);
  EXPECT_EQ(c.Find("r", "main", &after).value_or(""), "fresh");
  c.Invalidate("r");
  EXPECT_FALSE(c.Find("r", "main", &after));
}

}  // namespace
}  // namespace spacehub::repo
