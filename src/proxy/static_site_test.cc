#include "proxy/static_site.h"

#include <gtest/gtest.h>

#include "testing/temp_dir.h"

namespace spacehub::proxy {
namespace {
namespace fs = std::filesystem;

using spacehub::testing::WriteFile;

class StaticSiteTest : public spacehub::testing::TempDirTest {
 protected:
  void SetUp() override {
    WriteFile(root() / "index.html", "<h1>hi</h1>");
    WriteFile(root() / "sub" / "index.html", "sub");
    WriteFile(root() / "app.js", "1");
    WriteFile(root() / ".venv" / "secret", "no");
    WriteFile(dir_ / "outside.txt", "no");
    fs::create_symlink(dir_ / "outside.txt", root() / "link.txt");
  }
  fs::path root() const { return dir_ / "root"; }
};

TEST_F(StaticSiteTest, ResolvesInsideTheRootOnly) {
  struct Case {
    const char* path;
    const char* want;  // relative to the root; nullptr: not found
  } cases[] = {
      {"", "index.html"},          {"/", "index.html"},       {"index.html", "index.html"},
      {"sub/", "sub/index.html"},  {"sub", "sub/index.html"}, {"app.js", "app.js"},
      {"../outside.txt", nullptr}, {"sub/../../x", nullptr},  {".venv/secret", nullptr},
      {"link.txt", nullptr},       {"missing", nullptr},      {"./index.html", nullptr},
  };
  for (const auto& c : cases) {
    auto r = ResolveStaticFile(root(), c.path);
    if (c.want) {
      ASSERT_TRUE(r.ok()) << c.path << ": " << r.status().ToString();
      EXPECT_EQ(*r, fs::canonical(root() / c.want)) << c.path;
    } else {
      EXPECT_FALSE(r.ok()) << c.path;
    }
  }
}

TEST_F(StaticSiteTest, ResponseHasTypeAndRanges) {
  auto r = StaticFileResponse(root() / "index.html");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ranges_allowed);
  EXPECT_NE(r->GetHeader("content-type").find("text/html"), std::string_view::npos);
  ASSERT_TRUE(r->file);
  EXPECT_EQ(r->file->length(), 11u);
}

TEST(StaticHeadTest, TheHeadScriptGoesIntoTheHeadOfHtmlPages) {
  EXPECT_EQ(InjectIntoHead("<html><head><title>x</title></head></html>", "<s>"),
            "<html><head><s><title>x</title></head></html>");
  EXPECT_EQ(InjectIntoHead("<HTML><HEAD lang=en>t</HEAD>", "<s>"),
            "<HTML><HEAD lang=en><s>t</HEAD>");
  // <header> is not <head>; a page without a head gets it first.
  EXPECT_EQ(InjectIntoHead("<header>h</header>", "<s>"), "<s><header>h</header>");
  EXPECT_EQ(InjectIntoHead("", "<s>"), "<s>");
}

}  // namespace
}  // namespace spacehub::proxy
