#include "web/admin_common.h"

#include <gtest/gtest.h>

namespace spacehub::web {
namespace {

Visitor SessionOf(bool is_admin, int64_t session_id) {
  auth::Principal p;
  p.user.id = 7;
  p.user.name = "ada";
  p.user.is_admin = is_admin;
  p.session_id = session_id;
  return Visitor{.caller = p, .csrf = "c"};
}

TEST(RequireSiteAdminTest, OnlyAnAdministratorsBrowserSessionPasses) {
  auto ok = RequireSiteAdmin(SessionOf(true, 3));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)->user.name, "ada");
  // Everyone else sees nothing there: 404, never 401/403 (which would admit the page exists).
  EXPECT_EQ(RequireSiteAdmin(Visitor{}).status().code(), Code::kNotFound);
  EXPECT_EQ(RequireSiteAdmin(SessionOf(false, 3)).status().code(), Code::kNotFound);
  EXPECT_EQ(RequireSiteAdmin(SessionOf(true, 0)).status().code(), Code::kNotFound);  // a token
}

}  // namespace
}  // namespace spacehub::web
