#include "proxy/static_site.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace spacehub::proxy {
namespace {
namespace fs = std::filesystem;

class StaticSiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("static_site_test." + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(root() / "sub");
    fs::create_directories(root() / ".venv");
    std::ofstream(root() / "index.html") << "<h1>hi</h1>";
    std::ofstream(root() / "sub" / "index.html") << "sub";
    std::ofstream(root() / "app.js") << "1";
    std::ofstream(root() / ".venv" / "secret") << "no";
    std::ofstream(dir_ / "outside.txt") << "no";
    fs::create_symlink(dir_ / "outside.txt", root() / "link.txt");
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path root() const { return dir_ / "root"; }
  fs::path dir_;
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
