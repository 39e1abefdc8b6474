#include "service/hardware_grants.h"

#include <algorithm>

#include "service/test_util.h"

namespace spacehub::service {
namespace {

class HardwareGrantsTest : public HubTest {
 protected:
  void SetUp() override { OpenHub(); }

  std::vector<std::string> GrantsOf(const db::Account& a) {
    auto grants = hub().db.ListHardwareGrants(a.id);
    EXPECT_TRUE(grants.ok());
    std::vector<std::string> out;
    for (const auto& g : grants.ok() ? *grants : std::vector<db::HardwareGrant>{}) {
      out.push_back(g.flavor);
    }
    return out;
  }
};

TEST_F(HardwareGrantsTest, GrantsAndRevokesCatalogFlavorsAndStar) {
  Caller alice = User("alice");
  auto acc = SetHardwareGrants(hub(), "alice", {"t4-small", "*"}, true);
  ASSERT_TRUE(acc.ok()) << acc.status().message();
  EXPECT_EQ(acc->name, "alice");
  auto granted = GrantsOf(*acc);
  std::sort(granted.begin(), granted.end());
  EXPECT_EQ(granted, (std::vector<std::string>{"*", "t4-small"}));
  ASSERT_TRUE(SetHardwareGrants(hub(), "alice", {"*"}, false).ok());
  EXPECT_EQ(GrantsOf(*acc), std::vector<std::string>{"t4-small"});
}

TEST_F(HardwareGrantsTest, AnUnknownFlavorChangesNothing) {
  Caller alice = User("alice");
  auto r = SetHardwareGrants(hub(), "alice", {"t4-small", "h100-x"}, true);
  ASSERT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("h100-x"), std::string::npos);
  EXPECT_TRUE(GrantsOf(alice->user).empty());
  EXPECT_EQ(SetHardwareGrants(hub(), "alice", {""}, true).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(SetHardwareGrants(hub(), "alice", {}, true).status().code(), Code::kInvalidArgument);
}

TEST_F(HardwareGrantsTest, ARemovedFlavorCanStillBeRevoked) {
  Caller alice = User("alice");
  ASSERT_TRUE(hub().db.SetHardwareGrant(alice->user.id, "gone-flavor", true).ok());
  ASSERT_TRUE(SetHardwareGrants(hub(), "alice", {"gone-flavor"}, false).ok());
  EXPECT_TRUE(GrantsOf(alice->user).empty());
}

TEST_F(HardwareGrantsTest, AnUnknownAccountIsNotFound) {
  EXPECT_EQ(SetHardwareGrants(hub(), "nobody", {"t4-small"}, true).status().code(),
            Code::kNotFound);
}

}  // namespace
}  // namespace spacehub::service
