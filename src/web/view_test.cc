#include "web/view.h"

#include <gtest/gtest.h>

namespace spacehub::web {
namespace {

TEST(ViewTest, EscapesEveryValueForHtml) {
  auto html = RenderView("error", {{"status", 404},
                                   {"message", "<script>alert('x')</script>&\""},
                                   {"request_id", "\"><img src=x onerror=alert(1)>"}});
  ASSERT_TRUE(html.ok()) << html.status().ToString();
  EXPECT_EQ(html->find("<script>"), std::string::npos);
  EXPECT_EQ(html->find("<img"), std::string::npos);
  EXPECT_NE(html->find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(html->find("404"), std::string::npos);
}

TEST(ViewTest, EmptyStringsAndNullsAreFalseInSections) {
  // login.mustache shows the error paragraph only when there is an error.
  auto without = RenderView("login", {{"error", ""}, {"next", "/"}, {"username", nullptr}});
  ASSERT_TRUE(without.ok());
  EXPECT_EQ(without->find("login-error"), std::string::npos);
  auto with = RenderView("login", {{"error", "Invalid username or password"}, {"next", "/"}});
  ASSERT_TRUE(with.ok());
  EXPECT_NE(with->find("login-error"), std::string::npos);
}

TEST(ViewTest, TemplatesAreAlsoPartials) {
  // space_app includes space_header, which renders the stage badge.
  auto html =
      RenderView("space_app", {{"stage", "RUNNING"}, {"full", "a/b"}, {"base", "/spaces/a/b"}});
  ASSERT_TRUE(html.ok()) << html.status().ToString();
  EXPECT_NE(html->find("id=\"stage\""), std::string::npos);
}

TEST(ViewTest, AMissingViewIsAnInternalError) {
  auto html = RenderView("no-such-view", nlohmann::json::object());
  EXPECT_EQ(html.status().code(), Code::kInternal);
}

}  // namespace
}  // namespace spacehub::web
