#include "service/xet_shard_admission.h"

#include <gtest/gtest.h>

#include <optional>
#include <utility>

namespace spacehub::service {
namespace {

TEST(ShardAdmissionTest, EachUserHasALimitAndEveryoneTogetherAnother) {
  ShardAdmission admission({.per_user = 2, .total = 3});
  auto a1 = admission.Admit(1);
  auto a2 = admission.Admit(1);
  ASSERT_TRUE(a1.ok() && a2.ok());
  auto a3 = admission.Admit(1);
  ASSERT_FALSE(a3.ok());
  EXPECT_EQ(a3.status().code(), Code::kResourceExhausted);  // 429: this user waits
  EXPECT_EQ(a3.status().retry_after_seconds(), 2);
  auto b1 = admission.Admit(2);  // another user is not held up by the first one's checks
  ASSERT_TRUE(b1.ok());
  auto c1 = admission.Admit(3);
  ASSERT_FALSE(c1.ok());
  EXPECT_EQ(c1.status().code(), Code::kUnavailable);  // 503: the hub is full
  EXPECT_TRUE(c1.status().retry_after_seconds().has_value());
  EXPECT_EQ(admission.UnderWay(1), 2);
  EXPECT_EQ(admission.UnderWay(), 3);
}

TEST(ShardAdmissionTest, APlaceIsGivenBackOnceWhenItsTicketEnds) {
  ShardAdmission admission({.per_user = 1, .total = 4});
  {
    auto t = admission.Admit(7);
    ASSERT_TRUE(t.ok());
    ShardAdmission::Ticket moved = std::move(*t);  // the moved-from ticket gives nothing back
    EXPECT_EQ(admission.UnderWay(7), 1);
    EXPECT_FALSE(admission.Admit(7).ok());
    std::optional<ShardAdmission::Ticket> held(std::move(moved));
    held.reset();
    EXPECT_EQ(admission.UnderWay(7), 0);
    auto again = admission.Admit(7);
    ASSERT_TRUE(again.ok());
    auto other = admission.Admit(8);
    ASSERT_TRUE(other.ok());
    *again = std::move(*other);  // assigning over a ticket gives its place back first
    EXPECT_EQ(admission.UnderWay(7), 0);
    EXPECT_EQ(admission.UnderWay(8), 1);
  }
  EXPECT_EQ(admission.UnderWay(), 0);
}

}  // namespace
}  // namespace spacehub::service
