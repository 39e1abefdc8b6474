#include "service/space_visits.h"

#include <gtest/gtest.h>

#include "service/test_util.h"

namespace spacehub::service {
namespace {

class SpaceVisitsTest : public HubTest {
 protected:
  void SetUp() override { OpenHub(); }
};

TEST_F(SpaceVisitsTest, AGrantNamesItsVisitorForThatSpaceOnly) {
  Caller alice = User("alice");
  SpaceVisits visits(hub());
  const std::string grant = visits.Grant(*alice, 7);
  auto who = visits.Redeem(grant, 7);
  ASSERT_TRUE(who.ok());
  ASSERT_TRUE(who->has_value());
  EXPECT_EQ((*who)->user.name, "alice");
  EXPECT_EQ((*who)->token.role, db::Role::kRead) << "a grant opens the app, never writes";
  auto other = visits.Redeem(grant, 8);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->has_value()) << "a grant for one Space opens no other";
}

TEST_F(SpaceVisitsTest, ExpiredForgedOrMalformedGrantsNameNobody) {
  Caller alice = User("alice");
  Caller mallory = User("mallory");
  SpaceVisits visits(hub());
  const std::string grant = visits.Grant(*alice, 7, /*ttl_ms=*/1000);
  // Another user id with alice's signature, the signature cut, garbage, an empty grant.
  std::string forged = std::to_string(mallory->user.id) + grant.substr(grant.find('.'));
  for (const std::string& bad :
       {forged, grant.substr(0, grant.size() - 1), std::string("1.7.99999999999999.00"),
        std::string(""), std::string("...."), std::string(500, '1')}) {
    auto who = visits.Redeem(bad, 7);
    ASSERT_TRUE(who.ok());
    EXPECT_FALSE(who->has_value()) << bad;
  }
  clock_.AdvanceMillis(1001);
  auto late = visits.Redeem(grant, 7);
  ASSERT_TRUE(late.ok());
  EXPECT_FALSE(late->has_value()) << "an expired grant";
}

}  // namespace
}  // namespace spacehub::service
