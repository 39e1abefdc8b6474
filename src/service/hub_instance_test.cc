#include "service/hub_instance.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "service/test_util.h"

namespace spacehub::service {
namespace {

class HubInstanceTest : public HubTest {};

TEST_F(HubInstanceTest, BootstrapAdminGivesATokenAndAPasswordOnce) {
  OpenHub();
  auto first = instance_->BootstrapAdmin();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->token.rfind("hf_", 0), 0u);
  const std::string& pw = (*first)->password;
  EXPECT_EQ(pw.size(), 20u);
  for (char c : pw) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << pw;
  auto session = hub().sessions.SignIn("admin", pw, "127.0.0.1", "");
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  auto who = hub().sessions.Resolve(session->cookie_value);
  ASSERT_TRUE(who.ok() && who->has_value());
  EXPECT_TRUE((*who)->principal.user.is_admin);

  auto second = instance_->BootstrapAdmin();
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->has_value());
}

TEST_F(HubInstanceTest, WithRuntimeKeepsTheSessions) {
  OpenHub();
  Hub served = hub().WithRuntime(nullptr);
  EXPECT_EQ(&served.sessions, &hub().sessions);
  EXPECT_EQ(served.options.signup, auth::SignupPolicy::kClosed);
}

}  // namespace
}  // namespace spacehub::service
